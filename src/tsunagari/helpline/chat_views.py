"""The portal's web chat with a counsellor: public, anonymous, plain HTML forms (no JavaScript needed;
a small script polls for new messages when it can).

Pages (mounted under the language prefixes at ``/helpline/chat/``):

- ``page`` (GET): the start page (crisis lines first, what happens to what is written, a form
  that asks for nothing personal), or the chat: waiting position, transcript, message form — or,
  once it has ended, a notice (and the cookie is deleted);
- ``start`` / ``send`` / ``leave`` (POST, CSRF-protected, validated; redirect after success);
- ``poll`` (GET, JSON): status, position and the messages after ``?after=<id>``.

The visitor is known only by a random token in the ``tsunagari_chat`` cookie (HttpOnly, SameSite
Lax, Secure over HTTPS, no expiry date: it ends with the browser session), of which the server keeps
the SHA-256. Nothing the visitor writes is logged or put in a URL.
"""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.helpline import chat_retention, chat_selectors, chat_services
from tsunagari.helpline.chat_forms import MessageForm, StartForm
from tsunagari.helpline.chat_models import ChatMessage, ChatSession
from tsunagari.helpline.chat_routing import FieldInfo, field_for_chat
from tsunagari.helpline.models import Contact
from tsunagari.navigator.triage import triage

COOKIE = "tsunagari_chat"
WEB = Contact.Channel.WEB
Status = ChatSession.Status
CLOSED_CONFLICT = _("このチャットは終了しています。")


def _session(request: HttpRequest) -> ChatSession | None:
    token = request.COOKIES.get(COOKIE, "")
    if not token or len(token) > 100:
        return None
    return chat_selectors.visitor_chat(WEB, chat_services.visitor_key(token))


def message_rows(messages: list[ChatMessage], *, for_staff: bool) -> list[dict]:
    """Messages as shown: who (from the reader's side), text (system notices translated), time."""
    names = {
        ChatMessage.Author.VISITOR: gettext("相談者") if for_staff else gettext("あなた"),
        ChatMessage.Author.COUNSELLOR: gettext("相談員"),
        ChatMessage.Author.SYSTEM: gettext("お知らせ"),
    }
    rows = []
    for m in messages:
        text = m.text
        if m.author == ChatMessage.Author.SYSTEM:
            text = gettext(chat_services.SYSTEM_TEXTS.get(m.text, m.text))
        rows.append(
            {
                "id": m.pk,
                "author": m.author,
                "name": names[m.author],
                "text": text,
                "at": timezone.localtime(m.at).strftime("%H:%M"),
            }
        )
    return rows


def _field_choices() -> list[tuple[str, str]]:
    return [(f.code, f.name) for f in chat_selectors.served_fields()]


def _start_page(request: HttpRequest, form: StartForm, *, status: int = 200, notice: str = "", ended=False):
    context = {
        "form": form,
        "notice": notice,
        "ended": ended,
        "crisis_lines": crisis_lines(),
        "retention_days": chat_retention.transcript_days(),
        "available": bool(form.fields["field"].choices[1:]),
    }
    return render(request, "helpline/chat_start.html", context, status=status)


def _room(request: HttpRequest, session: ChatSession, form: MessageForm | None = None, status: int = 200):
    messages = chat_selectors.transcript(session)
    context = {
        "session": session,
        "rows": message_rows(messages, for_staff=False),
        "after": messages[-1].pk if messages else 0,
        "position": chat_selectors.queue_position(session),
        "form": form or MessageForm(),
        "crisis": session.crisis,
        "crisis_lines": crisis_lines(),
        "retention_days": chat_retention.transcript_days(),
        "poll_url": reverse("helpline_chat:poll"),
    }
    return render(request, "helpline/chat_room.html", context, status=status)


def _forget_cookie(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, path="/", samesite="Lax")
    return response


@never_cache
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    if session is None:
        return _start_page(request, StartForm(_field_choices()), ended=request.GET.get("ended") == "1")
    if session.status == Status.CLOSED:
        return _forget_cookie(_start_page(request, StartForm(_field_choices()), ended=True))
    chat_services.touch(session.pk, timezone.now())
    return _room(request, session)


@never_cache
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    current = _session(request)
    if current is not None and current.status != Status.CLOSED:
        return redirect("helpline_chat:page")
    choices = _field_choices()
    form = StartForm(choices, request.POST)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    text = form.cleaned_data["message"]
    found = triage(text) if text.strip() else None
    code = field_for_chat(
        [FieldInfo(f.code, f.crisis, f.general) for f in chat_selectors.served_fields()],
        chosen=form.cleaned_data["field"] or None,
        topics=found.topics if found else (),
        crisis=bool(found and found.crisis.is_crisis),
    )
    if code is None:
        notice = gettext("申し訳ありません。いまはチャットでの相談を受け付けていません。")
        return _start_page(request, form, status=503, notice=notice)
    token = chat_services.new_visitor_token()
    chat_services.start_chat(
        channel=WEB,
        visitor_key=chat_services.visitor_key(token),
        field_code=code,
        crisis=bool(found and found.crisis.is_crisis),
        crisis_lines_shown=True,  # the page always shows them
        first_message=text,
        now=timezone.now(),
    )
    response = redirect("helpline_chat:page")
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="Lax", secure=request.is_secure())
    return response


@never_cache
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    if session is None or session.status == Status.CLOSED:
        return redirect("helpline_chat:page")
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _room(request, session, form, status=400)
    with contextlib.suppress(chat_services.ChatConflict):  # closed meanwhile: the page says so
        chat_services.post_visitor_message(session.pk, form.cleaned_data["text"], timezone.now())
    return redirect(reverse("helpline_chat:page") + "#latest")


@never_cache
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    if session is not None:
        chat_services.leave_chat(session.pk, timezone.now())
    return _forget_cookie(redirect(reverse("helpline_chat:page") + "?ended=1"))


@never_cache
@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    session = _session(request)
    if session is None:
        return JsonResponse({"status": "none", "messages": []}, status=404)
    after = request.GET.get("after", "0")
    after = int(after) if after.isdigit() else 0
    if session.status != Status.CLOSED:
        chat_services.touch(session.pk, timezone.now())
    messages = chat_selectors.transcript(session, after) if session.status != Status.CLOSED else []
    return JsonResponse(
        {
            "status": session.status,
            "position": chat_selectors.queue_position(session),
            "messages": message_rows(messages, for_staff=False),
        }
    )
