"""Members edit their own body (/network/bodies/<id>/edit/), the list of bodies one may edit, the
public body page and the directory's "platform member" line."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.staff_login import login_staff
from tsunagari.cases.models import AuditEntry
from tsunagari.directory.records import OrganizationRecord, PhoneRecord, ServiceRecord, SourceRecord
from tsunagari.directory.services import apply_records, validate_records
from tsunagari.network import roles, services
from tsunagari.network.models import BodyEditor, ContactPerson, MemberBody, PlatformOfficer

from .factories import member, national_platform

pytestmark = pytest.mark.django_db

VERIFIED = SourceRecord(
    name="test", url="https://example.org/", last_verified=date(2026, 11, 1), verification="verified"
)


def directory_services(org_key: str, org_name: str, *services_: dict) -> tuple[str, list[str]]:
    """An organization with services, written through the directory's own import services; returns
    (organization id, service ids). Each dict holds ``ServiceRecord`` fields (``key`` and ``name``
    required; phones as strings)."""
    from tsunagari.core.ids import as_uuid

    org = OrganizationRecord(id=org_key, name=org_name)
    records = []
    for fields in services_:
        fields = dict(fields)
        key = fields.pop("key")
        fields.setdefault("topics", ("loneliness",))
        fields.setdefault("audiences", ("adult",))
        fields.setdefault("channels", ("phone",))
        fields.setdefault("source", VERIFIED)
        fields["phones"] = tuple(PhoneRecord(p) for p in fields.get("phones", ()))
        records.append(ServiceRecord(id=key, organization_id=org_key, **fields))
    validate_records("test", [org], records)
    apply_records([org], records, via="test")
    return as_uuid("organization", org_key), [as_uuid("service", r.id) for r in records]


def role_user(django_user_model, username: str, role: str):
    roles.ensure_network_roles()
    user = django_user_model.objects.create_user(username, password="x-unused-x")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def two_bodies():
    platform = national_platform()
    a = member(platform, "NPO法人あかり", topics=["loneliness"], area_codes=["131016"], address="千代田区1-1")
    b = member(platform, "NPO法人ひまわり", topics=["poverty"], area_codes=["131016"])
    services.add_contact(a.body, "担当 一郎", email="ichiro@example.org", phone="03-0000-0001")
    services.add_contact(b.body, "担当 二郎", email="jiro@example.org")
    return a.body, b.body


@pytest.fixture
def editor_a(django_user_model, two_bodies):
    user = role_user(django_user_model, "editor-a", roles.MEMBER_BODY_EDITOR)
    BodyEditor.objects.create(user=user, body=two_bodies[0])
    return user


def edit_url(body) -> str:
    return reverse("network:body_edit", args=[body.pk])


def post_data(body, **overrides) -> dict:
    """A full valid form for ``body`` as the page would send it (its contacts, one blank row)."""
    contacts = list(body.contacts.all())
    data = {
        "description": "居場所づくりをしています。",
        "website": "https://akari.example.org/",
        "address": "千代田区霞が関３－１－１",
        "area_codes": "131016 312011",
        "topics": ["loneliness", "hikikomori"],
        "contacts-TOTAL_FORMS": str(len(contacts) + 1),
        "contacts-INITIAL_FORMS": str(len(contacts)),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
    }
    for n, contact in enumerate(contacts):
        data.update(
            {
                f"contacts-{n}-id": str(contact.pk),
                f"contacts-{n}-name": contact.name,
                f"contacts-{n}-department": contact.department,
                f"contacts-{n}-email": contact.email,
                f"contacts-{n}-phone": contact.phone,
            }
        )
        if contact.is_primary:
            data[f"contacts-{n}-is_primary"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- authorisation ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, two_bodies):
    for url in (edit_url(two_bodies[0]), reverse("network:bodies_mine")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_editor_of_a_gets_404_on_b_and_changes_nothing(client, two_bodies, editor_a):
    a, b = two_bodies
    login_staff(client, editor_a)
    assert client.get(edit_url(a)).status_code == 200
    assert client.get(edit_url(b)).status_code == 404
    missing = MemberBody.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("network:body_edit", args=[missing])).status_code == 404
    before = (b.description, list(b.contacts.values_list("name", "email")))
    response = client.post(edit_url(b), post_data(b, description="乗っ取り"))
    assert response.status_code == 404
    b.refresh_from_db()
    assert (b.description, list(b.contacts.values_list("name", "email"))) == before


def test_officer_edits_members_of_own_platform_only(client, django_user_model):
    p = services.create_platform("鳥取市プラットフォーム", "local", ["312011"])
    q = services.create_platform("米子市プラットフォーム", "local", ["312029"])
    in_p, in_q = member(p, "鳥取のNPO").body, member(q, "米子のNPO").body
    officer = role_user(django_user_model, "officer-p", roles.LOCAL_PLATFORM_OFFICER)
    PlatformOfficer.objects.create(user=officer, platform=p)
    login_staff(client, officer)
    assert client.get(edit_url(in_p)).status_code == 200
    assert client.get(edit_url(in_q)).status_code == 404
    html = client.get(reverse("network:bodies_mine")).content.decode()
    assert "鳥取のNPO" in html and "米子のNPO" not in html
    assert reverse("network:resources", args=[p.pk]) in html
    assert reverse("network:resources", args=[q.pk]) not in html


def test_secretariat_edits_any_body(client, django_user_model, two_bodies):
    secretariat = role_user(django_user_model, "secretariat", roles.PLATFORM_SECRETARIAT)
    login_staff(client, secretariat)
    for body in two_bodies:
        assert client.get(edit_url(body)).status_code == 200
    html = client.get(reverse("network:bodies_mine")).content.decode()
    assert "NPO法人あかり" in html and "NPO法人ひまわり" in html


def test_my_bodies_lists_only_own(client, two_bodies, editor_a):
    login_staff(client, editor_a)
    response = client.get(reverse("network:bodies_mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "NPO法人あかり" in html and "NPO法人ひまわり" not in html
    assert edit_url(two_bodies[0]) in html
    assert "担当するプラットフォーム" not in html  # an editor manages no platform
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


# -- editing ---------------------------------------------------------------------------------------


def test_viewing_contacts_is_audited(client, two_bodies, editor_a):
    a = two_bodies[0]
    login_staff(client, editor_a)
    before = AuditEntry.objects.count()
    html = client.get(edit_url(a)).content.decode()
    assert "担当 一郎" in html and "ichiro@example.org" in html and "担当 二郎" not in html
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == ("read", "network.body_contacts", str(a.pk))
    assert "<script" not in html and " style=" not in html
    assert "千代田区（131016）" in html  # current areas, named
    assert f'href="{reverse("network:body", args=[a.pk])}"' in html  # listed: its public page


def test_valid_post_updates_profile_and_contacts(client, two_bodies, editor_a):
    a = two_bodies[0]
    first = a.contacts.get()
    login_staff(client, editor_a)
    data = post_data(
        a,
        **{
            "contacts-0-department": "事務局長",
            "contacts-1-name": "担当 三郎",
            "contacts-1-email": "saburo@example.org",
            "contacts-1-phone": "0857-00-0000",
        },
    )
    response = client.post(edit_url(a), data)
    assert response.status_code == 302 and response.url == edit_url(a)
    a.refresh_from_db()
    assert a.description == "居場所づくりをしています。"
    assert a.website == "https://akari.example.org/"
    assert a.address == "千代田区霞が関３－１－１" and a.address_key == "千代田区霞が関3-1-1"
    assert a.name == "NPO法人あかり"  # not editable here
    assert sorted(a.topics.values_list("code", flat=True)) == ["hikikomori", "loneliness"]
    assert sorted(a.areas.values_list("code", flat=True)) == ["131016", "312011"]
    contacts = list(a.contacts.order_by("pk"))
    assert [(c.pk == first.pk, c.name, c.department, c.is_primary) for c in contacts] == [
        (True, "担当 一郎", "事務局長", True),
        (False, "担当 三郎", "", False),
    ]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "update",
        "network.body_contacts",
        str(a.pk),
    )
    assert "saburo" not in str(entry.fields) + entry.reason  # no values in the log
    follow = client.get(edit_url(a)).content.decode()
    assert "団体の紹介と担当者を保存しました" in follow


def test_deleting_a_contact_and_moving_primary(client, two_bodies, editor_a):
    a = two_bodies[0]
    services.add_contact(a, "担当 四郎")
    login_staff(client, editor_a)
    data = post_data(a, **{"contacts-0-DELETE": "on", "contacts-0-is_primary": None})
    assert client.post(edit_url(a), data).status_code == 302
    assert list(a.contacts.values_list("name", "is_primary")) == [("担当 四郎", True)]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"website": "not a url"}, "URLを正しく入力してください"),
        ({"area_codes": "999999"}, "存在しない地方公共団体コードです: 999999"),
        ({"area_codes": "13101"}, "6桁の数字ではないコードがあります: 13101"),
        ({"area_codes": ""}, "活動地域を1つ以上入力してください"),
        ({"topics": ["loneliness", "astrology"]}, "astrology"),
        ({"contacts-0-email": "ichiro@"}, "有効なメールアドレス"),
        ({"contacts-0-phone": "call me"}, "電話番号は数字・ハイフン・括弧だけで入力してください"),
        ({"contacts-0-name": ""}, "氏名を入力してください"),
        ({"contacts-1-name": "担当 三郎", "contacts-1-is_primary": "on"}, "主担当は1人だけ選んでください"),
        ({"description": "あ" * 4001}, "4000"),
    ],
)
def test_invalid_input_is_refused_with_a_message_and_nothing_written(
    client, two_bodies, editor_a, overrides, field_message
):
    a = two_bodies[0]
    login_staff(client, editor_a)
    before = (a.description, a.website, list(a.contacts.values_list("name", "email", "phone")))
    response = client.post(edit_url(a), post_data(a, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html, re.findall(r"errorlist[^\n]*", html)
    assert "入力内容を確認してください" in html
    a.refresh_from_db()
    assert (a.description, a.website, list(a.contacts.values_list("name", "email", "phone"))) == before
    assert sorted(a.areas.values_list("code", flat=True)) == ["131016"]


def test_nationwide_body_needs_no_areas(client, two_bodies, editor_a):
    a = two_bodies[0]
    login_staff(client, editor_a)
    response = client.post(edit_url(a), post_data(a, nationwide="on", area_codes=""))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.nationwide and not a.areas.exists()


def test_contact_of_another_body_cannot_be_taken_over(client, two_bodies, editor_a):
    a, b = two_bodies
    theirs = b.contacts.get()
    login_staff(client, editor_a)
    data = post_data(a, **{"contacts-0-id": str(theirs.pk), "contacts-0-name": "書き換え"})
    response = client.post(edit_url(a), data)
    assert response.status_code == 400
    assert "保存できませんでした" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.name == "担当 二郎" and theirs.body_id == b.pk
    a.refresh_from_db()
    assert a.description == ""  # the profile part was rolled back too
    assert ContactPerson.objects.filter(body=a).count() == 1


# -- the public body page and the directory link ---------------------------------------------------


def test_public_body_page_shows_profile_platforms_and_directory_services(client, two_bodies):
    a = two_bodies[0]
    org_id, (service_id, _other) = directory_services(
        "akari-org",
        "NPO法人あかり",
        {"key": "akari-line", "name": "あかり電話相談", "phones": ["0120-000-111"]},
        {"key": "akari-chat", "name": "あかりチャット", "source": SourceRecord(name="self")},
    )
    services.save_body(a, organization_id=org_id)
    response = client.get(reverse("network:body", args=[a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "NPO法人あかり" in html and "孤独・孤立対策官民連携プラットフォーム" in html
    assert f'href="/services/{service_id}/"' in html and "あかり電話相談" in html
    assert "0120-000-111" in html and 'href="tel:0120000111"' in html
    assert "確認済み" in html and "情報未確認" in html  # verified line, unverified chat
    assert "担当 一郎" not in html and "ichiro@" not in html  # contacts never public
    assert "<script" not in html and " style=" not in html


def test_public_body_page_is_404_unless_listed(client):
    platform = national_platform()
    unlisted = member(platform, "掲載不可NPO", listed=False).body
    former = member(platform, "退会したNPO")
    services.leave(former, date(2024, 3, 31))
    never = services.save_body(name="会員でない団体")
    for body in (unlisted, former.body, never):
        assert client.get(reverse("network:body", args=[body.pk])).status_code == 404


def test_directory_service_page_links_to_listed_member_body(client, two_bodies):
    a = two_bodies[0]
    org_id, (service_id,) = directory_services(
        "akari-org", "NPO法人あかり", {"key": "akari-line", "name": "あかり電話相談"}
    )
    page = f"/services/{service_id}/"
    assert "官民連携プラットフォーム会員" not in client.get(page).content.decode()
    services.save_body(a, organization_id=org_id)
    html = client.get(page).content.decode()
    assert "官民連携プラットフォーム会員" in html
    assert f'href="{reverse("network:body", args=[a.pk])}"' in html
    services.set_listing_consent(a.memberships.get(), False)
    assert "官民連携プラットフォーム会員" not in client.get(page).content.decode()
