"""Reads of つながりサポーター training: participants' progress, rosters, certificate lookup.

Progress counts only attendance recorded for confirmed registrations of sessions that took place
(not cancelled); session dates are Tokyo dates. Rosters carry personal data (names, e-mail
addresses): the staff views that show them record the access in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from tsunagari.network import certificate_codes, training_rules
from tsunagari.network.models import Certificate, Course, Registration, TrainingSession


def _attended(course: Course):
    return Registration.objects.filter(
        event__training_session__part__course=course,
        event__cancelled=False,
        status=Registration.Status.CONFIRMED,
        attended=True,
    )


def course_progress(course: Course, email: str | None = None) -> dict[str, training_rules.Progress]:
    """Each participant's progress by participant key (lower-case e-mail address); with ``email``,
    only that participant's."""
    rows = _attended(course)
    if email is not None:
        rows = rows.filter(email__iexact=training_rules.participant_key(email))
    attended = [
        training_rules.Attendance(address, part_id, timezone.localtime(starts_at).date())
        for address, part_id, starts_at in rows.values_list(
            "email", "event__training_session__part_id", "event__starts_at"
        )
    ]
    required = course.parts.filter(required=True).values_list("pk", flat=True)
    return training_rules.progress(required, attended)


def registered_names(course: Course) -> dict[str, str]:
    """By participant key, the name given at their latest attended session of the course."""
    rows = _attended(course).order_by("event__starts_at", "pk").values_list("email", "name")
    return {training_rules.participant_key(email): name for email, name in rows}


def registered_name(course: Course, key: str) -> str:
    """The name the participant gave at their latest attended session of the course."""
    row = (
        _attended(course)
        .filter(email__iexact=key)
        .order_by("-event__starts_at", "-pk")
        .values_list("name", flat=True)
        .first()
    )
    return row or ""


@dataclass(frozen=True)
class RosterRow:
    key: str
    name: str
    progress: training_rules.Progress
    certificate: Certificate | None


def roster(course: Course) -> list[RosterRow]:
    """Every participant with recorded attendance, their progress and live certificate."""
    certificates = {
        c.holder_email: c for c in Certificate.objects.filter(course=course, revoked_at__isnull=True)
    }
    names = registered_names(course)
    return [
        RosterRow(key, names.get(key, ""), progress, certificates.get(key))
        for key, progress in sorted(course_progress(course).items())
    ]


def sessions(course: Course):
    return (
        TrainingSession.objects.filter(part__course=course)
        .select_related("part", "event")
        .order_by("event__starts_at", "pk")
    )


@dataclass(frozen=True)
class Verification:
    """What the public page may show: ``status`` (``valid``, ``revoked``, ``unknown`` or
    ``typo``) and, for a known code, the course, completion date and name as printed."""

    status: str
    course_title: str = ""
    completed_on: object = None
    holder_name: str = ""


def verify(text: str) -> Verification:
    """Look up a certificate by the code a person typed (see ``certificate_codes``)."""
    try:
        code = certificate_codes.normalise(text)
    except certificate_codes.CodeError:
        return Verification("typo")
    certificate = (
        Certificate.objects.filter(code=code)
        .only("course_title", "completed_on", "holder_name", "revoked_at")
        .first()
    )
    if certificate is None:
        return Verification("unknown")
    return Verification(
        "revoked" if certificate.is_revoked else "valid",
        certificate.course_title,
        certificate.completed_on,
        certificate.holder_name,
    )


def public_courses(now):
    """Active courses with their parts and their upcoming public, not cancelled sessions."""
    upcoming = TrainingSession.objects.filter(
        event__is_public=True, event__cancelled=False, event__starts_at__gte=now
    ).select_related("event", "part")
    return (
        Course.objects.filter(is_active=True)
        .prefetch_related("parts", Prefetch("parts__sessions", queryset=upcoming, to_attr="upcoming"))
        .order_by("title", "pk")
    )
