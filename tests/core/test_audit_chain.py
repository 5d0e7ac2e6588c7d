"""core.audit_chain: the hash chain finds edited, removed and reordered entries (pure)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from tsunagari.core import audit_chain as chain


def build(n: int) -> list[tuple[chain.AuditRecord, str, str]]:
    entries, prev = [], chain.GENESIS
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        record = chain.AuditRecord(
            seq,
            chain.canonical_time(start + timedelta(seconds=seq)),
            "user:1",
            "read",
            "cases.case",
            f"id-{seq}",
            ("summary",),
            "",
        )
        digest = chain.entry_hash(prev, record)
        entries.append((record, prev, digest))
        prev = digest
    return entries


def head(entries):
    return (entries[-1][0].seq, entries[-1][2])


def test_intact_chain_verifies():
    entries = build(5)
    result = chain.verify(entries, head=head(entries))
    assert result.ok and result.checked == 5
    assert chain.verify([], head=None).ok


def test_each_attribute_is_covered_by_the_hash():
    entries = build(3)
    for name, value in [
        ("at", "2020-01-01T00:00:00.000000Z"),
        ("actor", "user:2"),
        ("action", "update"),
        ("object_type", "cases.section"),
        ("object_id", "x"),
        ("fields", ()),
        ("reason", "r"),
    ]:
        changed = list(entries)
        record, prev, digest = changed[1]
        changed[1] = (dataclasses.replace(record, **{name: value}), prev, digest)
        result = chain.verify(changed, head=head(entries))
        assert not result.ok and result.bad_seq == 2, name


def test_removed_entry_is_named_by_the_gap():
    entries = build(5)
    del entries[2]
    result = chain.verify(entries, head=head(entries))
    assert not result.ok and result.bad_seq == 4 and "3–3 are missing" in result.problem


def test_removed_newest_entries_are_found_through_the_head():
    entries = build(5)
    result = chain.verify(entries[:3], head=head(entries))
    assert not result.ok and result.bad_seq == 4


def test_reordered_entries_fail_at_the_first_moved_one():
    entries = build(5)
    # Swap the contents of entries 2 and 3 but keep the sequence numbers in place.
    (r2, p2, h2), (r3, p3, h3) = entries[1], entries[2]
    entries[1] = (dataclasses.replace(r3, seq=2), p3, h3)
    entries[2] = (dataclasses.replace(r2, seq=3), p2, h2)
    result = chain.verify(entries, head=head(entries))
    assert not result.ok and result.bad_seq == 2


def test_a_recomputed_forgery_breaks_the_next_link():
    entries = build(4)
    record, prev, _digest = entries[1]
    forged = dataclasses.replace(record, object_id="other")
    entries[1] = (forged, prev, chain.entry_hash(prev, forged))
    result = chain.verify(entries, head=head(entries))
    assert not result.ok and result.bad_seq == 3 and "previous entry" in result.problem
