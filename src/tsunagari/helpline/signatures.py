"""Webhook signature verification and replay protection (pure; no Django, standard library only).

Contract
--------
Twilio (``X-Twilio-Signature``), as Twilio documents it and its official helper libraries compute it:

- the signed string is the full URL Twilio requested (scheme, host, path and query string), followed,
  for a form-encoded POST, by every POST parameter as name + value with no separators, names sorted
  (code point order, i.e. case-sensitive), several values of one name sorted and de-duplicated (as
  twilio-python and twilio-node do); a GET request signs the URL alone;
- for a JSON (or other non-form) body Twilio adds ``bodySHA256=<hex SHA-256 of the body>`` to the query
  string and signs the URL alone; :func:`verify_twilio` then also checks the body against that hash;
- the signature is ``base64(HMAC-SHA1(auth_token, signed string as UTF-8))``;
- because Twilio is inconsistent about the port, a URL is accepted signed with or without its port
  (``https://host/x`` also as ``https://host:443/x``; ``https://host:8443/x`` also as ``https://host/x``),
  as the official libraries do.

LINE Messaging API (``X-Line-Signature``): ``base64(HMAC-SHA256(channel_secret, raw request body))``.
Verify the raw bytes as received, before any JSON parsing.

Every comparison is constant-time (``hmac.compare_digest``). A missing or empty signature is rejected.
The verify functions return ``False`` for any request that does not authenticate; they raise
``ValueError`` / ``TypeError`` only for programming errors (empty secret, a body given as ``str`` to
the LINE functions, parameters that are not strings).

Replay protection: :class:`ReplayGuard` — see its docstring. Check the signature first, then the replay
guard, so that forged requests cannot fill the store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

#: Header names (as sent; Django exposes them as HTTP_X_TWILIO_SIGNATURE / HTTP_X_LINE_SIGNATURE).
TWILIO_HEADER = "X-Twilio-Signature"
LINE_HEADER = "X-Line-Signature"
BODY_SHA256 = "bodySHA256"

TwilioParams = Mapping[str, str] | Mapping[str, Iterable[str]] | Iterable[tuple[str, str]] | None


def _secret(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return value.encode("utf-8")


def _signature_bytes(signature: str | bytes | None) -> bytes | None:
    if signature is None:
        return None
    if isinstance(signature, str):
        signature = signature.encode("utf-8")
    if not isinstance(signature, bytes):
        raise TypeError(f"signature must be str, bytes or None, got {type(signature).__name__}")
    return signature or None


def _b64_hmac(key: bytes, message: bytes, digest: str) -> bytes:
    return base64.b64encode(hmac.new(key, message, digest).digest())


# --- Twilio ----------------------------------------------------------------------------------------


def _twilio_pairs(params: TwilioParams) -> list[tuple[str, str]]:
    """Normalise the POST parameters to (name, value) pairs.

    Accepted: ``None``; a mapping of name → value or name → list of values; an object with ``getlist``
    (Django's QueryDict, without importing Django); an iterable of (name, value) pairs (e.g.
    ``urllib.parse.parse_qsl(body, keep_blank_values=True)``)."""
    if params is None:
        return []
    pairs: list[tuple[str, str]] = []
    if hasattr(params, "getlist") and hasattr(params, "keys"):
        for name in params:
            pairs.extend((name, value) for value in params.getlist(name))
    elif isinstance(params, Mapping):
        for name, value in params.items():
            if isinstance(value, str):
                pairs.append((name, value))
            elif isinstance(value, Iterable) and not isinstance(value, bytes):
                pairs.extend((name, v) for v in value)
            else:
                raise TypeError(f"Twilio parameter {name!r}: value must be a string or a list of strings")
    elif isinstance(params, str | bytes):
        raise TypeError("Twilio parameters must be a mapping or (name, value) pairs, not a raw body")
    else:
        for pair in params:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise TypeError(f"Twilio parameters must be (name, value) pairs, got {pair!r}")
            pairs.append(pair)
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"Twilio parameter names and values must be strings, got {(name, value)!r}")
    return pairs


def twilio_signed_string(url: str, params: TwilioParams = None) -> str:
    """The string Twilio signs: ``url`` followed by name + value of every parameter, names sorted,
    each name's distinct values sorted."""
    if not isinstance(url, str) or not url:
        raise ValueError("url must be the full request URL")
    by_name: dict[str, set[str]] = {}
    for name, value in _twilio_pairs(params):
        by_name.setdefault(name, set()).add(value)
    return url + "".join(name + value for name in sorted(by_name) for value in sorted(by_name[name]))


