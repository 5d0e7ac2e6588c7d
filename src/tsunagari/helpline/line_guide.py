"""The navigator's guided flow over LINE: one turn of a conversation (no HTTP, no outbox).

It reuses the navigator's engine as the web navigator does: the flow (``load_flow``), the
conversation and its ``submit`` (answers, triage of free text, a sticky crisis flag),
``recommend`` for the result and the directory's crisis and youth lines. :mod:`.line_messages`
turns steps and results into LINE messages.

A turn:

- :func:`start` (follow, "はじめからやり直す"): a greeting, then the first question;
- :func:`on_postback`: a tapped quick reply — answer (a single step moves on; a multiple step adds
  the option and asks again), next, skip, another page of options, finish (the result);
- :func:`on_text`: at the area step the text is looked up as a municipality; at any other step it
  is the person's own words, read by triage for topics and crisis signs — the words are not kept;
  the question (or the result) is asked again;
- :func:`on_other`: a sticker, image… — asks for words and asks the question again.

Crisis (never switched off): free text of every step goes through the crisis check, and crisis
options count too. When the conversation is in crisis and the crisis lines have not been sent in
it, they come first in the reply; a result in a crisis always starts with them; in a crisis every
question offers "相談員と話す". For someone who answered "18歳以下", youth lines come first (as the
navigator's teen entry does).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from tsunagari.core.selectors import find_area
from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.selectors.services import crisis_lines, youth_lines
from tsunagari.helpline import line_messages as lm
from tsunagari.helpline.line_state import LineState
from tsunagari.navigator.conversation import Conversation, submit
from tsunagari.navigator.flow import load_flow
from tsunagari.navigator.selectors import recommend

RESULT = "result"
RESULT_LIMIT = 5


@dataclass
class Turn:
    state: LineState
    messages: list[dict]


def _card(service) -> lm.Card:
    base = getattr(settings, "TSUNAGARI_PUBLIC_BASE_URL", "")
    url = base + reverse("directory:service", args=[service.pk]) if base else (service.url or "")
    return lm.Card(
        name=service.name,
        phones=tuple(p.number for p in service.phones.all()),
        hours=service.hours_text or "",
        url=url,
    )


def crisis_cards(conversation: Conversation) -> list[lm.Card]:
    """The crisis lines to show, youth lines first for someone 18 or under."""
    lines = list(crisis_lines())
    if conversation.teen or conversation.answers.get("age") == ["under18"]:
        youth = list(youth_lines())
        lines = youth + [line for line in lines if line not in youth]
    return [_card(s) for s in lines]


def crisis_first(state: LineState) -> list[dict]:
    """The crisis message when it is due (crisis, not sent yet); marks it sent."""
    if state.conversation.crisis and not state.crisis_sent:
        state.crisis_sent = True
        return [lm.crisis_message(crisis_cards(state.conversation), _)]
    return []


def _step_message(state: LineState, notice: str = "") -> dict:
    flow = load_flow()
    conversation = state.conversation
    step = flow.step(conversation.step) if conversation.step else None
    if step is None:
        step = flow.next_step(None)
        conversation.step = step.id
    return lm.step_message(
        step,
        number=[s.id for s in flow.steps].index(step.id) + 1,
        count=len(flow.steps),
        chosen=conversation.answers.get(step.id, []),
        page=state.page,
        crisis=conversation.crisis,
        notice=notice,
        translate=_,
    )


def _result_message(state: LineState) -> dict:
    flow = load_flow()
    criteria = flow.criteria(state.conversation.answers, state.conversation.triaged)
    cards = [_card(rec.service) for rec in recommend(criteria, limit=RESULT_LIMIT)]
    return lm.result_message(cards, _)


def render(state: LineState, notice: str = "") -> list[dict]:
    """The crisis lines when due (at the result: always in a crisis), then the notice, then the
    current question or the result."""
    if state.conversation.step == RESULT:
        first = []
        if state.conversation.crisis:
            state.crisis_sent = True
            first = [lm.crisis_message(crisis_cards(state.conversation), _)]
        notes = [lm.text_message(notice)] if notice else []
        return [*first, *notes, _result_message(state)]
    return [*crisis_first(state), _step_message(state, notice)]


def start(notice: str = "") -> Turn:
    state = LineState()
    greeting = _(
        "つながりです。いくつかの質問に答えると、あなたに合った相談先をご案内します。"
        "名前や連絡先は聞きません。自分のことばで書いて送ることもできます。"
        "相談員とチャットで話すこともできます。"
    )
    emergency = _("いのちの危険があるときは、すぐに110（警察）か119（救急）に電話してください。")
    text = "\n".join(part for part in (notice, greeting, emergency) if part)
    return Turn(state, [lm.text_message(text), *render(state)])


def _advance(state: LineState, after: str, finish: bool = False) -> None:
    following = load_flow().next_step(after)
    state.conversation.step = following.id if following and not finish else RESULT
    state.page = 0


def on_postback(state: LineState, postback: lm.Postback) -> Turn:
    flow = load_flow()
    conversation = state.conversation
    if postback.action == lm.RESTART:
        return start()
    if postback.action == lm.FINISH:
        conversation.step = RESULT
        return Turn(state, render(state))
    step = flow.step(postback.step)
    if step is None:
        return Turn(state, render(state))
    if postback.action == lm.ANSWER:
        if step.option(postback.value) is None:
            return Turn(state, render(state))
        if step.kind == "multiple":
            submit(conversation, flow, step.id, [*conversation.answers.get(step.id, []), postback.value], "")
            conversation.step, state.page = step.id, 0
        else:
            submit(conversation, flow, step.id, [postback.value], "")
            _advance(state, step.id)
    elif postback.action == lm.NEXT:
        _advance(state, step.id)
    elif postback.action == lm.SKIP:
        submit(conversation, flow, step.id, [], "")
        _advance(state, step.id)
    elif postback.action == lm.PAGE:
        conversation.step = step.id
        state.page = int(postback.value) if postback.value.isdigit() else 0
    return Turn(state, render(state))


def on_text(state: LineState, text: str) -> Turn:
    flow = load_flow()
    conversation = state.conversation
    current = flow.step(conversation.step) if conversation.step and conversation.step != RESULT else None
    if conversation.step is None:
        current = flow.next_step(None)
        conversation.step = current.id
    if current is not None and current.kind == "area":
        code, found = find_area("", text.strip()[:50])
        found = found and code is not None
        submit(
            conversation,
            flow,
            current.id,
            [code] if found else conversation.answers.get(current.id, []),
            text,
        )
        if found:
            _advance(state, current.id)
            return Turn(state, render(state))
        return Turn(
            state,
            render(state, _("市区町村が見つかりませんでした。市区町村の名前をもう一度送ってください。")),
        )
    before = set(conversation.triaged)
    submit(conversation, flow, "", [], text)  # no step: the words are only read, never kept
    found = [t for t in conversation.triaged if t not in before]
    if found:
        labels = "、".join(_(TOPICS[t]) for t in found if t in TOPICS)
        notice = _("「%(labels)s」のことですね。相談先をさがすときの参考にします。") % {"labels": labels}
    else:
        notice = _("メッセージを受け取りました。")
    return Turn(state, render(state, notice))


def on_other(state: LineState) -> Turn:
    return Turn(state, render(state, _("文字で送ってください。")))
