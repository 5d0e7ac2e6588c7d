"""Drive the real voice webhooks with synthetic calls, as the telephony provider would.

``tsunagari helpline simulate --calls N`` plays whole calls against a running server (``--base-url``,
real HTTP) or in this process (``--in-process``, through Django's test client; no server needed):
the call arrives, the caller listens to the menu and presses a digit, and then follows whatever the
TwiML answers say — ringing a line that answers after a while (or does not), waiting in a queue and
polling its wait URL until a line is free or the caller's patience runs out, hearing the other windows.
Status callbacks of the line's leg and of the call are sent like the provider's, with sequence
numbers and timestamps; some are repeated or sent out of order on purpose.

Every request is signed with ``TSUNAGARI_TWILIO_AUTH_TOKEN`` over the URL the server will check
(``TSUNAGARI_PUBLIC_BASE_URL`` + path when set, else the URL posted to), exactly as the provider
signs; the server must use the same token.

Time: calls run concurrently in *virtual* time (``--concurrency`` calls at once, interleaved in one
thread; runs are reproducible with ``--seed``); ``--time-scale`` real seconds per virtual second
(default 0: as fast as possible; 0.01 makes a 10-minute conversation last 6 seconds). Waits recorded by
the server are real elapsed times, so they are short unless a time scale is given.

Callers' numbers are fictional ("+810…", never a valid Japanese number) and the server keeps only a
keyed hash of them.
"""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
import time as real_time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Generator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from tsunagari.helpline.signatures import TWILIO_HEADER, sign_twilio

FORM = "application/x-www-form-urlencoded"
INCOMING = "/helpline/hooks/voice/incoming"
STATUS = "/helpline/hooks/voice/status"
CALLBACK = "/helpline/hooks/voice/callback"


# --- transports ------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: str
    recorded: int = 0
    duplicates: int = 0