def sign_twilio(auth_token: str, url: str, params: TwilioParams = None) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for a request to ``url`` (exactly as given, port
    included or not) with the POST ``params`` (``None`` or empty for GET and JSON requests)."""
    key = _secret(auth_token, "auth_token")
    return _b64_hmac(key, twilio_signed_string(url, params).encode("utf-8"), "sha1").decode("ascii")


def twilio_body_sha256(body: bytes | str) -> str:
    """Lower-case hex SHA-256 of a request body (a ``str`` is encoded as UTF-8), as in ``bodySHA256``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"body must be bytes or str, got {type(body).__name__}")
    return hashlib.sha256(body).hexdigest()


def with_body_sha256(url: str, body: bytes | str) -> str:
    """``url`` with ``bodySHA256=<hash of body>`` appended to its query string, as Twilio requests it
    for a JSON body (for the simulator; sign the result with :func:`sign_twilio` and no params)."""
    parts = urlsplit(url)
    extra = urlencode({BODY_SHA256: twilio_body_sha256(body)})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def _port_variants(url: str) -> tuple[str, ...]:
    """``url`` as given, without its port, and with the scheme's default port added when it has none."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a malformed port: only the URL as given can match
        return (url,)
    if port is not None:
        without = urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]))
        return (url, without)
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    if default is None or not parts.netloc:
        return (url,)
    return (url, urlunsplit(parts._replace(netloc=f"{parts.netloc}:{default}")))


def verify_twilio(
    auth_token: str,
    url: str,
    params: TwilioParams,
    signature: str | bytes | None,
    *,
    body: bytes | str | None = None,
) -> bool:
    """Whether ``signature`` (the ``X-Twilio-Signature`` header) authenticates a Twilio request.

    ``url``: the full URL of the request including its query string, as Twilio requested it (behind
    a proxy, rebuild it with the public scheme and host). ``params``: the form-encoded POST parameters
    (see :func:`_twilio_pairs` for the accepted shapes); ``None`` or empty for a GET. ``body``: for a
    non-form body (JSON), the raw body; then ``url`` must carry ``bodySHA256`` and ``params`` must be
    empty. Returns ``False`` when the signature is missing, empty or wrong, when the URL carries
    ``bodySHA256`` but no body is given or the body does not match it, or when a body is given but the
    URL carries no ``bodySHA256`` (the body would be unauthenticated).
    Raises ``ValueError`` for an empty ``auth_token`` or for both ``params`` and ``body`` given.
    """
    key = _secret(auth_token, "auth_token")
    pairs = _twilio_pairs(params)
    if body is not None and pairs:
        raise ValueError("give either form params or a raw body, not both")
    given = _signature_bytes(signature)
    if given is None:
        return False
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if BODY_SHA256 in query:
        if body is None:
            return False
        body_ok = hmac.compare_digest(
            twilio_body_sha256(body).encode(), query[BODY_SHA256][0].encode("utf-8")
        )
    elif body is not None:
        return False
    else:
        body_ok = True
    signature_ok = False
    for candidate in _port_variants(url):
        expected = _b64_hmac(key, twilio_signed_string(candidate, pairs).encode("utf-8"), "sha1")
        signature_ok |= hmac.compare_digest(expected, given)
    return body_ok and signature_ok


# --- LINE ------------------------------------------------------------------------------------------


def _raw_body(body: object) -> bytes:
    if isinstance(body, str):
        raise TypeError("body must be the raw request body as bytes (request.body), not str")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(f"body must be bytes, got {type(body).__name__}")
    return bytes(body)


def sign_line(channel_secret: str, body: bytes) -> str:
    """The ``X-Line-Signature`` for ``body``: base64(HMAC-SHA256(channel_secret, body))."""
    return _b64_hmac(_secret(channel_secret, "channel_secret"), _raw_body(body), "sha256").decode("ascii")


def verify_line(channel_secret: str, body: bytes, signature: str | bytes | None) -> bool:
    """Whether ``signature`` (the ``X-Line-Signature`` header) authenticates ``body``, the raw request
    body bytes. ``False`` for a missing, empty or wrong signature. Raises ``ValueError`` for an empty
    secret and ``TypeError`` for a body that is not bytes (re-encoding parsed JSON breaks signatures)."""
    key = _secret(channel_secret, "channel_secret")
    raw = _raw_body(body)
    given = _signature_bytes(signature)
    if given is None:
        return False
    return hmac.compare_digest(_b64_hmac(key, raw, "sha256"), given)


def line_event_time(timestamp_ms: int) -> datetime:
    """A LINE webhook event's ``timestamp`` (milliseconds since the epoch) as an aware UTC datetime."""
    if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool) or timestamp_ms < 0:
        raise ValueError(f"timestamp must be a non-negative integer of milliseconds, got {timestamp_ms!r}")
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


