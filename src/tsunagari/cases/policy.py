"""Who may read and write which case — the one place for object-level decisions on cases.

Rules: reading needs ``cases.view_case``, writing ``cases.change_case`` (adding a case
``cases.add_case``); both are limited to cases of the user's partner bodies
(``helpline.access.bodies_of``; ``helpline.view_all_bodies`` lifts the limit). A case of no body
is visible only without a limit. Callers answer "not found" for a case a user may not see, so
existence is not revealed.

Councils are also scoped by area (``area_models.StaffArea``): setting one up needs every local
government that sets it up to lie in the user's area, and running one (its bodies, members and
meetings) needs one of them to lie there — or a secretariat or chair seat on it. ``cases.all_areas``
lifts the area limit.
"""

from __future__ import annotations

from tsunagari.core.user_memo import remembered
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


# -- regional councils and sharing ----------------------------------------------------------------
#
# A council member sees only what is shared with their council (need-to-know): a section is
# visible to them while a share of it with one of their councils is in force (not ended, consent
# not withdrawn) and they hold ``cases.view_shared_sections``; never the rest of the case, and
# never the case's personal fields. Sharing needs ``cases.add_caseshare`` and the right to change
# the case; sharing without the person's consent also ``cases.override_consent`` (and a written
# reason, checked by ``sharing_services``). Councils are run by their secretariat: a member in role
# ``secretariat`` or ``chair`` with ``cases.change_council`` (or a user with no body limit).

SHARED_SECTIONS = "cases.view_shared_sections"


def council_ids_of(user) -> frozenset[int]:
    """Councils the user is an active member of."""
    from tsunagari.cases.council_models import CouncilMember

    if not (user.is_active and user.is_authenticated):
        return frozenset()
    return frozenset(
        CouncilMember.objects.filter(user_id=user.pk, left_at__isnull=True, council__active=True).values_list(
            "council_id", flat=True
        )
    )


def shared_section_ids(user, case_id=None) -> frozenset:
    """Ids of the sections shared (in force) with the user's councils, for a member holding
    ``cases.view_shared_sections``; optionally of one case."""
    from tsunagari.cases.sharing_models import CaseShareSection

    if not (user.is_active and user.has_perm(SHARED_SECTIONS)):
        return frozenset()
    councils = council_ids_of(user)
    if not councils:
        return frozenset()
    rows = CaseShareSection.objects.filter(
        share__council_id__in=councils, share__ended_at__isnull=True
    ).exclude(share__consent__withdrawn_at__isnull=False)  # a withdrawn consent ends access even unrecorded
    if case_id is not None:
        rows = rows.filter(share__case_id=case_id)
    return frozenset(rows.values_list("section_id", flat=True))


def may_view_share_as_member(user, share) -> bool:
    return (
        share.ended_at is None
        and (share.consent_id is None or share.consent.withdrawn_at is None)
        and user.is_active
        and user.has_perm(SHARED_SECTIONS)
        and share.council_id in council_ids_of(user)
    )


def may_view_section(user, section) -> bool:
    """Casework staff of the case's body, or a member of a council the section is shared with."""
    if may_view_case(user, section.case):
        return True
    return section.pk in shared_section_ids(user, section.case_id)


def may_share_case(user, case) -> bool:
    return may_change_case(user, case) and user.has_perm("cases.add_caseshare")


def may_override_consent(user, case) -> bool:
    return may_share_case(user, case) and user.has_perm("cases.override_consent")


def may_record_consent(user, case) -> bool:
    return may_change_case(user, case) and user.has_perm("cases.add_consent")


def may_end_share(user, share) -> bool:
    return may_change_case(user, share.case) and user.has_perm("cases.change_caseshare")


ALL_AREAS = "cases.all_areas"


