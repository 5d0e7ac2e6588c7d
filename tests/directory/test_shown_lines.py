"""Crisis and youth lines compare by what the pages show of them, not by the services' ids alone."""

from __future__ import annotations

import pytest

from tsunagari.directory.models import Phone
from tsunagari.directory.selectors.services import crisis_lines, youth_lines
from tsunagari.directory.shown_lines import ShownLines

pytestmark = pytest.mark.django_db


def _with_phone(lines: ShownLines) -> int:
    return next(i for i, line in enumerate(lines) if line.phones.all())


def test_lines_read_twice_are_equal_and_hash_alike():
    first, again = crisis_lines(), crisis_lines()  # caching is off in tests: read twice
    assert first is not again and len(first) >= 2
    assert first == again and hash(first) == hash(again)
    assert {first: "kept"}[again] == "kept"


def test_a_changed_number_or_name_makes_the_lines_unequal():
    before = crisis_lines()
    line = before[_with_phone(before)]
    phone = line.phones.all()[0]
    Phone.objects.filter(pk=phone.pk).update(number="0120-000-000")
    renumbered = crisis_lines()
    assert [s.pk for s in renumbered] == [s.pk for s in before]  # the same services, by id
    assert renumbered != before
    type(line).objects.filter(pk=line.pk).update(name="改名した窓口")
    assert crisis_lines() != renumbered


def test_other_order_or_other_lines_are_unequal():
    lines = crisis_lines()
    assert ShownLines(reversed(lines)) != lines
    assert ShownLines(lines[:-1]) != lines
    assert lines != tuple(lines)  # a plain tuple of the same services is not what was shown


def test_joined_lines_stay_shown_lines():
    youth, lines = youth_lines(), crisis_lines()
    joined = youth + [line for line in lines if line not in youth]
    assert isinstance(joined, ShownLines)
    assert list(joined) == [*youth, *(line for line in lines if line not in youth)]
    assert joined.shown[: len(youth)] == youth.shown
