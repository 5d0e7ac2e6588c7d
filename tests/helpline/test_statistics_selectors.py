"""The statistics' database reads, on hand-made contacts: which events decide a contact's field,
outcome, body and wait; days and hours in Asia/Tokyo; the period's edges; filters."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tsunagari.helpline import stats_selectors as sel
from tsunagari.helpline.models import (
    ConsultationRecord,
    Contact,
    ContactEvent,
    CoordinationCase,
    Field,
    PartnerBody,
)

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
K = ContactEvent.Kind
_keys = itertools.count()


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def setup():
    fields = {
        code: Field.objects.create(code=code, name=name, position=i)
        for i, (code, name) in enumerate(
            [("kids", "18歳以下"), ("lonely", "孤独・孤立"), ("crisis", "死にたい")]
        )
    }
    bodies = {name: PartnerBody.objects.create(name=name) for name in ("団体A", "団体B")}
    return fields, bodies


def contact(started_at, *events, channel="voice"):
    c = Contact.objects.create(channel=channel, provider_id=f"t{next(_keys)}", started_at=started_at)
    for offset, kind, extra in events:
        ContactEvent.objects.create(
            contact=c,
            kind=kind,
            at=started_at + timedelta(seconds=offset),
            event_key=f"k{next(_keys)}",
            **extra,
        )
    return c


def test_outcomes_fields_bodies_and_waits(setup):
    fields, bodies = setup
    a, b = bodies["団体A"], bodies["団体B"]
    t = jst(2023, 1, 1, 0, 30)  # 0時台 on 1 Jan in Tokyo = 15:30 UTC on 31 Dec
    contact(t, (0, K.OFFERED, {}), (5, K.MENU_CHOICE, {"field": fields["kids"]}),
            (6, K.QUEUED, {"field": fields["kids"], "body": a}),
            (40, K.ANSWERED, {"field": fields["kids"], "body": a, "wait_seconds": 34}))  # fmt: skip
    # chose a field, then another: the latest choice counts; abandoned after 100 s at body B
    contact(t, (0, K.OFFERED, {}), (5, K.MENU_CHOICE, {"field": fields["kids"]}),
            (9, K.MENU_CHOICE, {"field": fields["lonely"]}),
            (110, K.ABANDONED, {"field": fields["lonely"], "body": b, "wait_seconds": 100}))  # fmt: skip
    # busy message at body B: not connected, not abandoned, no wait
    contact(t, (0, K.OFFERED, {}), (5, K.MENU_CHOICE, {"field": fields["lonely"]}),
            (8, K.MESSAGE_PLAYED, {"field": fields["lonely"], "body": b}))  # fmt: skip
    # abandoned once, called back into the queue and answered by body A: connected, wait of the answer
    contact(t, (0, K.OFFERED, {}), (5, K.MENU_CHOICE, {"field": fields["crisis"]}),
            (60, K.ABANDONED, {"field": fields["crisis"], "body": b, "wait_seconds": 55}),
            (90, K.ANSWERED, {"field": fields["crisis"], "body": a, "wait_seconds": 20}))  # fmt: skip
    # hung up in the guidance; and a contact with no event at all
    contact(t, (0, K.OFFERED, {}), (4, K.COMPLETED, {}))
    contact(jst(2023, 1, 1, 23, 59, 59))

    report = sel.report(sel.Filter(date(2023, 1, 1), date(2023, 1, 1)))
    total = report.total
    assert (total.offered, total.connected, total.abandoned) == (6, 2, 1)
    assert total.answer_rate == Decimal("33.3")
    assert total.average_answer_wait == Decimal("27.0")  # (34 + 20) / 2
    assert total.average_wait == Decimal("51.3")  # (34 + 100 + 20) / 3
    assert [r.key for r in report.by_field] == ["kids", "lonely", "crisis", None]
    assert report.field("kids").offered == 1 and report.field("kids").connected == 1
    assert report.field("lonely").offered == 2 and report.field("lonely").abandoned == 1
    assert report.field("crisis").answer_rate == Decimal("100.0")
    assert report.field(None).offered == 2
    assert report.body(a.pk).offered == 2 and report.body(a.pk).connected == 2
    assert report.body(b.pk).offered == 2 and report.body(b.pk).connected == 0
    assert report.body(None).offered == 2
    assert report.hour(0).offered == 5 and report.hour(23).offered == 1
    assert [r.key for r in report.by_day] == [date(2023, 1, 1)]
    assert report.by_weekday[6].figures.offered == 6  # a Sunday


def test_period_edges_are_midnight_in_tokyo(setup):
    contact(jst(2022, 12, 27, 23, 59, 59))
    contact(jst(2022, 12, 28, 0, 0, 0))
    contact(jst(2023, 1, 4, 23, 59, 59))
    contact(jst(2023, 1, 5, 0, 0, 0))
    report = sel.report(sel.Filter(date(2022, 12, 28), date(2023, 1, 4)))
    assert report.total.offered == 2
    assert report.day(date(2022, 12, 28)).offered == 1 and report.day(date(2023, 1, 4)).offered == 1
    assert report.hour(0).offered == 1 and report.hour(23).offered == 1
    assert len(report.by_day) == 8


def test_filters_by_field_body_and_channel(setup):
    fields, bodies = setup
    a = bodies["団体A"]
    t = jst(2023, 2, 1, 12)
    contact(t, (5, K.MENU_CHOICE, {"field": fields["kids"]}),
            (30, K.ANSWERED, {"field": fields["kids"], "body": a, "wait_seconds": 25}))  # fmt: skip
    contact(t, (5, K.MENU_CHOICE, {"field": fields["lonely"]}), channel="line")
    contact(t)
    day = date(2023, 2, 1)
    assert sel.report(sel.Filter(day, day, field="kids")).total.offered == 1
    assert sel.report(sel.Filter(day, day, field="lonely")).total.offered == 1
    assert sel.report(sel.Filter(day, day, field=sel.NO_FIELD)).total.offered == 1
    assert sel.report(sel.Filter(day, day, field="unknown")).total.offered == 0
    assert sel.report(sel.Filter(day, day, body=a.pk)).total.connected == 1
    assert sel.report(sel.Filter(day, day, body=sel.NO_BODY)).total.offered == 2
    assert sel.report(sel.Filter(day, day, channel="line")).total.offered == 1
    with pytest.raises(ValueError):
        sel.Filter(day, day - timedelta(days=1))


def test_record_summary_counts_without_contents(setup, django_user_model):
    fields, _bodies = setup
    counsellor = django_user_model.objects.create_user("c1", password=None)
    t = jst(2023, 3, 1, 10)
    kids = contact(t, (5, K.MENU_CHOICE, {"field": fields["kids"]}))
    lonely = contact(t, (5, K.MENU_CHOICE, {"field": fields["lonely"]}))
    lonely_2 = contact(t, (5, K.MENU_CHOICE, {"field": fields["lonely"]}))
    lonely_3 = contact(t, (5, K.MENU_CHOICE, {"field": fields["lonely"]}))
    outside = contact(jst(2023, 3, 2, 10))
    for c, data, serious in (
        (kids, {"age_band": "under_20", "consultation_types": ["school", "family"]}, True),
        (lonely, {"age_band": "age_40s", "consultation_types": ["no_place_to_talk"]}, False),
        (lonely_2, {"age_band": "unknown", "summary": "free text is never read"}, False),
        (lonely_3, {"notes": "an older form without these keys"}, False),  # one record per contact
        (outside, {"age_band": "age_50s"}, True),
    ):
        record = ConsultationRecord.objects.create(
            contact=c, counsellor=counsellor, form_version="v1", data=data, serious=serious
        )
        if serious:
            CoordinationCase.objects.create(record=record)
    day = date(2023, 3, 1)
    summary = sel.record_summary(sel.Filter(day, day), band_order=["under_20", "age_40s"])
    assert summary.records == 4
    # "unknown" (不明) and a missing band are both "not estimated"
    assert [(s.key, s.count) for s in summary.age_bands] == [("under_20", 1), ("age_40s", 1), (None, 2)]
    assert {s.key: s.count for s in summary.types} == {"school": 1, "family": 1, "no_place_to_talk": 1}
    assert (summary.serious, summary.coordinated) == (1, 1)
    only_kids = sel.record_summary(sel.Filter(day, day, field="kids"))
    assert (only_kids.records, only_kids.coordinated) == (1, 1)
