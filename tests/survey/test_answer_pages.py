"""The public answer pages: code, one question per page with skip logic, save and resume, submit."""

from __future__ import annotations

import re

import pytest

from tests.survey.collection_fixtures import read_csv, write_frame
from tsunagari.survey import services
from tsunagari.survey.models import Response

pytestmark = pytest.mark.django_db
URL = "/survey/answer/"


def _token(page) -> str:
    return re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)


def _post(client, page, **data):
    return client.post(URL, {"token": _token(page), **data})


def test_code_page_is_japanese_and_sets_no_cookie(client):
    page = client.get(URL)
    assert page.status_code == 200
    assert "回答用コード" in page.content.decode()
    assert not page.cookies
    assert "<script" not in page.content.decode()


def test_wrong_code_is_refused(client):
    page = client.post(URL, {"code": "AAAA-AAAA-AAAA"})
    assert "このコードは見つかりません" in page.content.decode()
    page = client.post(URL, {"code": "x"})
    assert "英字と数字の12文字" in page.content.decode()


def test_answer_with_skip_logic_save_resume_and_submit_once(client, drawn):
    wave, mailing = drawn
    code = mailing[0]["access_code"]
    page = client.post(URL, {"code": code})
    html = page.content.decode()
    assert "質問1" in html and 'type="radio"' in html and "質問 1 / 2" in html
    assert not page.cookies
    page = _post(client, page, question="worried", answer="1", action="next")
    assert "質問2" in page.content.decode()  # the follow-up, shown because of the answer
    page = _post(client, page, question="followup", answer="zz", action="next")
    assert "選んだ答えを確かめてください" in page.content.decode()
    page = _post(client, page, question="followup", answer="b", action="save")
    assert "保存しました" in page.content.decode()

    page = client.post(URL, {"code": code})  # resume where it was left
    assert "質問2" in page.content.decode()
    page = _post(client, page, question="followup", answer="b", action="back")
    assert "質問1" in page.content.decode()
    page = _post(client, page, question="worried", answer="2", action="next")
    html = page.content.decode()
    assert "質問3" in html and 'type="checkbox"' in html  # the follow-up is skipped now
    page = _post(client, page, question="events", answer=["x", "y"], action="next")
    html = page.content.decode()
    assert "回答の確認" in html and "出来事X、出来事Y" in html and "質問2" not in html
    page = _post(client, page, edit="worried")
    assert "質問1" in page.content.decode()
    page = _post(client, page, question="worried", answer="2", action="next")
    page = _post(client, page, question="events", answer=["x", "y"], action="next")
    done = _post(client, page, action="submit")
    assert "回答を受け付けました" in done.content.decode()
    response = Response.objects.get(wave=wave)
    assert (response.status, response.channel, response.answers) == (
        "submitted",
        "online",
        {"worried": "2", "events": ["x", "y"]},
    )

    again = _post(client, page, action="submit")  # the old page's token no longer works
    assert "もう一度コードを入力してください" in again.content.decode()
    used = client.post(URL, {"code": code})
    assert "すでに送信されています" in used.content.decode()


def test_tampered_token_goes_back_to_the_code_page(client):
    page = client.post(URL, {"token": "1:forged", "question": "worried", "answer": "1"})
    assert "もう一度コードを入力してください" in page.content.decode()


def test_national_instrument_pages_and_english_falls_back_to_japanese(client, tmp_path):
    wave = services.create_wave("全国", "national", 1)
    services.draw_sample(
        wave, write_frame(tmp_path / "f.csv", {"A": 3}), size=1, seed=1, mailing_list=tmp_path / "m.csv"
    )
    code = read_csv(tmp_path / "m.csv")[0]["access_code"]
    page = client.post("/en" + URL, {"code": code})
    html = page.content.decode()
    assert 'lang="ja">あなたはどの程度、孤独であると感じることがありますか。' in html
    assert "しばしばある・常にある" in html


def test_the_instruments_other_language_is_used_when_it_has_one(client, drawn):
    _, mailing = drawn
    page = client.post("/en" + URL, {"code": mailing[0]["access_code"]})
    html = page.content.decode()
    assert 'lang="en">Question 1' in html and 'lang="en">Yes' in html
