"""``{{ described|described_html }}``: an assessment laid out by its own form version.

``described`` is what ``FormDefinition.describe(data)`` returns (sections of items). The markup is
built here in Python rather than by an included template: a case timeline shows up to hundreds of
assessments, and the template engine spent most of the page's time on them (BENCHMARKS.md "Cases").
Labels and legends of the form are translated; what staff wrote (``text``) and stored values that the
version does not know are shown as written. Every value is escaped (``core.markup.esc``).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from tsunagari.core.markup import DASH, Translations, esc, text_with_breaks

register = template.Library()


def _value(item, tr: Translations) -> str:
    if item.unknown:
        return f'{esc(item.text or DASH)} <span class="badge warn">{esc(tr("この版にない値"))}</span>'
    if item.flag is not None:
        return esc(tr("はい") if item.flag else tr("いいえ"))
    if item.labels:
        return esc("、".join(tr(label) for label in item.labels))
    if item.text:
        return text_with_breaks(item.text)
    return DASH


def described_markup(described, tr: Translations) -> str:
    """The markup as plain ``str`` (already escaped), for renderers that join many of them."""
    parts = []
    for part in described or ():
        legend = tr(part.legend) if part.legend else tr("この版にない項目")
        parts.append(f"<h4>{esc(legend)}</h4>\n<dl>")
        for item in part.items:
            label = item.label if item.unknown and not part.legend else tr(item.label)
            parts.append(f"<dt>{esc(label)}</dt>\n<dd>{_value(item, tr)}</dd>\n")
        parts.append("</dl>\n")
    return "".join(parts)


@register.filter
def described_html(described) -> SafeString:
    return mark_safe(described_markup(described, Translations()))
