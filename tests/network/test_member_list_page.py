"""The member list page's selector (``selectors.public_member_page``): the same rows in the same
order as ``public_members``, as plain cards with labels, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from tsunagari.network import selectors

from .factories import member, national_platform

pytestmark = pytest.mark.django_db
ON = date(2025, 1, 1)


@pytest.fixture
def platform():
    platform = national_platform()
    classes = ["member", "cooperating", "supporting"]
    for i in range(23):
        member(
            platform,
            f"団体{(i * 7) % 23:02d}",
            classes[i % 3],
            listed=i % 5 != 0,
            topics=["poverty", "loneliness"] if i % 2 else [],
            area_codes=["131016", "011011"] if i % 3 == 0 else [],
            nationwide=i % 3 == 1,
        )
    left = member(platform, "退会済み")
    type(left).objects.filter(pk=left.pk).update(left_on=date(2024, 4, 1))
    return platform


@pytest.mark.parametrize("member_class", [None, "member", "supporting"])
def test_pages_hold_the_same_rows_in_the_same_order_as_public_members(platform, member_class):
    expected = list(selectors.public_members(platform, ON, member_class))
    got = []
    for number in range(1, 5):
        page, cards = selectors.public_member_page(platform, ON, member_class, number, 5)
        if number > page.paginator.num_pages:
            break
        got += cards
    assert [c.name for c in got] == [m.body.name for m in expected]
    assert "退会済み" not in [c.name for c in got]
    assert page.paginator.count == len(expected)
    for card, membership in zip(got, expected, strict=True):
        body = membership.body
        assert card.class_label == membership.get_member_class_display()
        assert card.nationwide == body.nationwide
        assert card.topics == tuple(t.get_code_display() for t in body.topics.all())
        assert list(card.areas) == [str(a) for a in body.areas.order_by("code")]


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(platform, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as small:
        selectors.public_member_page(platform, ON, None, 1, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        _page, cards = selectors.public_member_page(platform, ON, None, 1, 50)
    assert len(cards) > 3


def test_an_out_of_range_page_is_the_last_page(platform):
    page, cards = selectors.public_member_page(platform, ON, None, "999", 5)
    assert page.number == page.paginator.num_pages and cards
    page, _cards = selectors.public_member_page(platform, ON, None, "abc", 5)
    assert page.number == 1
