"""Login lockout (django-axes): what its log lines say about a client.

After ``AXES_FAILURE_LIMIT`` failed password attempts for one username from one IP address, that
pair is locked out for ``AXES_COOLOFF_TIME`` (settings: ``TSUNAGARI_LOCKOUT_FAILURES``,
``TSUNAGARI_LOCKOUT_MINUTES``) and the login page answers 429 with ``registration/locked_out.html`` (:func:`lockout_response`).

django-axes writes usernames and IP addresses into its log lines; :func:`client_str` replaces them
with a keyed hash (the same client gives the same short tag, so lines can be correlated, but the
log reveals no name or address).
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac


def _tag(value: str | None) -> str:
    if not value:
        return "-"
    return salted_hmac("tsunagari.core.lockout", value).hexdigest()[:12]


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """``AXES_CLIENT_STR_CALLABLE``: keyed hashes of username and IP, and the path."""
    if isinstance(path_info, (tuple, list)):
        path_info = path_info[0]
    return f"{{user: {_tag(username)}, ip: {_tag(ip_address)}, path_info: {path_info}}}"


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the lockout page (429) saying how long to wait, no username."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
