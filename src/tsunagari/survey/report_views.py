"""Staff pages: the national survey's report (published figures, year‑on‑year judgements, charts)
and, for a wave with submitted responses, its weighted estimates; exports as PDF, Excel and CSV.

Access: a logged‑in, active staff member with the ``survey.view_report`` permission (an analyst
role); anonymous users go to the login page, others get 403 (logged). Analysts see aggregates only —
no response, access code or stratum of a person is shown or exported. Each view or export is
logged to ``tsunagari.audit`` with the user id, the format and the wave id.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tsunagari.survey import report, report_exports, report_selectors
from tsunagari.survey.charts import chart_for
from tsunagari.survey.report_tables import estimated_tables, published_tables

audit = logging.getLogger("tsunagari.audit")

PERMISSION = "survey.view_report"
FORMATS = ("pdf", "xlsx", "csv")


def staff_required(view):
    """Login required (else the admin login page), then staff with :data:`PERMISSION` (else 403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            details = {"event": "survey.report.refused", "user_id": user.pk, "path": request.path}
            audit.warning(
                "survey report refused: user %(user_id)s, %(path)s", details, extra={"audit": details}
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _log(request, fmt: str, wave_id: int | None) -> None:
    details = {"event": "survey.report.viewed", "user_id": request.user.pk, "format": fmt, "wave_id": wave_id}
    audit.info(
        "survey report viewed: user %(user_id)s, %(format)s, wave %(wave_id)s",
        details,
        extra={"audit": details},
    )


def _sections(tables) -> list[dict]:
    return [{"table": t, "chart": chart_for(t)} for t in tables]


def _context(request) -> dict:
    waves = report_selectors.waves_with_responses()
    context = {
        "waves": waves,
        "wave": None,
        "wave_error": None,
        "wave_tables": [],
        "wave_sections": [],
        "query": "",
    }
    raw = request.GET.get("wave", "").strip()
    if raw:
        wave = next((w for w in waves if str(w.pk) == raw), None)
        if wave is None:
            context["wave_error"] = "指定された調査回には回答がありません。"
        else:
            context["wave"] = wave
            context["query"] = "?" + urlencode({"wave": wave.pk})
            data = report_selectors.wave_answers(wave)
            if data is None:
                context["wave_error"] = "この調査回には抽出台帳の情報がないため、重み付き推計ができません。"
            else:
                try:
                    tables = estimated_tables(
                        data.answers, data.strata, data.stratum_sizes, wave_label=wave.name
                    )
                except ValueError as exc:
                    context["wave_error"] = f"推計できません: {exc}"
                else:
                    context["wave_tables"] = tables
                    context["wave_sections"] = _sections(tables)
    published = published_tables()
    context.update(
        published_tables=published,
        published_sections=_sections(published),
        statements=report.statements(),
        claims=report.check_claims(),
    )
    return context


@staff_required
def report_page(request):
    context = _context(request)
    _log(request, "html", context["wave"].pk if context["wave"] else None)
    return render(request, "survey/report.html", context)


@staff_required
def report_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    context = _context(request)
    wave_id = context["wave"].pk if context["wave"] else None
    _log(request, fmt, wave_id)
    tables = context["wave_tables"] + context["published_tables"]
    stem = f"survey-report-wave{wave_id}" if wave_id else "survey-report"
    if fmt == "pdf":
        context["generated"] = timezone.localdate().isoformat()
        body, content_type = report_exports.report_pdf(context), "application/pdf"
    elif fmt == "xlsx":
        body = report_exports.report_xlsx(tables)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = report_exports.report_csv(tables).encode("utf-8"), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
