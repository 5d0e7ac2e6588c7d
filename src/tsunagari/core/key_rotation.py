"""``tsunagari keys rotate``: re-encrypt every encrypted value with the active key.

Contract
--------
``rotate(batch_size=...)`` walks each encrypted column in primary-key order, in batches (one
transaction per batch), and re-seals each value not under the active key. Each write is a
compare-and-swap on the old token, so a value the application changed meanwhile is left alone
(counted as ``changed``; the application's save already used the key it is configured with).
The job holds no lock across batches, keeps no state and is idempotent: stopped at any point, it
is resumed by running it again. Until it has finished, old keys must stay in the configuration —
every value under any configured key stays readable throughout.

Returns a ``RotationReport`` (counts only; nothing personal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from tsunagari.core import crypto
from tsunagari.core.encrypted_fields import Sealed, encrypted_fields
from tsunagari.core.field_keys import keyring


@dataclass
class RotationReport:
    active: str
    rotated: int = 0
    current: int = 0
    changed: int = 0
    columns: dict[str, int] = field(default_factory=dict)


def rotate(batch_size: int = 500, progress: Callable[[str, int], None] | None = None) -> RotationReport:
    ring = keyring()
    report = RotationReport(active=ring.active)
    for enc_field in encrypted_fields():
        model = enc_field.model
        label = f"{model._meta.db_table}.{enc_field.column}"
        rotated_here = 0
        last_pk = None
        while True:
            rows = model._base_manager.order_by("pk").values_list("pk", enc_field.attname)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:batch_size])
            if not batch:
                break
            last_pk = batch[-1][0]
            with transaction.atomic():
                for pk, sealed in batch:
                    if sealed is None or sealed.key_id == ring.active:
                        report.current += sealed is not None
                        continue
                    aad = enc_field.aad(pk)
                    fresh = Sealed(crypto.seal(ring, crypto.open_token(ring, sealed.token, aad), aad))
                    swapped = model._base_manager.filter(pk=pk, **{enc_field.attname: sealed}).update(
                        **{enc_field.attname: fresh}
                    )
                    if swapped:
                        report.rotated += 1
                        rotated_here += 1
                    else:
                        report.changed += 1
            if progress is not None:
                progress(label, rotated_here)
        report.columns[label] = rotated_here
    return report
