"""Admin of training and campaigns: every page opens; sessions must be supporter-course events of
the course's platform; certificates are read-only there; a new tag records who created it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.network import event_services
from tsunagari.network.models import Campaign, Course, EntryTag, TrainingSession

from .factories import event, national_platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    user = get_user_model().objects.create_superuser("secretariat", password="a-long-test-password")
    login_staff(client, user)
    client.user = user
    return client


@pytest.mark.parametrize(
    "model", ["course", "trainingsession", "certificate", "campaign", "campaignpage", "entrytag"]
)
def test_changelist_and_add_pages_open(secretariat, model):
    assert secretariat.get(reverse(f"admin:network_{model}_changelist")).status_code == 200
    expected = 403 if model == "certificate" else 200
    assert secretariat.get(reverse(f"admin:network_{model}_add")).status_code == expected


def test_a_session_needs_a_supporter_course_event(secretariat):
    platform = national_platform()
    course = Course.objects.create(
        platform=platform, title="講座", hours=Decimal("2"), curriculum_version="v1"
    )
    part = course.parts.create(order=1, title="第1回")
    symposium = event(platform)
    url = reverse("admin:network_trainingsession_add")
    response = secretariat.post(url, {"part": part.pk, "event": symposium.pk})
    assert response.status_code == 200 and not TrainingSession.objects.exists()
    starts = timezone.now() + timedelta(days=5)
    course_event = event_services.create_event(
        platform, "supporter_course", "講座 第1回", starts, starts + timedelta(hours=1), venue="会館"
    )
    assert secretariat.post(url, {"part": part.pk, "event": course_event.pk}).status_code == 302
    assert TrainingSession.objects.get().event == course_event


def test_a_tag_made_in_admin_records_its_creator_and_refuses_bad_codes(secretariat):
    today = timezone.localdate()
    campaign = Campaign.objects.create(slug="may", title="強化月間", starts_on=today, ends_on=today)
    url = reverse("admin:network_entrytag_add")
    bad = secretariat.post(url, {"campaign": campaign.pk, "code": "Bad Code!", "label": "x"})
    assert bad.status_code == 200 and not EntryTag.objects.exists()
    assert (
        secretariat.post(url, {"campaign": campaign.pk, "code": "sms-a", "label": "SMS"}).status_code == 302
    )
    assert EntryTag.objects.get().created_by == secretariat.user


def test_opening_a_certificate_in_admin_is_audited(secretariat):
    from tsunagari.cases.audit_models import AuditEntry
    from tsunagari.network.models import Certificate

    platform = national_platform()
    course = Course.objects.create(
        platform=platform, title="講座", hours=Decimal("2"), curriculum_version="v1"
    )
    certificate = Certificate.objects.create(
        course=course, code="0" * 16, holder_name="山田 花子", holder_email="hana@example.jp",
        course_title="講座", curriculum_version="v1", hours=Decimal("2"), completed_on=timezone.localdate(),
        issued_at=timezone.now(),
    )  # fmt: skip
    before = AuditEntry.objects.count()
    response = secretariat.get(reverse("admin:network_certificate_change", args=[certificate.pk]))
    assert response.status_code == 200 and "山田 花子" in response.content.decode()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.object_type, entry.object_id) == (
        "read",
        "network.certificate",
        str(certificate.pk),
    )
