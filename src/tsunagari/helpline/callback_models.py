"""Callback requests: a caller who could not be connected asked to be called back.

Loaded by ``helpline.models`` (imported at its end). The line stores no caller numbers except here,
and only with the caller's consent (they pressed the key for a callback after being told what the
number is used for): encrypted (``core.encrypted_fields``, AES-256-GCM bound to the row), shown to a
counsellor of a body serving the field only when they take the request (audited), and erased as soon
as the callback is done or given up, or ``TSUNAGARI_CALLBACK_HOURS`` after the request at the latest
(``tsunagari helpline chat-purge`` erases expired ones).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagari.core.encrypted_fields import EncryptedTextField

CONTACT, FIELD, PARTNER_BODY = "helpline.Contact", "helpline.Field", "helpline.PartnerBody"


class CallbackRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("折り返し待ち")
        TAKEN = "taken", _("対応中")
        DONE = "done", _("折り返し済み")
        UNREACHED = "unreached", _("つながらず終了")
        EXPIRED = "expired", _("期限切れ")

    OPEN = (Status.WAITING, Status.TAKEN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # bound into the cipher
    contact = models.OneToOneField(CONTACT, on_delete=models.PROTECT, related_name="callback")
    field = models.ForeignKey(FIELD, null=True, blank=True, on_delete=models.PROTECT)
    crisis = models.BooleanField(default=False)
    number = EncryptedTextField(_("折り返し先の電話番号"), blank=True, default="")  # "" once erased
    requested_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    body = models.ForeignKey(PARTNER_BODY, null=True, blank=True, on_delete=models.PROTECT)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-crisis", "requested_at"]
        verbose_name = _("折り返しの依頼")
        verbose_name_plural = _("折り返しの依頼")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.requested_at:%Y-%m-%d %H:%M}"
