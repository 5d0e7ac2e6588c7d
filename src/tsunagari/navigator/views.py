"""Navigator pages: one question at a time with plain forms (no JavaScript needed), then the result.

The conversation travels signed in the page (``conversation``); POST keeps answers and free text
out of URLs and server logs. Any crisis sign puts the 24-hour lines first on the next page.

The pages are exempt from CSRF protection, on purpose: they act for no one (no login, no session, no
stored state; a forged post can only show its sender's own conversation) and so need no token, and
an anonymous visitor gets no cookie at all.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tsunagari.core.no_store import no_store
from tsunagari.core.selectors import find_area, local_government, prefectures
from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.selectors.services import crisis_lines, youth_lines
from tsunagari.navigator import result_markup, usage
from tsunagari.navigator.conversation import Conversation, submit
from tsunagari.navigator.flow import load_flow
from tsunagari.navigator.kept_pages import render_kept
from tsunagari.navigator.pdf import result_pdf
from tsunagari.navigator.selectors import procedure_links, recommend

RESULT = "result"


@csrf_exempt
@no_store
def teens(request):
    """The entry for people 18 and under: the same engine, age already answered, plain words."""
    return navigator(request, teen=True)


@csrf_exempt
@no_store
def navigator(request, teen: bool = False):
    flow = load_flow()
    conversation, notice = _fresh(teen), ""
    if request.method == "POST":
        try:
            conversation = Conversation.loads(request.POST.get("state", ""))
        except signing.BadSignature:
            notice = _("時間がたったため、はじめからになりました。")
            conversation = _fresh(teen)
        else:
            conversation, notice = _advance(conversation, flow, request.POST)
    if conversation.step == RESULT:
        if request.POST.get("action") == "pdf":
            return _pdf(request, flow, conversation)
        _count_usage(flow, conversation, RESULT)
        return _result(request, flow, conversation)
    step = flow.step(conversation.step) if conversation.step else flow.next_step(None)
    conversation.step = step.id
    _count_usage(flow, conversation, step.id)
    chosen = conversation.answers.get(step.id, [])
    context = {
        "step": step,
        "number": [s.id for s in flow.steps].index(step.id) + 1,
        "count": len(flow.steps),
        "chosen": chosen,
        "notice": notice,
        **_crisis_context(conversation),
    }
    if step.kind == "area":
        area = local_government(chosen[0] if chosen else None)
        context["prefectures"] = prefectures()
        context["chosen_prefecture"] = area.prefecture_code if area else ""
        context["chosen_municipality"] = (
            "" if area is None or area.kind == area.Kind.PREFECTURE else str(area)
        )
    return render_kept(request, "navigator/step.html", context, {"state": conversation.dumps()})


def _count_usage(flow, conversation: Conversation, reached: str) -> None:
    """Anonymous counts, each once per conversation: language at the start, every step reached,
    crisis lines shown, and the topics when the result is first shown."""
    events = []

    def once(mark: str, *new: tuple[str, str]) -> None:
        if mark not in conversation.counted:
            conversation.counted.append(mark)
            events.extend(new)

    once("language", ("language", get_language() or "ja"))
    once(f"step:{reached}", ("step", reached))
    if conversation.crisis:
        once("crisis", ("crisis_shown", "yes"))
    if reached == RESULT:
        topics = flow.criteria(conversation.answers, conversation.triaged).topics
        once("topics", *(("topic", topic) for topic in topics))
    usage.count(events)


def _fresh(teen: bool) -> Conversation:
    if teen:
        return Conversation(answers={"age": ["under18"]}, step="topics", teen=True)
    return Conversation()


def _advance(conversation: Conversation, flow, post) -> tuple[Conversation, str]:
    """Apply the posted action; returns the conversation and a notice for the person (or "")."""
    action = post.get("action", "next")
    current = conversation.step or flow.steps[0].id
    if action == "stay" or (action == "pdf" and conversation.step == RESULT):
        return conversation, ""  # language switch or PDF: same page
    if action.startswith("edit:"):
        conversation.step = (
            action.removeprefix("edit:") if flow.step(action.removeprefix("edit:")) else current
        )
        return conversation, ""
    if action == "back":
        ids = [s.id for s in flow.steps]
        index = ids.index(current) if current in ids else len(ids)
        conversation.step = ids[max(1 if conversation.teen else 0, index - 1)]
        return conversation, ""
    values = [] if action == "skip" else post.getlist("answer")
    notice = ""
    step = flow.step(current)
    if step is not None and step.kind == "area" and action != "skip":
        typed = post.get("municipality") or (post.getlist("answer") or [""])[0]
        code, found = find_area(post.get("prefecture", ""), typed[:50])
        values = [code] if code else []
        if not found:
            notice = _(
                "市区町村が見つかりませんでした。都道府県を選んで、市区町村名をもう一度入れてください。"
            )
    submit(conversation, flow, current, values, post.get("text", ""))
    if notice:
        return conversation, notice  # ask the area again
    following = flow.next_step(current)
    conversation.step = following.id if following and action != "finish" else RESULT
    return conversation, ""


def _crisis_context(conversation: Conversation) -> dict:
    lines = crisis_lines()
    if conversation.teen:
        youth = youth_lines()
        lines = youth + [line for line in lines if line not in youth]  # ShownLines, as the key of kept pages
    return {"crisis": conversation.crisis, "crisis_lines": lines, "teen": conversation.teen}


def _result_context(flow, conversation: Conversation) -> dict:
    """The person's result — the suggested services, the area, the criteria, what they chose —
    for the result page and the PDF."""
    criteria = flow.criteria(conversation.answers, conversation.triaged)
    recommendations = recommend(criteria)
    links = procedure_links([rec.service for rec in recommendations], criteria.area)
    return {
        "items": [
            (rec, [_(TOPICS[t]) for t in rec.topics], links.get(rec.service.pk)) for rec in recommendations
        ],
        "area": local_government(criteria.area),
        "criteria": criteria,
        "summary": _summary(flow, conversation),
    }


def _result(request, flow, conversation: Conversation):
    """The result page: the cards and "what you chose" are the person's; the rest is kept."""
    context = _result_context(flow, conversation)
    fill = {
        "state": conversation.dumps(),
        "cards": result_markup.cards(context["items"], context["area"]),
        "summary": result_markup.summary(context["summary"]),
    }
    return render_kept(request, "navigator/result.html", _crisis_context(conversation), fill)


def _pdf(request, flow, conversation: Conversation):
    """The result as a PDF; the person's note goes in only when they ticked to include it."""
    with translation.override("ja"):  # shown at a municipal window: always Japanese
        context = _result_context(flow, conversation)
    include = request.POST.get("include_note") == "on"
    context["note"] = request.POST.get("note", "")[:2000] if include else ""
    context["today"] = timezone.localdate().isoformat()
    with translation.override("ja"):
        response = HttpResponse(result_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="tsunagari-soudansaki.pdf"'
    return response


def _summary(flow, conversation: Conversation) -> list[tuple]:
    """(step, chosen labels) of every step, for "what you chose" with an edit button."""
    rows = []
    for step in flow.steps:
        values = conversation.answers.get(step.id, [])
        if step.kind == "area":
            area = local_government(values[0] if values else None)
            labels = [str(area)] if area else []
        else:
            labels = [step.option(v).label for v in values if step.option(v)]
        rows.append((step, labels))
    return rows
