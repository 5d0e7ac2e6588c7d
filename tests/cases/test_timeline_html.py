"""The entries of the case page's timeline (``{{ entries|timeline_html }}``): kind, local time and
form version of a section, its narrative escaped with line breaks kept, the assessment laid out,
a linked contact with its channel — without the database (unsaved model instances)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone, translation

from tsunagari.cases.models import CaseContact, Section
from tsunagari.cases.selectors import TimelineItem
from tsunagari.cases.templatetags.timeline import timeline_html
from tsunagari.helpline.models import Contact
from tsunagari.helpline.record_forms import DisplayItem, DisplaySection

AT = datetime(2026, 4, 1, 1, 5, tzinfo=UTC)  # 10:05 in Tokyo


def _render(entries) -> str:
    with translation.override("ja"), timezone.override("Asia/Tokyo"):
        return str(timeline_html(entries))


def test_a_note_an_assessment_and_a_contact():
    note = Section(kind="note", occurred_at=AT, body="<b>夜</b>眠れない\n食欲がない")
    assessment = Section(kind="assessment", occurred_at=AT, body="", form_version="2026-04", data={})
    described = (DisplaySection("本人の状況", (DisplayItem("alone", "ひとり暮らし", "boolean", flag=True),)),)
    contact = CaseContact(contact=Contact(channel="voice", provider_id="CA-1", started_at=AT))
    html = _render(
        [
            {"item": TimelineItem(AT, section=note), "described": None},
            {"item": TimelineItem(AT, section=assessment), "described": described},
            {"item": TimelineItem(AT, contact=contact), "described": None},
        ]
    )
    items = html.split('<li class="card">')[1:]
    assert len(items) == 3
    kinds = dict(Section.Kind.choices)
    assert items[0].startswith(f'<h3>{kinds["note"]} <span class="meta">2026-04-01 10:05</span></h3>')
    assert "<p>&lt;b&gt;夜&lt;/b&gt;眠れない<br>食欲がない</p>" in items[0] and "<b>" not in html
    assert "2026-04-01 10:05 — 記録票の版: 2026-04</span>" in items[1]
    assert "<p>" not in items[1]  # no empty narrative paragraph
    assert "<dt>ひとり暮らし</dt>\n<dd>はい</dd>" in items[1]
    assert items[2].startswith('<h3>相談（回線） <span class="meta">2026-04-01 10:05</span></h3>')
    assert f"<p>{Contact(channel='voice').get_channel_display()}</p>" in items[2]


def test_every_line_break_form_and_quotes():
    note = Section(kind="note", occurred_at=AT, body="a\r\nb\rc\nd \"e\" & 'f'")
    html = _render([{"item": TimelineItem(AT, section=note), "described": None}])
    assert "<p>a<br>b<br>c<br>d &quot;e&quot; &amp; &#x27;f&#x27;</p>" in html


def test_no_entries_is_empty():
    assert _render([]) == "" and _render(None) == ""
