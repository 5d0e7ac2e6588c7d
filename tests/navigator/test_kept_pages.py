"""Question pages kept rendered per process: each request still gets its own conversation."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.navigator.turns import state, turn
from tsunagari.core.ttl_cache import clear_all
from tsunagari.navigator.conversation import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caching(settings):
    settings.TSUNAGARI_CACHE_SECONDS = 300
    clear_all()
    yield
    clear_all()


def test_each_visitor_gets_their_own_token_in_the_kept_page():
    first = Client().get("/navi/").content.decode()
    second = Client().get("/navi/").content.decode()
    assert state(first) != state(second)
    assert first.replace(state(first), "") == second.replace(state(second), "")
    assert "keptstate" not in first  # the placeholder never reaches a page


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
