"""Who may read and write which case — the one place for object-level decisions on cases.

Rules: reading needs ``cases.view_case``, writing ``cases.change_case`` (adding a case
``cases.add_case``); both are limited to cases of the user's partner bodies
(``helpline.access.bodies_of``; ``helpline.view_all_bodies`` lifts the limit). A case of no body
is visible only without a limit. Callers answer "not found" for a case a user may not see, so
existence is not revealed.
"""

from __future__ import annotations

from tsunagari.helpline.access import bodies_of


def _in_scope(user, body_id) -> bool:
    bodies = bodies_of(user)
    return bodies is None or (body_id is not None and body_id in bodies)


def may_view_case(user, case) -> bool:
    return user.is_active and user.has_perm("cases.view_case") and _in_scope(user, case.body_id)


def may_change_case(user, case) -> bool:
    return user.is_active and user.has_perm("cases.change_case") and _in_scope(user, case.body_id)


def may_add_case(user, body_id) -> bool:
    return user.is_active and user.has_perm("cases.add_case") and _in_scope(user, body_id)
