"""Anonymous usage counts: each event once per conversation, aggregated per day, nothing personal."""

from __future__ import annotations

import pytest

from tests.navigator.turns import turn
from tsunagari.navigator import usage
from tsunagari.navigator.models import UsageCount

pytestmark = pytest.mark.django_db


def _counts() -> dict[tuple[str, str], int]:
    usage.flush()
    return {(row.dimension, row.value): row.count for row in UsageCount.objects.all()}


def test_a_conversation_is_counted_once_per_event(client):
    usage.flush()
    UsageCount.objects.all().delete()
    html = client.get("/en/navi/").content.decode()
    html = turn(client, html, "/en/navi/", answer="age30_64")
    html = turn(client, html, "/en/navi/", action="back")
    html = turn(client, html, "/en/navi/", answer="age30_64")
    html = turn(client, html, "/en/navi/", answer=["poverty"], text="死にたい", action="finish")
    turn(client, html, "/en/navi/", action="stay")
    counts = _counts()
    assert counts[("language", "en")] == 1
    assert counts[("step", "age")] == 1 and counts[("step", "topics")] == 1  # back and forth: once
    assert counts[("step", "result")] == 1  # shown twice, counted once
    assert counts[("crisis_shown", "yes")] == 1
    assert counts[("topic", "poverty")] == 1 and counts[("topic", "suicide")] == 1
    assert not any("死にたい" in value for _dim, value in counts)  # free text is never stored


def test_counts_add_up_across_conversations(client):
    usage.flush()
    UsageCount.objects.all().delete()
    for _ in range(3):
        client.get("/navi/")
    assert _counts()[("step", "age")] == 3


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="unknown usage dimension"):
        usage.count([("person", "someone")])


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC"])
def test_today_is_localdate_and_turns_at_local_midnight(monkeypatch, zone):
    import time as clock
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    tz = ZoneInfo(zone)
    before = datetime(2026, 3, 31, 23, 59, 59, 500000, tzinfo=tz).timestamp()

    def at(moment: float) -> None:
        monkeypatch.setattr(clock, "time", lambda: moment)
        monkeypatch.setattr(timezone, "now", lambda: datetime.fromtimestamp(moment, tz=ZoneInfo("UTC")))

    with timezone.override(tz):
        at(before)
        assert usage.today() == timezone.localdate().isoformat() == "2026-03-31"
        at(before + 0.4)
        assert usage.today() == "2026-03-31"  # the kept day
        at(before + 0.5)  # local midnight
        assert usage.today() == timezone.localdate().isoformat() == "2026-04-01"
        at(before)  # a clock set back
        assert usage.today() == "2026-03-31"
    with timezone.override(ZoneInfo("America/Los_Angeles")):  # another zone is worked out anew
        assert usage.today() == timezone.localdate().isoformat() == "2026-03-31"
