"""The simulator drives the real webhooks with whole synthetic calls (in-process through Django's test
client, and over real HTTP against a stub server), and the ``simulate`` command."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl

import pytest
from django.db import transaction

from tests.helpline.test_webhooks_support import TOKEN
from tsunagari.cli import main
from tsunagari.helpline import demo, simulator
from tsunagari.helpline.callback_models import CallbackRequest
from tsunagari.helpline.models import Contact, ContactEvent, Line
from tsunagari.helpline.signatures import verify_twilio

pytestmark = pytest.mark.django_db
Kind = ContactEvent.Kind


@pytest.fixture(autouse=True)
def token(settings):
    settings.TSUNAGARI_TWILIO_AUTH_TOKEN = TOKEN
    settings.TSUNAGARI_PUBLIC_BASE_URL = ""


def run(client, **options):
    digits, crisis = simulator.menu_digits()
    opts = simulator.Options(digits=digits, crisis_digits=crisis, **options)
    return simulator.simulate(simulator.ClientTransport(TOKEN, client=client), opts, in_process=True)


def test_a_simulated_busy_hour_leaves_a_consistent_record(client):
    demo.load_demo()
    summary = run(client, calls=30, seed=3, concurrency=10)

    assert summary.errors == 0 and summary.refused == 0, summary.error_samples
    assert summary.calls == 30 == Contact.objects.count()
    assert summary.answered > 0 and summary.abandoned > 0  # ten callers at once for five lines
    assert summary.duplicates_refused > 0  # repeated callbacks were sent on purpose
    assert summary.events_written == ContactEvent.objects.count()
    assert summary.lines_busy_at_end == 0 and summary.calls_waiting_at_end == 0

    for contact in Contact.objects.all():
        kinds = list(contact.events.values_list("kind", flat=True))
        assert kinds.count(Kind.OFFERED) == 1 and kinds.count(Kind.COMPLETED) == 1, kinds
        assert kinds.count(Kind.ABANDONED) <= 1 and kinds.count(Kind.MENU_CHOICE) <= 1
        assert not (Kind.ANSWERED in kinds and Kind.ABANDONED in kinds), kinds
    answered = ContactEvent.objects.filter(kind=Kind.ANSWERED)
    assert answered.count() == summary.answered
    assert ContactEvent.objects.filter(kind=Kind.ABANDONED).count() == summary.abandoned
    assert all(e.line_id and e.wait_seconds is not None for e in answered)
    # the demo's numbers are fictional: +81 then 0
    assert all(dial.startswith("+810") for dial in Line.objects.values_list("dial", flat=True))


def test_the_same_seed_plays_the_same_calls(client):
    demo.load_demo()
    with transaction.atomic():
        first = run(client, calls=12, seed=11, concurrency=4)
        transaction.set_rollback(True)
    second = run(client, calls=12, seed=11, concurrency=4)
    assert first == second


def test_a_wrong_token_is_refused_and_writes_nothing(client):
    demo.load_demo()
    transport = simulator.ClientTransport("not-the-token", client=client)
    summary = simulator.simulate(transport, simulator.Options(calls=3, seed=1, digits=["4"]))
    assert summary.refused == summary.requests > 0
    assert Contact.objects.count() == 0 and ContactEvent.objects.count() == 0


def test_the_http_transport_signs_what_it_posts():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            url = f"http://127.0.0.1:{self.server.server_port}{self.path}"
            ok = verify_twilio(
                TOKEN, url, parse_qsl(body, keep_blank_values=True), self.headers["X-Twilio-Signature"]
            )
            seen.append((self.path, ok, self.headers["Content-Type"]))
            self.send_response(200 if ok else 403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("X-Tsunagari-Recorded", "2")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        transport = simulator.HttpTransport(f"http://127.0.0.1:{server.server_port}", TOKEN)
        summary = simulator.Simulation(transport, simulator.Options(calls=2, seed=5, repeat_rate=0)).run()
    finally:
        server.shutdown()
        server.server_close()
    assert summary.errors == 0 and summary.requests == len(seen) == 4  # incoming + status, twice
    assert all(ok for _path, ok, _type in seen)
    assert {path for path, _ok, _type in seen} == {simulator.INCOMING, simulator.STATUS}
    assert all(t == "application/x-www-form-urlencoded" for _p, _ok, t in seen)
    assert summary.events_written == 8


def test_simulate_command_in_process(capsys):
    assert (
        main(["helpline", "simulate", "--in-process", "--load-demo", "--calls", "6", "--seed", "2", "--json"])
        == 0
    )
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("{") :])
    assert summary["calls"] == 6 and summary["errors"] == 0 and summary["lines_busy_at_end"] == 0
    assert summary["events_written"] == ContactEvent.objects.count()


def test_simulate_command_needs_a_menu(capsys):
    with pytest.raises(SystemExit, match="no voice menu"):
        main(["helpline", "simulate", "--in-process", "--calls", "1"])


def test_a_second_run_with_the_same_seed_plays_new_calls(client):
    demo.load_demo()
    first = run(client, calls=5, seed=4, concurrency=2)
    second = run(client, calls=5, seed=4, concurrency=2)
    assert Contact.objects.count() == 10
    assert second.events_written == first.events_written > 0


def test_callers_offered_a_callback_when_the_queue_is_full(client):
    demo.load_demo()  # 孤独・孤立: queue of 10, then the callback offer, then the other windows
    opts = simulator.Options(calls=40, seed=5, concurrency=40, digits=["4"], callback_rate=1.0)
    summary = simulator.simulate(simulator.ClientTransport(TOKEN, client=client), opts, in_process=True)

    assert summary.errors == 0, summary.error_samples
    requested = ContactEvent.objects.filter(kind=Kind.CALLBACK_REQUESTED).count()
    assert summary.callbacks_requested == requested > 0
    assert CallbackRequest.objects.filter(status=CallbackRequest.Status.WAITING).count() == requested
    assert ContactEvent.objects.filter(kind=Kind.CALLBACK_OFFERED).count() == requested  # all said yes
    assert summary.calls_waiting_at_end == 0
