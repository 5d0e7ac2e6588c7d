"""Staff roles of the public–private platforms as Django groups, with permissions on network models.

- ``platform_secretariat`` (全国プラットフォーム事務局): manages every platform, member body,
  membership, committee, event, newsletter, supporter course, certificate, campaign and the
  officer/editor assignments; holds the model
  permissions (the admin too) and ``manage_all_platforms``.
- ``local_platform_officer`` (地方版の担当者): manages only the platforms they are officer of
  (``PlatformOfficer`` rows) — their memberships, events and newsletters — and the bodies that are
  members of them. Holds ``act_as_platform_officer`` and *no* model permissions: the admin has no
  object-level filter, so these users work in the network's staff pages, where ``network.policy``
  decides per object.
- ``member_body_editor`` (会員団体の編集者): edits only their own body's public profile and contact
  people (``BodyEditor`` rows). Holds ``edit_own_body`` only, for the same reason.

``ensure_network_roles()`` is idempotent and sets each group's *network* permissions to exactly
these (permissions of other apps an administrator added are kept).
"""

from __future__ import annotations

PLATFORM_SECRETARIAT = "platform_secretariat"
LOCAL_PLATFORM_OFFICER = "local_platform_officer"
MEMBER_BODY_EDITOR = "member_body_editor"

_MANAGED = (
    "platform",
    "memberbody",
    "memberbodytopic",
    "contactperson",
    "membership",
    "committee",
    "committeeseat",
    "event",
    "eventmaterial",
    "newsletter",
    "issue",
    "subscriber",
    "platformofficer",
    "bodyeditor",
    # supporter training and the 強化月間 campaign
    "course",
    "coursepart",
    "trainingsession",
    "certificate",
    "campaign",
    "campaignpage",
    "campaignitem",
    "entrytag",
)
_SECRETARIAT = (
    *(f"{action}_{model}" for model in _MANAGED for action in ("view", "add", "change", "delete")),
    "view_registration",
    "change_registration",
    "view_delivery",
    "view_entryvisitcount",
    "manage_all_platforms",
)

ROLES: dict[str, tuple[str, ...]] = {
    PLATFORM_SECRETARIAT: _SECRETARIAT,
    LOCAL_PLATFORM_OFFICER: ("act_as_platform_officer",),
    MEMBER_BODY_EDITOR: ("edit_own_body",),
}
"""Role → codenames of ``network`` permissions."""


def ensure_network_roles() -> dict[str, int]:
    """Create or update the role groups; returns role → number of network permissions.

    Needs the network migrations applied; raises ``LookupError`` naming missing permissions."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import transaction

    wanted_codenames = {c for codenames in ROLES.values() for c in codenames}
    with transaction.atomic():
        permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="network")}
        if not wanted_codenames <= set(permissions):
            # Permissions are created by a post_migrate signal; create them now if it has not run.
            create_permissions(apps.get_app_config("network"), verbosity=0)
            permissions = {
                p.codename: p for p in Permission.objects.filter(content_type__app_label="network")
            }
        missing = sorted(wanted_codenames - set(permissions))
        if missing:
            raise LookupError(f"network permissions missing (run migrate first): {', '.join(missing)}")
        result = {}
        for role, codenames in ROLES.items():
            group, _created = Group.objects.get_or_create(name=role)
            wanted = {permissions[c].pk for c in codenames}
            current = set(
                group.permissions.filter(content_type__app_label="network").values_list("pk", flat=True)
            )
            if current - wanted:
                group.permissions.remove(*(current - wanted))
            if wanted - current:
                group.permissions.add(*(wanted - current))
            result[role] = len(wanted)
        return result
