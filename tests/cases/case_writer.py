"""A process of the two-writer test of case updates, against a scratch database.

python case_writer.py init                 create a user, a body and a case; print the case id
python case_writer.py update CASE N START  wait for START, then try N updates (each on the version
                                           just read); print JSON {"ok": .., "stale": ..}
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Permission, User

    from tsunagari.cases import services
    from tsunagari.cases.errors import StaleRecordError
    from tsunagari.cases.models import Case

    if sys.argv[1] == "init":
        user = User.objects.create_user("writer")
        user.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_case", "add_case", "change_case", "view_all_bodies"]
            )
        )
        user = User.objects.get(pk=user.pk)
        print(services.open_case(user, summary="start").pk)
        return
    case_id, count, start_file = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    user = User.objects.get(username="writer")
    deadline = time.monotonic() + 60
    while not os.path.exists(start_file) and time.monotonic() < deadline:
        time.sleep(0.002)
    ok = stale = 0
    for number in range(count):
        version = Case.objects.values_list("version", flat=True).get(pk=case_id)
        try:
            services.update_case(user, case_id, version, summary=f"{os.getpid()}-{number}")
            ok += 1
        except StaleRecordError:
            stale += 1
    print(json.dumps({"ok": ok, "stale": stale}))


if __name__ == "__main__":
    main()
