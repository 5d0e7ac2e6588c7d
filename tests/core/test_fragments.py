"""``{% ttl_fragment %}``: rendered once per key and language, emptied with the other caches."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.utils import translation

from tsunagari.core import ttl_cache
from tsunagari.core.ttl_cache import clear_all

KEPT = Template('{% load fragments %}{% ttl_fragment "test" key %}[{{ shown }}]{% endttl_fragment %}')


@pytest.fixture
def caching(settings):
    settings.TSUNAGARI_CACHE_SECONDS = 300
    clear_all()
    yield
    clear_all()


def _render(key, shown) -> str:
    return KEPT.render(Context({"key": key, "shown": shown}))


def test_a_fragment_is_kept_per_key(caching):
    assert _render(1, "a") == "[a]"
    assert _render(1, "b") == "[a]"  # same key: the kept rendering
    assert _render(2, "b") == "[b]"
    assert _render([1, 2], "c") == "[c]"  # lists are keys too
    assert _render([1, 2], "d") == "[c]"


def test_a_fragment_is_kept_per_language(caching):
    with translation.override("ja"):
        assert _render(1, "ja") == "[ja]"
    with translation.override("en"):
        assert _render(1, "en") == "[en]"
    with translation.override("ja"):
        assert _render(1, "other") == "[ja]"


def test_clear_all_forgets_fragments(caching):
    assert _render(1, "a") == "[a]"
    clear_all()
    assert _render(1, "b") == "[b]"


def test_nothing_is_kept_when_caching_is_off(settings):
    settings.TSUNAGARI_CACHE_SECONDS = 0
    assert _render(1, "a") == "[a]"
    assert _render(1, "b") == "[b]"


@pytest.mark.parametrize(
    "source, message",
    [
        ('{% ttl_fragment "x" %}{% csrf_token %}{% endttl_fragment %}', "CSRF"),
        ("{% ttl_fragment x %}{% endttl_fragment %}", "quoted fragment name"),
        ("{% ttl_fragment %}{% endttl_fragment %}", "quoted fragment name"),
    ],
)
def test_bad_fragments_are_refused_at_load(source, message):
    with pytest.raises(TemplateSyntaxError, match=message):
        Template("{% load fragments %}" + source)


@pytest.mark.django_db
def test_pages_in_two_languages_keep_their_own_fragments(caching):
    client = Client()
    japanese = client.get("/navi/").content.decode()
    english = client.get("/en/navi/").content.decode()
    again = client.get("/navi/").content.decode()
    assert "すぐに画面をとじる" in japanese and "すぐに画面をとじる" not in english
    assert again == japanese.replace(_state(japanese), _state(again))


@pytest.mark.django_db
def test_a_changed_phone_number_shows_at_once_on_navigator_pages(caching):
    from tsunagari.directory.selectors.services import crisis_lines

    client = Client()
    client.get("/navi/")  # fragments kept
    phone = crisis_lines()[0].phones.all()[0]
    phone.number = "0120-000-000"
    phone.save()
    assert "0120-000-000" in client.get("/navi/").content.decode()


@pytest.mark.django_db
def test_typed_municipality_names_are_not_kept(caching):
    from tsunagari.core.selectors import find_area

    def kept() -> list:
        return [(key, value) for store in ttl_cache._stores for key, (_made, value) in store.values.items()]

    typed = "ちよだく"
    assert find_area("13", typed)[1]
    after_typed = kept()
    assert typed not in repr([key for key, _value in after_typed])
    # What is kept is the same as for another text with the same first character (the key): the
    # municipalities' own names and readings, nothing of what the person typed.
    clear_all()
    assert not find_area("13", "ちXYZ")[1]
    assert kept() == after_typed


def _state(html: str) -> str:
    from tests.navigator.turns import state

    return state(html)
