"""The coordinators' dashboard page (/cases/dashboard/): serious cases waiting for support, handovers
by status and age, time to first response (``selectors.coordinator_dashboard``) and the overdue
handovers (``selectors.overdue_handovers``) — ids, times and counts only, nothing personal."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tsunagari.cases import dashboard, selectors
from tsunagari.cases.page_views import staff_view
from tsunagari.cases.referral_models import STATUS_CHOICES

AGE_LABELS = {"under_1d": _("1日未満"), "1d_3d": _("1〜3日"), "3d_7d": _("3〜7日"), "over_7d": _("7日以上")}


@require_GET
@staff_view("cases.view_referral")
def coordinator_dashboard(request):
    now = timezone.now()
    waiting, summary = selectors.coordinator_dashboard(request.user, now)
    rows = [
        {
            "status": code,
            "label": label,
            "count": summary.by_status[code],
            "ages": [summary.by_age[code][band] for band, _upper in dashboard.AGE_BANDS],
        }
        for code, label in STATUS_CHOICES
    ]
    overdue = [
        {"referral": r, "hours": int((now - r.requested_at).total_seconds() // 3600)}
        for r in selectors.overdue_handovers(request.user, now)
    ]
    return render(
        request,
        "cases/dashboard.html",
        {
            "waiting": [
                {
                    "case_id": w.case_id,
                    "opened_at": w.opened_at,
                    "status": dict(STATUS_CHOICES).get(w.handover_status),
                }
                for w in waiting
            ],
            "summary": summary,
            "rows": rows,
            "age_labels": [AGE_LABELS[band] for band, _upper in dashboard.AGE_BANDS],
            "overdue": overdue,
            "open_handovers": selectors.open_handovers(request.user),
            "overdue_hours": settings.TSUNAGARI_REFERRAL_OVERDUE_HOURS,
            "now": now,
        },
    )
