"""Target of the child processes of ``test_usage_exit`` (importable without Django set up)."""

from __future__ import annotations

from pathlib import Path


def end_with_counts_buffered(marker: str) -> None:
    """Stand in a fake ``usage.flush`` that leaves ``marker`` behind, then end the process."""
    from tsunagari.navigator import usage

    def flush() -> int:
        Path(marker).write_text("flushed", encoding="utf-8")
        return 0

    usage.flush = flush


def report_buffered(marker: str) -> None:
    """Write how many counts this (forked) process holds in its buffer to ``marker``."""
    from tsunagari.navigator import usage

    Path(marker).write_text(str(sum(usage._pending.values())), encoding="utf-8")
