"""Reading a respondents CSV for estimation, with errors that name the row and column (pure).

Rows are numbered from 1 for the first data row; the file line (header = line 1) is given too.
An empty cell is a missing value.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path


class DataError(ValueError):
    """The file cannot be used as asked; the message names the file, row and column."""


@dataclass(frozen=True)
class Table:
    """Columns of a CSV file by header name; every value is the cell's text."""

    path: str
    columns: dict[str, list[str]]
    n: int

    def column(self, name: str) -> list[str]:
        """The column ``name``; a DataError lists the available columns when it is absent."""
        if name not in self.columns:
            raise DataError(f"{self.path}: no column {name!r} (columns: {', '.join(self.columns)})")
        return self.columns[name]

    def numbers(self, name: str, *, missing_ok: bool = True, positive: bool = False) -> list[float]:
        """The column as floats (NaN for an empty cell when ``missing_ok``)."""
        out = []
        for row, text in enumerate(self.column(name), 1):
            where = f"{self.path}: row {row} (line {row + 1}), column {name!r}"
            if text.strip() == "":
                if not missing_ok:
                    raise DataError(f"{where}: missing value")
                out.append(math.nan)
                continue
            try:
                value = float(text)
            except ValueError:
                raise DataError(f"{where}: {text!r} is not a number") from None
            if math.isnan(value) or (positive and not (value > 0 and math.isfinite(value))):
                raise DataError(f"{where}: {text!r} must be a positive number")
            out.append(value)
        return out

    def labels(self, name: str, *, missing_ok: bool = True) -> list[str]:
        """The column as stripped text; an empty cell is an error unless ``missing_ok``."""
        values = [text.strip() for text in self.column(name)]
        if not missing_ok:
            for row, text in enumerate(values, 1):
                if text == "":
                    raise DataError(
                        f"{self.path}: row {row} (line {row + 1}), column {name!r}: missing value"
                    )
        return values


def read_table(path: str | Path) -> Table:
    """Read a UTF‑8 CSV (a BOM is allowed) with a header row; every row must have every column."""
    path = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise DataError(f"{path}: the file is empty (no header row)")
            header = [name.strip() for name in header]
            duplicates = sorted({name for name in header if header.count(name) > 1})
            if duplicates:
                raise DataError(f"{path}: duplicate column(s) {', '.join(duplicates)}")
            columns: dict[str, list[str]] = {name: [] for name in header}
            n = 0
            for line, cells in enumerate(reader, 2):
                if not cells:
                    continue
                if len(cells) != len(header):
                    raise DataError(
                        f"{path}: row {n + 1} (line {line}) has {len(cells)} cells, the header {len(header)}"
                    )
                n += 1
                for name, cell in zip(header, cells, strict=True):
                    columns[name].append(cell)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if n == 0:
        raise DataError(f"{path}: no data rows")
    return Table(path, columns, n)
