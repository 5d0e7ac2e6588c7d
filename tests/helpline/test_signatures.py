"""Webhook signatures (Twilio, LINE) and replay protection."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest

from tsunagari.helpline.signatures import (
    ACCEPTED,
    DUPLICATE,
    IN_FUTURE,
    TOO_OLD,
    MemorySeenStore,
    ReplayGuard,
    line_event_time,
    sign_line,
    sign_twilio,
    twilio_body_sha256,
    twilio_signed_string,
    verify_line,
    verify_twilio,
    with_body_sha256,
)

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"

# Twilio's documentation example ("Validating Signatures from Twilio").
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

# twilio-python's tests/unit/test_request_validator.py.
LIB_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
LIB_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
LIB_JSON_BODY = '{"property": "value", "boolean": true}'
LIB_BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"


def independent_twilio(token: str, data: str) -> str:
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


# --- Twilio: published vectors -------------------------------------------------------------------------


def test_twilio_documentation_example():
    assert sign_twilio(TOKEN, URL, DOC_PARAMS) == DOC_SIGNATURE
    assert verify_twilio(TOKEN, URL, DOC_PARAMS, DOC_SIGNATURE)


def test_twilio_library_vectors():
    assert sign_twilio(TOKEN, URL, LIB_PARAMS) == LIB_SIGNATURE
    # several values of one name: names sorted, values sorted, duplicates dropped
    pairs = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]
    assert sign_twilio(TOKEN, URL, pairs) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_twilio_port_variants_of_the_library():
    # signed with the default port, requested without it, and the reverse
    assert verify_twilio(TOKEN, URL, LIB_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")  # https://…:443
    assert verify_twilio(
        TOKEN, URL.replace("https", "http"), LIB_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="
    )  # :80
    assert verify_twilio(TOKEN, URL.replace(".com", ".com:1234"), LIB_PARAMS, LIB_SIGNATURE)
    http_1234 = URL.replace(".com", ".com:1234").replace("https", "http")
    assert verify_twilio(TOKEN, http_1234, LIB_PARAMS, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")


def test_twilio_json_body_variant_of_the_library():
    url = URL + "&bodySHA256=" + LIB_BODY_HASH
    assert twilio_body_sha256(LIB_JSON_BODY) == LIB_BODY_HASH
    assert with_body_sha256(URL, LIB_JSON_BODY) == url
    assert verify_twilio(TOKEN, url, None, "a9nBmqA0ju/hNViExpshrM61xv4=", body=LIB_JSON_BODY)
    assert verify_twilio(TOKEN, url, None, "a9nBmqA0ju/hNViExpshrM61xv4=", body=LIB_JSON_BODY.encode())


# --- Twilio: independent computation and parameter shapes -----------------------------------------------


class FakeQueryDict(dict):
    """Django's QueryDict shape: a dict of lists with getlist()."""

    def getlist(self, key):
        return self[key]


def test_twilio_signed_string_and_independent_hmac():
    url = "https://example.jp/helpline/voice/menu"
    body = "To=%2B815012345678&Digits=2&From=%2B819012345678&SpeechResult=%E5%AD%A4%E7%8B%AC+%26+%3C%3E"
    pairs = parse_qsl(body, keep_blank_values=True)
    expected_string = url + "Digits2From+819012345678SpeechResult孤独 & <>To+815012345678"
    assert twilio_signed_string(url, pairs) == expected_string
    expected = independent_twilio("s3cr3t", expected_string)
    assert sign_twilio("s3cr3t", url, pairs) == expected
    for shape in (pairs, dict(pairs), {k: [v] for k, v in pairs}, FakeQueryDict({k: [v] for k, v in pairs})):
        assert verify_twilio("s3cr3t", url, shape, expected)


def test_twilio_get_signs_the_url_alone():
    url = "https://example.jp/helpline/voice/status?CallSid=CA1&CallStatus=completed"
    expected = independent_twilio(TOKEN, url)
    assert sign_twilio(TOKEN, url) == expected
    assert verify_twilio(TOKEN, url, None, expected)
    assert verify_twilio(TOKEN, url, {}, expected)


