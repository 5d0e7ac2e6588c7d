"""Need-to-know in the console: which partner bodies' contacts a staff user may see and act on.

Rules (read-only; the views answer 404 for what a user may not see, so existence is not revealed):

- A user holding ``helpline.view_all_bodies`` (supervisors; superusers hold every permission) is not
  limited: :func:`bodies_of` returns ``None``.
- Anyone else is limited to the bodies of their ``StaffMembership`` rows (possibly none: then they
  see no contacts at all).
- A contact belongs to the body that answered it (the ``body`` of its ``answered`` event; for a
  chat, the body of the counsellor who took it). A contact nobody answered belongs to no body.
- A chat still waiting (not taken) may be seen and taken by members of a body that *serves* it: the
  body has an active line of the chat's field, or the chat shows a crisis sign and the body has an
  active line that accepts crisis contacts.

Coordinators work across bodies by design (つなぎ支援): the coordinators' queue and the records are
governed by their permissions, not by bodies.
"""

from __future__ import annotations

from django.db.models import Q

from tsunagari.core.user_memo import remembered
from tsunagari.helpline.chat_models import ChatSession, StaffMembership
from tsunagari.helpline.models import ContactEvent, Line

ALL_BODIES = "helpline.view_all_bodies"


def bodies_of(user) -> frozenset[int] | None:
    """Ids of the bodies ``user`` works for; ``None`` for no limit (``view_all_bodies``);
    remembered on the user object (``core.user_memo``)."""
    if user.has_perm(ALL_BODIES):
        return None
    return remembered(
        user,
        "bodies",
        lambda: frozenset(StaffMembership.objects.filter(user=user).values_list("body_id", flat=True)),
    )


def contact_body_id(contact_id) -> int | None:
    """The body that answered the contact (its first ``answered`` event naming a body)."""
    return (
        ContactEvent.objects.filter(
            contact_id=contact_id, kind=ContactEvent.Kind.ANSWERED, body__isnull=False
        )
        .order_by("at", "pk")
        .values_list("body_id", flat=True)
        .first()
    )


def may_see_contact(user, contact_id) -> bool:
    bodies = bodies_of(user)
    if bodies is None:
        return True
    body_id = contact_body_id(contact_id)
    return body_id is not None and body_id in bodies


def serving_bodies(field_code: str, crisis: bool) -> frozenset[int]:
    """Bodies with an active line of ``field_code`` (or, for a crisis, one that accepts crisis)."""
    serves = Q(fields__code=field_code)
    if crisis:
        serves |= Q(accepts_crisis=True)
    return frozenset(Line.objects.filter(active=True).filter(serves).values_list("body_id", flat=True))


def served_by(body_ids) -> tuple[frozenset[str], bool]:
    """(field codes served by the active lines of ``body_ids``, whether one of them accepts crisis)."""
    lines = Line.objects.filter(active=True, body_id__in=list(body_ids))
    codes = frozenset(lines.filter(fields__isnull=False).values_list("fields__code", flat=True))
    return codes, lines.filter(accepts_crisis=True).exists()


def body_to_take(user, session: ChatSession) -> int | None:
    """The body on whose behalf ``user`` takes the waiting chat ``session`` (the first of their
    bodies that serves it), or ``None`` when they may not take it. A user without memberships who
    holds ``view_all_bodies`` takes it for the first body serving it."""
    return body_to_serve(user, session.field_id, session.crisis)


def body_to_serve(user, field_code: str | None, crisis: bool) -> int | None:
    """As :func:`body_to_take`, for anything waiting in field ``field_code`` (chats, callbacks)."""
    serving = serving_bodies(field_code, crisis)
    bodies = bodies_of(user)
    if bodies is None:
        own = frozenset(StaffMembership.objects.filter(user=user).values_list("body_id", flat=True))
        candidates = (own & serving) or serving
    else:
        candidates = bodies & serving
    return min(candidates) if candidates else None


def may_see_chat(user, session: ChatSession) -> bool:
    """A taken or closed chat: members of its body; a waiting chat: members of a body serving it."""
    bodies = bodies_of(user)
    if bodies is None:
        return True
    if session.status == ChatSession.Status.QUEUED:
        return bool(bodies & serving_bodies(session.field_id, session.crisis))
    return session.body_id is not None and session.body_id in bodies
