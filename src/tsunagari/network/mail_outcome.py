"""What one failed send attempt means, and when to try again (pure; no Django).

``classify(exc)`` → TEMPORARY, PERMANENT or UNCERTAIN:

- the server answered with a 4xx code (``SMTPResponseException``, or every refused recipient of
  ``SMTPRecipientsRefused`` with 4xx): TEMPORARY — the message was not accepted, trying again later
  cannot deliver it twice;
- it answered 5xx, or the message could not even be built (``ValueError``, e.g. a bad address):
  PERMANENT;
- anything else (the connection dropped mid-message, a timeout): UNCERTAIN — the server may have
  accepted the message, so it is not sent again automatically (nothing is ever sent twice).

``retry_at(attempts, now)`` is when to try after the ``attempts``-th temporary failure:
``BACKOFF_MINUTES`` (5, 15, 60, 180 minutes), giving up after ``MAX_ATTEMPTS`` attempts (None).
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

TEMPORARY = "temporary"
PERMANENT = "permanent"
UNCERTAIN = "uncertain"

BACKOFF_MINUTES = (5, 15, 60, 180)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1


def _by_code(code: int) -> str:
    if 400 <= code < 500:
        return TEMPORARY
    if 500 <= code < 600:
        return PERMANENT
    return UNCERTAIN


def classify(exc: BaseException) -> str:
    """TEMPORARY, PERMANENT or UNCERTAIN (see the module docstring)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        kinds = {_by_code(code) for code, _message in exc.recipients.values()}
        if kinds == {TEMPORARY}:
            return TEMPORARY
        return PERMANENT if PERMANENT in kinds else UNCERTAIN
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code)
    if isinstance(exc, ValueError):
        return PERMANENT
    return UNCERTAIN


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed attempts, or None to give up."""
    if attempts >= MAX_ATTEMPTS or attempts < 1:
        return None
    return now + timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
