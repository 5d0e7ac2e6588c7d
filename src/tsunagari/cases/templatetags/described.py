"""``{{ described|described_html }}``: an assessment laid out by its own form version.

``described`` is what ``FormDefinition.describe(data)`` returns (sections of items). The markup is
built here in Python rather than by an included template: a case timeline shows up to hundreds of
assessments, and the template engine spent most of the page's time on them (BENCHMARKS.md "Cases").
Labels and legends of the form are translated; what staff wrote (``text``) and stored values that the
version does not know are shown as written. Every value is escaped.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()
DASH = "—"


def _value(item) -> SafeString | str:
    if item.unknown:
        return format_html(
            '{} <span class="badge warn">{}</span>', item.text or DASH, gettext("この版にない値")
        )
    if item.flag is not None:
        return conditional_escape(gettext("はい") if item.flag else gettext("いいえ"))
    if item.labels:
        return conditional_escape("、".join(gettext(label) for label in item.labels))
    if item.text:
        return linebreaksbr(item.text, autoescape=True)
    return DASH


@register.filter
def described_html(described) -> SafeString:
    parts = []
    for part in described or ():
        legend = gettext(part.legend) if part.legend else gettext("この版にない項目")
        rows = []
        for item in part.items:
            label = item.label if item.unknown and not part.legend else gettext(item.label)
            rows.append(format_html("<dt>{}</dt>\n<dd>{}</dd>\n", label, _value(item)))
        parts.append(format_html("<h4>{}</h4>\n<dl>{}</dl>\n", legend, mark_safe("".join(rows))))
    return mark_safe("".join(parts))
