"""The public answer pages: enter the access code, then one question per page, review, submit.

No login and no cookie: after the code is accepted, the draft travels as a signed token in each
page's form (POST only, so neither the code nor the token appears in a URL or an access log), and
every page is a plain form that works without JavaScript. Progress is saved on every page; entering
the same code again resumes the draft where it was left. Submitting uses the code up.

Like the navigator's pages these are exempt from CSRF protection on purpose: without the signed
token (which only someone who typed a valid code obtains) a forged post can do nothing but open the
sender's own code. Nothing here logs answers or codes.
"""

from __future__ import annotations

from django.core import signing
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from tsunagari.survey import answering, selectors, services
from tsunagari.survey.instrument import MULTI

TOKEN_SALT = "tsunagari.survey.answer"
TOKEN_MAX_AGE = 4 * 3600


def _messages() -> dict[str, str]:
    return {
        "malformed": _(
            "コードは英字と数字の12文字です。郵送した書類に書かれているとおりに入力してください。"
        ),
        "unknown": _("このコードは見つかりません。入力に間違いがないか確かめてください。"),
        "used": _("このコードでの回答はすでに送信されています。ご協力ありがとうございました。"),
        "closed": _("この調査の回答の受付は終了しました。"),
        "expired": _(
            "時間がたったため、もう一度コードを入力してください。それまでの回答は保存されています。"
        ),
    }


@csrf_exempt
@never_cache
def answer(request):
    """Every step of answering; see the module's docstring."""
    if request.method != "POST":
        return _code_page(request)
    if "token" not in request.POST:
        try:
            response = services.open_response(request.POST.get("code", ""))
        except services.CollectionError as exc:
            return _code_page(request, _messages().get(str(exc), str(exc)))
        return _step(request, response)
    try:
        pk = signing.loads(request.POST["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return _code_page(request, _messages()["expired"])
    response = selectors.draft(pk)
    if response is None:
        return _code_page(request, _messages()["expired"])
    try:
        return _act(request, response)
    except services.CollectionError as exc:
        return _code_page(request, _messages().get(str(exc), str(exc)))


def _act(request, response):
    post, action = request.POST, request.POST.get("action", "next")
    if action == "submit":
        services.submit(response)
        return render(request, "survey/answer_done.html", {})
    if "edit" in post:
        services.go_to(response, post["edit"])
        return _step(request, response)
    code = post.get("question", "")
    instrument = selectors.instrument_of(response.wave)
    if code in {q.code for q in instrument.asked}:
        question = instrument.question(code)
        value = post.getlist("answer") if question.type == MULTI else post.get("answer")
        direction = {"back": "back", "save": "stay"}.get(action, "next")
        reason = services.save_answer(response, code, value, direction=direction)
        if reason:
            return _step(request, response, error=_("選んだ答えを確かめてください。"))
        if action == "save":
            return render(request, "survey/answer_saved.html", {})
    return _step(request, response)


def _text(texts: dict[str, str], language: str) -> tuple[str, str]:
    """The text in ``language`` if the instrument has it, else Japanese; with its language tag."""
    return (texts[language], language) if language in texts else (texts["ja"], "ja")


def _step(request, response, error: str = ""):
    instrument = selectors.instrument_of(response.wave)
    token = signing.dumps(response.pk, salt=TOKEN_SALT)
    language = (get_language() or "ja").split("-")[0]
    shown = answering.shown_questions(instrument, response.answers)
    current = response.current_question
    if current == services.REVIEW or not shown:
        rows = []
        for question in shown:
            given = response.answers.get(question.code)
            chosen = given if isinstance(given, list) else [given] if given else []
            labels = [_text(question.option(c).label, language)[0] for c in chosen]
            rows.append(
                {"code": question.code, "wording": _text(question.wording, language), "answers": labels}
            )
        return render(request, "survey/answer_review.html", {"rows": rows, "token": token, "error": error})
    codes = [q.code for q in shown]
    question = instrument.question(current) if current in codes else shown[0]
    given = response.answers.get(question.code)
    chosen = set(given if isinstance(given, list) else [given] if given else [])
    context = {
        "token": token,
        "error": error,
        "question": question,
        "title": _text(instrument.title, language),
        "wording": _text(question.wording, language),
        "multi": question.type == MULTI,
        "options": [
            {"code": o.code, "label": _text(o.label, language), "checked": o.code in chosen}
            for o in question.options
        ],
        "number": codes.index(question.code) + 1,
        "count": len(codes),
    }
    return render(request, "survey/answer_question.html", context)


def _code_page(request, error: str = ""):
    return render(request, "survey/answer_code.html", {"error": error})
