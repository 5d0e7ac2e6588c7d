"""``manage.py check --deploy`` passes with no warnings under the production settings
(``TSUNAGARI_PRODUCTION=1``), and those settings refuse to start without a proper SECRET_KEY."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(tmp_path, *args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TSUNAGARI_", "DJANGO_")) and key not in ("SECRET_KEY", "DATABASE_URL")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tsunagari.settings",
        PYTHONPATH=str(SRC),
        TSUNAGARI_DATA_DIR=str(tmp_path),
        TSUNAGARI_PRODUCTION="1",
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings_in_production(tmp_path):
    result = _run(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(60)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_settings_turn_on_https_only_settings(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.DEBUG)"
    )
    result = _run(tmp_path, "shell", "-c", code, SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "True", "True", "True", "False"]


def test_production_refuses_a_missing_or_short_secret_key(tmp_path):
    for key in ("", "too-short"):
        result = _run(tmp_path, "check", SECRET_KEY=key)
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


def test_without_production_the_deploy_check_warns(tmp_path):
    result = _run(
        tmp_path, "check", "--deploy", TSUNAGARI_PRODUCTION="0", SECRET_KEY=secrets.token_urlsafe(60)
    )
    assert "security.W004" in result.stderr + result.stdout  # no HSTS: the test above could fail
