"""The result page's service cards and summary built in Python (``navigator.result_markup``): name linked to the
directory page, open / closed / 24 hours / unverified badges, tap-to-call phones, why it was
suggested, the relaxed note, the procedure link (own label or the default sentence), escaping, the
"nothing found" paragraph, and the kept part following the language."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.directory.factories import make_service
from tsunagari.core.ttl_cache import clear_all
from tsunagari.directory.records import SourceRecord
from tsunagari.directory.selectors.services import load_for_cards
from tsunagari.navigator.result_markup import cards, summary
from tsunagari.navigator.selectors import Recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_all()
    yield
    clear_all()


def _service(name="<b>相談</b>ダイヤル", **fields):
    [service] = load_for_cards([make_service("card-test", name, phones=("#8008", "0120-000-000"), **fields)])
    return service


def test_a_card_with_every_part():
    service = _service(schedule={"is_24h": True})
    rec = Recommendation(service, ["loneliness"], ["open_now"], open_now=True)
    with translation.override("ja"):
        html = cards([(rec, ["孤独・孤立", "<i>x</i>"], ("https://example.jp/?a=1&b=2", ""))], "千代田区")
    assert html.startswith('<article class="card">\n<h2 lang="ja"><a href="/services/') and html.endswith(
        "</article>"
    )
    assert "&lt;b&gt;相談&lt;/b&gt;ダイヤル</a></h2>" in html and "<b>" not in html
    assert '<span class="badge open">いま受付中</span>' in html
    assert '<span class="badge open">24時間</span>' in html and "情報未確認" not in html
    assert (
        '<a class="tel" href="tel:%238008">#8008</a><a class="tel" href="tel:0120000000">0120-000-000</a>'
        in html
    )
    assert (
        '<p class="meta">おすすめの理由: <span class="badge">孤独・孤立</span><span class="badge">&lt;i&gt;x&lt;/i&gt;</span>'
        in html
    )
    assert "（条件をゆるめて見つけました）</p>" in html
    assert (
        '<a href="https://example.jp/?a=1&amp;b=2" rel="noreferrer">千代田区の手続きを調べる（マイナポータル）</a>'
        in html
    )


def test_closed_unverified_own_procedure_label_and_no_relaxing():
    service = _service(source=SourceRecord(name="test", url="https://example.org/"))
    rec = Recommendation(service, ["loneliness"], [], open_now=False)
    with translation.override("ja"):
        html = cards([(rec, [], ("https://example.jp/", "区の手続き"))], None)
    assert (
        '<span class="badge">受付時間外</span>' in html
        and '<span class="badge warn">情報未確認</span>' in html
    )
    assert "24時間" not in html and "いま受付中" not in html and "条件をゆるめて" not in html
    assert '<a href="https://example.jp/" rel="noreferrer">区の手続き</a>' in html
    unknown = cards([(Recommendation(service, [], [], open_now=None), [], None)], None)
    assert "受付時間外" not in unknown and "rel=" not in unknown


def test_nothing_found_and_the_language_of_the_kept_part():
    with translation.override("ja"):
        assert cards([], None).startswith("<p>選んだ内容に合う相談先が見つかりませんでした。")
    service = _service()
    rec = Recommendation(service, [], [], open_now=True)
    with translation.override("ja"):
        japanese = cards([(rec, [], None)], None)
    with translation.override("en"):
        english = cards([(rec, [], None)], None)
    assert 'href="/services/' in japanese and 'href="/en/services/' in english
    assert "いま受付中" in japanese and "いま受付中" not in english


def test_the_summary_lists_every_step_with_its_edit_button():
    from types import SimpleNamespace

    rows = [
        (SimpleNamespace(id="age", question="年齢"), ["<18"]),
        (SimpleNamespace(id="topics", question="悩み"), ["孤独", "お金"]),
        (SimpleNamespace(id="area", question="住んでいる地域"), []),
    ]
    with translation.override("ja"):
        html = summary(rows)
    assert html.startswith("<dl><dt>年齢</dt>\n<dd>&lt;18\n<button") and html.endswith("</dd></dl>")
    assert "<dd>孤独、お金\n" in html and "<dd>—\n" in html
    assert '<button name="action" value="edit:area">なおす</button>' in html
