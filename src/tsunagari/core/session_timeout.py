"""Idle timeout of logged-in (staff) sessions.

A logged-in session records the time of its last request (at most once a minute, so most requests
write nothing). A request that comes more than ``settings.TSUNAGARI_STAFF_IDLE_MINUTES`` after the
previous one logs the session out first, so the page sees an anonymous user (staff pages redirect
to the login page). The session cookie itself ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE)
and the server forgets a session after SESSION_COOKIE_AGE at the latest.

Requests without a session cookie (the public pages, the navigator) are not touched: no session is
loaded and nothing is set.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

LAST_SEEN_KEY = "tsunagari_last_seen"
"""Session key: Unix time (seconds) of the session's last request."""

WRITE_EVERY_SECONDS = 60


def idle_seconds() -> float:
    return settings.TSUNAGARI_STAFF_IDLE_MINUTES * 60


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle_seconds():
                logout(request)
            elif last_seen is None or now - last_seen >= WRITE_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
