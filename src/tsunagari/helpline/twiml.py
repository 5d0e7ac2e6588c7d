"""TwiML builders for the voice menu (pure; no Django, standard library only).

Contract
--------
The verb and noun builders (:func:`say`, :func:`play`, :func:`gather`, :func:`enqueue`, :func:`dial`
with :func:`number` / :func:`client` / :func:`queue`, :func:`redirect`, :func:`hangup`) return
``xml.etree.ElementTree.Element`` objects; :func:`response` wraps verbs in ``<Response>`` and returns
the document as a string (with an XML declaration, UTF-8, Japanese text unescaped). Every value —
spoken text, URLs, names — goes through ElementTree, which escapes it, so a prompt containing
``<&>`` stays text; nothing is built by string concatenation.

Values are validated and bad ones raise ``ValueError`` with the reason: empty text or URLs, characters
XML 1.0 cannot carry (control characters), a method other than GET/POST, non-positive timeouts or
digit counts, phone numbers not in E.164 form, children a verb does not accept.

:func:`menu_response` builds the whole menu page: a DTMF ``<Gather>`` saying the greeting and one
prompt per menu digit, posting the pressed digit to ``action_url``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
DEFAULT_LANGUAGE = "ja-JP"

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_MENU_DIGITS = "0123456789*"  # '#' ends input in Gather, so it cannot be a menu choice
_GATHER_INPUTS = ("dtmf", "speech", "dtmf speech")

#: Which children each element accepts.
_GATHER_CHILDREN = frozenset({"Say", "Play", "Pause"})
_DIAL_NOUNS = frozenset({"Number", "Client", "Queue"})
_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Enqueue", "Dial", "Redirect", "Hangup"})


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    bad = _NOT_XML.search(value)
    if bad:
        raise ValueError(f"{what} contains a character XML cannot carry: U+{ord(bad.group()):04X}")
    return value


def _positive(value: object, what: str, minimum: int = 1) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    return str(value)


def _method(value: object) -> str:
    if value not in ("GET", "POST"):
        raise ValueError(f"method must be 'GET' or 'POST', got {value!r}")
    return value  # type: ignore[return-value]


def _element(tag: str, text: str | None = None, **attributes: str | None) -> ET.Element:
    element = ET.Element(tag, {name: value for name, value in attributes.items() if value is not None})
    element.text = text
    return element


def _check_children(parent: str, children: Sequence[object], allowed: frozenset[str]) -> None:
    for child in children:
        if not isinstance(child, ET.Element) or child.tag not in allowed:
            tag = child.tag if isinstance(child, ET.Element) else type(child).__name__
            raise ValueError(f"<{parent}> accepts only {', '.join(sorted(allowed))}; got {tag}")


# --- verbs and nouns -------------------------------------------------------------------------------


def say(
    text: str, *, language: str = DEFAULT_LANGUAGE, voice: str | None = None, loop: int | None = None
) -> ET.Element:
    """``<Say language=… voice=… loop=…>text</Say>``: speak ``text`` (e.g. language "ja-JP", voice
    "Polly.Mizuki"; ``loop`` 0 repeats until the caller hangs up)."""
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise ValueError(f"language must be a tag such as 'ja-JP', got {language!r}")
    return _element(
        "Say",
        _text(text, "Say text"),
        language=language,
        voice=None if voice is None else _text(voice, "voice"),
        loop=None if loop is None else _positive(loop, "loop", minimum=0),
    )


def play(url: str, *, loop: int | None = None) -> ET.Element:
    """``<Play loop=…>url</Play>``: play the audio file at ``url``."""
    return _element(
        "Play", _text(url, "Play URL"), loop=None if loop is None else _positive(loop, "loop", minimum=0)
    )


def pause(length: int = 1) -> ET.Element:
    """``<Pause length=…/>``: silence for ``length`` seconds."""
    return _element("Pause", length=_positive(length, "Pause length"))


def gather(
    *children: ET.Element,
    action: str,
    num_digits: int | None = None,
    timeout: int | None = None,
    method: str = "POST",
    input: str = "dtmf",  # TwiML's attribute name
    finish_on_key: str | None = None,
    action_on_empty_result: bool = False,
) -> ET.Element:
    """``<Gather input=… numDigits=… action=… method=… timeout=…>`` around ``children`` (Say, Play or
    Pause prompts): collect digits and send them to ``action`` as ``Digits``. Without input Twilio goes
    on with the next verb, or, with ``action_on_empty_result``, posts an empty result to ``action``."""
    _check_children("Gather", children, _GATHER_CHILDREN)
    if input not in _GATHER_INPUTS:
        raise ValueError(f"input must be one of {', '.join(_GATHER_INPUTS)}, got {input!r}")
    if finish_on_key is not None and finish_on_key not in ("", *"0123456789*#"):
        raise ValueError(f"finish_on_key must be one key of 0-9, * or #, or '', got {finish_on_key!r}")
    element = _element(
        "Gather",
        input=input,
        action=_text(action, "Gather action"),
        method=_method(method),
        numDigits=None if num_digits is None else _positive(num_digits, "num_digits"),
        timeout=None if timeout is None else _positive(timeout, "timeout"),
        finishOnKey=finish_on_key,
        actionOnEmptyResult="true" if action_on_empty_result else None,
    )
    element.extend(children)
    return element


def enqueue(
    queue_name: str, *, wait_url: str | None = None, action: str | None = None, method: str = "POST"
) -> ET.Element:
    """``<Enqueue waitUrl=… action=… method=…>queue_name</Enqueue>``: put the caller in the named
    queue; ``wait_url`` serves the TwiML played while waiting, ``action`` is requested on leaving."""
    return _element(
        "Enqueue",
        _text(queue_name, "queue name"),
        waitUrl=None if wait_url is None else _text(wait_url, "waitUrl"),
        action=None if action is None else _text(action, "Enqueue action"),
        method=None if action is None else _method(method),
    )


def check_e164(phone: object) -> str:
    """``phone`` if it is an E.164 number (+81…); raises ValueError otherwise."""
    if not isinstance(phone, str) or not _E164.fullmatch(phone):
        raise ValueError(f"phone must be in E.164 form such as '+81312345678', got {phone!r}")
    return phone


def number(phone: str, *, send_digits: str | None = None, url: str | None = None) -> ET.Element:
    """``<Number>`` noun for :func:`dial`: ``phone`` in E.164 (+81…); ``url`` is TwiML played to the
    answering party (e.g. a whisper naming the field) before the call is bridged."""
    check_e164(phone)
    if send_digits is not None and not re.fullmatch(r"[0-9*#w]+", send_digits):
        raise ValueError(f"send_digits may contain only 0-9, *, # and w, got {send_digits!r}")
    return _element(
        "Number", phone, sendDigits=send_digits, url=None if url is None else _text(url, "Number url")
    )


def client(identity: str) -> ET.Element:
    """``<Client>identity</Client>`` noun for :func:`dial`: a browser or app client (a staff softphone)."""
    return _element("Client", _text(identity, "client identity"))


def queue(name: str, *, url: str | None = None) -> ET.Element:
    """``<Queue url=…>name</Queue>`` noun for :func:`dial`: take the first caller waiting in ``name``;
    ``url`` is TwiML played to the dequeued caller before bridging."""
    return _element("Queue", _text(name, "queue name"), url=None if url is None else _text(url, "Queue url"))


def dial(
    *targets: ET.Element,
    action: str | None = None,
    timeout: int | None = None,
    caller_id: str | None = None,
    method: str = "POST",
) -> ET.Element:
    """``<Dial action=… timeout=… callerId=…>`` with one or more Number, Client or Queue nouns (several
    ring at once; the first to answer wins). ``action`` is requested when the dialled call ends."""
    if not targets:
        raise ValueError("dial needs at least one Number, Client or Queue")
    _check_children("Dial", targets, _DIAL_NOUNS)
    element = _element(
        "Dial",
        action=None if action is None else _text(action, "Dial action"),
        method=None if action is None else _method(method),
        timeout=None if timeout is None else _positive(timeout, "timeout"),
        callerId=None if caller_id is None else _text(caller_id, "callerId"),
    )
    element.extend(targets)
    return element


def redirect(url: str, *, method: str = "POST") -> ET.Element:
    """``<Redirect method=…>url</Redirect>``: continue with the TwiML at ``url``."""
    return _element("Redirect", _text(url, "Redirect URL"), method=_method(method))


def hangup() -> ET.Element:
    """``<Hangup/>``: end the call."""
    return _element("Hangup")


# --- documents -------------------------------------------------------------------------------------


def response(*verbs: ET.Element) -> str:
    """The TwiML document ``<Response>`` with ``verbs`` in order, as a string beginning with the XML
    declaration. Only verbs are accepted (Say, Play, Pause, Gather, Enqueue, Dial, Redirect, Hangup);
    nouns such as Number belong inside :func:`dial`."""
    _check_children("Response", verbs, _VERBS)
    root = ET.Element("Response")
    root.extend(verbs)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode")


def menu_response(
    greeting: str,
    prompts: Sequence[tuple[str, str]],
    action_url: str,
    language: str = DEFAULT_LANGUAGE,
    *,
    timeout: int = 5,
    voice: str | None = None,
    no_input_url: str | None = None,
) -> str:
    """The voice menu: ``<Gather input="dtmf" numDigits="1" action=action_url method="POST"
    timeout=…>`` saying ``greeting`` then each prompt's text (which should name its key, e.g.
    "18歳以下の方は1を"), in the given order, in ``language``.

    ``prompts``: (digit, text) pairs, digit one of 0-9 or * (``#`` ends input), each digit once.
    ``no_input_url``: when given, a ``<Redirect>`` to it follows the Gather for callers who press
    nothing (e.g. the menu itself, to repeat it); otherwise the call ends after the timeout.
    """
    if isinstance(prompts, str) or not isinstance(prompts, Sequence) or not prompts:
        raise ValueError("prompts must be a non-empty list of (digit, text) pairs")
    seen: set[str] = set()
    children = [say(greeting, language=language, voice=voice)]
    for item in prompts:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ValueError(f"each prompt must be a (digit, text) pair, got {item!r}")
        digit, text = item
        if not isinstance(digit, str) or len(digit) != 1 or digit not in _MENU_DIGITS:
            raise ValueError(f"menu digit must be one of 0-9 or *, got {digit!r}")
        if digit in seen:
            raise ValueError(f"menu digit {digit} is used twice")
        seen.add(digit)
        children.append(say(text, language=language, voice=voice))
    verbs = [gather(*children, action=action_url, num_digits=1, timeout=timeout, input="dtmf")]
    if no_input_url is not None:
        verbs.append(redirect(no_input_url))
    return response(*verbs)
