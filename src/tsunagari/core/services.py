"""Write services of the core app."""

from __future__ import annotations

from django.db import transaction

from tsunagari.core import lgcode
from tsunagari.core.models import LocalGovernment


def load_local_governments() -> int:
    """Upsert every prefecture and municipality from the shipped CSV (validated first). Idempotent.

    Parents are written before children (prefectures, then designated cities, then the rest).
    Returns the number of local governments now loaded.
    """
    rows = lgcode.load_local_governments()
    order = {"prefecture": 0, "designated_city": 1}
    rows.sort(key=lambda r: (order.get(r["kind"], 2), r["code"]))
    existing = {g.code: g for g in LocalGovernment.objects.all()}
    with transaction.atomic():
        for row in rows:
            values = {
                "prefecture_code": row["prefecture_code"],
                "kind": row["kind"],
                "name": row["name"],
                "name_kana": row["name_kana"],
                "parent_id": row["parent_code"] or None,
            }
            current = existing.get(row["code"])
            if current is None:
                LocalGovernment.objects.create(code=row["code"], **values)
            elif any(getattr(current, k) != v for k, v in values.items()):
                LocalGovernment.objects.filter(code=row["code"]).update(**values)
    return LocalGovernment.objects.count()
