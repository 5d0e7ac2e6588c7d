"""The append-only, hash-chained audit log of personal-data access.

Contract
--------
``record(actor, action, object_type, object_id, fields=(), reason="")`` appends one entry in its
own atomic block (joined to the caller's transaction when there is one: an audited write and its
entry commit or roll back together). Appending is serialised by first *updating* the single
``AuditHead`` row: on PostgreSQL that takes its row lock, on SQLite the database write lock, so
two writers can never chain to the same predecessor (``seq`` is also unique). ``actor_of(user)``
gives the actor text for a user.

``begin_write()`` takes that same lock at the start of a caller's transaction that will append:
an audited write then holds the lock from its first statement, so SQLite never has to upgrade a
read snapshot to a write (which fails at once with "database is locked" when another writer
committed meanwhile) and PostgreSQL serialises audited writes in commit order.

``verify(batch_size=...)`` recomputes the chain from the database (see ``core.audit_chain``) and
returns a ``Verification`` naming the first bad entry. ``entries_for(user)`` is the only read
path: it needs the auditor permission ``cases.view_auditentry``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tsunagari.cases.audit_models import AuditEntry, AuditHead
from tsunagari.core import audit_chain

READ, CREATE, UPDATE, DELETE, PURGE, OVERRIDE = "read", "create", "update", "delete", "purge", "override"
AUDITOR_PERMISSION = "cases.view_auditentry"
_ZERO = timedelta(0)
_PG_CANONICAL_TIME = (
    """to_char("cases_auditentry"."at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
)
_PG_FIELDS_TEXT = '"cases_auditentry"."fields"::text'


def actor_of(user) -> str:
    if user is None or not getattr(user, "pk", None):
        raise ValueError("personal data is accessed by a known user")
    return f"user:{user.pk}"


def begin_write() -> None:
    """Lock the log for the rest of the current transaction (see the module docstring)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("begin_write() belongs at the start of a transaction.atomic() block")
    _lock_head()


def _lock_head() -> AuditHead:
    if not AuditHead.objects.filter(pk=1).update(seq=F("seq")):
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=1, seq=0, hash=audit_chain.GENESIS)
        except IntegrityError:
            pass  # another writer created it first
        AuditHead.objects.filter(pk=1).update(seq=F("seq"))
    return AuditHead.objects.get(pk=1)


def record(
    actor: str,
    action: str,
    object_type: str,
    object_id: object = "",
    fields: Iterable[str] = (),
    reason: str = "",
) -> AuditEntry:
    with transaction.atomic():
        head = _lock_head()
        now = timezone.now()
        entry = audit_chain.AuditRecord(
            seq=head.seq + 1,
            at=audit_chain.canonical_time(now),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=tuple(fields),
            reason=reason,
        )
        digest = audit_chain.entry_hash(head.hash, entry)
        saved = AuditEntry.objects.create(
            seq=entry.seq,
            at=now,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=entry.object_id,
            fields=list(entry.fields),
            reason=reason,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
        return saved


def _canonical_time(at) -> str:
    """``audit_chain.canonical_time`` (the same text), without ``strftime`` for UTC datetimes."""
    if at.utcoffset() == _ZERO:
        return at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return audit_chain.canonical_time(at)


def _fields_tuple(fields) -> tuple:
    return tuple(fields) if isinstance(fields, list) else (fields,)


def _stored(batch_size: int) -> Iterator[tuple[audit_chain.AuditRecord, str, str]]:
    """The stored entries in ``seq`` order, read in batches of ``batch_size`` by keyset (``seq >
    last``: each batch one short indexed query, no cursor held open over the whole log)."""
    entries = AuditEntry.objects.order_by("seq")
    if connection.vendor == "postgresql":  # the canonical text straight from the server (no parsing)
        entries = entries.annotate(
            at_text=RawSQL(_PG_CANONICAL_TIME, ()), fields_text=RawSQL(_PG_FIELDS_TEXT, ())
        )
        at_column, fields_column = "at_text", "fields_text"
    else:
        at_column, fields_column = "at", "fields"
    columns = ("seq", at_column, "actor", "action", "object_type", "object_id", fields_column, "reason")
    parsed: dict[str, tuple] = {}  # fields as text → tuple: few distinct values, each parsed once
    entries = entries.values_list(*columns, "prev_hash", "hash")
    record, last = audit_chain.AuditRecord, None
    while True:
        rows = list((entries if last is None else entries.filter(seq__gt=last))[:batch_size])
        for seq, at, actor, action, object_type, object_id, fields, reason, prev_hash, digest in rows:
            if fields.__class__ is str:
                text = fields
                if text not in parsed:
                    parsed[text] = _fields_tuple(json.loads(text))
                fields = parsed[text]
            else:
                fields = _fields_tuple(fields)
            if at.__class__ is not str:
                at = _canonical_time(at)
            yield record(seq, at, actor, action, object_type, object_id, fields, reason), prev_hash, digest
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


def verify(batch_size: int = 20000) -> audit_chain.Verification:
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return audit_chain.verify(_stored(batch_size), head=tuple(head) if head else None)


def entries_for(user, object_type: str | None = None, object_id: object | None = None):
    """Audit entries, newest first, for an auditor; anyone else: ``PermissionDenied``."""
    if not user.has_perm(AUDITOR_PERMISSION):
        raise PermissionDenied
    entries = AuditEntry.objects.order_by("-seq")
    if object_type is not None:
        entries = entries.filter(object_type=object_type)
    if object_id is not None:
        entries = entries.filter(object_id=str(object_id))
    return entries
