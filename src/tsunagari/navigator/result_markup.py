"""The result page's service cards and "what you chose" list, built in Python and put into the
kept result page (``navigator.kept_pages``) as its ``cards`` and ``summary``.

``items`` are the result context's ``(Recommendation, topic labels, procedure link or None)``. Each
card shows the service's name (linked to its directory page), "open now" / "closed now", 24 hours
and "not verified" badges and its phone numbers (tap to call) — that part depends only on the
service, whether it is open and the language, so it is kept ``cache_seconds()`` per process like the
template fragments (``core.templatetags.fragments``) — then why it was suggested (the person's
topics, the conditions relaxed) and the municipal procedure link. Built here rather than in the
template for the reason ``cases/templatetags/timeline.py`` gives: the template engine's per-variable
lookups were most of a result page's rendering time. The summary lists every step's question with
the chosen labels (translated, "—" when none) and its edit button. Every value is escaped.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext

from tsunagari.core.markup import DASH, esc
from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import TtlStore

_static_parts = TtlStore(cache_seconds, maxsize=4096)


def _badge(text: str, kind: str = "") -> str:
    css = f"badge {kind}" if kind else "badge"
    return f'<span class="{css}">{esc(text)}</span>'


def _static_part(service, open_now: bool | None) -> str:
    url = reverse("directory:service", args=[service.pk])
    if open_now:
        hours = _badge(gettext("いま受付中"), "open")
    elif open_now is False:
        hours = _badge(gettext("受付時間外"))
    else:
        hours = ""
    always = _badge(gettext("24時間"), "open") if service.is_24h else ""
    unverified = _badge(gettext("情報未確認"), "warn") if service.verification != "verified" else ""
    phones = "".join(
        f'<a class="tel" href="{esc(p.tel_uri)}">{esc(p.number)}</a>' for p in service.phones.all()
    )
    return (
        f'<h2 lang="ja"><a href="{esc(url)}">{esc(service.name)}</a></h2>\n'
        f"<div>{hours}\n{always}\n{unverified}</div>\n{phones}"
    )


def card(rec, labels, procedure, area, why: str, relaxed_note: str) -> str:
    service = rec.service
    static = _static_parts.get_or_make(
        (get_language(), service.pk, rec.open_now), lambda: _static_part(service, rec.open_now)
    )
    badges = "".join(_badge(label) for label in labels)
    relaxed = f"（{esc(relaxed_note)}）" if rec.relaxed else ""
    link = ""
    if procedure:
        url, label = procedure
        text = label or gettext("%(place)sの手続きを調べる（マイナポータル）") % {"place": area}
        link = f'<p><a href="{esc(url)}" rel="noreferrer">{esc(text)}</a></p>\n'
    return f'<article class="card">\n{static}\n<p class="meta">{esc(why)}: {badges}\n{relaxed}</p>\n{link}</article>'


def cards(items, area) -> str:
    """Every card, or the "nothing found" paragraph."""
    if not items:
        message = gettext(
            "選んだ内容に合う相談先が見つかりませんでした。悩みを選ぶか、自分のことばで書いてみてください。"
        )
        return f"<p>{esc(message)}</p>"
    why, relaxed_note = gettext("おすすめの理由"), gettext("条件をゆるめて見つけました")
    return "".join(card(rec, labels, procedure, area, why, relaxed_note) for rec, labels, procedure in items)


def summary(rows) -> str:
    """``<dl>`` of (step, chosen labels) rows: the question, the labels, the step's edit button."""
    edit = esc(gettext("なおす"))
    parts = ["<dl>"]
    for step, labels in rows:
        chosen = "、".join(esc(gettext(str(label))) for label in labels) or DASH
        parts.append(
            f"<dt>{esc(gettext(str(step.question)))}</dt>\n"
            f'<dd>{chosen}\n<button name="action" value="edit:{esc(step.id)}">{edit}</button></dd>'
        )
    parts.append("</dl>")
    return "".join(parts)
