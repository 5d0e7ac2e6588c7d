"""Writes and reads of referrals, transfers and assignments (one mechanism).

Contract
--------
- ``request(user, case_id, kind, to_body=None, to_user=None, reason="")`` opens a handover in
  ``requested`` from the case's body; the user must be allowed to change the case.
- ``transition(user, referral_id, expected_version, target, note="")`` moves it when
  ``referral_states.check`` allows it for the user's party: the *sender* is whoever requested it or
  works for the sending body; the *receiver* is the assigned user or whoever works for the
  receiving body. Every change is kept as a ``ReferralEvent`` (from, to, who, when, note), the
  first receiver move sets ``first_response_at``, and each call is audited. A stale
  ``expected_version`` raises ``StaleRecordError``; a refused move ``TransitionRefused``; a user
  who is neither party ``PermissionDenied``.
- ``updates_for_sender(user)`` are the changes on the user's handovers not yet seen (closed loop);
  ``mark_seen`` records that the sender saw them. ``overdue(now)`` lists handovers still waiting
  for an answer after ``TSUNAGARI_REFERRAL_OVERDUE_HOURS``; ``notify_overdue(now)`` e-mails each
  sender once about their overdue handovers (counts and ids only, never case content).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.cases import audit, policy, referral_states
from tsunagari.cases.errors import StaleRecordError
from tsunagari.cases.models import Case
from tsunagari.cases.referral_models import Referral, ReferralEvent
from tsunagari.cases.referral_states import Party, Status
from tsunagari.helpline.access import bodies_of


def _parties(user, referral: Referral) -> set[Party]:
    bodies = bodies_of(user)
    parties = set()
    if referral.requested_by_id == user.pk or (
        referral.from_body_id is not None and (bodies is None or referral.from_body_id in bodies)
    ):
        parties.add(Party.SENDER)
    if referral.to_user_id == user.pk or (
        referral.to_body_id is not None and (bodies is None or referral.to_body_id in bodies)
    ):
        parties.add(Party.RECEIVER)
    return parties


def request(user, case_id, kind: str, *, to_body=None, to_user=None, reason: str = "") -> Referral:
    kind = Referral.Kind(kind)
    if to_body is None and to_user is None:
        raise ValueError("a handover goes to a body or a user")
    with transaction.atomic():
        audit.begin_write()
        case = Case.objects.get(pk=case_id)
        if not policy.may_view_case(user, case):
            raise Case.DoesNotExist
        if not policy.may_change_case(user, case):
            raise PermissionDenied
        now = timezone.now()
        referral = Referral(
            case=case,
            kind=kind,
            status=referral_states.INITIAL.value,
            from_body_id=case.body_id,
            to_body=to_body,
            to_user=to_user,
            requested_by=user,
            requested_at=now,
            reason=reason,
        )
        referral.save(force_insert=True)
        ReferralEvent(
            referral=referral,
            from_status="",
            to_status=referral.status,
            party=Party.SENDER.value,
            actor=user,
            at=now,
            seen_at=now,
        ).save(force_insert=True)
        audit.record(audit.actor_of(user), audit.CREATE, "cases.referral", referral.pk, ["reason"])
    return referral


def transition(user, referral_id, expected_version: int, target: str, note: str = "") -> Referral:
    with transaction.atomic():
        audit.begin_write()
        referral = Referral.objects.get(pk=referral_id)
        parties = _parties(user, referral)
        if not parties:
            raise PermissionDenied
        if referral.version != expected_version:  # judged on what the caller saw, not on newer state
            raise StaleRecordError(_("つなぎ"), expected_version)
        needed = referral_states.TRANSITIONS.get((referral.status, target))
        party = needed if needed in parties else next(iter(sorted(parties)))
        referral_states.check(referral.status, target, party, note)
        updated = Referral.objects.filter(pk=referral_id, version=expected_version).update(
            version=F("version") + 1
        )
        if not updated:
            raise StaleRecordError(_("つなぎ"), expected_version)
        now = timezone.now()
        referral = Referral.objects.get(pk=referral_id)
        previous, referral.status = referral.status, Status(target).value
        fields = ["status", "updated_at"]
        if party == Party.RECEIVER and referral.first_response_at is None:
            referral.first_response_at = now
            fields.append("first_response_at")
        referral.save(update_fields=fields)
        ReferralEvent(
            referral=referral,
            from_status=previous,
            to_status=referral.status,
            party=party.value,
            actor=user,
            at=now,
            note=note,
            seen_at=now if party == Party.SENDER else None,
        ).save(force_insert=True)
        audit.record(
            audit.actor_of(user),
            audit.UPDATE,
            "cases.referral",
            referral.pk,
            ["status", "note"] if note else ["status"],
        )
    return referral


def updates_for_sender(user) -> list[ReferralEvent]:
    """Unseen status changes of handovers ``user`` sent (audited: the notes are read)."""
    events = list(
        ReferralEvent.objects.filter(referral__requested_by=user, seen_at__isnull=True)
        .select_related("referral")
        .order_by("at")
    )
    for event in events:
        audit.record(audit.actor_of(user), audit.READ, "cases.referralevent", event.pk, ["note"])
    return events


def mark_seen(user, events) -> int:
    ids = [e.pk for e in events]
    return ReferralEvent.objects.filter(pk__in=ids, referral__requested_by=user, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


def overdue(now: datetime | None = None, hours: float | None = None):
    """Handovers still requested or received after the configured time (no personal fields)."""
    now = now or timezone.now()
    limit = timedelta(hours=settings.TSUNAGARI_REFERRAL_OVERDUE_HOURS if hours is None else hours)
    return (
        Referral.objects.filter(
            status__in=[s.value for s in referral_states.AWAITING_ANSWER], requested_at__lt=now - limit
        )
        .defer("reason")
        .order_by("requested_at")
    )


def notify_overdue(now: datetime | None = None, hours: float | None = None) -> int:
    """E-mail each sender (with an address) about overdue handovers not notified before; marks
    them notified. Returns the number of e-mails sent."""
    now = now or timezone.now()
    pending: dict[str, list[Referral]] = {}
    for referral in (
        overdue(now, hours).filter(overdue_notified_at__isnull=True).select_related("requested_by")
    ):
        sender = referral.requested_by
        if sender is not None and sender.email:
            pending.setdefault(sender.email, []).append(referral)
    sent = 0
    for address, items in pending.items():
        lines = [f"- {r.pk} ({r.get_kind_display()}, {r.requested_at:%Y-%m-%d %H:%M})" for r in items]
        send_mail(
            _("【つながり】応答のないつなぎ依頼が%(count)d件あります") % {"count": len(items)},
            _("次の依頼に、期限内の応答がありません。状況を確認してください。") + "\n\n" + "\n".join(lines),
            None,
            [address],
        )
        Referral.objects.filter(pk__in=[r.pk for r in items]).update(overdue_notified_at=now)
        sent += 1
    return sent
