"""Reading an operator's CSV file with every problem reported as row, column and reason (pure).

Unlike :func:`tsunagari.survey.csvdata.read_table`, which stops at the first error of a data set
for estimation, this reader is for files that are imported all or nothing (a sampling frame, the
mail‑in answers): it collects every problem so that one validation report lists them all.
Rows are numbered from 1 for the first data row (the header is line 1 of the file).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class RowProblem:
    """One problem: ``row`` 0 means the file or its header; ``column`` may be empty."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row} (line {self.row + 1})"
        return f"{where}, column {self.column!r}: {self.reason}" if self.column else f"{where}: {self.reason}"


class ValidationReport(ValueError):
    """The file was refused; ``problems`` lists every problem found (nothing was written)."""

    def __init__(self, path: str, problems: list[RowProblem]):
        self.path, self.problems = path, sorted(problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"{path}: {p}" for p in self.problems)
        )


def read_rows(
    path: str | Path, required: tuple[str, ...] = (), not_empty: tuple[str, ...] = ()
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows (dicts of stripped cells) of a UTF‑8 CSV (BOM allowed).

    Raises :class:`ValidationReport` for a missing or unreadable file, an empty file, duplicate or
    missing ``required`` columns, rows whose number of cells differs from the header's, or empty
    cells in the ``not_empty`` columns — all of them at once. Blank lines are skipped.
    """
    path = str(path)
    problems: list[RowProblem] = []
    rows: list[dict[str, str]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                number = len(rows) + 1
                if len(cells) != len(header):
                    problems.append(
                        RowProblem(number, "", f"{len(cells)} cells, the header has {len(header)}")
                    )
                row = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
                problems.extend(
                    RowProblem(number, c, "empty cell") for c in not_empty if c in row and not row[c]
                )
                rows.append(row)
    except FileNotFoundError:
        raise ValidationReport(path, [RowProblem(0, "", "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise ValidationReport(
            path, [RowProblem(0, "", f"not UTF-8 ({exc.reason} at byte {exc.start})")]
        ) from None
    except csv.Error as exc:
        raise ValidationReport(path, [RowProblem(0, "", f"not a readable CSV file ({exc})")]) from None
    if not header or header == [""]:
        raise ValidationReport(path, [RowProblem(0, "", "the file is empty (no header row)")])
    for name in sorted({n for n in header if header.count(n) > 1}):
        problems.append(RowProblem(0, name, "duplicate column"))
    for name in required:
        if name not in header:
            problems.append(RowProblem(0, name, f"missing column (columns: {', '.join(header)})"))
    if not rows:
        problems.append(RowProblem(0, "", "no data rows"))
    if problems:
        raise ValidationReport(path, problems)
    return header, rows
