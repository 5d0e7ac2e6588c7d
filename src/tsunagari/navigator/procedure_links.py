"""Links from a navigator result to a municipality's procedure information (pure module).

A link is a URL template that may use ``{municipality_code}`` (6-digit 全国地方公共団体コード),
``{municipality_code5}`` (5 digits, JIS X 0402) and ``{prefecture_code}`` (2 digits). Templates
are maintained in the admin (``ProcedureLink``); a template per service overrides the default.
"""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

PLACEHOLDERS = frozenset({"municipality_code", "municipality_code5", "prefecture_code"})


class TemplateError(ValueError):
    """A URL template that cannot be used; the message says why."""


def validate_template(template: str) -> None:
    """Raise ``TemplateError`` unless ``template`` is an https URL using only known placeholders."""
    try:
        fields = [name for _text, name, spec, conv in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise TemplateError(f"unbalanced braces in the URL template: {exc}") from None
    unknown = sorted(set(fields) - PLACEHOLDERS)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS))
        raise TemplateError(f"unknown placeholder {{{unknown[0]}}}; allowed: {allowed}")
    sample = render(template, "131016")
    parts = urlsplit(sample)
    if parts.scheme != "https" or not parts.netloc:
        raise TemplateError("the URL template must give an https:// address")


def render(template: str, municipality_code: str) -> str:
    """The URL for a 6-digit municipality code (URL-quoted into the template)."""
    values = {
        "municipality_code": municipality_code,
        "municipality_code5": municipality_code[:5],
        "prefecture_code": municipality_code[:2],
    }
    return template.format(**{key: quote(value, safe="") for key, value in values.items()})
