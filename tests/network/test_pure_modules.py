"""The pure modules of the network app import nothing from Django (they run in fast unit tests
and can be reused anywhere)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "tsunagari.network.classes",
    "tsunagari.network.member_counts",
    "tsunagari.network.dedupe",
    "tsunagari.network.member_csv",
    "tsunagari.network.waitlist",
    "tsunagari.network.ical",
    "tsunagari.network.mail_outcome",
]


@pytest.mark.parametrize("module", PURE)
def test_imports_no_django(module):
    code = f"import sys, {module}; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
