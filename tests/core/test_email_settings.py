"""E-mail settings: files in the data dir unless an SMTP host is configured (a fresh portal must not
try to reach an SMTP server that is not there; production sets a host)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.core.django_process import run_snippet

SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.mail import send_mail
send_mail("件名", "本文", None, ["someone@example.org"])
print(json.dumps({"backend": settings.EMAIL_BACKEND, "port": getattr(settings, "EMAIL_PORT", None),
                  "tls": settings.EMAIL_USE_TLS, "from": settings.DEFAULT_FROM_EMAIL}))
"""


def settings_in(tmp_path: Path, **env: str) -> tuple[dict, subprocess.CompletedProcess]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGARI_EMAIL")}
    return run_snippet(SCRIPT, dict(clean, TSUNAGARI_DATA_DIR=str(tmp_path), **env))


def test_without_a_host_mail_is_written_to_files_in_the_data_dir(tmp_path):
    found, proc = settings_in(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert found["backend"] == "django.core.mail.backends.filebased.EmailBackend"
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1 and "someone@example.org" in files[0].read_text(encoding="utf-8")


def test_a_configured_host_sends_through_smtp(tmp_path):
    # port 9 on loopback refuses the connection: the SMTP backend is really used (and fails loudly)
    _found, proc = settings_in(
        tmp_path, TSUNAGARI_EMAIL_HOST="127.0.0.1", TSUNAGARI_EMAIL_PORT="9", TSUNAGARI_EMAIL_FROM="a@b.jp"
    )
    assert proc.returncode != 0 and "ConnectionRefusedError" in proc.stderr
    assert not (tmp_path / "mail").exists()