# --- replay protection -----------------------------------------------------------------------------


class SeenStore(Protocol):
    """Where a :class:`ReplayGuard` remembers the event ids it has accepted.

    ``add(key, expires_at, now)`` records ``key`` until ``expires_at`` and returns ``True`` when the key
    was not recorded (or its record had expired by ``now``), ``False`` when it was. It must be atomic
    across processes for the guard to be safe under concurrency: Django's ``cache.add(key, 1,
    timeout=(expires_at - now).total_seconds())`` (a shared cache such as Redis or the database cache,
    not the per-process local-memory cache) or an INSERT into a table with a unique key both qualify.
    """

    def add(self, key: str, expires_at: datetime, now: datetime) -> bool: ...


class MemorySeenStore:
    """A :class:`SeenStore` in a dict, for tests, the simulator and single-process use. Expired
    records are dropped on each ``add``."""

    def __init__(self) -> None:
        self._expiry: dict[str, datetime] = {}

    def add(self, key: str, expires_at: datetime, now: datetime) -> bool:
        self._expiry = {k: e for k, e in self._expiry.items() if e > now}
        if key in self._expiry:
            return False
        self._expiry[key] = expires_at
        return True

    def __len__(self) -> int:
        return len(self._expiry)


ACCEPTED = "accepted"
DUPLICATE = "duplicate"
TOO_OLD = "too_old"
IN_FUTURE = "in_future"


@dataclass(frozen=True)
class ReplayCheck:
    """The outcome of :meth:`ReplayGuard.check`: ``reason`` is one of ``accepted``, ``duplicate``,
    ``too_old``, ``in_future``. Truthy when accepted."""

    accepted: bool
    reason: str

    def __bool__(self) -> bool:
        return self.accepted


class ReplayGuard:
    """Reject replayed webhook events.

    ``check(event_id, event_time, now)`` accepts an event once: it rejects it as ``too_old`` when
    ``event_time`` is more than ``window`` before ``now``, as ``in_future`` when it is more than
    ``max_skew`` after ``now``, and as ``duplicate`` when ``event_id`` was accepted before (within its
    retention). Otherwise it records the id in ``store`` and accepts. An id is kept until
    ``event_time + window`` — after that the age check rejects a replay on its own — or, when
    ``event_time`` is ``None``, for ``window`` from ``now``. Rejected events are never recorded.

    Keys are ``namespace + ":" + event_id``; use one namespace per channel (``"line"``, ``"twilio"``).

    Choosing ids: the id must come from the signed content, or an attacker could replay a captured
    request under a fresh id. LINE: each event's ``webhookEventId`` with its ``timestamp``
    (:func:`line_event_time`). A LINE redelivery carries the same ``webhookEventId``, so it is treated
    as a duplicate of an accepted event; a redelivery older than ``window`` is rejected as too old.
    Twilio signs no timestamp: use the request signature itself (identical parameters give an identical
    signature) with ``event_time=None``; a replay later than ``window`` is then not caught, so keep the
    handlers idempotent (e.g. keyed by ``CallSid``). Since an id is recorded before the event is
    processed, a handler that fails after the check will see the sender's retry as a duplicate.

    All datetimes must be timezone-aware; ``check`` raises ``ValueError`` otherwise, or for an empty id.
    """

    def __init__(
        self,
        store: SeenStore,
        window: timedelta = timedelta(minutes=5),
        max_skew: timedelta = timedelta(minutes=1),
        namespace: str = "",
    ) -> None:
        if window <= timedelta(0):
            raise ValueError(f"window must be positive, got {window}")
        if max_skew < timedelta(0):
            raise ValueError(f"max_skew must not be negative, got {max_skew}")
        self.store = store
        self.window = window
        self.max_skew = max_skew
        self.namespace = namespace

    def check(self, event_id: str, event_time: datetime | None, now: datetime) -> ReplayCheck:
        if not isinstance(event_id, str) or not event_id:
            raise ValueError("event_id must be a non-empty string")
        for what, value in (("now", now), ("event_time", event_time)):
            if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
                raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")
        if event_time is not None:
            if now - event_time > self.window:
                return ReplayCheck(False, TOO_OLD)
            if event_time - now > self.max_skew:
                return ReplayCheck(False, IN_FUTURE)
            expires_at = event_time + self.window
        else:
            expires_at = now + self.window
        key = f"{self.namespace}:{event_id}"
        # An event exactly ``window`` old would expire at once; keep it a moment, past the age limit.
        if not self.store.add(key, max(expires_at, now + timedelta(seconds=1)), now):
            return ReplayCheck(False, DUPLICATE)
        return ReplayCheck(True, ACCEPTED)
