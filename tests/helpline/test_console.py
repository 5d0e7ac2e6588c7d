"""The counsellor and coordinator console: access, the record form, the coordinators' queue, audit."""

from __future__ import annotations

import logging
import shutil
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.helpline import console_selectors, console_services, record_forms, roles
from tsunagari.helpline.models import (
    ConsultationRecord,
    Contact,
    ContactEvent,
    CoordinationCase,
    Field,
    Line,
    PartnerBody,
    StaffMembership,
)

pytestmark = pytest.mark.django_db

SUMMARY = "山田花子さん（仮名）090-0000-1111、夫との関係で眠れない"
REFERRAL_TO = "〇〇市 福祉課 佐藤さん"


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def setup_line():
    roles.ensure_roles()
    lonely = Field.objects.create(code="loneliness", name="孤独・孤立での悩み", general=True, position=2)
    crisis = Field.objects.create(code="suicide", name="死にたいほどつらい気持ち", crisis=True, position=3)
    body = PartnerBody.objects.create(name="テスト連携団体")
    line = Line.objects.create(body=body, name="第1回線", dial="+81300000001")
    line.fields.set([lonely, crisis])
    other = Line.objects.create(body=body, name="第2回線", dial="+81300000002")
    other.fields.set([lonely])
    return {"lonely": lonely, "crisis": crisis, "line": line, "other_line": other, "body": body}


def _user(django_user_model, name, *groups):
    user = django_user_model.objects.create_user(name)  # no password: tests log in with login_staff
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def users(django_user_model, setup_line):
    counsellors = [
        _user(django_user_model, "counsellor1", roles.COUNSELLOR),
        _user(django_user_model, "counsellor2", roles.COUNSELLOR),
    ]
    for counsellor in counsellors:  # need-to-know: counsellors see their own body's contacts
        StaffMembership.objects.create(user=counsellor, body=setup_line["body"])
    return {
        "counsellor": counsellors[0],
        "counsellor2": counsellors[1],
        "coordinator": _user(django_user_model, "coordinator1", roles.COORDINATOR),
        "coordinator2": _user(django_user_model, "coordinator2", roles.COORDINATOR),
        "supervisor": _user(django_user_model, "supervisor1", roles.SUPERVISOR),
        "nobody": _user(django_user_model, "nobody"),
    }


