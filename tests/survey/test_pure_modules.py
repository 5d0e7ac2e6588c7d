"""The computing modules import without Django (a fresh interpreter checks sys.modules)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

PURE = [
    "scoring",
    "design",
    "variance",
    "calibration",
    "estimation",
    "tests_of_difference",
    "distributions",
    "csvdata",
    "published",
    "report",
]


def test_pure_modules_do_not_import_django():
    code = (
        "import sys\n"
        + "".join(f"import tsunagari.survey.{name}\n" for name in PURE)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": SRC}
    )
    assert result.returncode == 0, result.stderr
