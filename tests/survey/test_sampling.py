"""Proportional allocation, reproducible draws and access codes (pure)."""

from __future__ import annotations

from collections import Counter

import pytest

from tsunagari.survey import sampling


def test_proportional_allocation_by_largest_remainder():
    assert sampling.allocate({"A": 600, "B": 300, "C": 100}, 10) == {"A": 6, "B": 3, "C": 1}
    # quotas 3.33 / 3.33 / 3.33: the leftover unit goes to the first name among equal remainders
    assert sampling.allocate({"b": 10, "a": 10, "c": 10}, 10) == {"b": 3, "a": 4, "c": 3}
    allocation = sampling.allocate({"x": 7, "y": 2, "z": 1}, 5)
    assert sum(allocation.values()) == 5 and allocation == {"x": 4, "y": 1, "z": 0}


def test_allocation_errors():
    with pytest.raises(sampling.SamplingError, match="larger than the frame"):
        sampling.allocate({"A": 3}, 4)
    with pytest.raises(sampling.SamplingError, match="at least 1"):
        sampling.allocate({"A": 3}, 0)


def test_draw_is_reproducible_and_follows_the_allocation():
    strata = ["A"] * 60 + ["B"] * 30 + ["C"] * 10
    allocation, rows = sampling.draw(strata, 20, seed=2023)
    assert allocation == {"A": 12, "B": 6, "C": 2}
    assert Counter(strata[i] for i in rows) == allocation
    assert rows == sorted(set(rows))
    assert sampling.draw(strata, 20, seed=2023) == (allocation, rows)
    assert sampling.draw(strata, 20, seed=2024)[1] != rows


def test_access_codes():
    codes = {sampling.new_access_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert len(code) == 14 and code.count("-") == 2
    plain = code.replace("-", "")
    typed = "".join(chr(ord(c) + 0xFEE0) for c in plain.lower())  # full-width, lower case
    assert sampling.normalise_code(typed) == plain
    assert sampling.normalise_code(f" {code.lower()} ") == plain
    assert sampling.normalise_code("ABCD-EFGH-IJK0") is None  # I and 0 are not in the alphabet
    assert sampling.normalise_code("short") is None
    assert sampling.hash_code(plain, b"k1") != sampling.hash_code(plain, b"k2")
    assert plain not in sampling.hash_code(plain, b"k1")