def _path(target: str) -> str:
    """Path and query of a URL found in TwiML (the server's public URLs map onto ``base_url``)."""
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class HttpTransport:
    """Posts signed form requests to a running server over HTTP."""

    def __init__(self, base_url: str, token: str, sign_base: str = "", timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.sign_base = (sign_base or self.base_url).rstrip("/")
        self.token = token
        self.timeout = timeout

    def post(self, target: str, params: dict[str, str]) -> Reply:
        path = _path(target)
        signature = sign_twilio(self.token, self.sign_base + path, params)
        request = Request(
            self.base_url + path,
            data=urlencode(params).encode("utf-8"),
            method="POST",
            headers={"Content-Type": FORM, TWILIO_HEADER: signature},
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return _reply(response.status, response.read(), response.headers)
        except HTTPError as exc:
            return _reply(exc.code, exc.read(), exc.headers)


class ClientTransport:
    """Posts signed form requests through Django's test client, in this process."""

    def __init__(self, token: str, client=None, host: str = "testserver", sign_base: str = "") -> None:
        from django.test import Client

        self.client = client or Client(HTTP_HOST=host)
        self.token = token
        self.sign_base = (sign_base or f"http://{host}").rstrip("/")

    def post(self, target: str, params: dict[str, str]) -> Reply:
        path = _path(target)
        signature = sign_twilio(self.token, self.sign_base + path, params)
        response = self.client.post(
            path, urlencode(params), content_type=FORM, headers={TWILIO_HEADER: signature}
        )
        return _reply(response.status_code, response.content, response.headers)


def _reply(status: int, body: bytes, headers) -> Reply:
    def number(name: str) -> int:
        try:
            return int(headers.get(name) or 0)
        except ValueError:
            return 0

    return Reply(
        status,
        body.decode("utf-8", "replace"),
        number("X-Tsunagari-Recorded"),
        number("X-Tsunagari-Duplicates"),
    )


# --- the simulation --------------------------------------------------------------------------------


@dataclass
class Options:
    calls: int = 20
    seed: int = 1
    concurrency: int = 5
    time_scale: float = 0.0
    digits: Sequence[str] = ("1", "2", "3", "4")
    crisis_digits: Sequence[str] = ()
    answer_rate: float = 0.85  # a line answers
    repeat_rate: float = 0.15  # a status callback is sent twice
    disorder_rate: float = 0.15  # callbacks of a call are sent out of order
    invalid_digit_rate: float = 0.05
    callback_rate: float = 0.5  # a caller offered a callback asks for one
    mean_gap: float = 20.0  # virtual seconds between two arrivals
    mean_patience: float = 180.0  # how long a caller waits before hanging up
    mean_talk: float = 420.0  # conversation length
    ring: tuple[float, float] = (3.0, 15.0)  # a line that answers rings this long


@dataclass
class Summary:
    calls: int = 0
    answered: int = 0
    abandoned: int = 0
    told_other_windows: int = 0
    callbacks_requested: int = 0
    lines_not_answering: int = 0
    events_written: int = 0
    duplicates_refused: int = 0
    requests: int = 0
    refused: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    # in-process runs only: checks against the database at the end
    lines_busy_at_end: int | None = None
    calls_waiting_at_end: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [
            f"calls: {self.calls}",
            f"answered: {self.answered}",
            f"abandoned: {self.abandoned}",
            f"told the other windows: {self.told_other_windows}",
            f"callbacks requested: {self.callbacks_requested}",
            f"lines not answering (attempts): {self.lines_not_answering}",
            f"events written: {self.events_written}",
            f"duplicates refused: {self.duplicates_refused}",
            f"requests: {self.requests} (refused {self.refused}, errors {self.errors})",
        ]
        if self.lines_busy_at_end is not None:
            out.append(f"lines busy at the end: {self.lines_busy_at_end}")
            out.append(f"calls still waiting at the end: {self.calls_waiting_at_end}")
        out.extend(f"error: {sample}" for sample in self.error_samples)
        return out


Step = Generator[float, None, ET.Element | None]


class Simulation:
    """One run: ``Simulation(transport, options).run()`` returns the :class:`Summary`."""

    def __init__(
        self, transport, options: Options, *, sleep: Callable[[float], None] = real_time.sleep
    ) -> None:
        if options.calls < 0 or options.concurrency < 1:
            raise ValueError("calls must be ≥ 0 and concurrency ≥ 1")
        if not options.digits:
            raise ValueError("no menu digits to press")
        self.transport = transport
        self.options = options
        self.rng = random.Random(options.seed)
        self.summary = Summary()
        self.sleep = sleep
        self.clock = 0.0
        self.run_id = secrets.token_hex(4)
        self._heap: list = []
        self._order = itertools.count()

    # plumbing

    def _sid(self, prefix: str = "CA") -> str:
        # 8 hex digits unique to this run, so that a second run with the same seed plays the same
        # calls under new call ids (the server would take them for repeats otherwise)
        return prefix + self.run_id + "".join(self.rng.choice("0123456789abcdef") for _ in range(24))

    def post(self, target: str, params: dict[str, str]) -> ET.Element | None:
        reply = self.transport.post(target, params)
        s = self.summary
        s.requests += 1
        s.events_written += reply.recorded
        s.duplicates_refused += reply.duplicates
        if reply.status == 403:
            s.refused += 1
        if reply.status >= 400:
            s.errors += 1
            if len(s.error_samples) < 5:
                s.error_samples.append(f"{reply.status} from {_path(target)}: {reply.body[:200]}")
            return None
        try:
            return ET.fromstring(reply.body.encode("utf-8"))
        except ET.ParseError:
            s.errors += 1
            return None

    def _maybe_repeat(self, target: str, params: dict[str, str]) -> None:
        if self.rng.random() < self.options.repeat_rate:
            self.post(target, params)

    @staticmethod
    def _now() -> str:
        return format_datetime(datetime.now(UTC))

    # the scheduler

    def run(self) -> Summary:
        opts = self.options
        started = 0
        for _ in range(min(opts.concurrency, opts.calls)):
            self._start(started, self.clock + self.rng.uniform(0, opts.mean_gap))
            started += 1
        while self._heap:
            at, _order, call = heapq.heappop(self._heap)
            if opts.time_scale > 0 and at > self.clock:
                self.sleep((at - self.clock) * opts.time_scale)
            self.clock = max(self.clock, at)
            try:
                delay = next(call)
            except StopIteration:
                if started < opts.calls:
                    self._start(started, self.clock + self.rng.expovariate(1 / opts.mean_gap))
                    started += 1
                continue
            heapq.heappush(self._heap, (self.clock + max(delay, 0.0), next(self._order), call))
        return self.summary

    def _start(self, index: int, at: float) -> None:
        heapq.heappush(self._heap, (at, next(self._order), self._call(index)))

    # one call

    def _call(self, index: int) -> Generator[float, None, None]:
        opts = self.options
        self.summary.calls += 1
        sid = self._sid()
        call = _Call(
            sid=sid,
            base={
                "AccountSid": "AC" + "0" * 32,
                "CallSid": sid,
                # fictional: +81 followed by 0 is never a Japanese number
                "From": "+810" + "".join(self.rng.choice("0123456789") for _ in range(9)),
                "To": "+810000009999",
                "Direction": "inbound",
            },
            patience=self.rng.expovariate(1 / opts.mean_patience) + 5,
            started=real_time.monotonic(),
        )
        yield 0.0
        doc = self.post(INCOMING, {**call.base, "CallStatus": "ringing"})
        while doc is not None and not call.ended:
            doc = yield from self._play(call, doc)
        if not call.parent_status_sent:
            self._parent_status(call)

    def _parent_status(self, call: _Call) -> None:
        call.parent_status_sent = True
        params = {
            **call.base,
            "CallStatus": "completed",
            "CallDuration": str(int(real_time.monotonic() - call.started)),
            "SequenceNumber": str(next(call.sequence)),
            "Timestamp": self._now(),
        }
        self.post(STATUS, params)
        self._maybe_repeat(STATUS, params)

    def _play(self, call: _Call, doc: ET.Element) -> Step:
        """Follow one TwiML document; returns the next document, or None when the call is over."""
        for verb in list(doc):
            if verb.tag == "Say":
                yield 1.0
            elif verb.tag == "Pause":
                yield float(verb.get("length") or 1)
            elif verb.tag == "Gather" and _path(verb.get("action") or "").startswith(CALLBACK):
                yield self.rng.uniform(1, 4)
                wants = self.rng.random() < self.options.callback_rate
                if wants:
                    call.outcome = "callback"
                    self.summary.callbacks_requested += 1
                return self.post(
                    verb.get("action"),
                    {**call.base, "CallStatus": "in-progress", "Digits": "1" if wants else "2"},
                )
            elif verb.tag == "Gather":
                yield self.rng.uniform(1, 4)
                digit = self._digit()
                if digit is None:
                    continue  # pressed nothing: the document goes on (Redirect to the menu)
                call.menu_chosen = True
                return self.post(
                    verb.get("action"), {**call.base, "CallStatus": "in-progress", "Digits": digit}
                )
            elif verb.tag == "Redirect":
                return self.post(verb.text, {**call.base, "CallStatus": "in-progress"})
            elif verb.tag == "Dial":
                return (yield from self._dial(call, verb))
            elif verb.tag == "Enqueue":
                return (yield from self._queue(call, verb))
            elif verb.tag == "Hangup":
                if not call.outcome:
                    call.outcome = "message" if call.menu_chosen else "hung_up"
                    if call.menu_chosen:
                        self.summary.told_other_windows += 1
                return None
        return None  # the document ran out: the provider hangs up

    def _digit(self) -> str | None:
        r = self.rng.random()
        if r < 0.02:
            return None
        if r < 0.02 + self.options.invalid_digit_rate:
            return "0"
        crisis = list(self.options.crisis_digits)
        if crisis and self.rng.random() < 0.2:
            return self.rng.choice(crisis)
        return self.rng.choice(list(self.options.digits))

    def _line_status(self, call: _Call, url: str, child: str, status: str, **extra: str) -> dict[str, str]:
        params = {
            **call.base,
            "CallSid": child,
            "ParentCallSid": call.sid,
            "Direction": "outbound-dial",
            "CallStatus": status,
            "SequenceNumber": str(next(call.child_sequence)),
            "Timestamp": self._now(),
            **extra,
        }
        self.post(url, params)
        self._maybe_repeat(url, params)
        return params

    def _dial(self, call: _Call, dial: ET.Element) -> Step:
        opts = self.options
        number = dial.find("Number")
        if number is None:
            return None
        action, status_url, answer_url = dial.get("action"), number.get("statusCallback"), number.get("url")
        timeout = float(dial.get("timeout") or 30)
        child = self._sid()
        call.child_sequence = itertools.count()
        answers = self.rng.random() < opts.answer_rate
        busy = not answers and self.rng.random() < 0.3
        ring = self.rng.uniform(*opts.ring) if answers else (1.0 if busy else timeout)
        if call.waited + ring > call.patience:  # the caller gives up while the line rings
            yield max(call.patience - call.waited, 0.0)
            if status_url:
                self._line_status(call, status_url, child, "canceled")
            call.outcome = "abandoned"
            self.summary.abandoned += 1
            if self.rng.random() < opts.disorder_rate:
                self._parent_status(call)  # the call's end before the Dial action
            self.post(action, {**call.base, "CallStatus": "completed", "DialCallStatus": "canceled"})
            call.ended = True
            return None
        yield ring
        call.waited += ring
        if not answers:
            status = "busy" if busy else "no-answer"
            self.summary.lines_not_answering += 1
            if status_url:
                self._line_status(call, status_url, child, status)
            params = {**call.base, "CallStatus": "in-progress", "DialCallStatus": status}
            doc = self.post(action, params)
            return doc
        answered_at = real_time.monotonic()
        if answer_url:
            self.post(
                answer_url,
                {**call.base, "CallSid": child, "ParentCallSid": call.sid, "CallStatus": "in-progress"},
            )
        late_answer = self.rng.random() < opts.disorder_rate
        if status_url and not late_answer:
            self._line_status(call, status_url, child, "in-progress")
        call.outcome = "answered"
        self.summary.answered += 1
        yield self.rng.expovariate(1 / opts.mean_talk) + 10
        duration = str(int(real_time.monotonic() - answered_at))
        caller_ends_first = self.rng.random() < opts.disorder_rate
        if caller_ends_first:  # the call's own "completed" arrives before the line's callbacks
            self._parent_status(call)
        if status_url:
            self._line_status(call, status_url, child, "completed", CallDuration=duration)
            if late_answer:  # "answered" arrives after "completed"
                self._line_status(call, status_url, child, "in-progress")
        params = {
            **call.base,
            "CallStatus": "completed" if caller_ends_first else "in-progress",
            "DialCallStatus": "completed",
            "DialCallDuration": duration,
        }
        doc = self.post(action, params)
        self._maybe_repeat(action, params)
        if caller_ends_first:
            call.ended = True
            return None
        return doc

    def _queue(self, call: _Call, enqueue: ET.Element) -> Step:
        wait_url, action = enqueue.get("waitUrl"), enqueue.get("action")
        queued_at = self.clock
        while True:
            queue_time = str(int(self.clock - queued_at))
            doc = self.post(wait_url, {**call.base, "CallStatus": "in-progress", "QueueTime": queue_time})
            if doc is None:
                return None
            if doc.find("Leave") is not None:
                return self.post(
                    action,
                    {
                        **call.base,
                        "CallStatus": "in-progress",
                        "QueueResult": "leave",
                        "QueueTime": queue_time,
                    },
                )
            if doc.find("Hangup") is not None:
                call.ended = True
                return None
            pause = sum(float(p.get("length") or 1) for p in doc.iter("Pause")) or 15.0
            left = call.patience - call.waited
            if left <= pause:  # the caller hangs up while queued
                yield max(left, 0.0)
                call.waited += max(left, 0.0)
                params = {
                    **call.base,
                    "CallStatus": "completed",
                    "QueueResult": "hangup",
                    "QueueTime": str(int(self.clock - queued_at)),
                }
                call.outcome = "abandoned"
                self.summary.abandoned += 1
                if self.rng.random() < self.options.disorder_rate:
                    self._parent_status(call)  # the call's end before the queue's action
                self.post(action, params)
                self._maybe_repeat(action, params)
                call.ended = True
                return None
            yield pause
            call.waited += pause


@dataclass
class _Call:
    sid: str
    base: dict[str, str]
    patience: float
    started: float
    waited: float = 0.0
    outcome: str = ""
    menu_chosen: bool = False
    ended: bool = False
    parent_status_sent: bool = False
    sequence: itertools.count = field(default_factory=itertools.count)
    child_sequence: itertools.count = field(default_factory=itertools.count)


# --- entry points ----------------------------------------------------------------------------------


def menu_digits(at: datetime | None = None) -> tuple[list[str], list[str]]:
    """The digits of the menu valid now in this process's database, and those of crisis fields."""
    from django.utils import timezone

    from tsunagari.helpline.selectors import menu_at

    menu = menu_at(at or timezone.now())
    if menu is None:
        return [], []
    options = list(menu.options.all())
    return [o.digit for o in options], [o.digit for o in options if o.field.crisis]


def check_database(summary: Summary) -> None:
    """Fill the end-of-run checks from this process's database (in-process runs)."""
    from django.utils import timezone

    from tsunagari.helpline.selectors import busy_lines, waiting_calls

    now = timezone.now()
    summary.lines_busy_at_end = len(busy_lines(now))
    summary.calls_waiting_at_end = len(waiting_calls(now))


def simulate(transport, options: Options, *, in_process: bool = False) -> Summary:
    summary = Simulation(transport, options).run()
    if in_process:
        check_database(summary)
    return summary
