"""Question pages kept rendered per process: each request still gets its own conversation."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.navigator.turns import state, turn
from tsunagari.core import ttl_cache
from tsunagari.core.ttl_cache import clear_all
from tsunagari.directory.models import Phone
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.navigator import kept_pages
from tsunagari.navigator.conversation import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caching(settings):
    settings.TSUNAGARI_CACHE_SECONDS = 300
    clear_all()
    yield
    clear_all()


def test_each_conversation_gets_its_own_token_in_the_kept_page():
    client = Client()
    start = client.get("/navi/").content.decode()
    young = turn(client, start, answer="age18_29", action="next")  # both now at the topics step
    old = turn(client, start, answer="age65", action="next")
    assert young.replace(state(young), "") == old.replace(state(old), "")  # one kept page
    assert Conversation.loads(state(young)).answers["age"] == ["age18_29"]
    assert Conversation.loads(state(old)).answers["age"] == ["age65"]
    assert "keptstate" not in young + old  # the placeholder never reaches a page


def test_answers_chosen_earlier_show_on_the_kept_page_of_that_step():
    client = Client()
    start = client.get("/navi/").content.decode()
    topics = turn(client, start, answer="age30_64", action="next")
    back = turn(client, topics, action="back")
    assert 'value="age30_64" checked' in back
    assert 'value="age30_64" checked' not in start
    assert Conversation.loads(state(back)).answers["age"] == ["age30_64"]


def test_a_crisis_text_changes_the_kept_page():
    client = Client()
    start = client.get("/navi/").content.decode()
    calm = turn(client, start, answer="age30_64", action="next")
    crisis = turn(client, start, answer="age30_64", action="next", text="もう死にたい")
    assert 'role="alert"' in crisis and 'role="alert"' not in calm


def test_result_pages_share_the_kept_page_but_not_the_cards_or_the_conversation():
    client = Client()
    start = client.get("/navi/").content.decode()
    money = turn(
        client, turn(client, start, answer="age30_64", action="next"), answer="poverty", action="finish"
    )
    alone = turn(
        client, turn(client, start, answer="age65", action="next"), answer="loneliness", action="finish"
    )
    assert not re.search(r"kept[0-9a-f]{32}", money + alone)  # no placeholder reaches a page
    assert state(money) != state(alone)
    assert Conversation.loads(state(money)).answers["topics"] == ["poverty"]
    assert Conversation.loads(state(alone)).answers["topics"] == ["loneliness"]
    cards = re.compile(r'<article class="card">.*?</article>', re.S)
    assert cards.findall(money) != cards.findall(alone)  # each gets the services for its own topics
    assert "お金" in money.split("<dl>")[1] and "お金" not in alone.split("<dl>")[1]  # what each chose

    def rest(page):  # the page without the cards, the list and the token: one kept page
        page = cards.sub("", page).split("<dl>")[0]
        return page.replace(state(page), "") if 'name="state"' in page else page

    assert rest(money) == rest(alone)


def test_a_crisis_changes_the_kept_result_page():
    client = Client()
    start = client.get("/navi/").content.decode()
    topics = turn(client, start, answer="age30_64", action="next")
    calm = turn(client, topics, answer="poverty", action="finish")
    crisis = turn(client, topics, answer="poverty", action="finish", text="消えてしまいたい")
    assert 'role="alert"' in crisis and 'role="alert"' not in calm


def _number_shown(lines) -> str:
    return next(line.phones.all()[0].number for line in lines if line.phones.all())


def test_a_number_changed_elsewhere_shows_once_the_crisis_lines_are_read_again():
    """Another process changed a crisis line's number: this one gets no signal, only its crisis lines'
    cache running out. The kept pages and fragments showing the lines must not outlive that."""
    client = Client()
    start = client.get("/navi/").content.decode()
    calm, crisis = (
        turn(client, start, answer="age30_64", action="next", text=text) for text in ("", "もう死にたい")
    )
    number = _number_shown(crisis_lines())
    assert f">{number}<" in calm and f">{number}<" in crisis
    Phone.objects.filter(number=number).update(number="0120-000-000")  # no post_save here
    crisis_lines.cache.clear()  # its cache_seconds() have run out
    for text in ("", "もう死にたい"):
        page = turn(client, start, answer="age30_64", action="next", text=text)
        assert ">0120-000-000<" in page and f">{number}<" not in page


def test_a_kept_page_outlives_the_data_it_shows_when_that_is_read_again_unchanged(settings, monkeypatch):
    clock = SimpleNamespace(monotonic=time.monotonic)
    monkeypatch.setattr(ttl_cache, "time", clock)
    renders = []
    render = kept_pages.render_to_string
    monkeypatch.setattr(
        kept_pages, "render_to_string", lambda *a, **k: renders.append(a[0]) or render(*a, **k)
    )
    client = Client()
    start = client.get("/navi/").content.decode()
    first = turn(client, start, answer="age30_64", action="next")
    assert renders == ["navigator/step.html"] * 2  # the start page, the second question
    later = time.monotonic() + settings.TSUNAGARI_CACHE_SECONDS + 1  # every data cache has run out
    clock.monotonic = lambda: later
    again = turn(client, start, answer="age30_64", action="next")
    assert len(renders) == 2  # crisis lines read again, equal: the same kept page
    assert again.replace(state(again), "") == first.replace(state(first), "")
