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
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    with transaction.atomic():
        for app in APPS:
            create_permissions(apps.get_app_config(app), verbosity=0)
        permissions = {
            f"{p.content_type.app_label}.{p.codename}": p
            for p in Permission.objects.filter(content_type__app_label__in=APPS).select_related(
                "content_type"
            )
        }
        result = {}
        for role, names in ROLES.items():
            group, _created = Group.objects.get_or_create(name=role)
            wanted = {permissions[name].pk for name in names}
            current = set(
                group.permissions.filter(content_type__app_label__in=APPS).values_list("pk", flat=True)
            )
            group.permissions.remove(*(current - wanted))
            group.permissions.add(*(wanted - current))
            result[role] = len(wanted)
        return result
