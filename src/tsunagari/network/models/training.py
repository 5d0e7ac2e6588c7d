"""つながりサポーター training: courses and their parts, sessions, certificates.

A session IS an event of kind ``supporter_course`` (``TrainingSession`` links the event to the part
of the course it teaches), so registration, capacity, waiting list, attendance, materials and the
iCalendar feed are the events' own (``event_services``). Completion is computed from recorded
attendance by ``training_rules``; a certificate is issued on completion with a random verification
code (``certificate_codes``) and copies what it attests (name as printed, course, curriculum
version, hours, completion date), so later edits of the course do not change issued certificates.

``holder_email`` is personal data seen by the secretariat only; the public verification page shows
status, course, completion date and ``holder_name`` — nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    platform = models.ForeignKey("network.Platform", on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("講座名"), max_length=300)
    description = models.TextField(_("内容"), blank=True)
    hours = models.DecimalField(_("時間数"), max_digits=4, decimal_places=1)
    curriculum_version = models.CharField(
        _("カリキュラムの版"), max_length=40, help_text=_("例: 2025年度版。修了証に印字されます。")
    )
    is_active = models.BooleanField(_("実施中"), default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("つながりサポーター養成講座")
        verbose_name_plural = _("つながりサポーター養成講座")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="network_course_hours_positive")]

    def __str__(self) -> str:
        return f"{self.title}（{self.curriculum_version}）"


class CoursePart(models.Model):
    """A part (unit) of a course; every required part must be attended for completion."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveSmallIntegerField(_("順番"))
    title = models.CharField(_("名称"), max_length=300)
    required = models.BooleanField(_("修了に必須"), default=True)

    class Meta:
        ordering = ["course", "order", "id"]
        verbose_name = _("講座の単元")
        verbose_name_plural = _("講座の単元")
        constraints = [models.UniqueConstraint(fields=["course", "order"], name="network_course_part_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class TrainingSession(models.Model):
    """A session of a course part; the event carries date, place or URL, capacity, registrations."""

    part = models.ForeignKey(CoursePart, on_delete=models.PROTECT, related_name="sessions")
    event = models.OneToOneField(
        "network.Event",
        on_delete=models.PROTECT,
        related_name="training_session",
        limit_choices_to={"kind": "supporter_course"},
    )

    class Meta:
        ordering = ["event__starts_at", "id"]
        verbose_name = _("講座の開催回")
        verbose_name_plural = _("講座の開催回")

    def __str__(self) -> str:
        return f"{self.part} / {self.event}"


class Certificate(models.Model):
    """A certificate of completion. Never deleted; a mistaken or abused one is revoked (reason
    required, audited), and the public page then says "revoked"."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(_("確認コード"), max_length=16, unique=True, editable=False)
    holder_name = models.CharField(_("氏名（修了証の表記）"), max_length=100)
    holder_email = models.EmailField(_("メールアドレス"))
    course_title = models.CharField(_("講座名"), max_length=300)
    curriculum_version = models.CharField(_("カリキュラムの版"), max_length=40)
    hours = models.DecimalField(_("時間数"), max_digits=4, decimal_places=1)
    completed_on = models.DateField(_("修了日"))
    issued_at = models.DateTimeField(_("発行日時"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    revoked_reason = models.TextField(_("失効の理由"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "id"]
        verbose_name = _("修了証")
        verbose_name_plural = _("修了証")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "holder_email"],
                condition=Q(revoked_at__isnull=True),
                name="network_one_live_certificate_per_course",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="network_certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_title} / {self.code}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
