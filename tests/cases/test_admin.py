"""The cases admin shows metadata only, of the user's bodies, and changes nothing."""

from __future__ import annotations

import pytest

from tests.staff_login import login_staff
from tsunagari.cases import selectors, services
from tsunagari.cases.models import Case

pytestmark = pytest.mark.django_db


def test_admin_lists_own_body_metadata_without_personal_data(client, worker, body, make_user, other_body):
    own = services.open_case(worker, body=body, person_name="高橋さくら", summary="秘密の概要")
    outsider = make_user("outsider", "cases.view_case", "cases.add_case", body=other_body)
    other = services.open_case(outsider, body=other_body, summary="別の団体")
    worker.is_staff = True
    worker.save()
    login_staff(client, worker)
    listing = client.get("/admin/cases/case/").content.decode()
    assert str(own.pk) in listing and str(other.pk) not in listing
    page = client.get(f"/admin/cases/case/{own.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "高橋" not in text and "秘密" not in text and "gcm1:" not in text
    assert client.get(f"/admin/cases/case/{other.pk}/change/").status_code == 302  # "does not exist"
    assert client.post(f"/admin/cases/case/{own.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=own.pk).exists()


def test_referrals_of_case_are_read_through_an_audited_selector(worker, body, other_body):
    from tsunagari.cases import referrals
    from tsunagari.cases.models import AuditEntry

    case = services.open_case(worker, body=body)
    referrals.request(worker, case.pk, "transfer", to_body=other_body, reason="転居のため")
    [referral] = selectors.referrals_of_case(worker, case.pk)
    assert referral.reason == "転居のため"
    assert AuditEntry.objects.order_by("-seq").first().fields == ["referrals.reason"]
