"""つながりサポーター training: sessions as events, attendance, completion, certificates (issue,
PDF, revocation) and the public verification page."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.cases.audit_models import AuditEntry
from tsunagari.network import certificate_codes, event_services, training_selectors, training_services
from tsunagari.network.models import Certificate, Course, Event, Registration
from tsunagari.network.services import NetworkRuleError

from .factories import event, national_platform

pytestmark = pytest.mark.django_db

STAFF_PERMISSIONS = (
    "view_course",
    "view_certificate",
    "add_certificate",
    "change_certificate",
    "view_registration",
    "change_registration",
    "manage_all_platforms",  # the secretariat's marker: attendance lists need the platform's manager
)


def staff_user(django_user_model, name="secretariat", codenames=STAFF_PERMISSIONS):
    user = django_user_model.objects.create_user(name, password="x")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="network", codename__in=codenames)
    )
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def staff(django_user_model):
    return staff_user(django_user_model)


@pytest.fixture
def course():
    course = Course.objects.create(
        platform=national_platform(),
        title="つながりサポーター養成講座",
        hours=Decimal("2.5"),
        curriculum_version="2026年度版",
    )
    course.parts.create(order=1, title="孤独・孤立の問題を知る", required=True)
    course.parts.create(order=2, title="身の回りの人に関心をもつ", required=True)
    course.parts.create(order=3, title="地域の相談先を知る", required=False)
    return course


def _session(course, order, days):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days)
    part = course.parts.get(order=order)
    return training_services.create_session(
        part, starts, starts + timedelta(hours=1), venue="市民会館", capacity=30
    )


def _attend(session, staff, *people):
    ids = []
    for name, email in people:
        ids.append(event_services.register(session.event, name, email).pk)
    training_services.record_attendance(session, ids, staff)


@pytest.fixture
def completed(course, staff):
    """Hana attended both required parts; Taro only the first and the optional one."""
    first, second, optional = _session(course, 1, 10), _session(course, 2, 17), _session(course, 3, 24)
    _attend(first, staff, ("山田 花子", "Hana@Example.jp"), ("佐藤 太郎", "taro@example.jp"))
    _attend(second, staff, ("山田 花子", "hana@example.jp"))
    _attend(optional, staff, ("佐藤 太郎", "taro@example.jp"))
    return course, second


def test_a_session_is_a_supporter_course_event_with_registration(course):
    session = _session(course, 1, 10)
    assert session.event.kind == Event.Kind.SUPPORTER_COURSE
    assert session.event.platform == course.platform
    assert session.event.title == "つながりサポーター養成講座：孤独・孤立の問題を知る"
    registration = event_services.register(session.event, "山田 花子", "hana@example.jp")
    assert registration.status == Registration.Status.CONFIRMED


def test_only_supporter_course_events_of_the_platform_become_sessions(course):
    symposium = event(course.platform)
    with pytest.raises(NetworkRuleError):
        training_services.add_session(course.parts.first(), symposium)


def test_attendance_is_recorded_for_confirmed_registrations_and_audited(course, staff):
    session = _session(course, 1, 10)
    hana = event_services.register(session.event, "山田 花子", "hana@example.jp")
    taro = event_services.register(session.event, "佐藤 太郎", "taro@example.jp")
    before = AuditEntry.objects.count()
    assert training_services.record_attendance(session, [hana.pk], staff) == 2
    hana.refresh_from_db()
    taro.refresh_from_db()
    assert (hana.attended, taro.attended) == (True, False)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.actor, entry.action, entry.object_id) == (
        f"user:{staff.pk}",
        "update",
        str(session.event_id),
    )
    other = _session(course, 2, 17)
    stranger = event_services.register(other.event, "X", "x@example.jp")
    with pytest.raises(NetworkRuleError):
        training_services.record_attendance(session, [stranger.pk], staff)


def test_completion_follows_attendance_of_required_parts(completed):
    course, second = completed
    progress = training_selectors.course_progress(course)
    assert progress["hana@example.jp"].completed
    assert progress["hana@example.jp"].completed_on == timezone.localtime(second.event.starts_at).date()
    assert not progress["taro@example.jp"].completed


def test_a_cancelled_session_does_not_count(completed):
    course, second = completed
    event_services.cancel_event(second.event)
    assert not training_selectors.course_progress(course)["hana@example.jp"].completed


def test_certificates_only_on_completion_once_with_a_random_code(completed, staff):
    course, second = completed
    with pytest.raises(NetworkRuleError):
        training_services.issue_certificate(course, "taro@example.jp", staff)
    issued = training_services.issue_for_completed(course, staff)
    assert [c.holder_email for c in issued] == ["hana@example.jp"]
    certificate = issued[0]
    assert certificate.holder_name == "山田 花子"
    assert certificate.completed_on == timezone.localtime(second.event.starts_at).date()
    assert (certificate.course_title, certificate.curriculum_version, certificate.hours) == (
        "つながりサポーター養成講座", "2026年度版", Decimal("2.5"),
    )  # fmt: skip
    assert certificate_codes.normalise(certificate.code) == certificate.code
    for part in ("hana", "example", "山田", str(certificate.completed_on.year)):
        assert part.upper() not in certificate.code
    assert training_services.issue_for_completed(course, staff) == []
    with pytest.raises(NetworkRuleError):
        training_services.issue_certificate(course, "HANA@example.jp", staff)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "network.certificate",
        str(certificate.pk),
    )


def test_revocation_needs_a_reason_is_audited_and_allows_a_new_certificate(completed, staff):
    course, _second = completed
    (certificate,) = training_services.issue_for_completed(course, staff)
    with pytest.raises(NetworkRuleError):
        training_services.revoke_certificate(certificate, staff, "  ")
    training_services.revoke_certificate(certificate, staff, "氏名の誤記")
    certificate.refresh_from_db()
    assert (
        certificate.is_revoked
        and certificate.revoked_reason == "氏名の誤記"
        and certificate.revoked_by == staff
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_id, entry.reason) == ("update", str(certificate.pk), "氏名の誤記")
    with pytest.raises(NetworkRuleError):
        training_services.revoke_certificate(certificate, staff, "二度目")
    again = training_services.issue_certificate(course, "hana@example.jp", staff, holder_name="山田 華子")
    assert again.code != certificate.code and again.holder_name == "山田 華子"


def _verify(client, code):
    return client.post(reverse("network:certificate_verify"), {"code": code})


def test_verification_page_shows_only_status_course_date_and_name(completed, staff):
    course, _second = completed
    client = Client(enforce_csrf_checks=True)  # as a browser without any cookie
    (certificate,) = training_services.issue_for_completed(course, staff)
    page = client.get(reverse("network:certificate_verify"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    response = _verify(client, certificate_codes.display(certificate.code).lower())
    text = response.content.decode()
    assert response.status_code == 200
    assert "この修了証は有効です。" in text
    assert "山田 花子" in text and "つながりサポーター養成講座" in text
    assert certificate.completed_on.strftime("%Y-%m-%d") in text
    for hidden in ("hana@example.jp", "2026年度版", certificate.code, "佐藤"):
        assert hidden not in text
    assert "cache" in response.get("Cache-Control", "")
    assert not response.cookies and not client.cookies


def test_verification_page_says_revoked_unknown_or_mistyped(client, completed, staff):
    course, _second = completed
    (certificate,) = training_services.issue_for_completed(course, staff)
    training_services.revoke_certificate(certificate, staff, "受講記録の誤り")
    revoked = _verify(client, certificate.code).content.decode()
    assert "この修了証は失効しています。" in revoked and "受講記録の誤り" not in revoked
    unknown_code = certificate_codes.generate()
    unknown = _verify(client, unknown_code).content.decode()
    assert "見つかりませんでした" in unknown and "山田" not in unknown
    typo = certificate.code[:5] + ("A" if certificate.code[5] != "A" else "B") + certificate.code[6:]
    assert "入力まちがい" in _verify(client, typo).content.decode()
    assert _verify(client, "").status_code == 400


def test_certificate_pdf_is_rendered_with_the_name_and_code(client, completed, staff):
    course, _second = completed
    (certificate,) = training_services.issue_for_completed(course, staff)
    login_staff(client, staff)
    response = client.get(reverse("network:training_staff_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "certificate.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    assert "山田花子" in compact and "修了証" in compact
    assert certificate_codes.display(certificate.code) in compact
    assert "/network/certificates/verify/" in compact
    font_rows = fonts.splitlines()[2:]  # name, type, encoding, emb, sub, uni, object ID
    assert font_rows and all("Noto-Sans" in row and row.split()[-5] == "yes" for row in font_rows)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.actor) == (
        "read",
        "network.certificate",
        f"user:{staff.pk}",
    )


def test_staff_pages_need_login_and_permissions(client, completed, staff, django_user_model):
    course, second = completed
    (certificate,) = training_services.issue_for_completed(course, staff)
    urls = [
        reverse("network:training_staff"),
        reverse("network:training_staff_course", args=[course.pk]),
        reverse("network:training_staff_attendance", args=[second.pk]),
        reverse("network:training_staff_certificate_pdf", args=[certificate.pk]),
        reverse("network:training_staff_revoke", args=[certificate.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login_staff(client, staff_user(django_user_model, "member-editor", ()))
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("network:training_staff_issue", args=[course.pk])).status_code == 403
    login_staff(client, staff)
    for url in urls:
        assert client.get(url).status_code == 200
    # model permissions alone do not open a platform's attendance list (names and e-mail addresses)
    login_staff(client, staff_user(django_user_model, "not-the-manager", STAFF_PERMISSIONS[:-1]))
    assert client.get(reverse("network:training_staff_attendance", args=[second.pk])).status_code == 404


def test_course_page_lists_progress_and_records_the_access(client, completed, staff):
    course, _second = completed
    login_staff(client, staff)
    before = AuditEntry.objects.count()
    text = client.get(reverse("network:training_staff_course", args=[course.pk])).content.decode()
    assert "山田 花子" in text and "taro@example.jp" in text and "未修了（残り1単元）" in text
    assert AuditEntry.objects.count() == before + 1
    response = client.post(reverse("network:training_staff_issue", args=[course.pk]))
    assert response.status_code == 302
    assert Certificate.objects.filter(course=course, holder_email="hana@example.jp").count() == 1


def test_attendance_page_records_what_staff_ticked(client, course, staff):
    session = _session(course, 1, 10)
    hana = event_services.register(session.event, "山田 花子", "hana@example.jp")
    taro = event_services.register(session.event, "佐藤 太郎", "taro@example.jp")
    login_staff(client, staff)
    url = reverse("network:training_staff_attendance", args=[session.pk])
    page = client.get(url).content.decode()
    assert "山田 花子" in page and "<legend>" in page
    response = client.post(url, {"attended": [str(taro.pk)]})
    assert response.status_code == 302
    hana.refresh_from_db()
    taro.refresh_from_db()
    assert (hana.attended, taro.attended) == (False, True)
    assert client.post(url, {"attended": ["999999"]}).status_code == 400


def test_revoke_page_needs_a_reason(client, completed, staff):
    course, _second = completed
    (certificate,) = training_services.issue_for_completed(course, staff)
    login_staff(client, staff)
    url = reverse("network:training_staff_revoke", args=[certificate.pk])
    assert client.post(url, {"reason": "   "}).status_code == 400
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert client.post(url, {"reason": "本人からの申し出"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "本人からの申し出"


def test_public_course_page_lists_parts_and_upcoming_sessions(client, course):
    session = _session(course, 1, 10)
    past = _session(course, 2, 12)
    type(past.event).objects.filter(pk=past.event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2, hours=-1)
    )
    Course.objects.create(
        platform=course.platform,
        title="休止中の講座",
        hours=Decimal("1"),
        curriculum_version="旧版",
        is_active=False,
    )
    response = client.get(reverse("network:training_courses"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "つながりサポーター養成講座" in text and "2026年度版" in text and "地域の相談先を知る" in text
    assert reverse("network:event", args=[session.event.pk]) in text
    assert reverse("network:event", args=[past.event.pk]) not in text
    assert "休止中の講座" not in text
    assert 'class="crisis"' in text
