"""The unified line's voice webhooks, in the TwiML dialect (Twilio and compatible providers).

Every request must carry a valid ``X-Twilio-Signature`` for the configured auth token
(``TSUNAGARI_TWILIO_AUTH_TOKEN``) over the URL the provider called (``TSUNAGARI_PUBLIC_BASE_URL`` +
path when set, else the request's own URL) and the form parameters; otherwise the answer is 403 and
nothing is read or written. Only form-encoded POSTs are accepted. Each answer carries
``X-Tsunagari-Recorded`` / ``X-Tsunagari-Duplicates``: events written and repeats refused.

Endpoints under ``/helpline/hooks/voice/`` (configure the first and the last at the provider):

``incoming``       the call arrives (voice URL): contact + ``offered``, answer with the menu valid now
``menu``           the pressed digit (Gather action): ``menu_choice``, then the routing decision —
                   ``<Dial>`` the line, ``<Enqueue>`` in the field's queue, or the other windows
``resume``         re-render what the call should be doing (after a short pause)
``wait``           the queue's waitUrl: takes a line that has become free if this caller is next for
                   it (crisis calls first), by ``<Leave>``; leaves after the policy's maximum wait
``queue-exit``     the Enqueue action: ``abandoned`` on hang-up, else dial the reserved line or route on
``answer``         the ``<Number url>`` requested when the line picks up: ``answered``, and a whisper
                   naming the field to the counsellor
``line-status``    status callbacks of the line's leg (answered / completed / no-answer / busy / …)
``callback``       the caller's answer to a callback offer (Gather action; no key → declined): the
                   request is stored and confirmed, or the call is routed on
``dial-done``      the Dial action: thanks and hang up after a conversation, or route on when the line
                   did not answer
``status``         the call's status callback (configure it at the provider): ends the call
"""

from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tsunagari.helpline import config, selectors, services, twiml
from tsunagari.helpline.callback_services import callback_hours
from tsunagari.helpline.models import Contact, Field, MenuVersion
from tsunagari.helpline.services import Act, Outcome, Tally
from tsunagari.helpline.signatures import TWILIO_HEADER, verify_twilio

logger = logging.getLogger(__name__)

_SID = re.compile(r"[A-Za-z0-9_-]{1,64}")
FORM = "application/x-www-form-urlencoded"
DIAL_TIMEOUT = 20  # seconds a line rings before it counts as not answered
MENU_REPEATS = 3  # the menu is said this many times to a caller who presses nothing
HOLD_PAUSE = 15  # seconds between two wait-URL checks

PHRASES = {
    "ja": {
        "connect": "相談員におつなぎします。そのままお待ちください。",
        "queue": "ただいま相談員がすべて対応中です。順番におつなぎしますので、このままお待ちください。",
        "hold": "順番におつなぎしています。このままお待ちください。",
        "invalid": "番号を確認できませんでした。もう一度お聞きください。",
        "closed": "ただいま、この電話での受付を休止しています。おそれいりますが、時間をおいておかけ直しください。",
        "no_input": "番号の入力が確認できなかったため、電話をお切りします。おかけいただき、ありがとうございました。",
        "thanks": "ご相談ありがとうございました。",
        "busy": "申し訳ありません。ただいま電話がたいへん混み合っていて、おつなぎできません。",
        "windows": "ほかの相談窓口をご案内します。",
        "open": "{name}。{contact}。",
        "closed_window": "{name}は、{hours}に受け付けています。{contact}。",
        "crisis": "いのちの危険が迫っているときは、ためらわずに119番か110番に電話してください。",
        "goodbye": "おかけいただき、ありがとうございました。",
        "resume": "少々お待ちください。",
        "callback_offer": (
            "ただいま相談員がすべて対応中です。相談員からの折り返しのお電話をご希望のかたは、1を押してください。"
            "ご希望でないかたは、2を押してください。"
            "お電話番号は折り返しのためだけに使い、遅くとも{hours}時間後には消去します。"
        ),
        "callback_taken": (
            "折り返しのご依頼を承りました。相談員から、いまおかけの番号へ順番にお電話します。"
            "おかけいただき、ありがとうございました。"
        ),
    },
    "en": {
        "connect": "We are connecting you to a counsellor. Please hold.",
        "queue": "All counsellors are busy. Please stay on the line; we will connect you in turn.",
        "hold": "Please stay on the line; we will connect you in turn.",
        "invalid": "Sorry, we could not recognise that number. Please listen again.",
        "closed": "Sorry, this line is not taking calls right now. Please call again later.",
        "no_input": "We did not receive a choice, so we will end the call. Thank you for calling.",
        "thanks": "Thank you for calling.",
        "busy": "Sorry, the line is very busy and we cannot connect you now.",
        "windows": "Here are other places you can call.",
        "open": "{name}: {contact}.",
        "closed_window": "{name}, open {hours}: {contact}.",
        "crisis": "If your life is in danger, please call 119 or 110 now.",
        "goodbye": "Thank you for calling.",
        "resume": "One moment, please.",
        "callback_offer": (
            "All counsellors are busy. If you would like a counsellor to call you back, press 1. "
            "If not, press 2. Your number is used only to call you back and is deleted within {hours} hours."
        ),
        "callback_taken": (
            "Thank you. A counsellor will call you back on this number in turn. Thank you for calling."
        ),
    },
}
WHISPER = "#9999からの電話です。{field}のご相談です。"


