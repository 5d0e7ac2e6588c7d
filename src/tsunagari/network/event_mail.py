"""E-mails to people who register for an event, and their signed cancel link.

``notify_after_commit(registration_ids, kind)`` sends, once the transaction that made the change
has committed, one message per registration: ``confirmed`` (a seat; with the online meeting URL
when there is one — it is given only here, never on public pages or in the feed), ``waitlisted``
or ``promoted`` (a seat freed up). A message that cannot be sent is logged and does not undo the
registration.

Each message carries a link to cancel, signed with ``django.core.signing`` (salted, naming the
registration), built on ``settings.TSUNAGARI_PUBLIC_BASE_URL``; without that setting the message
says to contact the secretariat instead.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tsunagari.network.models import Registration

CANCEL_SALT = "tsunagari.network.event-cancel"
KINDS = ("confirmed", "waitlisted", "promoted")
log = logging.getLogger("tsunagari.network")


def cancel_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=CANCEL_SALT)


def registration_for_token(token: str) -> Registration | None:
    """The registration a genuine cancel token names, or None."""
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return Registration.objects.select_related("event").filter(pk=data["r"]).first()


def _text(registration: Registration, kind: str) -> tuple[str, str]:
    event = registration.event
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    subject = {
        "confirmed": _("【つながり】参加が確定しました：%(title)s"),
        "waitlisted": _("【つながり】キャンセル待ちで受け付けました：%(title)s"),
        "promoted": _("【つながり】キャンセル待ちから参加が確定しました：%(title)s"),
    }[kind] % {"title": event.title}
    lines = [
        _("%(name)s 様") % {"name": registration.name},
        "",
        event.title,
        _("日時：%(start)s〜%(end)s") % {"start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%H:%M}"},
    ]
    if event.venue:
        lines.append(_("会場：%(venue)s") % {"venue": event.venue})
    if event.online_url and kind != "waitlisted":
        lines.append(_("オンライン参加のURL：%(url)s") % {"url": event.online_url})
    if kind == "waitlisted":
        lines += ["", _("満席のため、キャンセル待ちで受け付けました。席が空いたら繰り上げてお知らせします。")]
    base = getattr(settings, "TSUNAGARI_PUBLIC_BASE_URL", "")
    lines.append("")
    if base:
        url = base + reverse("network:event_cancel", args=[cancel_token(registration)])
        lines.append(_("参加をとりやめる場合は、こちらから取り消してください：%(url)s") % {"url": url})
    else:
        lines.append(_("参加をとりやめる場合は、事務局にご連絡ください。"))
    return subject, "\n".join(lines) + "\n"


def send_now(registration_id: int, kind: str) -> bool:
    """Send one message; False (and a log line without personal data) when it could not be sent.
    It runs after the registration has committed, so no error of its own may reach the caller."""
    try:
        registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
        if registration is None:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _text(registration, kind)
        send_mail(subject, body, None, [registration.email])
    except Exception:
        log.exception("event mail not sent: registration %s, %s", registration_id, kind)
        return False
    return True


def notify_after_commit(registration_ids: list[int], kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    for registration_id in registration_ids:
        transaction.on_commit(partial(send_now, registration_id, kind))
