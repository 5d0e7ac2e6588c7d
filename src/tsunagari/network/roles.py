"""Staff roles of the public–private platforms as Django groups, with permissions on network models.

- ``platform_secretariat`` (全国プラットフォーム事務局): manages every platform, member body,
  membership, committee, event, newsletter, supporter course, certificate, campaign and the
  officer/editor assignments; holds the model
  permissions (the admin too) and ``manage_all_platforms``.
- ``local_platform_officer`` (地方版の担当者): manages only the platforms they are officer of
  (``PlatformOfficer`` rows), in the admin, which ``network.admin_scope`` narrows to those
  platforms by asking ``network.policy`` per object, and on the network's staff pages
  (``act_as_platform_officer``). Model permissions (:data:`_OFFICER_MODEL_PERMISSIONS`):

  * view, add and change memberships, committees, seats, events, event materials, newsletters
    and issues of their platforms;
  * delete only what is a plain correction: a committee seat entered by mistake and an event
    material. Not memberships (a member leaves with an end date, so counts by class over time stay
    right; a seat protects them anyway), committees, events (cancel instead: registrations hang on
    them), newsletters or issues (deliveries hang on sent ones);
  * view only of platforms (created and changed by the secretariat) and member bodies (the
    bodies that are or were members of their platforms; profiles are edited on the staff page
    /network/bodies/<id>/edit/, contact people never appear in the admin for them);
  * view only of registrations (names and e-mail addresses of their events' participants):
    ``change_registration`` is withheld because the training attendance page
    (``training_views.staff_attendance``) checks only the model permissions and would open every
    platform's sessions to them; registrations change through the services anyway.
- ``member_body_editor`` (会員団体の編集者): edits only their own body's public profile and contact
  people (``BodyEditor`` rows) on the staff page. Holds ``edit_own_body`` only: no network page of
  the admin.

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

_OFFICER_MODEL_PERMISSIONS = (
    *(
        f"{action}_{model}"
        for model in (
            "membership", "committee", "committeeseat", "event", "eventmaterial", "newsletter", "issue",
        )
        for action in ("view", "add", "change")
    ),
    "delete_committeeseat",
    "delete_eventmaterial",
    "view_registration",
    "view_platform",
    "view_memberbody",
)  # fmt: skip
"""The officer's model permissions; ``network.admin_scope`` limits them to their platforms."""

ROLES: dict[str, tuple[str, ...]] = {
    PLATFORM_SECRETARIAT: _SECRETARIAT,
    LOCAL_PLATFORM_OFFICER: ("act_as_platform_officer", *_OFFICER_MODEL_PERMISSIONS),
    MEMBER_BODY_EDITOR: ("edit_own_body",),
}
"""Role → codenames of ``network`` permissions."""


def ensure_network_roles() -> dict[str, int]:
    """Create or update the role groups; returns role → number of network permissions.

    Needs the network migrations applied; raises ``LookupError`` naming missing permissions."""
    from tsunagari.core.role_groups import sync_role_permissions

    return sync_role_permissions(ROLES, ("network",))
