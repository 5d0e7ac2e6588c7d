"""Who reads the evidence pages (the survey report and the priority plan's KPI dashboard).

- ``analyst`` (aggregates only, never personal data): ``survey.view_report`` and ``plan.view_kpi``;
- ``platform_secretariat`` (the national office, which evaluates the plan yearly): ``plan.view_kpi``.

``ensure_evidence_roles()`` is idempotent and sets each of these groups' *survey* and *plan*
permissions to exactly these (their other apps' permissions are set by those apps' roles modules).
"""

from __future__ import annotations

APPS = ("survey", "plan")

ROLES: dict[str, tuple[str, ...]] = {
    "analyst": ("survey.view_report", "plan.view_kpi"),
    "platform_secretariat": ("plan.view_kpi",),
}


def ensure_evidence_roles() -> dict[str, int]:
    from tsunagari.core.role_groups import sync_role_permissions

    return sync_role_permissions(ROLES, APPS)
