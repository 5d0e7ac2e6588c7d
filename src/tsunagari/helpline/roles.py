"""Staff roles of the unified line as Django groups, with permissions on the helpline models.

- ``counsellor`` (相談員): sees incoming contacts and the line's configuration, writes the common
  consultation record (``add_consultationrecord``) and reads the records they wrote; takes and
  answers chats (``view_chatsession``, ``change_chatsession``) and callback requests
  (``view_callbackrequest``, ``change_callbackrequest``). Limited to the contacts of the
  partner bodies they belong to (``StaffMembership``; see ``access``).
- ``coordinator`` (つなぎ支援コーディネーター): reads contacts and records, works the coordinators'
  queue (``view_coordinationcase``, ``change_coordinationcase``: take and close cases).
- ``supervisor`` (スーパーバイザー): both of the above, and reads all of the line's configuration
  (menus, shifts, overflow policies, line states); sees every body's contacts (``view_all_bodies``).

The console checks permissions, never group names, so a user may hold several roles and the cases
app can add its own. ``ensure_roles()`` creates or updates the groups; it is idempotent and sets
each group's helpline permissions to exactly those listed here (permissions of other apps that an
administrator added are kept).
"""

from __future__ import annotations

COUNSELLOR = "counsellor"
COORDINATOR = "coordinator"
SUPERVISOR = "supervisor"

_LINE_VIEW = ["view_field", "view_partnerbody", "view_line", "view_contact", "view_contactevent"]
_CONFIG_VIEW = [
    "view_menuversion",
    "view_menuoption",
    "view_shift",
    "view_shiftexception",
    "view_overflowpolicy",
    "view_linestate",
]
_CHAT = ["view_chatsession", "change_chatsession"]
_CALLBACKS = ["view_callbackrequest", "change_callbackrequest"]
_COUNSELLOR = [*_LINE_VIEW, "add_consultationrecord", *_CHAT, *_CALLBACKS]
_COORDINATOR = [
    *_LINE_VIEW,
    "view_consultationrecord",
    "view_coordinationcase",
    "change_coordinationcase",
]

ROLES: dict[str, tuple[str, ...]] = {
    COUNSELLOR: tuple(_COUNSELLOR),
    COORDINATOR: tuple(_COORDINATOR),
    SUPERVISOR: tuple(dict.fromkeys([*_COUNSELLOR, *_COORDINATOR, *_CONFIG_VIEW, "view_all_bodies"])),
}
"""Role → codenames of ``helpline`` permissions."""


def ensure_roles() -> dict[str, int]:
    """Create or update the role groups; returns role → number of helpline permissions.

    Needs the helpline migrations applied (permissions are created after ``migrate``)."""
    from tsunagari.core.role_groups import sync_role_permissions

    return sync_role_permissions(ROLES, ("helpline",))
