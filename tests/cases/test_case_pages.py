# ruff: noqa: F811 — fixtures imported from sharing_fixtures are redefined as arguments
"""The case staff pages: login required, 404 for what the policy denies, forms validate and show
errors, referral moves with optimistic locking, sharing with consent or override, the council
member's view (only the shared sections, audited), the coordinators' dashboard. No inline script or
style (CSP)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.cases import referrals, services, sharing_services
from tsunagari.cases.models import AuditEntry, Referral, Section
from tsunagari.cases.sharing_models import CaseShare

from .sharing_fixtures import (  # noqa: F401
    ASSESSMENT,
    MEMBER,
    SHARING,
    case,
    cities,
    councils,
    member_a,
    member_b,
    officer,
    sections,
    sharer,
    supervisor,
)

pytestmark = pytest.mark.django_db
CSP_UNSAFE = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def _get(client, user, url):
    login_staff(client, user)
    response = client.get(url)
    assert not CSP_UNSAFE.search(response.content.decode()), url
    return response


def _consent(user, case, council):
    return sharing_services.record_consent(
        user, case.pk, council.pk, purpose="住まいの支援", given_by="person", recorded_how="written"
    )


def test_pages_need_login(client, case, sections):
    for url in (
        reverse("cases:case_list"),
        reverse("cases:case_timeline", kwargs={"case_id": case.pk}),
        reverse("cases:dashboard"),
        reverse("cases:shared_list"),
        reverse("cases:case_sharing", kwargs={"case_id": case.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_case_list_shows_only_own_bodies(client, sharer, make_user, other_body, case):
    other = make_user("other", *SHARING, body=other_body)
    foreign = services.open_case(other, body=other_body, summary="別団体")
    page = _get(client, sharer, reverse("cases:case_list")).content.decode()
    assert str(case.pk) in page and str(foreign.pk) not in page


def test_timeline_shows_sections_and_is_404_for_another_body(
    client, sharer, make_user, other_body, case, sections
):
    response = _get(client, sharer, reverse("cases:case_timeline", kwargs={"case_id": case.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "佐藤一郎" in page and "初回面談の記録" in page and "共有しない家族の事情" in page
    assert "住まいの相談先" in page  # the assessment laid out by its form version
    stranger = make_user("stranger", *SHARING, body=other_body)
    assert (
        _get(client, stranger, reverse("cases:case_timeline", kwargs={"case_id": case.pk})).status_code == 404
    )


def test_add_note_validates(client, sharer, case):
    login_staff(client, sharer)
    url = reverse("cases:section_new", kwargs={"case_id": case.pk, "kind": "note"})
    assert client.get(url).status_code == 200
    response = client.post(url, {"occurred_at": "2026-04-02T10:00", "body": "   "})
    assert response.status_code == 400 and "入力を確かめてください" in response.content.decode()
    response = client.post(url, {"occurred_at": "not a date", "body": "x"})
    assert response.status_code == 400
    response = client.post(url, {"occurred_at": "2026-04-02T10:00", "body": "電話で様子を確認した。"})
    assert response.status_code == 302
    assert Section.objects.get(case=case, kind="note").body == "電話で様子を確認した。"


def test_add_assessment_uses_the_record_form(client, sharer, case):
    login_staff(client, sharer)
    url = reverse("cases:section_new", kwargs={"case_id": case.pk, "kind": "assessment"})
    page = client.get(url).content.decode()
    assert "命の危険の程度" in page and 'name="form_version" value="v1"' in page
    incomplete = {"form_version": "v1", "occurred_at": "2026-04-02T10:00", "consent_to_share": "on"}
    response = client.post(url, incomplete)
    page = response.content.decode()
    assert response.status_code == 400
    assert "困りごと" in page and "この項目は必須です。" in page  # topics, risk and consent_scope missing
    assert not Section.objects.filter(case=case).exists()
    data = {
        "form_version": "v1",
        "occurred_at": "2026-04-02T10:00",
        "topics": ["loneliness"],
        "risk": "high",
        "consent_to_share": "on",
        "consent_scope": "市の協議会",
    }
    assert client.post(url, data).status_code == 302
    section = Section.objects.get(case=case)
    assert (section.form_version, section.data["risk"], section.data["topics"]) == (
        "v1",
        "high",
        ["loneliness"],
    )


def test_unknown_kind_and_other_body_are_404(client, make_user, other_body, case):
    stranger = make_user("stranger", *SHARING, body=other_body)
    login_staff(client, stranger)
    assert (
        client.get(reverse("cases:section_new", kwargs={"case_id": case.pk, "kind": "note"})).status_code
        == 404
    )
    login_staff(client, make_user("x", *SHARING, body=case.body))
    assert (
        client.get(reverse("cases:section_new", kwargs={"case_id": case.pk, "kind": "poem"})).status_code
        == 404
    )


def test_referral_request_and_the_closed_loop(client, sharer, make_user, other_body, case):
    receiver = make_user("receiver", *SHARING, "cases.view_referral", body=other_body)
    login_staff(client, sharer)
    url = reverse("cases:referral_new", kwargs={"case_id": case.pk})
    response = client.post(url, {"kind": "referral", "to_body": other_body.pk, "reason": " "})
    assert response.status_code == 400 and not Referral.objects.exists()
    assert (
        client.post(url, {"kind": "referral", "to_body": other_body.pk, "reason": "住まいの支援"}).status_code
        == 302
    )
    referral = Referral.objects.get()
    move = reverse("cases:referral_detail", kwargs={"referral_id": referral.pk})
    login_staff(client, receiver)
    page = _get(client, receiver, move).content.decode()
    assert "住まいの支援" in page and 'value="received"' in page and 'value="cancelled"' not in page
    login_staff(client, receiver)
    assert client.post(move, {"version": 1, "target": "received"}).status_code == 302
    response = client.post(move, {"version": 2, "target": "rejected", "note": ""})
    assert response.status_code == 400
    assert "理由を書いてください" in response.content.decode()
    response = client.post(move, {"version": 1, "target": "accepted"})  # stale: read before "received"
    assert response.status_code == 409
    assert "他の人が更新しました" in response.content.decode()
    assert client.post(move, {"version": 2, "target": "accepted"}).status_code == 302
    # the sender sees every status change on the timeline and on the handover's page
    page = _get(client, sharer, reverse("cases:case_timeline", kwargs={"case_id": case.pk})).content.decode()
    assert page.count("<td>依頼 → 受領</td>") == 1 and "受領 → 受諾" in page
    page = _get(client, sharer, move).content.decode()
    assert page.count("<td>依頼 → 受領</td>") == 1 and "受領 → 受諾" in page


def test_referral_move_of_an_unrelated_user_is_404(client, sharer, make_user, other_body, body, case):
    from tsunagari.helpline.models import PartnerBody

    referral = referrals.request(sharer, case.pk, "referral", to_body=other_body, reason="理由")
    third = make_user(
        "third", *SHARING, "cases.view_referral", body=PartnerBody.objects.create(name="第三の団体")
    )
    login_staff(client, third)
    response = client.post(
        reverse("cases:referral_detail", kwargs={"referral_id": referral.pk}),
        {"version": 1, "target": "received"},
    )
    assert response.status_code == 404


def test_share_page_override_needs_reason(client, supervisor, case, sections, councils):
    login_staff(client, supervisor)
    url = reverse("cases:case_sharing", kwargs={"case_id": case.pk})
    page = _get(client, supervisor, url).content.decode()
    assert "同意によらずに共有する" in page
    data = {
        "share-council": councils[0].pk,
        "share-sections": [str(sections[0].pk)],
        "share-basis": "override",
    }
    response = client.post(url, {**data, "share-override_reason": "  "})
    assert response.status_code == 400 and "理由を書いてください" in response.content.decode()
    assert not CaseShare.objects.exists()
    assert client.post(url, {**data, "share-override_reason": "命の危険があり緊急"}).status_code == 302
    share = CaseShare.objects.get()
    assert (share.basis, list(share.sections.all())) == ("override", [sections[0]])


def test_share_page_without_override_right_offers_consent_only(client, sharer, case, sections, councils):
    url = reverse("cases:case_sharing", kwargs={"case_id": case.pk})
    page = _get(client, sharer, url).content.decode()
    assert 'value="override"' not in page
    data = {
        "share-council": councils[0].pk,
        "share-sections": [str(sections[0].pk)],
        "share-basis": "override",
        "share-override_reason": "理由",
    }
    assert client.post(url, data).status_code == 400
    response = client.post(url, {**data, "share-basis": "consent"})
    assert response.status_code == 400 and "同意を選んでください" in response.content.decode()
    assert not CaseShare.objects.exists()


def test_record_consent_share_and_withdraw_through_the_pages(
    client, sharer, member_a, case, sections, councils
):
    a, _b = councils
    login_staff(client, sharer)
    consent_url = reverse("cases:consent_new", kwargs={"case_id": case.pk})
    assert client.post(consent_url, {"consent-council": a.pk, "consent-purpose": ""}).status_code == 400
    response = client.post(
        consent_url,
        {
            "consent-council": a.pk,
            "consent-purpose": "住まいの確保のための協議",
            "consent-given_by": "person",
            "consent-recorded_how": "written",
            "consent-given_at": "2026-04-03T09:00",
        },
    )
    assert response.status_code == 302
    consent = case.consents.get()
    share_url = reverse("cases:case_sharing", kwargs={"case_id": case.pk})
    response = client.post(
        share_url,
        {
            "share-council": a.pk,
            "share-sections": [str(sections[1].pk)],
            "share-basis": "consent",
            "share-consent": str(consent.pk),
        },
    )
    assert response.status_code == 302
    share = CaseShare.objects.get()
    detail = reverse("cases:shared_detail", kwargs={"share_id": share.pk})
    assert _get(client, member_a, detail).status_code == 200
    login_staff(client, sharer)
    assert (
        client.post(reverse("cases:consent_withdraw", kwargs={"consent_id": consent.pk})).status_code == 302
    )
    assert _get(client, member_a, detail).status_code == 404


def test_member_view_shows_only_shared_sections_and_is_audited(
    client, sharer, member_a, member_b, case, sections, councils
):
    a, _b = councils
    note, _assessment, _private = sections
    share = sharing_services.share_case(
        sharer, case.pk, a.pk, [note.pk], consent_id=_consent(sharer, case, a).pk
    )
    listing = _get(client, member_a, reverse("cases:shared_list")).content.decode()
    assert str(case.pk)[:8] in listing and "佐藤一郎" not in listing
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = _get(client, member_a, reverse("cases:shared_detail", kwargs={"share_id": share.pk}))
    page = response.content.decode()
    assert response.status_code == 200 and "初回面談の記録" in page
    for secret in ("佐藤一郎", "090-0000-0000", "家賃の滞納", "共有しない家族の事情", "住まいの相談先"):
        assert secret not in page
    reads = AuditEntry.objects.filter(seq__gt=before)
    assert list(reads.values_list("actor", "action", "object_id")) == [
        (f"user:{member_a.pk}", "read", str(note.pk))
    ]
    # a member of another council, and the whole case
    assert (
        _get(client, member_b, reverse("cases:shared_detail", kwargs={"share_id": share.pk})).status_code
        == 404
    )
    assert (
        _get(client, member_a, reverse("cases:case_timeline", kwargs={"case_id": case.pk})).status_code == 403
    )
    assert (
        _get(client, member_a, reverse("cases:case_sharing", kwargs={"case_id": case.pk})).status_code == 403
    )


def test_dashboard_page(client, sharer, make_user, other_body, case, body):
    coordinator = make_user("coordinator", *SHARING, "cases.view_referral", body=body)
    referral = referrals.request(sharer, case.pk, "referral", to_body=other_body, reason="家賃の相談のため")
    Referral.objects.filter(pk=referral.pk).update(requested_at=timezone.now() - timedelta(days=5))
    response = _get(client, coordinator, reverse("cases:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert str(case.pk)[:8] in page  # serious and waiting
    waiting = page.split("支援につながっていない重篤なケース")[1].split("</table>")[0]
    assert "<td>依頼</td>" in waiting  # the newest handover's status, by its label
    assert "応答のないつなぎ" in page and "別の団体" in page  # overdue (5 days > 72 h)
    assert "家賃の相談のため" not in page and "佐藤一郎" not in page  # nothing personal
    assert "未送信" in page
    sharer.email = "sender@example.org"
    sharer.save()
    assert referrals.notify_overdue() == 1
    page = _get(client, coordinator, reverse("cases:dashboard")).content.decode()
    assert "送信済み" in page and "未送信" not in page
    assert _get(client, sharer, reverse("cases:dashboard")).status_code == 403  # no view_referral


def test_templates_have_no_inline_script_or_style():
    """A strict Content-Security-Policy is coming: CSS is in cases/static/cases/cases.css."""
    from pathlib import Path

    import tsunagari.cases

    folder = Path(tsunagari.cases.__file__).parent / "templates" / "cases"
    templates = sorted(folder.glob("*.html"))
    assert len(templates) >= 10
    for template in templates:
        assert not CSP_UNSAFE.search(template.read_text(encoding="utf-8")), template.name
    assert (folder.parent.parent / "static" / "cases" / "cases.css").is_file()
