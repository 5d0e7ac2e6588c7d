"""Template filters of the navigator."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tsunagari.navigator.ruby import ruby_html

register = template.Library()


@register.filter
def ruby(text: str) -> str:
    """Furigana on the kanji of Japanese text (other languages are only escaped)."""
    if (get_language() or "ja").startswith("ja"):
        return mark_safe(ruby_html(str(text)))  # ruby_html escapes every piece of the text
    return template.defaultfilters.force_escape(text)
