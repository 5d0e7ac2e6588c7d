"""Language selection for the stateless pages: Django's ``LocaleMiddleware`` reduced to what it does there.

The project's language-prefixed URLs do not prefix the default language (``i18n_patterns(...,
prefix_default_language=False)``). With such a URL conf ``LocaleMiddleware`` activates the language
of the path's prefix, or ``LANGUAGE_CODE`` when there is none — never the cookie's or the browser's —
and on the way out adds ``Vary: Accept-Language`` when the path had no prefix and sets
``Content-Language``; its redirect to a prefixed URL only happens when the default language is
prefixed. It works that out again on every request (the prefix three times, the URL conf twice),
about 8 % of a navigator question turn. :class:`PathLocaleMiddleware` does the same with one look at
the path. :func:`tsunagari.core.stateless.stateless_middleware` uses it in place of
``LocaleMiddleware`` when :func:`applies` (checked when the handler is built); the test suite
compares both over every language and the odd paths.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.utils import translation
from django.utils.cache import patch_vary_headers

#: The middleware this one stands in for.
REPLACES = "django.middleware.locale.LocaleMiddleware"


def applies(urlconf: str | None = None) -> bool:
    """Whether the URL conf uses language prefixes without prefixing the default language (the case
    :class:`PathLocaleMiddleware` reproduces)."""
    used, prefixed_default = is_language_prefix_patterns_used(urlconf or settings.ROOT_URLCONF)
    return used and not prefixed_default


class PathLocaleMiddleware:
    """Activate the language of the path's prefix (``LANGUAGE_CODE`` without one), as
    ``LocaleMiddleware`` does under :func:`applies`, with the same response headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from_path = translation.get_language_from_path(request.path_info)
        translation.activate(from_path or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if not from_path:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
