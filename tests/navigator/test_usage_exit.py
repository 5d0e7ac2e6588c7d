"""Buffered usage counts are written when a server worker ends, whatever kind of process it is.

gunicorn's workers end as ordinary interpreters (``atexit`` runs); granian's are started by
:mod:`multiprocessing` and leave through ``os._exit``, where only multiprocessing's finalizers run —
with the ``atexit`` registration alone their last seconds of counts were lost at every shutdown
(seen with a real granian server; ``tests/core/test_production_server.py`` checks that end to end).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest

from tests.navigator.exit_flush_child import end_with_counts_buffered, report_buffered
from tsunagari.navigator import usage


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_multiprocessing_child_flushes_when_it_ends(tmp_path, method):
    # fork: the module was imported by this (parent) process, whose finalizers the child forgets;
    # spawn: the child imports it itself.
    marker = tmp_path / "flushed"
    child = multiprocessing.get_context(method).Process(target=end_with_counts_buffered, args=(str(marker),))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert marker.read_text(encoding="utf-8") == "flushed"


def test_an_ordinary_interpreter_flushes_when_it_ends(tmp_path):
    marker = tmp_path / "flushed"
    code = (
        "import sys; from tests.navigator.exit_flush_child import end_with_counts_buffered; "
        "end_with_counts_buffered(sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, str(marker)], check=True, timeout=60)
    assert marker.read_text(encoding="utf-8") == "flushed"


@pytest.mark.parametrize("method", ["os.fork", "multiprocessing"])
def test_a_forked_child_does_not_write_its_parents_counts(tmp_path, method):
    """Both would write them otherwise (the child at its exit, the parent at its next flush)."""
    key = ("1999-01-01", "step", "forked-child-test")  # a key no other test counts
    usage._pending[key] += 2
    marker = tmp_path / "buffered"
    try:
        if method == "os.fork":
            pid = os.fork()
            if pid == 0:  # the child: report, then leave without running the parent's test machinery
                try:
                    report_buffered(str(marker))
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
        else:
            child = multiprocessing.get_context("fork").Process(target=report_buffered, args=(str(marker),))
            child.start()
            child.join(60)
        assert marker.read_text(encoding="utf-8") == "0"
        assert usage._pending[key] == 2  # the parent keeps its own
    finally:
        usage._pending.pop(key, None)
