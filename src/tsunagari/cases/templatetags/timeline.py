"""``{{ entries|timeline_html }}``: the entries of a case timeline as ``<li class="card">`` items.

``entries`` are the case page's ``{"item": selectors.TimelineItem, "described": ...}`` dicts. A
section shows its kind, time (current time zone, ``Y-m-d H:i``), form version, narrative (escaped,
line breaks kept) and, for an assessment, its data laid out by ``described``; a linked contact shows
its time and channel. Built in Python for the reason ``described`` gives: a timeline holds hundreds
of entries and the template engine's per-variable lookups were most of the page's time
(BENCHMARKS.md "Cases").
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tsunagari.cases.models import Section
from tsunagari.cases.templatetags.described import described_markup
from tsunagari.core.markup import Translations, esc, text_with_breaks

register = template.Library()


def _when(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _section_markup(section: Section, described, kinds: dict, tr: Translations) -> str:
    meta = _when(section.occurred_at)
    if section.form_version:
        meta += " — " + tr("記録票の版: %(version)s") % {"version": section.form_version}
    body = f"<p>{text_with_breaks(section.body)}</p>\n" if section.body else ""
    data = described_markup(described, tr) if described else ""
    kind = esc(kinds.get(section.kind, section.kind))
    return f'<li class="card"><h3>{kind} <span class="meta">{esc(meta)}</span></h3>\n{body}{data}</li>\n'


def _contact_markup(item, tr: Translations) -> str:
    channel = esc(item.contact.contact.get_channel_display())
    when = esc(_when(item.at))
    return f'<li class="card"><h3>{esc(tr("相談（回線）"))} <span class="meta">{when}</span></h3>\n<p>{channel}</p>\n</li>\n'


@register.filter
def timeline_html(entries) -> SafeString:
    tr = Translations()
    kinds = {value: str(label) for value, label in Section.Kind.choices}
    parts = []
    for entry in entries or ():
        item = entry["item"]
        if item.section is not None:
            parts.append(_section_markup(item.section, entry.get("described"), kinds, tr))
        else:
            parts.append(_contact_markup(item, tr))
    return mark_safe("".join(parts))