def area_codes_of(user) -> frozenset[str] | None:
    """Codes of the local governments in the user's areas — each area itself, a prefecture's
    municipalities, a designated city's wards; ``None`` for no limit (``cases.all_areas``).
    Remembered on the user object (``core.user_memo``), like ``bodies_of``."""
    if user.has_perm(ALL_AREAS):
        return None
    return remembered(user, "areas", lambda: _covered_codes(user.pk))


def _covered_codes(user_id) -> frozenset[str]:
    from django.db.models import Q

    from tsunagari.cases.area_models import StaffArea
    from tsunagari.core.models import LocalGovernment

    areas = list(
        LocalGovernment.objects.filter(
            code__in=StaffArea.objects.filter(user_id=user_id).values("local_government_id")
        ).values_list("code", "kind", "prefecture_code")
    )
    codes = {code for code, _kind, _prefecture in areas}
    if not codes:
        return frozenset()
    prefectures = {prefecture for _code, kind, prefecture in areas if kind == LocalGovernment.Kind.PREFECTURE}
    within = LocalGovernment.objects.filter(Q(prefecture_code__in=prefectures) | Q(parent_id__in=codes))
    return frozenset(codes) | frozenset(within.values_list("code", flat=True))


def outside_area(user, codes) -> list[str]:
    """The codes among ``codes`` that lie outside the user's areas (none without a limit)."""
    area = area_codes_of(user)
    return [] if area is None else [code for code in codes if code not in area]


def may_add_council(user, codes=None) -> bool:
    """Set up a council (``cases.add_council``) — with ``codes``, for those local governments, every
    one within the user's area; without, whether the user may set up any (has an area)."""
    if not (user.is_active and user.has_perm("cases.add_council")):
        return False
    if codes is None:
        area = area_codes_of(user)
        return area is None or bool(area)
    return not outside_area(user, codes)


def council_in_area(user, council) -> bool:
    """One of the local governments that set up the council lies in the user's area."""
    area = area_codes_of(user)
    if area is None:
        return True
    return any(code in area for code in council.local_governments.values_list("code", flat=True))


def may_manage_council(user, council) -> bool:
    """Change the council, its members and meetings (``cases.change_council``): an officer of one of
    the local governments that set it up (``council_in_area``), or its secretariat or chair."""
    from tsunagari.cases.council_models import CouncilMember

    if not (user.is_active and user.has_perm("cases.change_council")):
        return False
    if council_in_area(user, council):
        return True
    return CouncilMember.objects.filter(
        council_id=council.pk,
        user_id=user.pk,
        left_at__isnull=True,
        role__in=[CouncilMember.Role.SECRETARIAT, CouncilMember.Role.CHAIR],
    ).exists()


def may_view_council(user, council) -> bool:
    """The council's composition: its members, or whoever may manage it or share cases with it."""
    if not (user.is_active and user.has_perm("cases.view_council")):
        return False
    return (
        council.pk in council_ids_of(user)
        or may_manage_council(user, council)
        or (user.has_perm("cases.add_caseshare"))
    )


def may_view_minutes(user, meeting) -> bool:
    """Minutes: members of the meeting's council holding ``cases.view_meeting``, or its managers."""
    council = meeting.council
    if not (user.is_active and user.has_perm("cases.view_meeting")):
        return False
    return council.pk in council_ids_of(user) or may_manage_council(user, council)


def referral_parties(user, referral) -> set:
    """The parties (sender / receiver, ``referral_states.Party``) the user acts as on a handover;
    empty when neither (the rule itself lives with the transition service)."""
    from tsunagari.cases.referrals import _parties

    return _parties(user, referral) if user.is_active else set()


def may_view_referral(user, referral) -> bool:
    return may_view_case(user, referral.case) or bool(referral_parties(user, referral))


def may_record_meeting(user, council) -> bool:
    return may_manage_council(user, council) and user.has_perm("cases.add_meeting")


def may_edit_minutes(user, meeting) -> bool:
    return may_manage_council(user, meeting.council) and user.has_perm("cases.change_meeting")
