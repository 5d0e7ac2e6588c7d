"""``{% ttl_fragment "name" value ... %}…{% endttl_fragment %}``: keep a rendered fragment in the process.

The fragment is rendered once per key (its name, the active language and the values given, each
resolved in the context) and kept ``rendered_seconds()`` (``core.page_cache``: emptied on writes to
the directory, off when caching is). The values must name everything the fragment shows that can
change between requests; a fragment must not hold anything per request or per person (no
``{% csrf_token %}``, no form state).
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tsunagari.core.page_cache import rendered_seconds
from tsunagari.core.ttl_cache import TtlStore, hashable

register = template.Library()
_fragments = TtlStore(rendered_seconds, maxsize=8192)


class TtlFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, values: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context) -> str:
        key = (self.name, get_language(), *(hashable(v.resolve(context)) for v in self.values))
        return _fragments.get_or_make(key, lambda: mark_safe(self.nodelist.render(context)))


@register.tag
def ttl_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a quoted fragment name first")
    nodelist = parser.parse(("endttl_fragment",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError(f"{bits[0]} {bits[1]}: a kept fragment cannot hold a CSRF token")
    return TtlFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
