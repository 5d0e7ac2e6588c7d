"""Write services of つながりサポーター training: sessions, attendance, certificates.

- A session is an event of kind ``supporter_course`` of the course's platform, linked to one part
  of the course (``create_session`` makes both; ``add_session`` links an existing event).
  Registration, capacity and the waiting list are the events' (``event_services``).
- Attendance is recorded by staff per session (``record_attendance``) for confirmed registrations.
- A certificate is issued only to a participant who completed the course (``training_rules``), at
  most one live certificate per course and participant; its code is random (``certificate_codes``).
- A certificate is revoked with a reason, never deleted.

Every write that touches personal data (attendance, issuing, revoking) is recorded in the audit
log (``cases.audit``) in the same transaction, with the acting user. A broken rule raises
``NetworkRuleError`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tsunagari.cases import audit
from tsunagari.network import certificate_codes, event_services, training_rules, training_selectors
from tsunagari.network.models import Certificate, Course, CoursePart, Event, Registration, TrainingSession
from tsunagari.network.services import NetworkRuleError


def check_session(part: CoursePart, event: Event) -> None:
    if event.kind != Event.Kind.SUPPORTER_COURSE:
        raise NetworkRuleError("a training session is an event of kind supporter_course")
    if event.platform_id != part.course.platform_id:
        raise NetworkRuleError("the event belongs to another platform than the course")


def add_session(part: CoursePart, event: Event) -> TrainingSession:
    """Link an existing supporter-course event to the part it teaches."""
    check_session(part, event)
    return TrainingSession.objects.create(part=part, event=event)


@transaction.atomic
def create_session(part: CoursePart, starts_at: datetime, ends_at: datetime, **fields) -> TrainingSession:
    """A new session: the event (``fields`` as ``event_services.create_event``: venue, online_url,
    capacity, registration_closes_at, is_public, description) and its link to ``part``."""
    course = part.course
    title = fields.pop("title", f"{course.title}：{part.title}")
    event = event_services.create_event(
        course.platform, Event.Kind.SUPPORTER_COURSE, title, starts_at, ends_at, **fields
    )
    return add_session(part, event)


@transaction.atomic
def record_attendance(session: TrainingSession, attended_ids: Iterable[int], user) -> int:
    """Set attendance of every confirmed registration of the session: present if its id is in
    ``attended_ids``, else absent. Returns how many changed."""
    actor = audit.actor_of(user)
    audit.begin_write()
    attended = set(attended_ids)
    confirmed = session.event.registrations.filter(status=Registration.Status.CONFIRMED)
    unknown = attended - set(confirmed.values_list("pk", flat=True))
    if unknown:
        raise NetworkRuleError("attendance only for confirmed registrations of this session")
    changed = 0
    for registration in confirmed:
        value = registration.pk in attended
        if registration.attended is not value:
            event_services.mark_attendance(registration, value)
            changed += 1
    if changed:
        audit.record(actor, audit.UPDATE, "network.event_attendance", session.event_id, ["attended"])
    return changed


def _new_code() -> str:
    return certificate_codes.generate()


@transaction.atomic
def issue_certificate(
    course: Course, email: str, user, *, holder_name: str = "", now: datetime | None = None
) -> Certificate:
    """Issue the certificate of a participant who completed ``course``; the name printed is
    ``holder_name`` or, by default, the name of their latest attended registration."""
    now = now or timezone.now()
    actor = audit.actor_of(user)
    audit.begin_write()
    key = training_rules.participant_key(email)
    progress = training_selectors.course_progress(course, key).get(key)
    if progress is None or not progress.completed:
        raise NetworkRuleError("the participant has not completed every required part of the course")
    if Certificate.objects.filter(course=course, holder_email=key, revoked_at__isnull=True).exists():
        raise NetworkRuleError("the participant already holds a certificate of this course")
    name = holder_name.strip() or training_selectors.registered_name(course, key)
    if not name:
        raise NetworkRuleError("a certificate needs the holder's name")
    for _attempt in range(3):  # a code collision is astronomically unlikely; retry anyway
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    course=course,
                    code=_new_code(),
                    holder_name=name[:100],
                    holder_email=key,
                    course_title=course.title,
                    curriculum_version=course.curriculum_version,
                    hours=course.hours,
                    completed_on=progress.completed_on,
                    issued_at=now,
                    issued_by=user,
                )
            break
        except IntegrityError:
            if Certificate.objects.filter(course=course, holder_email=key, revoked_at__isnull=True).exists():
                raise NetworkRuleError("the participant already holds a certificate of this course") from None
    else:
        raise NetworkRuleError("could not draw a unique certificate code")
    audit.record(actor, audit.CREATE, "network.certificate", certificate.pk, ["holder_name", "holder_email"])
    return certificate


def issue_for_completed(course: Course, user, now: datetime | None = None) -> list[Certificate]:
    """Issue certificates to every participant who completed ``course`` and holds none yet."""
    held = set(
        Certificate.objects.filter(course=course, revoked_at__isnull=True).values_list(
            "holder_email", flat=True
        )
    )
    issued = []
    for key, progress in sorted(training_selectors.course_progress(course).items()):
        if progress.completed and key not in held:
            issued.append(issue_certificate(course, key, user, now=now))
    return issued


@transaction.atomic
def revoke_certificate(
    certificate: Certificate, user, reason: str, now: datetime | None = None
) -> Certificate:
    """Revoke a certificate; the reason is required and goes to the audit log with the act."""
    reason = reason.strip()
    if not reason:
        raise NetworkRuleError("a revocation needs a reason")
    actor = audit.actor_of(user)
    audit.begin_write()
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        raise NetworkRuleError("the certificate is already revoked")
    certificate.revoked_at = now or timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = user
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    audit.record(actor, audit.UPDATE, "network.certificate", certificate.pk, ["revoked_at"], reason=reason)
    return certificate
