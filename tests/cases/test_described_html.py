"""The assessment markup of case pages (``{{ described|described_html }}``): labels translated,
what staff wrote escaped with line breaks kept, unknown stored values marked, booleans and choices."""

from __future__ import annotations

from django.utils import translation

from tsunagari.cases.templatetags.described import described_html
from tsunagari.helpline.record_forms import DisplayItem, DisplaySection


def test_every_kind_of_item_and_escaping():
    described = (
        DisplaySection(
            "本人の状況",
            (
                DisplayItem("alone", "ひとり暮らし", "boolean", flag=True),
                DisplayItem("worries", "困りごと", "multichoice", labels=("お金", "仕事")),
                DisplayItem("note", "メモ", "text", text="<b>夜</b>眠れない\n食欲がない"),
                DisplayItem("empty", "空欄", "text"),
            ),
        ),
        DisplaySection("", (DisplayItem("old", "old", "unknown", text="<x>", unknown=True),)),
    )
    with translation.override("ja"):
        html = str(described_html(described))
    assert "<h4>本人の状況</h4>" in html and "<h4>この版にない項目</h4>" in html
    assert "<dt>ひとり暮らし</dt>\n<dd>はい</dd>" in html
    assert "<dd>お金、仕事</dd>" in html
    assert "<dd>&lt;b&gt;夜&lt;/b&gt;眠れない<br>食欲がない</dd>" in html
    assert "<dt>空欄</dt>\n<dd>—</dd>" in html
    assert '<dd>&lt;x&gt; <span class="badge warn">この版にない値</span></dd>' in html
    assert "<b>" not in html and "<x>" not in html
    assert str(described_html(())) == ""
