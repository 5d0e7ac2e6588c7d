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
