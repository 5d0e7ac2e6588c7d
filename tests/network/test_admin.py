"""Admin for the platform secretariat: every page opens; edits go through the services' rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.network.models import Committee, Delivery, Issue, MemberBody, Newsletter

from .factories import event, member, national_platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = get_user_model().objects.create_superuser("secretariat", password="a-long-test-password")
    login_staff(client, user)
    return client


@pytest.mark.parametrize(
    "model",
    ["platform", "memberbody", "membership", "committee", "event", "newsletter", "subscriber", "issue"],
)
def test_changelist_and_add_pages_open(secretariat, model):
    national_platform()
    assert secretariat.get(reverse(f"admin:network_{model}_changelist")).status_code == 200
    assert secretariat.get(reverse(f"admin:network_{model}_add")).status_code == 200


def test_body_saved_in_admin_gets_its_keys_and_a_bad_number_is_refused(secretariat):
    url = reverse("admin:network_memberbody_add")
    data = {
        "name": "ＮＰＯ法人　テスト",
        "corporate_number": "",
        "address": "千代田区１－１",
        **{
            f"{prefix}-{k}": v
            for prefix in ("topics", "contacts", "memberships")
            for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }
    assert secretariat.post(url, data).status_code == 302
    body = MemberBody.objects.get()
    assert body.name_key == "npo法人テスト" and body.address_key == "千代田区1-1"
    response = secretariat.post(url, {**data, "name": "別", "corporate_number": "7000012050003"})
    assert response.status_code == 200 and "法人番号" in response.content.decode()


def test_board_seat_for_a_non_member_class_is_refused(secretariat):
    platform = national_platform()
    board = Committee.objects.create(platform=platform, kind="board", name="幹事会")
    chamber = member(platform, "商工会議所", "cooperating")
    url = reverse("admin:network_committee_change", args=[board.pk])
    data = {
        "platform": platform.pk,
        "kind": "board",
        "name": "幹事会",
        "theme": "",
        "goals": "",
        "fiscal_year": "",
        "seats-TOTAL_FORMS": "1",
        "seats-INITIAL_FORMS": "0",
        "seats-0-membership": chamber.pk,
        "seats-0-role": "member",
        "seats-0-started_on": "2024-04-01",
        "seats-0-ended_on": "",
    }
    response = secretariat.post(url, data)
    assert response.status_code == 200 and "elected from 会員" in response.content.decode()
    assert not board.seats.exists()


def test_event_edit_in_admin_raises_the_sequence(secretariat):
    e = event(national_platform(), capacity=10)
    url = reverse("admin:network_event_change", args=[e.pk])
    data = {
        "platform": e.platform_id,
        "committee": "",
        "kind": e.kind,
        "title": "題名を変更",
        "description": "",
        "starts_at_0": timezone.localtime(e.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime(e.starts_at).strftime("%H:%M:%S"),
        "ends_at_0": timezone.localtime(e.ends_at).strftime("%Y-%m-%d"),
        "ends_at_1": timezone.localtime(e.ends_at).strftime("%H:%M:%S"),
        "venue": e.venue,
        "online_url": "",
        "capacity": "10",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "is_public": "on",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    response = secretariat.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    e.refresh_from_db()
    assert e.title == "題名を変更" and e.sequence == 1
    response = secretariat.post(url, {**data, "venue": ""})
    assert response.status_code == 200 and "venue or an online URL" in response.content.decode()


def test_queue_action_creates_deliveries(secretariat):
    newsletter = Newsletter.objects.create(
        platform=national_platform(), name="メルマガ", from_email="m@example.jp"
    )
    newsletter.subscribers.create(email="a@example.org")
    issue = Issue.objects.create(newsletter=newsletter, subject="第1号", body="本文")
    response = secretariat.post(
        reverse("admin:network_issue_changelist"), {"action": "queue", "_selected_action": [issue.pk]}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "queued" and Delivery.objects.filter(issue=issue).count() == 1


def test_registration_actions_cancel_with_promotion_and_attendance(secretariat):
    from tsunagari.network import event_services
    from tsunagari.network.models import Registration

    e = event(national_platform(), capacity=1)
    seated = event_services.register(e, "着席", "a@example.org")
    waiting = event_services.register(e, "待ち", "b@example.org")
    url = reverse("admin:network_registration_changelist")
    assert secretariat.get(url).status_code == 200
    secretariat.post(url, {"action": "cancel", "_selected_action": [seated.pk]})
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    secretariat.post(url, {"action": "mark_attended", "_selected_action": [seated.pk, waiting.pk]})
    assert Registration.objects.get(pk=waiting.pk).attended is True
    assert Registration.objects.get(pk=seated.pk).attended is None  # cancelled: no attendance
