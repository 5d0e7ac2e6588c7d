"""Run a Python snippet in a new process with the project's settings: for checks of what a process
does at start (settings read from the environment, what loading the application loads)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def run_snippet(script: str, env: dict[str, str]) -> tuple[dict, subprocess.CompletedProcess]:
    """Run ``script`` with ``python -c`` in ``env`` (project settings, a test secret key and ``src``
    on the path added); the last line of its output that starts with ``{``, parsed as JSON ({} when
    there is none), and the finished process."""
    full = dict(
        env,
        DJANGO_SETTINGS_MODULE="tsunagari.settings",
        SECRET_KEY="test-" + "k" * 60,
        PYTHONPATH=str(SRC),
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], env=full, capture_output=True, text=True, timeout=180
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return (json.loads(lines[-1]) if lines else {}), proc


def environment(**values: str) -> dict[str, str]:
    """This process's environment with ``values`` set."""
    return dict(os.environ, **values)
