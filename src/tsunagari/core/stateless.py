"""The WSGI application: stateless public pages skip the staff-session middleware.

The navigator acts for no one: no login, no session, no cookie, no CSRF token (see
``navigator.views``); the helpline's provider webhooks (``/helpline/hooks/``) are authenticated by
the provider's signature alone and use no session either. Django runs every middleware of ``MIDDLEWARE`` for every request, and for the
navigator's pages the session, authentication, two-factor, lockout, idle-timeout, messages and CSRF
middleware only cost time (about a third of a question page's, measured with
``bench/navigator_load.py``). :func:`application` sends a request whose path is a stateless page
(:func:`is_stateless`) to a Django handler built with :func:`stateless_middleware` — ``MIDDLEWARE``
without :data:`STATEFUL` — and every other request to the ordinary handler with all of it. The
security headers, language selection and the Content-Security-Policy stay on every page: only the
middleware named in :data:`STATEFUL` is left out, anything added to ``MIDDLEWARE`` later runs on both.
Language selection is done by :mod:`tsunagari.core.path_locale`, which gives what Django's
``LocaleMiddleware`` gives with this project's URL conf in a twelfth of its time.

Contract: a stateless page must not read ``request.session``, ``request.user`` or messages, and must
be ``csrf_exempt`` (it has no session to bind a token to). The test suite checks the navigator through
this application (``tests/core/test_stateless.py``).
"""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

from tsunagari.core import path_locale

#: Middleware that only serves staff sessions and forms: left out on stateless pages.
STATEFUL = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "tsunagari.core.two_factor_middleware.TwoFactorMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "tsunagari.core.session_timeout.StaffIdleTimeoutMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)

PATH_LOCALE = "tsunagari.core.path_locale.PathLocaleMiddleware"

#: Path prefixes of stateless pages, after the optional language prefix (``/en/navi/``).
STATELESS_PREFIXES = ("navi/", "helpline/hooks/")


def stateless_middleware() -> list[str]:
    """``settings.MIDDLEWARE`` in its order, without :data:`STATEFUL`; Django's ``LocaleMiddleware``
    replaced by :class:`tsunagari.core.path_locale.PathLocaleMiddleware` where that gives the same
    (:func:`tsunagari.core.path_locale.applies`)."""
    lean = path_locale.applies()
    return [
        PATH_LOCALE if lean and m == path_locale.REPLACES else m
        for m in settings.MIDDLEWARE
        if m not in STATEFUL
    ]


@cache
def _stateless_path() -> re.Pattern[str]:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    prefixes = "|".join(re.escape(p) for p in STATELESS_PREFIXES)
    return re.compile(rf"/(?:(?:{languages})/)?(?:{prefixes})")


def is_stateless(path: str) -> bool:
    """Whether ``path`` (``PATH_INFO``) is a stateless page: the navigator in any language, the
    provider webhooks."""
    return _stateless_path().match(path) is not None


class StatelessHandler(WSGIHandler):
    """A Django WSGI handler whose middleware chain is :func:`stateless_middleware`."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; swap the list in for the build only
        # (this runs once, when the application is created, before any request).
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = stateless_middleware()
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = everything


class SplitApplication:
    """The project's WSGI application: stateless pages to one handler, everything else to the other."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.stateless = StatelessHandler()

    def __call__(self, environ, start_response):
        handler = self.stateless if is_stateless(environ.get("PATH_INFO", "")) else self.full
        return handler(environ, start_response)


def application() -> SplitApplication:
    """Set Django up and build the application (what ``django.core.wsgi.get_wsgi_application`` does)."""
    import django

    django.setup(set_prefix=False)
    return SplitApplication()
