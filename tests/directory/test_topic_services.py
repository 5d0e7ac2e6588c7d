"""``topic_service_ids`` (the navigator's per-topic filter in Python) against ``search_services``.

The two must return the same ids in the same order for every topic and every combination of the
navigator's conditions (age, area, channels, open at a minute), over the bundled national directory
plus services made here to reach what it lacks: areas (municipal, prefectural, a designated city's
ward), two accepted age ranges, an inactive service, fixed hours.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tsunagari.core.vocabulary import TOPICS
from tsunagari.directory.selectors.search import SearchError, SearchFilters, search_services
from tsunagari.directory.selectors.topic_services import topic_service_ids

from .factories import make_service

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")

AGES = [None, 0, 9, 13, 16, 18, 21, 35, 70, 80]
AREAS = [None, "13", "131016", "011011", "312011", "27"]
CHANNELS = [(), ("phone",), ("line", "chat"), ("in_person",), ("sms", "email")]
TIMES = [
    None,
    datetime(2026, 11, 24, 10, 30, tzinfo=TOKYO),  # Tuesday morning
    datetime(2026, 11, 29, 3, 0, tzinfo=TOKYO),  # Sunday night
]


def _extra_services() -> None:
    office_hours = {"rules": [{"days": "weekdays", "opens": "09:00", "closes": "17:00"}]}
    make_service("t-ts-city", "鳥取市テスト相談", area_code="312011", topics=("loneliness", "poverty"))
    make_service("t-ts-pref", "東京都テスト相談", area_code="13", topics=("loneliness",), channels=("line",))
    make_service("t-ts-ward", "札幌市テスト相談", area_code="011002", topics=("loneliness", "suicide"))
    make_service(
        "t-ts-young", "若者テスト相談", topics=("loneliness", "bullying_school"),
        audiences=("under18", "youth"), schedule=office_hours, channels=("chat", "phone"),
    )  # fmt: skip
    make_service(
        "t-ts-ages",
        "年齢テスト相談",
        topics=("loneliness",),
        audiences=("under18", "elderly"),
        maximum_age=90,
    )
    make_service("t-ts-closed", "休止テスト相談", topics=("loneliness",), status="inactive")
    make_service("t-ts-night", "夜間テスト相談", topics=("suicide",), schedule={"is_24h": True})


def _searched(topic, age, area, channels, at, limit):
    filters = SearchFilters(
        topics=[topic], age=age, area=area, channels=list(channels), open_now=at is not None
    )
    return tuple(h.service_id for h in search_services("", filters, limit=limit, now=at).hits)


@pytest.mark.parametrize("topic", [*TOPICS, "no_such_topic"])
def test_same_ids_in_the_same_order_as_the_search(topic):
    _extra_services()
    compared = matched = 0
    for age, area, channels, at in itertools.product(AGES, AREAS, CHANNELS, TIMES):
        # Every age and area with every time, channels rotated: each pair of conditions meets.
        if CHANNELS.index(channels) != (AGES.index(age) + AREAS.index(area)) % len(CHANNELS):
            continue
        for limit in (100, 3) if at is None else (100,):
            expected = _searched(topic, age, area, channels, at, limit)
            got = topic_service_ids(topic, age=age, area=area, channels=channels, at=at, limit=limit)
            assert got == expected, (topic, age, area, channels, at, limit)
            compared += 1
            matched += bool(expected)
    assert compared == len(AGES) * len(AREAS) * (len(TIMES) + 1)
    if topic in ("loneliness", "suicide"):
        assert matched > compared // 2  # the comparison is over real results, not empty lists


def test_made_services_are_found_under_their_conditions():
    _extra_services()
    from tsunagari.core.ids import as_uuid

    def ids(**conditions):
        return topic_service_ids("loneliness", limit=100, **conditions)

    city, pref, ward, young, ages, closed = (
        as_uuid("service", k)
        for k in ("t-ts-city", "t-ts-pref", "t-ts-ward", "t-ts-young", "t-ts-ages", "t-ts-closed")
    )
    assert city in ids(area="312011") and city not in ids(area="27") and city not in ids(area="31")
    assert pref in ids(area="131016") and pref not in ids(area="011011")
    assert ward in ids(area="011011")  # 札幌市中央区: the designated city's services serve it
    assert closed not in ids()
    assert ages in ids(age=8) and ages in ids(age=70) and ages not in ids(age=40)
    assert young in ids(age=16) and young not in ids(age=50)
    tuesday = datetime(2026, 11, 24, 10, 30, tzinfo=TOKYO)
    assert young in ids(at=tuesday) and young not in ids(at=tuesday.replace(hour=20))
    assert young in ids(channels=("chat",)) and young not in ids(channels=("line",))


def test_bad_conditions_are_refused_as_by_the_search():
    with pytest.raises(SearchError, match="area"):
        topic_service_ids("loneliness", area="999999", limit=10)
    with pytest.raises(SearchError, match="age"):
        topic_service_ids("loneliness", age=1000, limit=10)


def test_large_topics_and_unknown_channels_are_searched(monkeypatch):
    """A topic over ``MAX_KEPT`` documents is not kept but searched, with the same answers; so is a
    channel code outside the vocabulary."""
    from tsunagari.directory.selectors import topic_services

    _extra_services()
    monkeypatch.setattr(topic_services, "MAX_KEPT", 3)
    assert topic_services._kept("topic:loneliness") is None
    for age, area, channels, at in [
        (None, None, (), None),
        (16, "131016", ("phone",), TIMES[1]),
        (70, "27", (), None),
    ]:
        expected = _searched("loneliness", age, area, channels, at, 100)
        assert expected
        assert (
            topic_service_ids("loneliness", age=age, area=area, channels=channels, at=at, limit=100)
            == expected
        )
    monkeypatch.setattr(topic_services, "MAX_KEPT", 100_000)
    assert topic_service_ids("loneliness", channels=("carrier_pigeon",), limit=10) == ()
    assert topic_service_ids("loneliness", channels=("carrier_pigeon", "phone"), limit=100) == _searched(
        "loneliness", None, None, ("carrier_pigeon", "phone"), None, 100
    )
