"""no_store gives the headers Django's never_cache gives."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.views.decorators.cache import never_cache

from tsunagari.core.no_store import no_store


def _page(request):
    return HttpResponse("x")


def test_the_same_headers_as_never_cache():
    request = RequestFactory().get("/")
    ours, django = no_store(_page)(request), never_cache(_page)(request)
    assert ours["Cache-Control"] == django["Cache-Control"]
    assert ours["Expires"][:16] == django["Expires"][:16]  # the same date (a second may pass)
    assert {k for k in ours.headers} == {k for k in django.headers}


@pytest.mark.django_db
def test_navigator_pages_are_never_cached():
    for path in ("/navi/", "/navi/teens/", "/en/navi/"):
        response = Client().get(path)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response.has_header("Expires")
