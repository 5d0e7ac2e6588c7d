"""Admin for maintainers: stale list, validated edits, change history."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.staff_login import login_staff
from tsunagari.directory.models import Service, ServiceChange

from .factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("maintainer", password="a-long-test-password")
    login_staff(client, user)
    return client


def _form_data(service: Service, **changes) -> dict:
    data = {
        "organization": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "eligibility_description": "",
        "application_process": "",
        "fees_description": "",
        "free_of_charge": "unknown",
        "anonymous": "unknown",
        "hours_text": service.hours_text,
        "schedule_spec": "null",
        "area_scope": service.area_scope,
        "source_name": service.source_name,
        "source_url": service.source_url,
        "last_verified": service.last_verified.isoformat() if service.last_verified else "",
        "verification": service.verification,
        "verification_note": "",
        "attribution": "",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "phones-MIN_NUM_FORMS": "0",
        "phones-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_stale_filter_lists_unverified_entries(admin_client):
    fresh = make_service("t-fresh", "新しく確認した窓口")
    response = admin_client.get("/admin/directory/service/", {"stale": "yes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert Service.objects.get(pk=fresh).name not in html
    unverified = Service.objects.filter(last_verified__isnull=True).order_by("name").first()
    assert unverified.name in html


def test_admin_edit_is_recorded_in_history_and_reindexed(admin_client):
    sid = make_service("t-edit", "編集前の窓口")
    service = Service.objects.get(pk=sid)
    url = f"/admin/directory/service/{sid}/change/"
    response = admin_client.post(url, _form_data(service, name="編集後のまどぐち"))
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ServiceChange.objects.filter(service_id_ref=sid, via="admin").get()
    assert change.changes["name"] == ["編集前の窓口", "編集後のまどぐち"]
    assert change.actor.username == "maintainer"
    from tsunagari.directory.selectors.search import search_services

    assert sid in [h.service_id for h in search_services("まどぐち").hits]


def test_admin_rejects_invalid_schedule_and_unverified_crisis_line(admin_client):
    sid = make_service("t-bad-edit", "検証する窓口")
    service = Service.objects.get(pk=sid)
    url = f"/admin/directory/service/{sid}/change/"
    data = _form_data(
        service, schedule_spec='{"rules": [{"days": "daily", "opens": "9", "closes": "17:00"}]}'
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "schedule.rules[0].opens" in response.content.decode()
    data = _form_data(service, crisis_line="on", verification="unverified")
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "確認済みの窓口だけ" in response.content.decode()
    assert not ServiceChange.objects.filter(service_id_ref=sid, via="admin").exists()