def test_twilio_names_sort_case_sensitively():
    assert twilio_signed_string("u", {"b": "1", "B": "2", "a": "3"}) == "uB2a3b1"


# --- Twilio: rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (URL, {**DOC_PARAMS, "Digits": "1235"}),  # tampered value
        (URL, {**DOC_PARAMS, "Extra": "1"}),  # added parameter
        (URL, {k: v for k, v in DOC_PARAMS.items() if k != "To"}),  # dropped parameter
        (URL.replace("foo=1", "foo=2"), DOC_PARAMS),  # tampered query string
        (URL.replace("myapp", "other"), DOC_PARAMS),  # other path
        (URL.replace("https", "http"), DOC_PARAMS),  # other scheme
        (URL.replace("mycompany", "evil"), DOC_PARAMS),  # other host
    ],
)
def test_twilio_tampered_requests_fail(url, params):
    assert not verify_twilio(TOKEN, url, params, DOC_SIGNATURE)


def test_twilio_wrong_token_and_bad_signatures():
    assert not verify_twilio("54321", URL, DOC_PARAMS, DOC_SIGNATURE)
    for signature in (
        None,
        "",
        b"",
        DOC_SIGNATURE[:-1],
        DOC_SIGNATURE + " ",
        "０/KCTR6DLpKmkAf8muzZqo1nDgQ=",
    ):
        assert not verify_twilio(TOKEN, URL, DOC_PARAMS, signature)
    assert verify_twilio(TOKEN, URL, DOC_PARAMS, DOC_SIGNATURE.encode())


def test_twilio_json_body_rejections():
    url = with_body_sha256(URL, LIB_JSON_BODY)
    signature = sign_twilio(TOKEN, url)
    assert verify_twilio(TOKEN, url, None, signature, body=LIB_JSON_BODY)
    assert not verify_twilio(TOKEN, url, None, signature, body=LIB_JSON_BODY.replace("true", "false"))
    assert not verify_twilio(TOKEN, url, None, signature)  # body hash in URL, body not checked
    assert not verify_twilio(TOKEN, URL, None, sign_twilio(TOKEN, URL), body=LIB_JSON_BODY)  # unsigned body
    with pytest.raises(ValueError, match="either form params or a raw body"):
        verify_twilio(TOKEN, url, {"a": "b"}, signature, body=LIB_JSON_BODY)


def test_twilio_programming_errors():
    with pytest.raises(ValueError, match="auth_token must be a non-empty string"):
        verify_twilio("", URL, DOC_PARAMS, DOC_SIGNATURE)
    with pytest.raises(TypeError, match="not a raw body"):
        sign_twilio(TOKEN, URL, "a=b")
    with pytest.raises(TypeError, match="value must be a string or a list of strings"):
        sign_twilio(TOKEN, URL, {"a": 1})
    with pytest.raises(TypeError, match="names and values must be strings"):
        sign_twilio(TOKEN, URL, {"a": [1]})
    with pytest.raises(TypeError, match="must be \\(name, value\\) pairs"):
        sign_twilio(TOKEN, URL, [("a", "b", "c")])


# --- LINE ----------------------------------------------------------------------------------------------

LINE_SECRET = "8c570fa6dd201bb328f1c1eac23a96d8"
LINE_BODY = (
    '{"destination":"U1234","events":[{"type":"message","webhookEventId":"01H0",'
    '"timestamp":1741024800000,"message":{"type":"text","text":"寂しい <&>"}}]}'
).encode()


def test_line_signature_matches_independent_hmac():
    expected = base64.b64encode(hmac.new(LINE_SECRET.encode(), LINE_BODY, hashlib.sha256).digest()).decode()
    assert sign_line(LINE_SECRET, LINE_BODY) == expected
    assert verify_line(LINE_SECRET, LINE_BODY, expected)
    assert verify_line(LINE_SECRET, bytearray(LINE_BODY), expected.encode())


