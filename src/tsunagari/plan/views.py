"""Staff pages of the priority plan (Japanese only): the KPI dashboard and its CSV / Excel export.

Login required (else the admin login page), then an active staff user with :data:`PERMISSION`
(else 403). Thin: data from ``selectors.dashboard``, rows from ``export.rows``, charts from ``chart``.
The plan holds no personal data, so views are not written to the audit log.
"""

from __future__ import annotations

import csv
import io
import logging
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from tsunagari.plan import export, selectors
from tsunagari.plan.chart import kpi_chart
from tsunagari.plan.plan_data import load_plan

PERMISSION = "plan.view_kpi"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
log = logging.getLogger(__name__)


def staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            log.warning("plan dashboard refused: user %s", user.pk)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _chart(row: selectors.KpiRow) -> dict:
    kpi = row.kpi
    target = (kpi.target_year, kpi.target_value) if kpi.target_value is not None else None
    desc = (
        f"基準値 {kpi.baseline_text}{kpi.unit}（{kpi.baseline_year}年）"
        + "".join(f"、{p.year}年 {p.value_text}{kpi.unit}" for p in row.points)
        + (f"、目標 {kpi.target_text}{kpi.unit}（{kpi.target_year}年）" if target else "、目標値なし")
        + "。数値は下の表にあります。"
    )
    return kpi_chart(
        f"kpi-{kpi.code}",
        kpi.name,
        desc,
        baseline=(kpi.baseline_year, kpi.baseline_value),
        values=[(p.year, p.value) for p in row.points],
        target=target,
        unit=kpi.unit,
    )


@staff_required
def dashboard(request):
    this_year = timezone.localdate().year
    measures = selectors.dashboard(this_year)
    policies: dict[str, dict] = {}
    for m in measures:
        policy = policies.setdefault(m.measure.policy_code, {"title": m.measure.policy_title, "measures": []})
        policy["measures"].append({"row": m, "kpis": [{"row": k, "chart": _chart(k)} for k in m.kpis]})
    return render(
        request,
        "plan/dashboard.html",
        {"plan": load_plan(), "policies": list(policies.values()), "this_year": this_year},
    )


@staff_required
def export_csv(request):
    header, rows = export.rows(selectors.dashboard(timezone.localdate().year))
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: spreadsheet programs then read the file as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="priority-plan-kpis.csv"'
    return response


@staff_required
def export_xlsx(request):
    response = HttpResponse(
        export.workbook(selectors.dashboard(timezone.localdate().year)), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="priority-plan-kpis.xlsx"'
    return response
