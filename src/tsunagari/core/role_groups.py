"""Staff roles as Django groups: one function that sets a set of groups' permissions of some apps.

``sync_role_permissions(roles, apps)`` takes ``{group name: permission names}`` — ``"codename"`` for
the first app of ``apps`` or ``"app_label.codename"`` — creates missing groups, and sets each group's
permissions *of these apps* to exactly the listed ones (permissions of other apps, set by their own
roles modules or by an administrator, are kept). Idempotent, in one transaction. Permissions are
created first if ``migrate``'s signal has not made them yet; a name that still does not exist raises
``LookupError`` naming it. Returns ``{group name: number of permissions set}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def sync_role_permissions(roles: Mapping[str, Sequence[str]], apps: Sequence[str]) -> dict[str, int]:
    from django.apps import apps as django_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    def full(name: str) -> str:
        return name if "." in name else f"{apps[0]}.{name}"

    wanted_names = {full(n) for names in roles.values() for n in names}

    def existing() -> dict[str, int]:
        rows = Permission.objects.filter(content_type__app_label__in=apps).values_list(
            "content_type__app_label", "codename", "pk"
        )
        return {f"{app}.{codename}": pk for app, codename, pk in rows}

    with transaction.atomic():
        permissions = existing()
        if not wanted_names <= set(permissions):
            for app in apps:  # normally made by migrate's post_migrate signal
                create_permissions(django_apps.get_app_config(app), verbosity=0)
            permissions = existing()
        missing = sorted(wanted_names - set(permissions))
        if missing:
            raise LookupError(f"permissions missing (run migrate first): {', '.join(missing)}")
        result = {}
        for role, names in roles.items():
            group, _created = Group.objects.get_or_create(name=role)
            wanted = {permissions[full(n)] for n in names}
            current = set(
                group.permissions.filter(content_type__app_label__in=apps).values_list("pk", flat=True)
            )
            if current - wanted:
                group.permissions.remove(*(current - wanted))
            if wanted - current:
                group.permissions.add(*(wanted - current))
            result[role] = len(wanted)
        return result
