"""A process of the killed-process tests (``test_killed_process``), against a scratch database.

python killed_worker.py setup                    users, two bodies, a case, a requested referral and a
                                                 platform; prints JSON ids
python killed_worker.py state                    prints JSON: the referral's status, version and events,
                                                 the audit log's size and verification, member rows
python killed_worker.py transition ID VERSION [--hold]
                                                 the receiver moves the referral to ``received``
python killed_worker.py import CSV PLATFORM [--hold]
                                                 ``network.member_import.import_members``

With ``--hold`` the process stops *inside* the operation's transaction, after a write: a test-only
wrapper around a function called in the transaction (``cases.audit.record`` for the transition,
``network.services.join`` — after the first member row — for the import) prints ``READY`` and
sleeps, so the test can kill it there. Production code is not changed.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _hold_after(module, name: str) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        print("READY", flush=True)
        time.sleep(120)  # killed here; never returns in the test
        return result

    setattr(module, name, wrapper)


def setup() -> dict:
    from datetime import date

    from django.contrib.auth.models import Permission, User

    from tsunagari.cases import referrals, services
    from tsunagari.helpline.chat_models import StaffMembership
    from tsunagari.helpline.models import PartnerBody
    from tsunagari.network import services as network_services

    casework = Permission.objects.filter(
        content_type__app_label="cases", codename__in=["view_case", "add_case", "change_case"]
    )
    sending, receiving = PartnerBody.objects.create(name="送り手"), PartnerBody.objects.create(name="受け手")
    users = {}
    for name, body in (("sender", sending), ("receiver", receiving)):
        user = User.objects.create_user(name)
        user.user_permissions.add(*casework)
        StaffMembership.objects.create(user=user, body=body)
        users[name] = User.objects.get(pk=user.pk)
    case = services.open_case(users["sender"], body=sending, summary="経過の記録")
    referral = referrals.request(
        users["sender"], case.pk, "referral", to_body=receiving, reason="地域の支援へ"
    )
    platform = network_services.create_platform(
        "テスト地域プラットフォーム", "national", established_on=date(2024, 4, 1)
    )
    return {"referral": str(referral.pk), "version": referral.version, "platform": platform.pk}


def state() -> dict:
    from tsunagari.cases import audit
    from tsunagari.cases.models import AuditEntry, Referral, ReferralEvent
    from tsunagari.network.models import ContactPerson, MemberBody, Membership

    referral = Referral.objects.get()
    return {
        "status": referral.status,
        "version": referral.version,
        "first_response": referral.first_response_at is not None,
        "events": list(ReferralEvent.objects.order_by("at", "pk").values_list("to_status", flat=True)),
        "audit_entries": AuditEntry.objects.count(),
        "audit_ok": audit.verify().ok,
        "member_bodies": MemberBody.objects.count(),
        "memberships": Membership.objects.count(),
        "contacts": ContactPerson.objects.count(),
    }


def transition(referral_id: str, version: int, hold: bool) -> dict:
    from django.contrib.auth.models import User

    from tsunagari.cases import audit, referrals

    if hold:
        _hold_after(audit, "record")
    moved = referrals.transition(User.objects.get(username="receiver"), referral_id, version, "received")
    return {"status": moved.status, "version": moved.version}


def import_members(csv_path: str, platform_id: int, hold: bool) -> dict:
    from tsunagari.network import member_import, services
    from tsunagari.network.models import Platform

    if hold:
        _hold_after(services, "join")
    report = member_import.import_members(csv_path, Platform.objects.get(pk=platform_id))
    return {"created": report.created}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagari.settings")
    import django

    django.setup()
    command, args = sys.argv[1], sys.argv[2:]
    hold = "--hold" in args
    args = [a for a in args if a != "--hold"]
    if command == "setup":
        result = setup()
    elif command == "state":
        result = state()
    elif command == "transition":
        result = transition(args[0], int(args[1]), hold)
    elif command == "import":
        result = import_members(args[0], int(args[1]), hold)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
