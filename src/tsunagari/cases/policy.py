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


def may_add_council(user) -> bool:
    return user.is_active and user.has_perm("cases.add_council")


def may_manage_council(user, council) -> bool:
    """Change the council, its members and meetings: its secretariat or chair, or a user without a
    body limit, holding ``cases.change_council``."""
    from tsunagari.cases.council_models import CouncilMember

    if not (user.is_active and user.has_perm("cases.change_council")):
        return False
    if bodies_of(user) is None:
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
