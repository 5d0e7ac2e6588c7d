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


DEMO_USERNAME = "demo-maintainer"


def ensure_demo_maintainer() -> tuple[str, str | None]:
    """Create the local demo maintainer (staff, directory edit rights) once, with a random password.

    Returns (username, password) when created, (username, None) when it already existed. The
    password is never stored in clear text or logged; the caller shows it once.
    """
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_USERNAME).exists():
        return DEMO_USERNAME, None
    password = secrets.token_urlsafe(12)
    user = user_model.objects.create_user(DEMO_USERNAME, password=password, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="directory", codename__regex=r"^(view|change|add)_")
    )
    return DEMO_USERNAME, password
