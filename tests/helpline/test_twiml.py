"""TwiML builders: structure, attributes, escaping, validation (output parsed back with ElementTree)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tsunagari.helpline import twiml

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def parse(document: str) -> ET.Element:
    assert document.startswith(DECLARATION)
    root = ET.fromstring(document.encode("utf-8"))
    assert root.tag == "Response"
    return root


MENU = twiml.menu_response(
    "こちらは孤独・孤立相談ダイヤル #9999 です。",
    [
        ("1", "18歳以下の方は1を"),
        ("2", "孤独・孤立のご相談は2を"),
        ("9", "死にたい・消えたいと感じている方は9を"),
    ],
    "https://example.jp/helpline/voice/route?lang=ja&step=menu",
    "ja-JP",
    no_input_url="/helpline/voice/menu",
)


def test_menu_structure():
    root = parse(MENU)
    gather, redirect = list(root)
    assert gather.tag == "Gather"
    assert gather.attrib == {
        "input": "dtmf",
        "numDigits": "1",
        "action": "https://example.jp/helpline/voice/route?lang=ja&step=menu",
        "method": "POST",
        "timeout": "5",
    }
    says = list(gather)
    assert [s.tag for s in says] == ["Say"] * 4
    assert [s.text for s in says] == [
        "こちらは孤独・孤立相談ダイヤル #9999 です。",
        "18歳以下の方は1を",
        "孤独・孤立のご相談は2を",
        "死にたい・消えたいと感じている方は9を",
    ]
    assert {s.get("language") for s in says} == {"ja-JP"}
    assert (redirect.tag, redirect.text, redirect.get("method")) == (
        "Redirect",
        "/helpline/voice/menu",
        "POST",
    )


def test_menu_keeps_japanese_as_text_and_escapes_the_action_url():
    assert "孤独・孤立" in MENU  # not turned into character references
    assert 'action="https://example.jp/helpline/voice/route?lang=ja&amp;step=menu"' in MENU


def test_menu_without_no_input_url_and_with_voice():
    root = parse(
        twiml.menu_response("Hello", [("1", "Press 1")], "/r", "en-US", timeout=8, voice="Polly.Joanna")
    )
    (gather,) = list(root)
    assert gather.get("timeout") == "8"
    assert {(s.get("language"), s.get("voice")) for s in gather} == {("en-US", "Polly.Joanna")}


def test_special_characters_stay_text():
    hostile = "a <&> b \"q\" 's' </Say><Hangup/>"
    document = twiml.menu_response(hostile, [("1", "<&>")], '/r?x="1"&y=<2>')
    root = parse(document)
    (gather,) = list(root)
    assert gather.get("action") == '/r?x="1"&y=<2>'
    greeting, prompt = list(gather)
    assert greeting.text == hostile
    assert prompt.text == "<&>"
    assert root.find(".//Hangup") is None  # the injected tag stayed text
    assert "&lt;&amp;&gt;" in document


@pytest.mark.parametrize(
    ("prompts", "message"),
    [
        ([], "non-empty list"),
        ([("1", "a"), ("1", "b")], "menu digit 1 is used twice"),
        ([("#", "a")], "menu digit must be one of 0-9 or \\*"),
        ([("10", "a")], "menu digit must be one of 0-9 or \\*"),
        ([("1", "")], "Say text must be a non-empty string"),
        ([("1",)], "must be a \\(digit, text\\) pair"),
    ],
)
def test_menu_validation(prompts, message):
    with pytest.raises(ValueError, match=message):
        twiml.menu_response("hi", prompts, "/r")


# --- verbs -------------------------------------------------------------------------------------------


def test_say_and_play():
    root = parse(
        twiml.response(
            twiml.say("お待ちください", voice="Google.ja-JP-Standard-A", loop=2),
            twiml.play("https://example.jp/hold.mp3", loop=0),
            twiml.pause(2),
        )
    )
    say, play, pause = list(root)
    assert (say.tag, say.text, say.attrib) == (
        "Say",
        "お待ちください",
        {"language": "ja-JP", "voice": "Google.ja-JP-Standard-A", "loop": "2"},
    )
    assert (play.tag, play.text, play.get("loop")) == ("Play", "https://example.jp/hold.mp3", "0")
    assert (pause.tag, pause.get("length")) == ("Pause", "2")


def test_gather_with_children():
    element = twiml.gather(
        twiml.say("番号を押してください"),
        twiml.play("https://example.jp/beep.mp3"),
        action="/digits",
        num_digits=4,
        timeout=10,
        method="GET",
        finish_on_key="#",
        action_on_empty_result=True,
    )
    (gather,) = list(parse(twiml.response(element)))
    assert gather.attrib == {
        "input": "dtmf",
        "action": "/digits",
        "method": "GET",
        "numDigits": "4",
        "timeout": "10",
        "finishOnKey": "#",
        "actionOnEmptyResult": "true",
    }
    assert [c.tag for c in gather] == ["Say", "Play"]


def test_enqueue():
    (enq,) = list(parse(twiml.response(twiml.enqueue("field-2", wait_url="/hold?f=2&l=ja", action="/left"))))
    assert (enq.tag, enq.text) == ("Enqueue", "field-2")
    assert enq.attrib == {"waitUrl": "/hold?f=2&l=ja", "action": "/left", "method": "POST"}
    (bare,) = list(parse(twiml.response(twiml.enqueue("q"))))
    assert bare.attrib == {}


def test_dial_with_number_client_and_queue():
    root = parse(
        twiml.response(
            twiml.dial(
                twiml.number("+81312345678", url="/whisper?field=2"),
                twiml.client("staff-L7"),
                action="/dial-done",
                timeout=20,
                caller_id="+815012345678",
            ),
            twiml.dial(twiml.queue("field-2", url="/about-to-connect")),
            twiml.hangup(),
        )
    )
    dial, dial_queue, hangup = list(root)
    assert dial.attrib == {
        "action": "/dial-done",
        "method": "POST",
        "timeout": "20",
        "callerId": "+815012345678",
    }
    number, client = list(dial)
    assert (number.tag, number.text, number.get("url")) == ("Number", "+81312345678", "/whisper?field=2")
    assert (client.tag, client.text) == ("Client", "staff-L7")
    (q,) = list(dial_queue)
    assert (q.tag, q.text, q.get("url")) == ("Queue", "field-2", "/about-to-connect")
    assert dial_queue.attrib == {}
    assert (hangup.tag, hangup.attrib, hangup.text, len(hangup)) == ("Hangup", {}, None, 0)


def test_redirect_and_empty_response():
    (red,) = list(parse(twiml.response(twiml.redirect("/menu", method="GET"))))
    assert (red.text, red.get("method")) == ("/menu", "GET")
    assert twiml.response() == DECLARATION + "<Response />"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: twiml.say("x", language="Japanese"), "language must be a tag"),
        (lambda: twiml.say("bell \x07"), "U\\+0007"),
        (lambda: twiml.say("   "), "non-empty"),
        (lambda: twiml.play("x", loop=-1), "loop must be an integer ≥ 0"),
        (
            lambda: twiml.gather(twiml.hangup(), action="/a"),
            "<Gather> accepts only Pause, Play, Say; got Hangup",
        ),
        (lambda: twiml.gather(action="/a", input="keys"), "input must be one of"),
        (lambda: twiml.gather(action="/a", num_digits=0), "num_digits must be an integer ≥ 1"),
        (lambda: twiml.gather(action="/a", timeout=True), "timeout must be an integer"),
        (lambda: twiml.gather(action="/a", finish_on_key="##"), "finish_on_key"),
        (lambda: twiml.gather(action=""), "Gather action must be a non-empty string"),
        (lambda: twiml.redirect("/a", method="PUT"), "method must be 'GET' or 'POST'"),
        (lambda: twiml.dial(), "at least one"),
        (lambda: twiml.dial(twiml.say("x")), "<Dial> accepts only Client, Number, Queue; got Say"),
        (lambda: twiml.dial("+81312345678"), "got str"),
        (lambda: twiml.number("03-1234-5678"), "E.164"),
        (lambda: twiml.number("+81312345678", send_digits="12a"), "send_digits"),
        (lambda: twiml.response(twiml.number("+81312345678")), "<Response> accepts only"),
        (lambda: twiml.response("<Hangup/>"), "got str"),
    ],
)
def test_validation(build, message):
    with pytest.raises(ValueError, match=message):
        build()
