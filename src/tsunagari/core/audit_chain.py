"""The hash chain of the audit log — pure, no Django.

Contract
--------
An entry is ``AuditRecord(seq, at, actor, action, object_type, object_id, fields, reason)`` plus
``prev_hash`` (the previous entry's hash; ``GENESIS`` for seq 1) and ``hash`` =
``entry_hash(prev_hash, record)``: SHA-256 over a canonical JSON of the previous hash and every
attribute, so changing any attribute of any entry, removing an entry or reordering entries breaks
the chain at the first affected entry. ``at`` is ISO 8601 in UTC with microseconds
(``canonical_time``). Sequence numbers start at 1 and have no gaps.

``verify(entries, head=None)`` walks ``(record, prev_hash, hash)`` in ascending ``seq`` order and
returns a ``Verification``; the first problem found stops the walk and names the entry's ``seq``.
``head`` is ``(seq, hash)`` of the newest entry as separately recorded: entries removed from the end
are found by comparing with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    fields: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit log intact: {self.checked} entries"
        return f"audit log broken at entry {self.bad_seq}: {self.problem} ({self.checked} entries checked)"


def canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, record: AuditRecord) -> str:
    payload = json.dumps(
        [
            prev_hash,
            record.seq,
            record.at,
            record.actor,
            record.action,
            record.object_type,
            record.object_id,
            list(record.fields),
            record.reason,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify(
    entries: Iterable[tuple[AuditRecord, str, str]], head: tuple[int, str] | None = None
) -> Verification:
    expected_seq, expected_prev, checked = 1, GENESIS, 0
    for record, prev_hash, stored_hash in entries:
        if record.seq != expected_seq:
            problem = (
                f"entries {expected_seq}–{record.seq - 1} are missing"
                if record.seq > expected_seq
                else f"out of order (expected entry {expected_seq})"
            )
            return Verification(False, checked, record.seq, problem)
        if prev_hash != expected_prev:
            return Verification(
                False, checked, record.seq, "does not follow the previous entry (removed or reordered)"
            )
        if entry_hash(prev_hash, record) != stored_hash:
            return Verification(False, checked, record.seq, "content changed after it was written")
        checked += 1
        expected_seq, expected_prev = record.seq + 1, stored_hash
    if head is not None and head != (expected_seq - 1, expected_prev):
        head_seq = head[0]
        if head_seq >= expected_seq:
            return Verification(
                False, checked, expected_seq, f"entries {expected_seq}–{head_seq} are missing"
            )
        return Verification(False, checked, head_seq, "the chain head does not match the newest entry")
    return Verification(True, checked)
