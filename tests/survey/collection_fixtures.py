"""Shared helpers for the collection tests: a small synthetic instrument with skip logic, frames.

The toy instrument's wording is test data ("Q1 …"), not survey wording.
"""

from __future__ import annotations

import csv
from pathlib import Path

TOY = """
instrument: toy
version: 1
title: {ja: テスト調査, en: Test survey}
languages: [ja, en]
questions:
  - code: worried
    label: filter
    type: single
    text: {ja: 質問1, en: Question 1}
    options:
      - {code: "1", label: {ja: はい, en: "Yes"}}
      - {code: "2", label: {ja: いいえ, en: "No"}}
  - code: followup
    label: asked only if worried
    type: single
    text: {ja: 質問2}
    ask_if: [{question: worried, any_of: ["1"]}]
    options:
      - {code: a, label: {ja: 選択肢A}}
      - {code: b, label: {ja: 選択肢B}}
  - code: events
    label: multi
    type: multi
    heading: {ja: 質問3}
    options:
      - {code: x, label: {ja: 出来事X}}
      - {code: "y", label: {ja: 出来事Y}}
      - {code: none, label: {ja: 特になし}, exclusive: true}
  - code: undocumented
    label: not asked (options incomplete)
    type: single
    heading: {ja: 質問4}
    options_complete: false
    options:
      - {code: p, label: {ja: 選択肢P}}
"""


def write_toy(directory: Path, text: str = TOY, name: str = "toy_v1.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def write_frame(path: Path, strata: dict[str, int]) -> Path:
    """A synthetic resident-register extract: id, name, address, district (the stratum)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["resident_id", "name", "address", "district"])
        number = 0
        for district, count in strata.items():
            for _ in range(count):
                number += 1
                writer.writerow([f"R{number:05d}", f"氏名{number}", f"住所{number}", district])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
