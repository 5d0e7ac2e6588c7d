"""The audit log's tables: append-only entries and the chain head (see ``cases.audit``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One access to personal data. Never updated or deleted (``audit verify`` would notice).

    ``actor`` is ``user:<id>`` or ``system:<job>``; ``fields`` names the fields read or written
    (never their values); ``reason`` is the written justification of an override."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=100)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id"], name="cases_audit_object_idx")]
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}"


class AuditHead(models.Model):
    """The single row (pk 1) holding the newest entry's seq and hash; appending locks it."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"head #{self.seq}"
