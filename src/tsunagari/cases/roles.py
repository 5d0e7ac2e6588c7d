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

# Regional councils and sharing (issue 5). Roles that see personal data are limited by
# ``cases.policy`` (bodies, council membership); ``analyst`` holds no permission on any object with
# personal data (aggregates only: the pseudonymised export and the statistics pages).
COUNCIL_MEMBER = "council_member"
MUNICIPAL_OFFICER = "municipal_officer"
ANALYST = "analyst"
SYSTEM_ADMINISTRATOR = "system_administrator"
_RECORD_CONSENT = ("view_consent", "add_consent", "change_consent")
_SHARE = ("view_caseshare", "add_caseshare", "change_caseshare", "view_council")
_RUN_COUNCIL = (
    "view_council",
    "add_council",
    "change_council",
    "view_councilmemberbody",
    "add_councilmemberbody",
    "change_councilmemberbody",
    "view_councilmember",
    "add_councilmember",
    "change_councilmember",
    "view_meeting",
    "add_meeting",
    "change_meeting",
)
ROLES["counsellor"] = (*_CASEWORK, *_RECORD_CONSENT)
ROLES["coordinator"] = (*_CASEWORK, *_RECORD_CONSENT, *_SHARE)
ROLES["supervisor"] = (*_CASEWORK, *_RECORD_CONSENT, *_SHARE, "override_consent")
ROLES[COUNCIL_MEMBER] = ("view_council", "view_meeting", "view_shared_sections")
ROLES[MUNICIPAL_OFFICER] = (*_RUN_COUNCIL, "view_shared_sections")
ROLES[ANALYST] = ()
# Municipal officers are limited to their areas (``StaffArea``); system administrators are not.
ROLES[SYSTEM_ADMINISTRATOR] = (*(c for c in _RUN_COUNCIL if not c.endswith("_meeting")), "all_areas")


def ensure_case_roles() -> dict[str, int]:
    from tsunagari.core.role_groups import sync_role_permissions

    return sync_role_permissions(ROLES, ("cases",))
