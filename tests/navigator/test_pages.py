"""The navigator over real HTTP requests (Django test client): plain forms, signed state, crisis first."""

from __future__ import annotations

import re

import pytest

from tests.navigator.turns import state, turn
from tsunagari.directory.models import Service
from tsunagari.navigator.conversation import Conversation

pytestmark = pytest.mark.django_db
URL = "/navi/"


def test_start_page_asks_the_first_question_without_javascript(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "あなたの年齢を教えてください" in html
    # The only script makes the quick exit replace the page in the history; the link works without it.
    assert html.count("<script") == 1 and 'id="quick-exit" class="tel" href="https://' in html
    assert 'type="radio"' in html and "すぐに画面をとじる" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_answers_lead_to_results_that_say_why(client):
    html = client.get(URL).content.decode()
    html = turn(client, html, answer="age30_64", action="next")
    assert "どんなことで困っていますか" in html
    html = turn(client, html, answer=["debt_legal", "housing"], action="finish")
    assert "あなたに合いそうな相談先" in html
    cards = re.findall(r'href="/services/([^/]+)/"', html.split("あなたに合いそうな相談先", 2)[-1])
    assert cards
    first = Service.objects.get(pk=cards[0])
    codes = {t.split(":")[1] for t in first.terms.values_list("id", flat=True)}
    assert codes & {"debt_legal", "housing"}
    assert "借金・法律・消費者トラブル" in html or "住まい" in html  # the reason is shown


def test_back_and_edit_keep_answers(client):
    html = client.get(URL).content.decode()
    html = turn(client, html, answer="age18_29", action="next")
    html = turn(client, html, action="back")
    assert 'value="age18_29" checked' in html
    html = turn(client, html, answer="age18_29", action="finish")
    html = turn(client, html, action="edit:topics")
    assert "どんなことで困っていますか" in html


def test_crisis_text_puts_crisis_lines_first_on_the_next_page(client):
    html = client.get(URL).content.decode()
    html = turn(client, html, text="もう消えたい", action="next")
    crisis = html.index('role="alert"')
    question = html.index("どんなことで困っていますか")
    assert crisis < question
    line = Service.objects.filter(crisis_line=True, verification="verified", is_24h=True).first()
    assert line is not None and line.name in html[crisis:question]
    assert 'href="tel:110"' in html[crisis:question]
    # The words themselves are not kept in the page state.
    assert "消えたい" not in Conversation.loads(state(html)).__repr__()


def test_forged_state_starts_over(client):
    html = client.get(URL).content.decode()
    token = state(html)
    response = client.post(URL, {"state": token[:-2] + "xx", "answer": "age65", "action": "next"})
    page = response.content.decode()
    assert "はじめからになりました" in page and "あなたの年齢を教えてください" in page


def test_unknown_answers_are_ignored(client):
    html = client.get(URL).content.decode()
    html = turn(client, html, answer="<script>", action="next")
    assert Conversation.loads(state(html)).answers["age"] == []


def _result_page(client) -> str:
    html = client.get(URL).content.decode()
    html = turn(client, html, answer="age30_64", action="next")
    return turn(client, html, answer=["debt_legal"], action="finish")


def _pdf_text_and_fonts(tmp_path, data: bytes) -> tuple[str, str]:
    import subprocess

    path = tmp_path / "result.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text, fonts


def test_pdf_result_embeds_noto_cjk_and_lists_the_services(client, tmp_path):
    html = _result_page(client)
    response = client.post(
        URL,
        {"state": state(html), "action": "pdf", "note": "家賃を三か月ためています", "include_note": "on"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text, fonts = _pdf_text_and_fonts(tmp_path, response.content)
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line.replace("-", "").replace(" ", "")]
    assert cjk and all(" yes " in f" {line} " for line in cjk)  # embedded (emb column)
    first = re.findall(r'href="/services/([^/]+)/"', html.split("あなたに合いそうな相談先", 2)[-1])[0]
    assert Service.objects.get(pk=first).name in text.replace("\n", "")
    assert "家賃を三か月ためています" in text and "窓口での伝え方" in text


def test_pdf_leaves_out_the_note_unless_ticked(client, tmp_path):
    html = _result_page(client)
    response = client.post(URL, {"state": state(html), "action": "pdf", "note": "ひみつのメモ"})
    text, _ = _pdf_text_and_fonts(tmp_path, response.content)
    assert "ひみつのメモ" not in text


def test_teen_entry_skips_age_shows_youth_lines_and_furigana(client):
    response = client.get(URL + "teens/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ruby>" in html and "<rt>こま</rt>" in html  # どんなことで困って…
    assert "あなたの年齢" not in html and 'value="back"' not in html
    conversation = Conversation.loads(state(html))
    assert conversation.teen and conversation.answers["age"] == ["under18"]
    youth = Service.objects.filter(crisis_line=True, attributes__term_id="audience:under18").first()
    assert youth is not None and youth.name in html
    html = turn(client, html, answer=["bullying_school"], action="finish")
    assert "あなたに合いそうな相談先" in html and 'action=""' in html


def test_ruby_escapes_and_keeps_okurigana_outside():
    from tsunagari.navigator.ruby import ruby_html

    assert ruby_html("困っています") == "<ruby>困<rt>こま</rt></ruby>っています"
    assert ruby_html("<b>相談</b>") == "&lt;b&gt;<ruby>相談<rt>そうだん</rt></ruby>&lt;/b&gt;"
    assert ruby_html("ひらがなだけ") == "ひらがなだけ"


def test_an_anonymous_conversation_gets_no_cookie_and_needs_no_token():
    """The navigator acts for no one (no login, no stored state), so it is exempt from CSRF: a browser
    that refuses cookies can still go through it, and a visitor is given no cookie at all."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get("/navi/")
    assert not page.cookies
    html = turn(client, page.content.decode(), action="next", answer="age30_64")
    html = turn(client, html, action="next", answer="loneliness")
    html = turn(client, html, action="finish")
    assert 'value="pdf"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not client.cookies
