"""The counsellors' side of callback requests, in the console (login and
``helpline.change_callbackrequest`` required; plain HTML forms).

Pages: the list of open requests the user may see (need-to-know, :mod:`.callback_selectors`), take
(POST), one request (the number with a tap-to-call link, only for the counsellor who took it; the
showing is audited), close (POST: called back, or not reached; the number is erased). A request the
user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tsunagari.helpline import callback_selectors, callback_services
from tsunagari.helpline.console_services import audit
from tsunagari.helpline.console_views import console_view

PERMISSION = "helpline.change_callbackrequest"
CONFLICT_MESSAGES = {
    "not_waiting": _("この折り返しは、すでにほかの相談員が受けています。"),
    "not_serving": _("この折り返しの分野は、あなたの団体の受け持ちではありません。"),
    "not_yours": _("この折り返しは、あなたが受けたものではありません。"),
}


def _request_or_404(request, callback_id):
    found = callback_selectors.callback_for(request.user, callback_id)
    if found is None:
        raise Http404
    return found


@require_GET
@console_view(PERMISSION)
def callback_list(request):
    audit(request.user, "helpline.callbacks.list")
    context = {"callbacks": callback_selectors.console_callbacks(request.user), "now": timezone.now()}
    return render(request, "helpline/console_callbacks.html", context)


@require_GET
@console_view(PERMISSION)
def callback_detail(request, callback_id):
    found = _request_or_404(request, callback_id)
    audit(request.user, "helpline.callback.view", found.pk)
    number = callback_services.number_for(request.user, found)
    return render(request, "helpline/console_callback.html", {"callback": found, "number": number})


@require_POST
@console_view(PERMISSION)
def callback_take(request, callback_id):
    found = _request_or_404(request, callback_id)
    try:
        callback_services.take(request.user, found.pk, timezone.now())
    except callback_services.CallbackConflict as exc:
        messages.error(request, CONFLICT_MESSAGES[exc.code])
        return redirect("helpline:console_callbacks")
    return redirect("helpline:console_callback", callback_id=found.pk)


@require_POST
@console_view(PERMISSION)
def callback_close(request, callback_id):
    found = _request_or_404(request, callback_id)
    try:
        callback_services.close(request.user, found.pk, request.POST.get("reached") == "yes", timezone.now())
    except callback_services.CallbackConflict as exc:
        messages.error(request, CONFLICT_MESSAGES[exc.code])
        return redirect("helpline:console_callback", callback_id=found.pk)
    messages.success(request, _("折り返しを終了しました。電話番号は消去しました。"))
    return redirect("helpline:console_callbacks")