def client_for(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


_sequence = iter(range(10**6))


def make_contact(field=None, line=None, *, answered=True, minutes_ago=5) -> Contact:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    contact = Contact.objects.create(
        channel=Contact.Channel.VOICE, provider_id=f"CA{uuid.uuid4().hex}", started_at=at
    )

    def event(kind, offset, **kwargs):
        ContactEvent.objects.create(
            contact=contact,
            kind=kind,
            at=at + timedelta(seconds=offset),
            event_key=f"e{next(_sequence)}",
            **kwargs,
        )

    event(ContactEvent.Kind.OFFERED, 0)
    if field is not None:
        event(ContactEvent.Kind.MENU_CHOICE, 10, field=field)
    if answered:
        event(ContactEvent.Kind.ANSWERED, 30, field=field, line=line, body=line.body if line else None)
    return contact


def post_data(**changes) -> dict:
    data = {
        "form_version": "v1",
        "age_band": "age_40s",
        "gender": "female",
        "field": "loneliness",
        "consultation_types": ["family", "housemates"],
        "risk": "medium",
        "summary": SUMMARY,
        "actions": "傾聴し、地域の相談窓口を案内した",
        "referral_needed": "on",
        "referral_to": REFERRAL_TO,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def record_url(contact):
    return reverse("helpline:console_record_new", kwargs={"contact_id": contact.pk})


# -- access --------------------------------------------------------------------------------------


def test_urls_are_under_the_console():
    assert reverse("helpline:console_contacts") == "/helpline/console/"
    assert reverse("helpline:console_queue") == "/helpline/console/queue/"


def test_anonymous_users_are_sent_to_login(client, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    for url in [
        reverse("helpline:console_contacts"),
        record_url(contact),
        reverse("helpline:console_record", kwargs={"record_id": 1}),
        reverse("helpline:console_queue"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/helpline/console/"), url
    response = client.post(reverse("helpline:console_case_take", kwargs={"case_id": 1}))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(record_url(contact), post_data()).status_code == 302
    assert not ConsultationRecord.objects.exists()


def test_a_configured_login_url_is_used(client, settings):
    settings.LOGIN_URL = "/staff/login/"
    response = client.get(reverse("helpline:console_contacts"))
    assert response["Location"].startswith("/staff/login/?next=")


def test_wrong_roles_get_403(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    assert client_for(users["nobody"]).get(reverse("helpline:console_contacts")).status_code == 403
    assert client_for(users["nobody"]).get(reverse("helpline:console_queue")).status_code == 403
    coordinator = client_for(users["coordinator"])
    assert coordinator.get(reverse("helpline:console_contacts")).status_code == 403
    assert coordinator.get(record_url(contact)).status_code == 403
    assert coordinator.post(record_url(contact), post_data()).status_code == 403
    counsellor = client_for(users["counsellor"])
    assert counsellor.get(reverse("helpline:console_queue")).status_code == 403
    assert counsellor.post(reverse("helpline:console_case_take", kwargs={"case_id": 1})).status_code == 403
    assert not ConsultationRecord.objects.exists()


def test_pages_are_not_cached(users):
    response = client_for(users["counsellor"]).get(reverse("helpline:console_contacts"))
    assert "no-store" in response["Cache-Control"]


# -- roles ---------------------------------------------------------------------------------------


def _codenames(role):
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_ensure_roles_is_idempotent_and_exact(setup_line):
    first = {role: _codenames(role) for role in roles.ROLES}
    group = Group.objects.get(name=roles.COUNSELLOR)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="helpline", codename="delete_contact")
    )  # a stray helpline grant
    group.permissions.add(
        Permission.objects.get(content_type__app_label="directory", codename="view_service")
    )  # another app's: kept
    assert roles.ensure_roles() == roles.ensure_roles()
    assert _codenames(roles.COUNSELLOR) == first[roles.COUNSELLOR] | {"view_service"}
    assert Group.objects.filter(name__in=roles.ROLES).count() == 3
    assert "add_consultationrecord" in first[roles.COUNSELLOR]
    assert "view_consultationrecord" not in first[roles.COUNSELLOR]
    assert {"view_coordinationcase", "change_coordinationcase"} <= first[roles.COORDINATOR]
    assert "add_consultationrecord" not in first[roles.COORDINATOR]
    assert first[roles.COUNSELLOR] | first[roles.COORDINATOR] <= first[roles.SUPERVISOR]
    assert not any(c.startswith("delete_") for codes in first.values() for c in codes)


# -- incoming contacts ---------------------------------------------------------------------------


def test_contact_list_shows_answered_contacts_without_a_record(users, setup_line):
    waiting = make_contact(setup_line["lonely"], setup_line["line"])
    crisis = make_contact(setup_line["crisis"], setup_line["other_line"], minutes_ago=1)
    make_contact(setup_line["lonely"], answered=False)  # abandoned in the queue
    make_contact(setup_line["lonely"], setup_line["line"], minutes_ago=60 * 24 * 8)  # too old
    recorded = make_contact(setup_line["lonely"], setup_line["line"])
    console_services.save_record(
        contact_id=recorded.pk, counsellor=users["counsellor"], data=_record_data(), serious=False
    )
    items = console_selectors.incoming_contacts()
    assert [i.contact.pk for i in items] == [crisis.pk, waiting.pk]  # newest first
    assert items[1].field == setup_line["lonely"] and items[1].line == setup_line["line"]
    assert [i.contact.pk for i in console_selectors.incoming_contacts(field_code="suicide")] == [crisis.pk]
    only_line = console_selectors.incoming_contacts(line_id=setup_line["line"].pk)
    assert [i.contact.pk for i in only_line] == [waiting.pk]

    page = client_for(users["counsellor"]).get(reverse("helpline:console_contacts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert record_url(waiting) in html and record_url(crisis) in html
    assert record_url(recorded) not in html
    assert "テスト連携団体 / 第1回線" in html and "死にたいほどつらい気持ち" in html
    filtered = client_for(users["counsellor"]).get(reverse("helpline:console_contacts"), {"field": "suicide"})
    assert record_url(waiting) not in filtered.content.decode()
    # unknown filter values are ignored rather than failing
    assert (
        client_for(users["counsellor"])
        .get(reverse("helpline:console_contacts"), {"field": "nope", "line": "x"})
        .status_code
        == 200
    )


def test_record_form_is_rendered_from_the_definition(users, setup_line):
    contact = make_contact(setup_line["crisis"], setup_line["line"])
    response = client_for(users["counsellor"]).get(record_url(contact))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input type="hidden" name="form_version" value="v1">' in html
    for legend in ["相談者について（推定）", "相談の内容", "対応", "つなぎ支援"]:
        assert f"<legend><h2>{legend}</h2></legend>" in html
    for option in record_forms.load_form("v1").field("consultation_types").options:
        assert option.label in html
    assert '<label for="id_summary">相談の概要（必須）</label>' in html and 'maxlength="2000"' in html
    assert "<legend>推定年代（必須）</legend>" in html  # a radio group is a fieldset
    assert '<label for="id_referral_to">つなぎ先</label>' in html
    assert 'aria-describedby="id_summary_helptext"' in html
    assert '<option value="suicide" selected>' in html  # the field the caller chose
    assert 'name="csrfmiddlewaretoken"' in html
    assert "directory/_crisis.html" not in [t.name for t in response.templates]


def test_unanswered_or_unknown_contacts_are_404(users, setup_line):
    counsellor = client_for(users["counsellor"])
    assert counsellor.get(record_url(make_contact(setup_line["lonely"], answered=False))).status_code == 404
    missing = reverse("helpline:console_record_new", kwargs={"contact_id": uuid.uuid4()})
    assert counsellor.get(missing).status_code == 404


# -- saving a record -----------------------------------------------------------------------------


def _record_data(**changes):
    data = {
        "age_band": "age_30s",
        "gender": "unknown",
        "field": "loneliness",
        "consultation_types": ["no_place_to_talk"],
        "risk": "low",
        "summary": SUMMARY,
        "actions": "傾聴",
        "referral_needed": False,
        "referral_to": "",
    }
    data.update(changes)
    return data


def test_a_valid_record_is_saved_with_v1(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    counsellor = client_for(users["counsellor"])
    response = counsellor.post(record_url(contact), post_data(risk="high"))
    record = ConsultationRecord.objects.get(contact=contact)
    assert response.status_code == 302
    assert response["Location"] == reverse("helpline:console_record", kwargs={"record_id": record.pk})
    assert record.form_version == "v1" == record_forms.current_version()
    assert record.counsellor == users["counsellor"]
    assert record.risk == ConsultationRecord.Risk.HIGH and record.serious is False
    assert (
        record_forms.load_form(record.form_version)
        .validate(record.data, field_codes=Field.objects.values_list("code", flat=True))
        .ok
    )
    assert record.data["consultation_types"] == ["family", "housemates"]
    assert record.data["referral_to"] == REFERRAL_TO
    assert not CoordinationCase.objects.exists()

    detail = counsellor.get(response["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "記録票の版: v1" in html
    assert "家庭や家族、同居人との関係" in html and "40代" in html and "孤独・孤立での悩み" in html
    assert "高（いのちの危険）" in html and "記録を保存しました。" in html


def test_invalid_data_shows_field_errors_and_saves_nothing(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    data = post_data(
        age_band=None, summary="あ" * 2001, referral_to="", consultation_types=["nonsense"], serious="on"
    )
    response = client_for(users["counsellor"]).post(record_url(contact), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"age_band", "summary", "referral_to", "consultation_types"}
    assert form.errors["referral_to"] == ["この項目は必須です。"]  # from the definition's validator
    assert form.errors["age_band"] == ["この項目は必須です。"]  # from Django, worded alike
    assert form.errors["summary"] == ["2000 文字以内で入力してください。"]
    assert form.errors["consultation_types"] == ["選択肢から選んでください。"]  # no echo of the value
    html = response.content.decode()
    assert 'role="alert"' in html and 'href="#id_summary"' in html
    assert 'id="id_summary_error"' in html and 'aria-invalid="true"' in html
    assert not ConsultationRecord.objects.exists() and not CoordinationCase.objects.exists()


def test_referral_destination_without_the_box_is_an_error(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    response = client_for(users["counsellor"]).post(record_url(contact), post_data(referral_needed=None))
    assert response.status_code == 400
    assert response.context["form"].errors["referral_to"] == [
        "「ほかの窓口や支援機関へのつなぎが必要」にチェックがないときは、空にしてください。"
    ]
    assert not ConsultationRecord.objects.exists()


def test_a_stale_form_version_is_not_saved(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    response = client_for(users["counsellor"]).post(record_url(contact), post_data(form_version="v0"))
    assert response.status_code == 400 and "新しい版" in response.content.decode()
    assert not ConsultationRecord.objects.exists()


def test_service_validates_too_and_saves_nothing(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    with pytest.raises(console_services.RecordInvalid) as info:
        console_services.save_record(
            contact_id=contact.pk,
            counsellor=users["counsellor"],
            data=_record_data(field="no-such-field", risk="extreme"),
            serious=True,
        )
    assert {(e.field, e.code) for e in info.value.errors} == {
        ("field", "unknown_code"),
        ("risk", "invalid_choice"),
    }
    assert not ConsultationRecord.objects.exists() and not CoordinationCase.objects.exists()
    unanswered = make_contact(setup_line["lonely"], answered=False)
    with pytest.raises(console_services.ConsoleConflict, match="not_answered"):
        console_services.save_record(
            contact_id=unanswered.pk, counsellor=users["counsellor"], data=_record_data(), serious=False
        )
    assert not ConsultationRecord.objects.exists()


# -- serious → coordinators' queue ---------------------------------------------------------------


def test_serious_record_appears_in_the_queue_once(users, setup_line):
    contact = make_contact(setup_line["crisis"], setup_line["line"])
    counsellor = client_for(users["counsellor"])
    first = counsellor.post(record_url(contact), post_data(serious="on", field="suicide"))
    assert first.status_code == 302
    again = counsellor.post(record_url(contact), post_data(serious="on"))  # double submission
    assert again.status_code == 302 and again["Location"] == reverse("helpline:console_contacts")
    with pytest.raises(console_services.ConsoleConflict, match="already_recorded"):
        console_services.save_record(
            contact_id=contact.pk, counsellor=users["counsellor2"], data=_record_data(), serious=True
        )
    record = ConsultationRecord.objects.get(contact=contact)
    assert record.serious and CoordinationCase.objects.get().record == record

    entries = console_selectors.coordinators_queue()
    assert [e.case.record_id for e in entries] == [record.pk]
    assert entries[0].field == setup_line["crisis"]
    page = client_for(users["coordinator"]).get(reverse("helpline:console_queue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(reverse("helpline:console_record", kwargs={"record_id": record.pk})) == 1
    assert "死にたいほどつらい気持ち" in html and "受付待ち" in html
    assert SUMMARY not in html  # the queue lists cases; the content is on the record page
    # the contact has left the counsellors' list
    assert contact.pk not in [i.contact.pk for i in console_selectors.incoming_contacts()]


def _serious_case(users, setup_line, minutes_ago=5) -> CoordinationCase:
    contact = make_contact(setup_line["crisis"], setup_line["line"], minutes_ago=minutes_ago)
    record = console_services.save_record(
        contact_id=contact.pk, counsellor=users["counsellor"], data=_record_data(risk="high"), serious=True
    )
    return record.coordination


def test_coordinators_take_and_close_cases(users, setup_line):
    older = _serious_case(users, setup_line, minutes_ago=30)
    case = _serious_case(users, setup_line)
    coordinator, other = client_for(users["coordinator"]), client_for(users["coordinator2"])
    take = reverse("helpline:console_case_take", kwargs={"case_id": case.pk})
    close = reverse("helpline:console_case_close", kwargs={"case_id": case.pk})

    assert coordinator.get(take).status_code == 405  # actions are POST only
    response = coordinator.post(take, follow=True)
    assert response.redirect_chain[-1][0] == reverse("helpline:console_queue")
    assert "案件を受け付けました。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CoordinationCase.Status.IN_PROGRESS and case.coordinator == users["coordinator"]
    # waiting cases come first
    assert [e.case.pk for e in console_selectors.coordinators_queue()] == [older.pk, case.pk]

    response = other.post(take, follow=True)
    assert "すでに受け付けられています" in response.content.decode()
    response = other.post(close, follow=True)
    assert "自分が受け付けた案件だけを終了できます。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CoordinationCase.Status.IN_PROGRESS and case.coordinator == users["coordinator"]

    coordinator.post(close)
    case.refresh_from_db()
    assert case.status == CoordinationCase.Status.CLOSED
    assert [e.case.pk for e in console_selectors.coordinators_queue()] == [older.pk]
    assert (
        coordinator.post(reverse("helpline:console_case_take", kwargs={"case_id": 99999})).status_code == 404
    )


def test_case_actions_need_the_csrf_token(users, setup_line):
    case = _serious_case(users, setup_line)
    client = Client(enforce_csrf_checks=True)
    login_staff(client, users["coordinator"])
    assert client.post(reverse("helpline:console_case_take", kwargs={"case_id": case.pk})).status_code == 403
    case.refresh_from_db()
    assert case.status == CoordinationCase.Status.WAITING
    page = client.get(reverse("helpline:console_queue")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_supervisors_can_use_every_page(users, setup_line):
    case = _serious_case(users, setup_line)
    supervisor = client_for(users["supervisor"])
    assert supervisor.get(reverse("helpline:console_contacts")).status_code == 200
    assert supervisor.get(reverse("helpline:console_queue")).status_code == 200
    assert (
        supervisor.get(reverse("helpline:console_record", kwargs={"record_id": case.record_id})).status_code
        == 200
    )


# -- reading records -----------------------------------------------------------------------------


def test_who_may_read_a_record(users, setup_line):
    case = _serious_case(users, setup_line)
    url = reverse("helpline:console_record", kwargs={"record_id": case.record_id})
    assert client_for(users["counsellor"]).get(url).status_code == 200  # the author
    assert client_for(users["coordinator"]).get(url).status_code == 200
    assert client_for(users["counsellor2"]).get(url).status_code == 403  # another counsellor
    assert client_for(users["nobody"]).get(url).status_code == 403
    missing = reverse("helpline:console_record", kwargs={"record_id": case.record_id + 1000})
    assert client_for(users["coordinator"]).get(missing).status_code == 404


V0 = """
version: v0
title: 相談記録票（試行版）
sections:
  - id: main
    legend: 相談（試行版）
    fields:
      - id: caller_age
        type: choice
        label: 年代（試行版）
        required: true
        options:
          - {value: young, label: 若年}
          - {value: older, label: 中高年}
      - id: memo
        type: text
        label: メモ（試行版）
        multiline: true
        max_length: 100
"""


def test_an_old_v0_record_still_displays_after_v1_is_current(users, setup_line, tmp_path, monkeypatch):
    (tmp_path / "v0.yaml").write_text(V0, encoding="utf-8")
    monkeypatch.setattr(record_forms, "default_directory", lambda: tmp_path)
    assert record_forms.current_version() == "v0"
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    old = console_services.save_record(
        contact_id=contact.pk,
        counsellor=users["counsellor"],
        data={"caller_age": "older", "memo": "試行版のメモ"},
        serious=False,
    )
    assert old.form_version == "v0" and old.risk == ConsultationRecord.Risk.LOW

    shutil.copy(str(_shipped_v1()), tmp_path / "v1.yaml")
    assert record_forms.current_version() == "v1"
    response = client_for(users["coordinator"]).get(
        reverse("helpline:console_record", kwargs={"record_id": old.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "記録票の版: v0" in html and "相談記録票（試行版）" in html
    assert "年代（試行版）" in html and "中高年" in html and "試行版のメモ" in html
    # new records use v1
    fresh = make_contact(setup_line["lonely"], setup_line["line"])
    form = client_for(users["counsellor"]).get(record_url(fresh)).content.decode()
    assert 'name="form_version" value="v1"' in form


def _shipped_v1():
    from importlib import resources

    return resources.files("tsunagari.helpline").joinpath("data/record_forms/v1.yaml")


def test_a_record_whose_definition_is_gone_shows_its_stored_data(users, setup_line):
    contact = make_contact(setup_line["lonely"], setup_line["line"])
    record = ConsultationRecord.objects.create(
        contact=contact, counsellor=users["counsellor"], form_version="v7", data={"memo": "保存された値"}
    )
    response = client_for(users["counsellor"]).get(
        reverse("helpline:console_record", kwargs={"record_id": record.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "定義が見つかりません" in html and "memo" in html and "保存された値" in html


# -- audit log -----------------------------------------------------------------------------------


def test_audit_lines_name_user_action_and_object_without_personal_content(users, setup_line, caplog):
    caplog.set_level(logging.DEBUG)  # every logger: nothing personal may appear anywhere
    contact = make_contact(setup_line["crisis"], setup_line["line"])
    counsellor, coordinator = client_for(users["counsellor"]), client_for(users["coordinator"])
    counsellor.get(reverse("helpline:console_contacts"))
    counsellor.get(record_url(contact))
    counsellor.post(record_url(contact), post_data(summary=""))  # invalid: the form again
    counsellor.post(record_url(contact), post_data(serious="on"))
    record = ConsultationRecord.objects.get()
    case = CoordinationCase.objects.get()
    counsellor.get(reverse("helpline:console_record", kwargs={"record_id": record.pk}))
    coordinator.get(reverse("helpline:console_queue"))
    coordinator.post(reverse("helpline:console_case_take", kwargs={"case_id": case.pk}))
    coordinator.post(reverse("helpline:console_case_close", kwargs={"case_id": case.pk}))

    audit = [r for r in caplog.records if r.name == "tsunagari.audit"]
    c, k = users["counsellor"].pk, users["coordinator"].pk
    assert [r.getMessage() for r in audit] == [
        f"user={c} action=helpline.contacts.list object=-",
        f"user={c} action=helpline.contact.view object={contact.pk}",
        f"user={c} action=helpline.contact.view object={contact.pk}",
        f"user={c} action=helpline.record.create object={record.pk}",
        f"user={c} action=helpline.case.create object={case.pk}",
        f"user={c} action=helpline.record.view object={record.pk}",
        f"user={k} action=helpline.queue.view object=-",
        f"user={k} action=helpline.case.take object={case.pk}",
        f"user={k} action=helpline.case.close object={case.pk}",
    ]
    assert all(r.levelno == logging.INFO for r in audit)
    assert (audit[3].audit_user_id, audit[3].audit_action, audit[3].audit_object_id) == (
        c,
        "helpline.record.create",
        str(record.pk),
    )
    for r in caplog.records:
        text = r.getMessage() + repr(getattr(r, "args", ""))
        for personal in (SUMMARY, REFERRAL_TO, "090-0000-1111", "傾聴し"):
            assert personal not in text


def test_audit_logger_emits_info_by_default():
    assert logging.getLogger("tsunagari.audit").isEnabledFor(logging.INFO)


def test_the_database_refuses_a_second_record_for_a_contact(users, setup_line):
    from django.db import IntegrityError, transaction

    contact = make_contact(setup_line["lonely"], setup_line["line"])
    ConsultationRecord.objects.create(
        contact=contact, counsellor=users["counsellor"], form_version="v1", data={}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRecord.objects.create(
            contact=contact, counsellor=users["counsellor"], form_version="v1", data={}
        )
