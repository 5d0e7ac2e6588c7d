"""Navigator pages in every product language: switcher, lang attribute, catalogues, fallback note."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.navigator.turns import turn
from tsunagari.core import catalogues, msgid_sources
from tsunagari.core.languages import LANGUAGES, html_lang


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
def test_catalogue_is_complete(language):
    assert catalogues.problems(language) == []


def test_generated_data_msgids_are_up_to_date():
    expected = msgid_sources.render_module(msgid_sources.data_msgids())
    assert msgid_sources.GENERATED.read_text(encoding="utf-8") == expected, (
        "run: python -m tsunagari.core.msgid_sources, then makemessages (see README)"
    )


def test_every_flow_label_is_in_the_catalogues():
    msgids = {msgid for _where, msgid in msgid_sources.data_msgids()}
    import polib

    catalogue = {entry.msgid for entry in polib.pofile(str(catalogues.po_path("en")))}
    assert msgids <= catalogue, sorted(msgids - catalogue)[:5]


def test_placeholders_are_compared():
    assert catalogues.placeholders("作成日: %(date)s {municipality_code}") == {"date", "municipality_code"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language", [lang for lang in LANGUAGES if lang.code != "ja"], ids=lambda lang: lang.code
)
def test_navigator_is_served_in_each_language_with_its_lang_attribute(client, language):
    response = client.get(f"/{language.code}/navi/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language.html_lang}">' in html
    with translation.override(language.code):
        question = translation.gettext("あなたの年齢を教えてください")
    assert question in html
    if language.code not in ("ja-easy",):
        assert question != "あなたの年齢を教えてください"  # really translated
        assert "あなたの年齢を教えてください" not in html


@pytest.mark.django_db
def test_japanese_is_the_unprefixed_default(client):
    html = client.get("/navi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in html and "あなたの年齢を教えてください" in html


@pytest.mark.django_db
def test_switcher_lists_every_language_and_keeps_the_conversation(client):
    html = client.get("/navi/").content.decode()
    for language in LANGUAGES:
        assert f'lang="{language.html_lang}"' in html and language.name in html
    assert 'formaction="/en/navi/"' in html
    html = turn(client, html, answer="age30_64")
    assert "どんなことで困っていますか" in html
    # The switcher posts the state with action "stay": same question, now in English.
    english = turn(client, html, "/en/navi/", action="stay")
    with translation.override("en"):
        assert translation.gettext("どんなことで困っていますか（いくつでも）") in english
    assert '<html lang="en">' in english


@pytest.mark.django_db
def test_directory_content_falls_back_to_japanese_with_a_note(client):
    html = client.get("/en/navi/").content.decode()
    html = turn(client, html, "/en/navi/", answer="age30_64", action="next")
    html = turn(client, html, "/en/navi/", answer="poverty", action="finish")
    with translation.override("en"):
        note = translation.gettext(
            "相談先の名前や説明は日本語のまま表示しています（まだ翻訳されていません）。"
        )
    assert note in html
    assert re.search(r'<h2 lang="ja"><a href="/en/services/', html)
    japanese = client.get("/navi/").content.decode()
    assert "まだ翻訳されていません" not in japanese


def test_html_lang_tags():
    assert (
        html_lang("ja-easy") == "ja" and html_lang("zh-hant") == "zh-Hant" and html_lang("pt-br") == "pt-BR"
    )
    assert html_lang(None) == "ja" and html_lang("xx") == "ja"
