"""``tsunagari helpline erlang|staff`` through the real entry point."""

from __future__ import annotations

import json

import pytest

from tsunagari.cli import main
from tsunagari.helpline.erlang import erlang_b


def _run(capsys, *argv):
    assert main(["helpline", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_erlang_b_blocking(capsys):
    data = _run(capsys, "erlang", "--model", "b", "--erlangs", "10", "--lines", "10")
    assert data["blocking_probability"] == pytest.approx(erlang_b(10, 10))
    assert data["answered_fraction"] == pytest.approx(1 - data["blocking_probability"])


def test_erlang_c_unstable_queue_is_reported_without_infinities(capsys):
    data = _run(capsys, "erlang", "--model", "c", "--erlangs", "12", "--lines", "10")
    assert data["stable"] is False and data["mean_wait_sec"] is None and data["wait_probability"] == 1.0


def test_erlang_a_service_level(capsys):
    data = _run(
        capsys, "erlang", "--model", "a", "--erlangs", "8", "--lines", "10", "--aht-sec", "300",
        "--patience-sec", "60", "--answer-within-sec", "20",
    )  # fmt: skip
    assert 0 < data["abandon_probability"] < 0.1 and 0 < data["service_level"] < 1


def test_staff_gives_the_smallest_number_of_lines(capsys):
    data = _run(
        capsys, "staff", "--model", "b", "--calls-per-hour", "60", "--aht-sec", "600", "--target", "0.99"
    )  # fmt: skip
    assert data["lines"] == 18  # 10 erlangs at 1 % blocking: the textbook 18 lines
    assert erlang_b(10, 17) > 0.01 >= erlang_b(10, 18)


def test_bad_input_is_a_clear_error(capsys):
    with pytest.raises(SystemExit, match="patience_sec is required"):
        main(["helpline", "erlang", "--model", "a", "--erlangs", "5", "--lines", "6"])
