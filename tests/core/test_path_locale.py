"""core.path_locale gives what Django's LocaleMiddleware gives with this project's URL conf: the
language activated for the view, request.LANGUAGE_CODE and the response headers, for every language
and the odd paths, whatever cookie or Accept-Language the browser sends."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from tsunagari.core.path_locale import PathLocaleMiddleware, applies

PATHS = [
    "/navi/",
    "/navi/teens/",
    *(f"/{code}/navi/" for code, _name in settings.LANGUAGES),
    "/zh-hans/navi/teens/",
    "/en-us/navi/",  # a regional variant of a language offered
    "/pt/navi/",  # a generic code where only pt-br is offered
    "/EN/navi/",
    "/xx/navi/",  # not a language
    "/helpline/hooks/line/",
    "/en",
    "/",
]
BROWSERS = [
    {},
    {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"},
    {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=ko"},
]


def _through(middleware_class, path: str, headers: dict, status: int) -> tuple:
    seen = {}

    def view(request):
        seen["active"] = translation.get_language()
        seen["request"] = request.LANGUAGE_CODE
        return HttpResponse("x", status=status)

    request = RequestFactory().post(path, **headers)
    with translation.override("ja"):
        response = middleware_class(view)(request)
    return seen, response.get("Vary"), response.get("Content-Language"), response.status_code


def test_the_project_url_conf_is_the_case_it_reproduces():
    assert applies()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("headers", BROWSERS)
@pytest.mark.parametrize("status", [200, 404])
def test_same_language_and_headers_as_django(path, headers, status):
    assert _through(PathLocaleMiddleware, path, headers, status) == _through(
        LocaleMiddleware, path, headers, status
    )


def test_a_view_that_switches_language_gets_its_content_language():
    def view(request):
        translation.activate("en")
        return HttpResponse("x")

    with translation.override("ja"):
        ours = PathLocaleMiddleware(view)(RequestFactory().get("/navi/"))
        theirs = LocaleMiddleware(view)(RequestFactory().get("/navi/"))
    assert ours["Content-Language"] == theirs["Content-Language"] == "en"


def test_where_the_default_language_is_prefixed_django_s_middleware_stays(monkeypatch):
    from tsunagari.core import path_locale, stateless

    assert not applies("tests.core.prefixed_default_urls")
    monkeypatch.setattr(path_locale, "applies", lambda urlconf=None: False)
    assert path_locale.REPLACES in stateless.stateless_middleware()
    assert stateless.PATH_LOCALE not in stateless.stateless_middleware()
