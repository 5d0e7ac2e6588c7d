"""Certificate verification codes and the completion rule (pure modules, no database)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from tsunagari.network import certificate_codes as codes
from tsunagari.network import training_rules
from tsunagari.network.training_rules import Attendance


@pytest.mark.parametrize(
    "module", ["tsunagari.network.certificate_codes", "tsunagari.network.training_rules"]
)
def test_pure_modules_import_no_django(module):
    code = f"import sys, {module}; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_generated_codes_are_long_random_and_self_checking():
    drawn = [codes.generate() for _ in range(2000)]
    assert len(set(drawn)) == len(drawn)
    for code in drawn:
        assert len(code) == 16
        assert set(code) <= set(codes.ALPHABET)
        assert codes.normalise(code) == code
    # every symbol of the alphabet turns up in every body position over enough draws: no fixed parts
    for position in range(codes.BODY_LENGTH):
        assert len({code[position] for code in drawn}) == 32


def test_every_single_wrong_symbol_is_detected():
    code = codes.generate()
    for position in range(codes.LENGTH):
        for symbol in codes.ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1 :]
            with pytest.raises(codes.CodeError) as error:
                codes.normalise(typo)
            assert error.value.reason == "check"


def test_neighbour_swaps_are_detected_except_zero_and_z():
    missed = []
    for first in codes.ALPHABET:
        for second in codes.ALPHABET:
            if first == second:
                continue
            for at in (0, 7, 13):
                body = ("M" * at + first + second).ljust(codes.BODY_LENGTH, "M")
                swapped = ("M" * at + second + first).ljust(codes.BODY_LENGTH, "M")
                if codes.check_symbol(body) == codes.check_symbol(swapped):
                    missed.append({first, second})
    assert missed and all(pair == {"0", "Z"} for pair in missed)


def test_normalise_forgives_how_people_type_codes():
    code = codes.generate()
    shown = codes.display(code)
    assert shown.count("-") == 3 and shown.replace("-", "") == code
    assert codes.normalise(shown.lower()) == code
    assert codes.normalise(" ".join(shown.split("-"))) == code
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "ー" for c in shown)
    assert codes.normalise(full_width) == code
    code = "0" + "1" * 14
    code += codes.check_symbol(code)
    assert codes.normalise("o" + "iL" * 7 + code[-1]) == code


@pytest.mark.parametrize(
    ("text", "reason"), [("", "length"), ("ABCD-EFGH", "length"), ("ABCD-EFGH-JKMN-PQU5", "symbol")]
)
def test_malformed_codes_say_why(text, reason):
    with pytest.raises(codes.CodeError) as error:
        codes.normalise(text)
    assert error.value.reason == reason


def test_completion_needs_every_required_part():
    rows = [
        Attendance("Hana@Example.jp", 1, date(2026, 5, 10)),
        Attendance("hana@example.jp", 2, date(2026, 5, 17)),
        Attendance("hana@example.jp", 2, date(2026, 5, 31)),  # a repeat does not move the date
        Attendance("taro@example.jp", 1, date(2026, 5, 10)),
        Attendance("taro@example.jp", 3, date(2026, 5, 24)),  # optional part
    ]
    progress = training_rules.progress([1, 2], rows)
    assert progress["hana@example.jp"].completed_on == date(2026, 5, 17)
    assert progress["hana@example.jp"].missing_parts == frozenset()
    taro = progress["taro@example.jp"]
    assert not taro.completed and taro.missing_parts == frozenset({2})
    assert taro.attended_parts == frozenset({1, 3})


def test_a_course_without_required_parts_is_never_completed():
    progress = training_rules.progress([], [Attendance("a@example.jp", 1, date(2026, 5, 1))])
    assert not progress["a@example.jp"].completed


def test_the_example_code_shown_to_people_is_well_formed():
    assert codes.normalise("7KQ2-M9XD-4TFB-R8HD") == "7KQ2M9XD4TFBR8HD"
