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

from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tsunagari.cases.audit_models import AuditEntry, AuditHead
from tsunagari.core import audit_chain

READ, CREATE, UPDATE, DELETE, PURGE, OVERRIDE = "read", "create", "update", "delete", "purge", "override"
AUDITOR_PERMISSION = "cases.view_auditentry"


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


def _stored(batch_size: int) -> Iterator[tuple[audit_chain.AuditRecord, str, str]]:
    columns = ("seq", "at", "actor", "action", "object_type", "object_id", "fields", "reason")
    rows = AuditEntry.objects.order_by("seq").values_list(*columns, "prev_hash", "hash")
    for row in rows.iterator(chunk_size=batch_size):
        seq, at, actor, action, object_type, object_id, fields, reason, prev_hash, digest = row
        yield (
            audit_chain.AuditRecord(
                seq,
                audit_chain.canonical_time(at),
                actor,
                action,
                object_type,
                object_id,
                tuple(fields) if isinstance(fields, list) else (fields,),
                reason,
            ),
            prev_hash,
            digest,
        )


def verify(batch_size: int = 5000) -> audit_chain.Verification:
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
