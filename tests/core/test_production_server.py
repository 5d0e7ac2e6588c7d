"""The portal served by granian as in production (2 worker processes, one Python thread each), over
real HTTP on a free loopback port, on a scratch SQLite database with the bundled directory.

granian is the server the navigator's load benchmark is recorded with (``bench/navigator_load.py``):
it keeps connections alive and parses HTTP outside Python. These tests check what the application
relies on from it — form posts, keep-alive, static files, a binary download, the security headers —
that a worker which dies is replaced, and that the workers write the buffered usage counts when the
server stops (they end through ``os._exit``; see ``navigator.usage``)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.free_port import free_port

BIN = Path(sys.executable).parent
STATE = re.compile(r'name="state" value="([^"]+)"')


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> tuple[dict[str, str], Path]:
    data = tmp_path_factory.mktemp("granian")
    database = data / "portal.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "TSUNAGARI_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "tsunagari.settings",
        "TSUNAGARI_DEBUG": "0",
        "TSUNAGARI_ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "test-only-" + "x" * 50,
        # Counts are written only when a worker ends: the last test checks they are not lost then.
        "TSUNAGARI_USAGE_FLUSH_SECONDS": "3600",
    }
    subprocess.run([BIN / "tsunagari", "setup"], env=env, check=True, capture_output=True, timeout=600)
    return env, database


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    """granian as README's command runs it, on a free port; (process, port) once ``/navi/`` answers
    and both workers listen."""
    port = free_port()
    command = [
        BIN / "granian", "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1",
        "--respawn-failed-workers", "--respawn-interval", "0.5", "--workers-kill-timeout", "5",
        "--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning",
        "tsunagari.wsgi:application",
    ]  # fmt: skip
    with log.open("ab") as errors:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/navi/")
            # Both workers ready: the first answers while the other may still be loading the app.
            if connection.getresponse().status == 200 and _listening(port) == 2:
                connection.close()
                return process, port
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"granian did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers (a killed granian leaves its workers running: kill the group)."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group: workers that outlived their server
    process.wait()


@pytest.fixture(scope="module")
def server(scratch, tmp_path_factory):
    process, port = _start(scratch[0], tmp_path_factory.mktemp("granian-log") / "stderr.txt")
    yield process, port
    _stop(process)


class Visitor:
    """One person's browser: one kept-alive connection for the whole conversation."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.local_ports: set[int] = set()  # a new connection would come from a new port

    def send(self, method: str, path: str, data: dict | None = None) -> http.client.HTTPResponse:
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        self.connection.request(method, path, body=body, headers=headers)
        self.local_ports.add(self.connection.sock.getsockname()[1])
        response = self.connection.getresponse()
        response.body = response.read()
        return response

    def page(self, method: str, path: str, data: dict | None = None) -> str:
        response = self.send(method, path, data)
        assert response.status == 200, response.status
        return response.body.decode("utf-8")


def test_a_crisis_turn_and_a_pdf_over_one_kept_alive_connection(server):
    _process, port = server
    visitor = Visitor(port)
    html = visitor.page("GET", "/navi/")
    assert '<html lang="ja"' in html
    start = visitor.send("GET", "/navi/")
    assert "Content-Security-Policy" in start.headers and start.headers.get("Set-Cookie") is None

    html = visitor.page(
        "POST", "/navi/", {"state": STATE.search(html).group(1), "text": "もう消えたい", "action": "next"}
    )
    crisis, question = html.index('role="alert"'), html.index("どんなことで困っていますか")
    assert crisis < question and 'href="tel:110"' in html[crisis:question]

    html = visitor.page(
        "POST",
        "/navi/",
        {"state": STATE.search(html).group(1), "answer": ["debt_legal"], "action": "finish"},
    )
    assert 'value="pdf"' in html
    pdf = visitor.send("POST", "/navi/", {"state": STATE.search(html).group(1), "action": "pdf"})
    assert pdf.status == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-") and int(pdf.headers["Content-Length"]) == len(pdf.body)
    assert len(visitor.local_ports) == 1  # every request above went over the same connection


def test_static_files_and_a_refused_form(server):
    _process, port = server
    visitor = Visitor(port)
    html = visitor.page("GET", "/en/navi/")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    css = visitor.send("GET", stylesheet)
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css") and css.body
    forged = visitor.page("POST", "/en/navi/", {"state": "forged", "action": "next"})
    assert "<html" in forged and 'name="state"' in forged  # starts over, no server error


def _workers(process: subprocess.Popen) -> set[int]:
    text = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
    return {int(pid) for pid in text.split()}


def test_a_worker_that_dies_is_replaced(scratch, tmp_path):
    """As README's command says (``--respawn-failed-workers``; granian's default is not to): a worker
    killed outright is started again and the navigator keeps answering. (A server of its own: granian
    2.8.7 does not stop a worker that is still starting when the server is told to stop — README's
    ``--workers-kill-timeout`` bounds that wait.)"""
    process, port = _start(scratch[0], tmp_path / "stderr.txt")
    try:
        _replaced_after_kill(process, port)
    finally:
        _stop(process)


def _listening(port: int) -> int:
    """Listening TCP sockets on 127.0.0.1:``port`` (granian: one per worker, with SO_REUSEPORT)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1] == f"0100007F:{port:04X}" and row.split()[3] == "0A")


def _replaced_after_kill(process: subprocess.Popen, port: int) -> None:
    workers = _workers(process)
    assert len(workers) == 2 and _listening(port) == 2
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    # The replacement is listening once it has loaded the application (a second or two).
    while (now := _workers(process)) == workers or len(now) < 2 or victim in now or _listening(port) < 2:
        assert time.monotonic() < deadline, (
            f"workers {now} after killing {victim}; {_listening(port)} listening"
        )
        time.sleep(0.2)
    for attempt in range(6):  # a new connection each time, to whichever worker takes it
        try:
            assert "<html" in Visitor(port).page("GET", "/navi/")
        except ConnectionRefusedError:
            pytest.fail(
                f"refused at GET {attempt}: workers {_workers(process)}, {_listening(port)} listening"
            )


def test_workers_write_their_usage_counts_when_the_server_stops(scratch, server):
    _env, database = scratch
    process, port = server
    visitor = Visitor(port)
    for _ in range(3):  # three conversations begun in Vietnamese, which no other test here uses
        visitor.page("GET", "/vi/navi/")

    def counted(dimension: str, value: str) -> int | None:
        with sqlite3.connect(database) as db:
            return db.execute(
                "SELECT SUM(count) FROM navigator_usagecount WHERE dimension = ? AND value = ?",
                (dimension, value),
            ).fetchone()[0]

    assert counted("language", "vi") is None  # buffered in the workers while they run
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert counted("language", "vi") == 3