# --- request plumbing ------------------------------------------------------------------------------


def public_url(request: HttpRequest) -> str:
    """The URL the provider called (and signed): the configured public base + the path and query,
    or the request's own absolute URL."""
    base = getattr(settings, "TSUNAGARI_PUBLIC_BASE_URL", "")
    return base.rstrip("/") + request.get_full_path() if base else request.build_absolute_uri()


def _url(request: HttpRequest, name: str, **query) -> str:
    path = reverse(f"helpline:{name}")
    if query:
        path += "?" + urlencode({k: v for k, v in query.items() if v is not None})
    base = getattr(settings, "TSUNAGARI_PUBLIC_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def _refuse(request: HttpRequest, why: str) -> HttpResponse:
    # The path only: query strings carry call ids, and nothing of the caller is logged.
    logger.warning("refused a voice webhook request to %s: %s", request.path, why)
    return HttpResponseForbidden("forbidden", content_type="text/plain")


def twilio_webhook(view):
    """Verify the provider's signature before anything else; 403 on failure (nothing is written)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        token = getattr(settings, "TSUNAGARI_TWILIO_AUTH_TOKEN", "")
        if not token:
            return _refuse(request, "TSUNAGARI_TWILIO_AUTH_TOKEN is not set")
        if request.content_type != FORM:
            return _refuse(request, "not a form-encoded request")
        if not verify_twilio(token, public_url(request), request.POST, request.headers.get(TWILIO_HEADER)):
            return _refuse(request, "missing or invalid signature")
        tally = Tally()
        response = view(request, tally)
        response["X-Tsunagari-Recorded"] = str(tally.recorded)
        response["X-Tsunagari-Duplicates"] = str(tally.duplicates)
        return response

    return csrf_exempt(require_POST(wrapped))


def _sid(value: str | None) -> str | None:
    return value if value and _SID.fullmatch(value) else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def provider_time(value: str | None, now: datetime) -> datetime:
    """The provider's ``Timestamp`` (RFC 2822, as Twilio sends it, or ISO 8601) when it is plausible
    (within a day before and five minutes after ``now``), else ``now``."""
    if not value:
        return now
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            return now
    if at is None:
        return now
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if not now - timedelta(days=1) <= at <= now + timedelta(minutes=5):
        return now
    return at


def _xml(document: str, status: int = 200) -> HttpResponse:
    return HttpResponse(document, content_type="text/xml; charset=utf-8", status=status)


def _leave() -> str:
    """``<Response><Leave/></Response>`` (twiml.py has no builder for Leave)."""
    root = ET.Element("Response")
    ET.SubElement(root, "Leave")
    return twiml.XML_DECLARATION + ET.tostring(root, encoding="unicode")


# --- speech ----------------------------------------------------------------------------------------


class _Voice:
    """The caller's language: Japanese, or the menu's foreign language when the caller chose it."""

    def __init__(self, lang: str = "ja", menu: MenuVersion | None = None) -> None:
        self.tag = menu.foreign_language if lang == "foreign" and menu else twiml.DEFAULT_LANGUAGE
        self.phrases = PHRASES["en"] if self.tag.lower().startswith("en") else PHRASES["ja"]
        if not self.tag.lower().startswith(("en", "ja")):
            self.tag = twiml.DEFAULT_LANGUAGE  # no phrases in that language yet: speak Japanese

    def say(self, key: str, **values) -> ET.Element:
        return twiml.say(self.phrases[key].format(**values), language=self.tag)


def _voice_for(contact: Contact | None) -> _Voice:
    if contact is None:
        return _Voice()
    detail = selectors.menu_detail(contact)
    if detail.get("lang") == "foreign":
        menu_id = _int(str(detail.get("menu")))
        return _Voice("foreign", selectors.menu_by_id(menu_id) if menu_id is not None else None)
    return _Voice()


def _menu(request: HttpRequest, menu: MenuVersion, lang: str, again: int) -> str:
    options = list(menu.options.all())
    action = _url(request, "voice_menu", menu=menu.pk, lang=lang)
    repeat = _url(request, "voice_incoming", menu=menu.pk, lang=lang, again=again + 1)
    if lang == "foreign":
        prompts = [(o.digit, o.prompt_foreign) for o in options if o.prompt_foreign.strip()]
        return twiml.menu_response(
            menu.greeting_foreign, prompts, action, menu.foreign_language, no_input_url=repeat
        )
    prompts = [(o.digit, o.prompt_ja) for o in options]
    if not (menu.foreign_digit and menu.greeting_foreign.strip()):
        return twiml.menu_response(
            menu.greeting_ja, prompts, action, twiml.DEFAULT_LANGUAGE, no_input_url=repeat
        )
    children = [twiml.say(menu.greeting_ja)] + [twiml.say(text) for _digit, text in prompts]
    children.append(twiml.say(menu.greeting_foreign, language=menu.foreign_language))
    return twiml.response(
        twiml.gather(*children, action=action, num_digits=1, timeout=5, input="dtmf"), twiml.redirect(repeat)
    )


def _has_foreign_menu(menu: MenuVersion) -> bool:
    return bool(
        menu.foreign_digit
        and menu.greeting_foreign.strip()
        and any(o.prompt_foreign.strip() for o in menu.options.all())
    )


def _message(voice: _Voice, message: dict) -> list[ET.Element]:
    parts = [voice.phrases["busy"]]
    if message.get("open") or message.get("closed"):
        parts.append(voice.phrases["windows"])
    for w in message.get("open", []):
        parts.append(voice.phrases["open"].format(**w))
    for w in message.get("closed", []):
        parts.append(voice.phrases["closed_window"].format(**w))
    if message.get("crisis"):
        parts.append(voice.phrases["crisis"])
    parts.append(voice.phrases["goodbye"])
    return [twiml.say(" ".join(parts) if voice.tag.startswith("en") else "".join(parts), language=voice.tag)]


def _render(request: HttpRequest, outcome: Outcome, voice: _Voice | None = None) -> HttpResponse:
    voice = voice or _voice_for(outcome.contact)
    act = outcome.act
    sid = outcome.contact.provider_id if outcome.contact else None
    if act == Act.CONNECT:
        attempt = outcome.attempt
        number = twiml.number(outcome.line.dial, url=_url(request, "voice_answer", call=sid, attempt=attempt))
        number.set("statusCallback", _url(request, "voice_line_status", call=sid, attempt=attempt))
        number.set("statusCallbackEvent", "answered completed")
        number.set("statusCallbackMethod", "POST")
        dial = twiml.dial(
            number, action=_url(request, "voice_dial_done", attempt=attempt), timeout=DIAL_TIMEOUT
        )
        return _xml(twiml.response(voice.say("connect"), dial))
    if act == Act.QUEUE:
        q = outcome.queue
        verbs = [voice.say("queue")]
        if outcome.field is not None and outcome.field.crisis:
            verbs.append(voice.say("crisis"))
        verbs.append(
            twiml.enqueue(
                f"tsunagari-{outcome.field.code}",
                wait_url=_url(request, "voice_wait", q=q),
                action=_url(request, "voice_queue_exit", q=q),
            )
        )
        return _xml(twiml.response(*verbs))
    if act == Act.MESSAGE:
        return _xml(twiml.response(*_message(voice, outcome.message or {}), twiml.hangup()))
    if act == Act.CALLBACK_OFFER:
        answer = _url(request, "voice_callback")
        offer = voice.say("callback_offer", hours=_hours_text(callback_hours()))
        gather = twiml.gather(offer, action=answer, num_digits=1, timeout=8, input="dtmf")
        return _xml(twiml.response(gather, twiml.redirect(answer)))  # no key: the redirect declines
    if act == Act.CALLBACK_TAKEN:
        verbs = [voice.say("callback_taken"), voice.say("crisis"), twiml.hangup()]
        return _xml(twiml.response(*verbs))
    if act == Act.HOLD:
        return _xml(twiml.response(voice.say("hold"), twiml.pause(HOLD_PAUSE)))
    if act == Act.LEAVE:
        return _xml(_leave())
    if act == Act.THANKS:
        return _xml(twiml.response(voice.say("thanks"), twiml.hangup()))
    if act == Act.RESUME:
        return _xml(
            twiml.response(voice.say("resume"), twiml.pause(2), twiml.redirect(_url(request, "voice_resume")))
        )
    if act == Act.MENU:
        return _xml(twiml.response(twiml.redirect(_url(request, "voice_incoming", again=1))))
    if act == Act.HANGUP:
        return _xml(twiml.response(twiml.hangup()))
    return _xml(twiml.response())


def _hours_text(hours: float) -> str:
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}"


def _bad(what: str) -> HttpResponse:
    return HttpResponseBadRequest(f"missing or malformed {what}", content_type="text/plain")


# --- views -----------------------------------------------------------------------------------------


@twilio_webhook
def voice_incoming(request: HttpRequest, tally: Tally) -> HttpResponse:
    sid = _sid(request.POST.get("CallSid"))
    if sid is None:
        return _bad("CallSid")
    now = timezone.now()
    again = max(_int(request.GET.get("again")) or 0, 0)
    lang = "foreign" if request.GET.get("lang") == "foreign" else "ja"
    contact = selectors.contact_for_call(services.VOICE, sid) if again else None
    if contact is None:
        contact = services.start_call(sid, request.POST.get("From"), now, tally=tally)
    menu_id = _int(request.GET.get("menu"))
    menu = selectors.menu_by_id(menu_id) if menu_id else selectors.menu_at(now)
    voice = _Voice(lang, menu)
    if menu is None or not menu.options.all():
        return _xml(twiml.response(voice.say("closed"), twiml.hangup()))
    if again >= MENU_REPEATS:
        return _xml(twiml.response(voice.say("no_input"), twiml.hangup()))
    if lang == "foreign" and not _has_foreign_menu(menu):
        lang = "ja"
    return _xml(_menu(request, menu, lang, again))


@twilio_webhook
def voice_menu(request: HttpRequest, tally: Tally) -> HttpResponse:
    sid = _sid(request.POST.get("CallSid"))
    if sid is None:
        return _bad("CallSid")
    now = timezone.now()
    contact = selectors.contact_for_call(services.VOICE, sid) or services.start_call(
        sid, request.POST.get("From"), now, tally=tally
    )
    menu_id = _int(request.GET.get("menu"))
    menu = selectors.menu_by_id(menu_id) if menu_id else selectors.menu_at(contact.started_at)
    lang = "foreign" if request.GET.get("lang") == "foreign" else "ja"
    voice = _Voice(lang, menu)
    if menu is None:
        return _xml(twiml.response(voice.say("closed"), twiml.hangup()))
    digit = (request.POST.get("Digits") or "").strip()
    if lang == "ja" and digit and digit == menu.foreign_digit and _has_foreign_menu(menu):
        return _xml(_menu(request, menu, "foreign", 0))
    option = next((o for o in menu.options.all() if o.digit == digit), None)
    if option is None:
        again = max(_int(request.GET.get("again")) or 0, 0) + 1
        repeat = _url(request, "voice_incoming", menu=menu.pk, lang=lang, again=again)
        return _xml(twiml.response(voice.say("invalid"), twiml.redirect(repeat)))
    outcome = services.choose_field(contact, menu, option, lang, now, tally=tally)
    return _render(request, outcome)


def _contact(request: HttpRequest, *names: str) -> Contact | None:
    """The contact of the call named by the first of ``names`` present (query, then form)."""
    for name in names:
        sid = _sid(request.GET.get(name) or request.POST.get(name))
        if sid:
            return selectors.contact_for_call(services.VOICE, sid)
    return None


@twilio_webhook
def voice_resume(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    if contact is None:
        return _xml(twiml.response(twiml.hangup()))
    return _render(request, services.current_outcome(contact, timezone.now(), tally=tally))


@twilio_webhook
def voice_wait(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    q = _int(request.GET.get("q"))
    if contact is None or q is None:
        return _xml(_leave())
    return _render(request, services.poll_queue(contact, q, timezone.now(), tally=tally))


@twilio_webhook
def voice_queue_exit(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    q = _int(request.GET.get("q"))
    if contact is None or q is None:
        return _xml(twiml.response(twiml.hangup()))
    result = request.POST.get("QueueResult", "")
    if request.POST.get("CallStatus") in services.FINAL_STATUSES:
        result = "hangup"
    return _render(request, services.queue_exit(contact, q, result, timezone.now(), tally=tally))


@twilio_webhook
def voice_answer(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "call", "ParentCallSid")
    attempt = _int(request.GET.get("attempt"))
    if contact is None or attempt is None:
        return _xml(twiml.response())
    services.line_answered(contact, attempt, timezone.now(), tally=tally)
    state = selectors.call_state(contact)
    found = state.attempts.get(attempt)
    name = found and found.field_code and _field_name(found.field_code)
    if not name:
        return _xml(twiml.response())
    return _xml(twiml.response(twiml.say(WHISPER.format(field=name))))


def _field_name(code: str) -> str | None:
    try:
        return config.field(code).name
    except Field.DoesNotExist:
        return None


@twilio_webhook
def voice_line_status(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "call", "ParentCallSid")
    attempt = _int(request.GET.get("attempt"))
    if contact is not None and attempt is not None:
        now = timezone.now()
        services.line_status(
            contact,
            attempt,
            request.POST.get("CallStatus", ""),
            provider_time(request.POST.get("Timestamp"), now),
            duration=_int(request.POST.get("CallDuration")),
            sequence=_int(request.POST.get("SequenceNumber")),
            tally=tally,
        )
    return _xml(twiml.response())


@twilio_webhook
def voice_callback(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    if contact is None:
        return _xml(twiml.response(twiml.hangup()))
    digits = request.POST.get("Digits", "")
    outcome = services.answer_callback(contact, digits, request.POST.get("From"), timezone.now(), tally=tally)
    return _render(request, outcome)


@twilio_webhook
def voice_dial_done(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    attempt = _int(request.GET.get("attempt"))
    if contact is None or attempt is None:
        return _xml(twiml.response(twiml.hangup()))
    outcome = services.dial_ended(
        contact,
        attempt,
        request.POST.get("DialCallStatus", ""),
        request.POST.get("CallStatus", ""),
        timezone.now(),
        duration=_int(request.POST.get("DialCallDuration")),
        tally=tally,
    )
    return _render(request, outcome)


@twilio_webhook
def voice_status(request: HttpRequest, tally: Tally) -> HttpResponse:
    contact = _contact(request, "CallSid")
    status = request.POST.get("CallStatus", "")
    if contact is not None and status in services.FINAL_STATUSES:
        now = timezone.now()
        services.end_call(
            contact,
            provider_time(request.POST.get("Timestamp"), now),
            status=status,
            sequence=_int(request.POST.get("SequenceNumber")),
            tally=tally,
        )
    return _xml(twiml.response())
