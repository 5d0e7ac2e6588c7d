"""Case permissions of the staff roles (Django groups), next to the helpline's (``helpline.roles``).

- ``counsellor``, ``coordinator``, ``supervisor``: read, open and write cases (within their
  bodies, see ``cases.policy``); the role groups are shared with the helpline.
- ``auditor`` (監査担当): reads the audit log (``view_auditentry``) and nothing else.

``ensure_case_roles()`` is idempotent and sets each group's *cases* permissions to exactly these.
"""

from __future__ import annotations

AUDITOR = "auditor"
_CASEWORK = ("view_case", "add_case", "change_case", "view_section", "view_referral")

ROLES: dict[str, tuple[str, ...]] = {
    "counsellor": _CASEWORK,
    "coordinator": _CASEWORK,
    "supervisor": _CASEWORK,
    AUDITOR: ("view_auditentry",),
}


def ensure_case_roles() -> dict[str, int]:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    with transaction.atomic():
        create_permissions(apps.get_app_config("cases"), verbosity=0)
        permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="cases")}
        result = {}
        for role, codenames in ROLES.items():
            group, _created = Group.objects.get_or_create(name=role)
            wanted = {permissions[c].pk for c in codenames}
            current = set(
                group.permissions.filter(content_type__app_label="cases").values_list("pk", flat=True)
            )
            group.permissions.remove(*(current - wanted))
            group.permissions.add(*(wanted - current))
            result[role] = len(wanted)
        return result
