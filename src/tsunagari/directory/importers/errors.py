"""Validation errors shared by every importer (pure; no Django).

An importer collects *all* problems of a file as ``RowError`` values and raises them together as one
``ImportValidationError``; it never returns a partial result. ``row`` is 1-based and its meaning is
fixed by each importer's docstring (for CSV: the record number, header = 1); 0 means the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One problem: which file, which row and column, and why."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" if self.row else self.file
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.reason}"


class ImportValidationError(ValueError):
    """Raised with every ``RowError`` found; the message lists them, one per line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''}:"]
        lines += [f"  {error}" for error in self.errors]
        super().__init__("\n".join(lines))
