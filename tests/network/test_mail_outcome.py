"""Classifying failed send attempts and the retry schedule (pure)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

from tsunagari.network.mail_outcome import MAX_ATTEMPTS, PERMANENT, TEMPORARY, UNCERTAIN, classify, retry_at

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_smtp_codes_decide():
    assert classify(smtplib.SMTPResponseException(421, b"try later")) == TEMPORARY
    assert classify(smtplib.SMTPDataError(452, b"insufficient storage")) == TEMPORARY
    assert classify(smtplib.SMTPSenderRefused(550, b"no", "a@example.org")) == PERMANENT
    assert classify(smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"busy")})) == TEMPORARY
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})
    assert classify(refused) == PERMANENT


def test_unknown_outcomes_are_never_retried():
    assert classify(smtplib.SMTPServerDisconnected("lost")) == UNCERTAIN
    assert classify(TimeoutError()) == UNCERTAIN
    assert classify(ValueError("bad header")) == PERMANENT


def test_backoff_then_give_up():
    assert retry_at(1, NOW) == NOW + timedelta(minutes=5)
    assert retry_at(2, NOW) == NOW + timedelta(minutes=15)
    assert retry_at(MAX_ATTEMPTS - 1, NOW) == NOW + timedelta(minutes=180)
    assert retry_at(MAX_ATTEMPTS, NOW) is None
