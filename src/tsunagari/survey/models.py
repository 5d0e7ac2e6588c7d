"""Collection of a survey: waves, the sample drawn from a resident‑register extract, access codes, answers.

Privacy by design: no name or address is ever stored. The resident‑register extract is read once by
``tsunagari survey sample``; only its size per stratum is kept (:class:`SampleFrame`). The mailing list
(the drawn rows with their addresses and the plain access codes) is written to a CSV file for the
printer and lives only there — the operator deletes it after mailing. A :class:`SampleMember` keeps
only its stratum; its :class:`AccessCode` only a keyed hash of the code; a :class:`Response` only the
answers keyed by question code. Without the mailing list file, answers cannot be linked to a person.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Wave(models.Model):
    """One round of a survey on one version of an instrument, national or of a local government."""

    name = models.CharField(_("名称"), max_length=200)
    instrument = models.CharField(_("調査票"), max_length=50)
    instrument_version = models.PositiveIntegerField(_("調査票の版"))
    local_government = models.ForeignKey(
        "core.LocalGovernment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_open = models.BooleanField(_("回答受付中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("調査回")
        verbose_name_plural = _("調査回")
        permissions = [("view_report", _("調査の集計結果（報告）を閲覧できる"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.instrument}@{self.instrument_version})"


class SampleFrame(models.Model):
    """The resident‑register extract a sample was drawn from: its size per stratum, never its rows."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="frame")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    strata_column = models.CharField(max_length=100, blank=True)
    stratum_sizes = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


class Sample(models.Model):
    """The draw: size, proportional allocation per stratum, and the random seed that reproduces it."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="sample")
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    allocation = models.JSONField(default=dict)
    drawn_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sample of {self.size} (seed {self.seed})"


class SampleMember(models.Model):
    """One person drawn; only the stratum is kept (no name, address or frame row)."""

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="members")
    stratum = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sample", "stratum"])]

    def __str__(self) -> str:
        return f"member {self.pk} ({self.stratum or '-'})"


class AccessCode(models.Model):
    """A one‑time code printed on the mailed papers; stored as a keyed hash, used up on submission."""

    member = models.OneToOneField(SampleMember, on_delete=models.CASCADE, related_name="access_code")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"access code {self.pk} ({'used' if self.used_at else 'unused'})"


class Response(models.Model):
    """The answers of one sample member, keyed by question code (no personal data)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("回答途中")
        SUBMITTED = "submitted", _("回答済み")

    class Channel(models.TextChoices):
        ONLINE = "online", _("オンライン")
        MAIL = "mail", _("郵送")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    access_code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="response")
    answers = models.JSONField(default=dict)
    current_question = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "status"])]

    def __str__(self) -> str:
        return f"response {self.pk} ({self.status}, {self.channel})"
