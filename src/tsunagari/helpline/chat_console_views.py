"""The counsellors' side of the chats, in the console (login and ``helpline.change_chatsession``
required; plain HTML forms, a small script polls when it can).

Pages: the chat queue (waiting chats the user's bodies serve, crisis first, and their bodies' taken
chats), one chat (transcript, take, write, close, and the link to the common consultation record),
and its poll (JSON). Need-to-know (:mod:`.access`): a chat the user may not see is a 404. Every view
of a chat is audit-logged (user id, action, chat id); writes are logged by ``chat_services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tsunagari.helpline import chat_selectors, chat_services, line_sender
from tsunagari.helpline.chat_forms import MessageForm
from tsunagari.helpline.chat_views import message_rows
from tsunagari.helpline.console_services import audit
from tsunagari.helpline.console_views import console_view
from tsunagari.helpline.models import ConsultationRecord

PERMISSION = "helpline.change_chatsession"

CONFLICT_MESSAGES = {
    "not_queued": _("このチャットはすでにほかの相談員が受けています。"),
    "not_serving": _("このチャットの分野は、あなたの団体の受け持ちではありません。"),
    "not_active": _("このチャットは対応中ではありません。"),
    "not_yours": _("このチャットは、あなたの団体が受けたものではありません。"),
    "closed": _("このチャットは終了しています。"),
    "empty": _("メッセージを入れてください。"),
    "too_long": _("メッセージが長すぎます。"),
}


def _chat_or_404(request, contact_id):
    session = chat_selectors.chat_for(request.user, contact_id)
    if session is None:
        raise Http404
    return session


@require_GET
@console_view(PERMISSION)
def chat_list(request):
    chats = chat_selectors.console_chats(request.user)
    audit(request.user, "helpline.chats.list")
    return render(request, "helpline/console_chats.html", {"chats": chats, "now": timezone.now()})


def _detail(request, session, form=None, status=200):
    transcript = chat_selectors.transcript(session)
    record = ConsultationRecord.objects.filter(contact_id=session.pk).values_list("pk", flat=True).first()
    context = {
        "session": session,
        "rows": message_rows(transcript, for_staff=True),
        "after": transcript[-1].pk if transcript else 0,
        "form": form or MessageForm(),
        "record_id": record,
        "poll_url": reverse("helpline:console_chat_poll", kwargs={"contact_id": session.pk}),
    }
    return render(request, "helpline/console_chat.html", context, status=status)


@require_GET
@console_view(PERMISSION)
def chat_detail(request, contact_id):
    session = _chat_or_404(request, contact_id)
    audit(request.user, "helpline.chat.view", session.pk)
    return _detail(request, session)


def _act(request, session, action):
    try:
        _result, outbox_ids = action()
    except chat_services.ChatConflict as exc:
        messages.error(request, CONFLICT_MESSAGES[exc.code])
        return None
    line_sender.send_inline(outbox_ids)
    return _result


@require_POST
@console_view(PERMISSION)
def chat_take(request, contact_id):
    session = _chat_or_404(request, contact_id)
    if _act(request, session, lambda: chat_services.take_chat(session.pk, request.user, timezone.now())):
        messages.success(request, _("チャットを受けました。"))
    return redirect("helpline:console_chat", contact_id=session.pk)


@require_POST
@console_view(PERMISSION)
def chat_send(request, contact_id):
    session = _chat_or_404(request, contact_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        audit(request.user, "helpline.chat.view", session.pk)
        return _detail(request, session, form, status=400)
    text = form.cleaned_data["text"]
    _act(
        request,
        session,
        lambda: chat_services.post_counsellor_message(session.pk, request.user, text, timezone.now()),
    )
    return redirect(reverse("helpline:console_chat", kwargs={"contact_id": session.pk}) + "#latest")


@require_POST
@console_view(PERMISSION)
def chat_close(request, contact_id):
    session = _chat_or_404(request, contact_id)
    if _act(request, session, lambda: chat_services.close_chat(session.pk, request.user, timezone.now())):
        messages.success(request, _("チャットを終えました。相談記録を書いてください。"))
    return redirect("helpline:console_chat", contact_id=session.pk)


@require_GET
@console_view(PERMISSION)
def chat_poll(request, contact_id):
    session = _chat_or_404(request, contact_id)
    after = request.GET.get("after", "0")
    transcript = chat_selectors.transcript(session, int(after) if after.isdigit() else 0)
    if transcript:
        audit(request.user, "helpline.chat.view", session.pk)
    return JsonResponse({"status": session.status, "messages": message_rows(transcript, for_staff=True)})
