"""Scenario data: the four #9999 trials' published aggregates turned into contacts and events.

``data/trials.yaml`` holds each trial's published figures (with their source) and the constructed
per-field counts that reproduce them (labelled as scenario data, not published facts). This module

- reads it (:func:`trials`, :func:`trial`),
- plans one synthetic call per published call, deterministically (:func:`plan`: pure Python, no
  Django): which field, connected / abandoned / busy message / hung up in the guidance, when (spread
  over the period's days and hours in Asia/Tokyo), how long the wait;
- writes the plan to the database (:func:`load`): fields, synthetic partner bodies, ``Contact`` and
  append-only ``ContactEvent`` rows, consultation records and coordination cases. Loading the same
  trial twice changes nothing.

No personal data is generated: contacts carry no caller key, records hold only an estimated age band
and consultation types.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "trials.yaml"
TOKYO = ZoneInfo("Asia/Tokyo")
PROVIDER_PREFIX = "scenario"
FORM_VERSION = "v1"  # the common record form (data/record_forms/v1.yaml)
COUNSELLOR_USERNAME = "scenario-counsellor"
_NAMESPACE = uuid.UUID("6f1d8f1e-8a53-4c1b-9a57-9999c0ffee00")

ANSWERED, ABANDONED, MESSAGE, GUIDANCE = "answered", "abandoned", "message", "guidance"


@dataclass(frozen=True)
class FieldCounts:
    offered: int
    connected: int


@dataclass(frozen=True)
class Trial:
    """One trial: published figures and the constructed scenario (see ``trials.yaml``)."""

    id: str
    name: str
    first: date
    last: date
    offered: int
    connected: int
    answer_rate: Decimal
    field_rates: dict[str, Decimal]
    field_offered: dict[str, int]
    serious_cases: int
    fields_selectable: int
    scenario_fields: dict[str, FieldCounts]
    unselected: int
    raw: dict

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@cache
def _data() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def field_definitions() -> dict[str, dict]:
    """Field code → {name, position, crisis, general} as defined in ``trials.yaml``."""
    return _data()["fields"]


def age_bands() -> list[str]:
    return list(_data()["age_bands"])


def placement() -> dict:
    return _data()["placement"]


def trials() -> list[Trial]:
    """Every trial, in the order they were held, validated against their published totals."""
    return [_trial(raw) for raw in _data()["trials"]]


def trial(trial_id: str) -> Trial:
    for t in trials():
        if t.id == trial_id:
            return t
    raise KeyError(f"unknown trial: {trial_id}")


def _trial(raw: dict) -> Trial:
    published, scenario, dates = raw["published"], raw["scenario"], raw["dates"]
    fields = {
        code: FieldCounts(int(c["offered"]), int(c["connected"])) for code, c in scenario["fields"].items()
    }
    t = Trial(
        id=raw["id"],
        name=raw["name"],
        first=_as_date(dates["scenario_start"]),
        last=_as_date(dates["scenario_end"]),
        offered=int(published["offered"]),
        connected=int(published["connected"]),
        answer_rate=Decimal(published["answer_rate"]),
        field_rates={k: Decimal(v) for k, v in published.get("field_rates", {}).items()},
        field_offered={k: int(v) for k, v in published.get("field_offered", {}).items()},
        serious_cases=int(published["serious_cases_coordinated"]),
        fields_selectable=int(published["fields_selectable"]),
        scenario_fields=fields,
        unselected=int(scenario["unselected"]),
        raw=raw,
    )
    _check(t)
    return t


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _check(t: Trial) -> None:
    """The scenario must add up to the published totals (a broken data file fails loudly)."""
    where = f"trials.yaml, trial {t.id}"
    if not t.raw["scenario"].get("constructed"):
        raise ValueError(f"{where}: scenario data must be labelled constructed: true")
    if sum(c.offered for c in t.scenario_fields.values()) + t.unselected != t.offered:
        raise ValueError(f"{where}: scenario calls do not add up to the published {t.offered}")
    if sum(c.connected for c in t.scenario_fields.values()) != t.connected:
        raise ValueError(f"{where}: scenario connected calls do not add up to the published {t.connected}")
    if len(t.scenario_fields) != t.fields_selectable:
        raise ValueError(f"{where}: {len(t.scenario_fields)} fields, published {t.fields_selectable}")
    unknown = set(t.scenario_fields) - set(field_definitions())
    if unknown:
        raise ValueError(f"{where}: unknown field codes {sorted(unknown)}")
    for code, counts in t.scenario_fields.items():
        if not 0 <= counts.connected <= counts.offered:
            raise ValueError(f"{where}: field {code}: connected must be between 0 and offered")
    for code, offered in t.field_offered.items():
        if t.scenario_fields[code].offered != offered:
            raise ValueError(f"{where}: field {code}: published offered is {offered}")
    if t.last < t.first:
        raise ValueError(f"{where}: the period ends before it starts")


# --- the plan (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCall:
    """One synthetic call of a trial."""

    index: int
    started_at: datetime  # aware, Asia/Tokyo
    field: str | None
    outcome: str  # ANSWERED, ABANDONED, MESSAGE (all lines busy) or GUIDANCE (hung up, no field)
    wait_seconds: int | None
    serious: bool = False


def _interleave(buckets: Sequence[tuple[object, int]]) -> list[object]:
    """Every bucket's items spread evenly over one sequence: item j of a bucket of n sits at
    (j + ½) / n; ties keep the buckets' order. Deterministic."""
    keyed = [((2 * j + 1) / (2 * n), b, key) for b, (key, n) in enumerate(buckets) if n > 0 for j in range(n)]
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [key for _pos, _b, key in keyed]


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` by ``weights`` with the largest-remainder method (ties: earlier first)."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than 0")
    quotas = [total * w for w in weights]
    counts = [q // weight_sum for q in quotas]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] % weight_sum), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def _start_times(t: Trial, total: int) -> Iterator[datetime]:
    weights = placement()["hour_weights"]
    slots = [(day, hour) for day in t.days for hour in range(24)]
    counts = apportion(total, [weights[hour] for _day, hour in slots])
    for (day, hour), n in zip(slots, counts, strict=True):
        base = datetime.combine(day, time(hour), TOKYO)
        for j in range(n):
            yield base + timedelta(seconds=(j * 3600) // n)


def plan(t: Trial) -> list[PlannedCall]:
    """One planned call per published call, in time order (see ``placement`` in trials.yaml)."""
    p = placement()
    abandon_num, abandon_den = p["abandoned_share_of_unanswered"]
    buckets: list[tuple[tuple[str | None, str], int]] = []
    for code, counts in t.scenario_fields.items():
        unanswered = counts.offered - counts.connected
        abandoned = unanswered * abandon_num // abandon_den
        buckets += [
            ((code, ANSWERED), counts.connected),
            ((code, ABANDONED), abandoned),
            ((code, MESSAGE), unanswered - abandoned),
        ]
    buckets.append(((None, GUIDANCE), t.unselected))
    sequence = _interleave(buckets)
    answered_positions = [i for i, (_f, outcome) in enumerate(sequence) if outcome == ANSWERED]
    serious = set()
    if t.serious_cases:
        n = len(answered_positions)
        serious = {
            answered_positions[((2 * j + 1) * n) // (2 * t.serious_cases)] for j in range(t.serious_cases)
        }
    aw, bw = p["answered_wait"], p["abandoned_wait"]
    k_answered = k_abandoned = 0
    calls = []
    for i, ((code, outcome), started_at) in enumerate(
        zip(sequence, _start_times(t, len(sequence)), strict=True)
    ):
        wait = None
        if outcome == ANSWERED:
            wait = aw["base"] + (aw["step"] * k_answered) % aw["modulus"]
            k_answered += 1
        elif outcome == ABANDONED:
            wait = bw["base"] + (bw["step"] * k_abandoned) % bw["modulus"]
            k_abandoned += 1
        calls.append(PlannedCall(i, started_at, code, outcome, wait, i in serious))
    return calls


SYNTHETIC_TEXT = "（シナリオの合成データ。相談の内容はありません）"


def _record(call: PlannedCall, age_band: str, types: list[str]) -> dict:
    """A record of the common form v1 that holds nothing personal (see ``record_form`` in the data)."""
    return {
        "age_band": age_band,
        "gender": "unknown",
        "field": call.field,
        "consultation_types": types,
        "risk": "high" if call.serious else "low",
        "summary": SYNTHETIC_TEXT,
        "actions": SYNTHETIC_TEXT,
        "referral_needed": call.serious,
        "referral_to": "（シナリオ）地域の支援機関" if call.serious else "",
    }


def _spread(candidates: Sequence[int], count: int) -> list[int]:
    """``count`` items evenly spaced through ``candidates``."""
    n = len(candidates)
    if count > n:
        raise ValueError("more items wanted than there are candidates")
    return [candidates[((2 * j + 1) * n) // (2 * count)] for j in range(count)]


def record_data(t: Trial, calls: Sequence[PlannedCall]) -> dict[int, dict]:
    """Consultation record contents (common form v1) by call index.

    For a trial whose scenario has ``records: all_connected`` every connected call gets a record
    with an estimated age band and consultation types in the trial's constructed numbers: each
    record has one main type (the types' counts apportioned over the records), then further types
    are added to evenly spread records until every type has its count. Otherwise only the serious
    calls get a record, with age band "unknown" and type "other" (nothing is published about them).
    """
    scenario = t.raw["scenario"]
    by_index = {c.index: c for c in calls}
    if scenario.get("records") != "all_connected":
        return {c.index: _record(c, "unknown", ["other"]) for c in calls if c.serious}
    connected = [c.index for c in calls if c.outcome == ANSWERED]
    n = len(connected)
    bands = age_bands()
    percent = scenario["age_band_percent"]
    band_of = _interleave(list(zip(bands, apportion(n, [percent.get(b, 0) for b in bands]), strict=True)))
    targets: dict[str, int] = dict(scenario["consultation_types"])
    if any(count > n for count in targets.values()) or sum(targets.values()) < n:
        raise ValueError(f"trials.yaml, trial {t.id}: type counts must be between the records and all")
    main = apportion(n, list(targets.values()))
    types: list[list[str]] = [[topic] for topic in _interleave(list(zip(targets, main, strict=True)))]
    for (topic, target), first in zip(targets.items(), main, strict=True):
        without = [i for i in range(n) if topic not in types[i]]
        for i in _spread(without, target - first):
            types[i].append(topic)
    return {
        index: _record(by_index[index], band, kinds)
        for index, band, kinds in zip(connected, band_of, types, strict=True)
    }


# --- loading (Django) --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    trial: str
    contacts: int
    events: int
    records: int
    cases: int
    created: bool


def provider_id(trial_id: str, index: int) -> str:
    return f"{PROVIDER_PREFIX}-{trial_id}-{index:06d}"


def body_name(field_code: str) -> str:
    return f"（シナリオ）{field_definitions()[field_code]['name']} 担当"


def ensure_fields(codes: Sequence[str] | None = None) -> dict:
    """Create the scenario's fields that are missing (existing ones are left as they are)."""
    from tsunagari.helpline.models import Field

    definitions = field_definitions()
    result = {}
    for code in codes if codes is not None else definitions:
        d = definitions[code]
        result[code], _ = Field.objects.get_or_create(
            code=code,
            defaults={
                "name": d["name"],
                "position": d.get("position", 0),
                "crisis": bool(d.get("crisis", False)),
                "general": bool(d.get("general", False)),
            },
        )
    return result


def _insert(model, field_names: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows of already prepared values (the ORM's per-object work dominates otherwise)."""
    from django.db import connection

    if not rows:
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(model._meta.get_field(name).column) for name in field_names)
    placeholders = ", ".join(["%s"] * len(field_names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES ({placeholders})", rows)


def load(trial_id: str, *, chunk: int = 4000) -> LoadResult:
    """Write the trial's planned calls to the database (in one transaction; idempotent)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from tsunagari.helpline.models import (
        ConsultationRecord,
        Contact,
        ContactEvent,
        CoordinationCase,
        PartnerBody,
    )

    t = trial(trial_id)
    calls = plan(t)
    if Contact.objects.filter(channel=Contact.Channel.VOICE, provider_id=provider_id(t.id, 0)).exists():
        contacts = Contact.objects.filter(provider_id__startswith=f"{PROVIDER_PREFIX}-{t.id}-")
        return LoadResult(
            t.id,
            contacts.count(),
            ContactEvent.objects.filter(contact__in=contacts).count(),
            ConsultationRecord.objects.filter(contact__in=contacts).count(),
            CoordinationCase.objects.filter(record__contact__in=contacts).count(),
            created=False,
        )
    records = record_data(t, calls)
    k = ContactEvent.Kind
    with transaction.atomic():
        ensure_fields(list(t.scenario_fields))
        bodies = {
            code: PartnerBody.objects.get_or_create(name=body_name(code))[0].pk for code in t.scenario_fields
        }
        user_model = get_user_model()
        counsellor = user_model.objects.filter(**{user_model.USERNAME_FIELD: COUNSELLOR_USERNAME}).first()
        if counsellor is None:
            counsellor = user_model(**{user_model.USERNAME_FIELD: COUNSELLOR_USERNAME}, is_active=False)
            counsellor.set_unusable_password()
            counsellor.save()
        talk = timedelta(seconds=placement()["talk_seconds"])
        n_events = n_records = n_cases = 0
        contact_pk = Contact._meta.pk
        adapt_dt = connection.ops.adapt_datetimefield_value
        detail = ContactEvent._meta.get_field("detail").get_db_prep_save({"scenario": t.id}, connection)
        voice = Contact.Channel.VOICE
        for start in range(0, len(calls), chunk):
            part = calls[start : start + chunk]
            contacts = [
                Contact(
                    id=uuid.uuid5(_NAMESPACE, provider_id(t.id, c.index)),
                    provider_id=provider_id(t.id, c.index),
                )
                for c in part
            ]
            events = []
            contact_rows = []
            for c, contact in zip(part, contacts, strict=True):
                cid = contact_pk.get_db_prep_save(contact.id, connection)
                contact_rows.append((cid, voice, contact.provider_id, "", adapt_dt(c.started_at)))
                key = f"{contact.provider_id}:"

                def event(kind, at, field=None, body=None, wait=None, _cid=cid, _key=key, _events=events):
                    _events.append((_cid, kind, adapt_dt(at), _key + kind, field, None, body, wait, detail))

                t0 = c.started_at
                event(k.OFFERED, t0)
                if c.outcome == GUIDANCE:
                    event(k.COMPLETED, t0 + timedelta(seconds=12))
                    continue
                body = bodies[c.field]
                chosen = t0 + timedelta(seconds=15)
                event(k.MENU_CHOICE, chosen, field=c.field)
                if c.outcome == MESSAGE:
                    event(k.MESSAGE_PLAYED, chosen + timedelta(seconds=5), c.field, body)
                    event(k.COMPLETED, chosen + timedelta(seconds=40))
                    continue
                event(k.QUEUED, chosen + timedelta(seconds=1), c.field, body)
                done = chosen + timedelta(seconds=1 + c.wait_seconds)
                if c.outcome == ANSWERED:
                    event(k.ANSWERED, done, c.field, body, c.wait_seconds)
                    event(k.COMPLETED, done + talk)
                else:
                    event(k.ABANDONED, done, c.field, body, c.wait_seconds)
                    event(k.COMPLETED, done)
            _insert(Contact, ("id", "channel", "provider_id", "caller_key", "started_at"), contact_rows)
            _insert(
                ContactEvent,
                ("contact", "kind", "at", "event_key", "field", "line", "body", "wait_seconds", "detail"),
                events,
            )
            n_events += len(events)
            new_records = [
                ConsultationRecord(
                    contact=contact,
                    counsellor=counsellor,
                    form_version=FORM_VERSION,
                    data=records[c.index],
                    risk=ConsultationRecord.Risk.HIGH if c.serious else ConsultationRecord.Risk.LOW,
                    serious=c.serious,
                )
                for c, contact in zip(part, contacts, strict=True)
                if c.index in records
            ]
            ConsultationRecord.objects.bulk_create(new_records)
            n_records += len(new_records)
            cases = [CoordinationCase(record=r) for r in new_records if r.serious]
            if cases and cases[0].record.pk is None:  # backends that return no ids from bulk_create
                by_contact = dict(
                    ConsultationRecord.objects.filter(
                        contact__in=[r.contact for r in new_records if r.serious]
                    ).values_list("contact_id", "pk")
                )
                cases = [
                    CoordinationCase(record_id=by_contact[r.contact_id]) for r in new_records if r.serious
                ]
            CoordinationCase.objects.bulk_create(cases)
            n_cases += len(cases)
    return LoadResult(t.id, len(calls), n_events, n_records, n_cases, created=True)