def test_line_rejections():
    signature = sign_line(LINE_SECRET, LINE_BODY)
    assert not verify_line(LINE_SECRET, LINE_BODY.replace(b"U1234", b"U1235"), signature)
    assert not verify_line(LINE_SECRET, LINE_BODY + b"\n", signature)
    assert not verify_line("other-secret", LINE_BODY, signature)
    for bad in (None, "", signature[:-2], sign_twilio(TOKEN, URL)):
        assert not verify_line(LINE_SECRET, LINE_BODY, bad)
    with pytest.raises(TypeError, match="raw request body as bytes"):
        verify_line(LINE_SECRET, LINE_BODY.decode(), signature)
    with pytest.raises(ValueError, match="channel_secret must be a non-empty string"):
        verify_line("", LINE_BODY, signature)


def test_line_event_time():
    assert line_event_time(1741024800000) == datetime(2025, 3, 3, 18, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="milliseconds"):
        line_event_time(-1)


# --- replay protection ---------------------------------------------------------------------------------

T0 = datetime(2025, 3, 4, 3, 0, tzinfo=UTC)


def test_replay_guard_accepts_once():
    guard = ReplayGuard(MemorySeenStore(), window=timedelta(minutes=5), namespace="line")
    first = guard.check("ev1", T0, T0 + timedelta(seconds=2))
    assert first and first.reason == ACCEPTED
    again = guard.check("ev1", T0, T0 + timedelta(seconds=30))
    assert not again and again.reason == DUPLICATE
    assert guard.check("ev2", T0, T0 + timedelta(seconds=30)).accepted


def test_replay_guard_time_window():
    store = MemorySeenStore()
    guard = ReplayGuard(store, window=timedelta(minutes=5), max_skew=timedelta(seconds=30))
    assert guard.check("old", T0, T0 + timedelta(minutes=5, seconds=1)).reason == TOO_OLD
    assert guard.check("future", T0 + timedelta(seconds=31), T0).reason == IN_FUTURE
    assert len(store) == 0  # rejected events are not recorded
    assert guard.check("edge", T0, T0 + timedelta(minutes=5)).accepted
    assert guard.check("edge", T0, T0 + timedelta(minutes=5)).reason == DUPLICATE
    assert guard.check("edge", T0, T0 + timedelta(minutes=5, seconds=1)).reason == TOO_OLD
    assert guard.check("skew", T0 + timedelta(seconds=30), T0).accepted


def test_replay_guard_without_event_time_remembers_for_the_window():
    guard = ReplayGuard(MemorySeenStore(), window=timedelta(minutes=5))
    assert guard.check("sig", None, T0).accepted
    assert guard.check("sig", None, T0 + timedelta(minutes=4)).reason == DUPLICATE
    assert guard.check("sig", None, T0 + timedelta(minutes=5, seconds=1)).accepted  # forgotten


def test_replay_guard_namespaces_share_a_store():
    store = MemorySeenStore()
    assert ReplayGuard(store, namespace="line").check("x", T0, T0).accepted
    assert ReplayGuard(store, namespace="twilio").check("x", T0, T0).accepted
    assert ReplayGuard(store, namespace="line").check("x", T0, T0).reason == DUPLICATE


def test_replay_guard_validation():
    guard = ReplayGuard(MemorySeenStore())
    with pytest.raises(ValueError, match="now must be a timezone-aware datetime"):
        guard.check("x", None, datetime(2025, 3, 4))
    with pytest.raises(ValueError, match="event_time must be a timezone-aware datetime"):
        guard.check("x", datetime(2025, 3, 4), T0)
    with pytest.raises(ValueError, match="event_id"):
        guard.check("", T0, T0)
    with pytest.raises(ValueError, match="window must be positive"):
        ReplayGuard(MemorySeenStore(), window=timedelta(0))
