"""The authorisation matrix: every URL pattern of the project × every role (× own / other body,
shared / not shared objects) is requested and must be allowed or denied as ``authz_matrix.yaml``
states.

Contract of the data file (version 1)
-------------------------------------
- ``urls``: one entry per URL pattern, keyed by its route as Django prints it (``str(pattern)``,
  prefixes joined; the i18n-prefixed patterns appear once, with the default language's empty
  prefix). An entry is ``public`` (everyone, anonymous included, is allowed), or a mapping:

  - ``allow``: the roles allowed — a list, or for object URLs a mapping variant → list (the
    variants are those the entry's ``object`` builder makes: ``own`` = an object of the staff
    users' body — for a council, of the municipal officer's area — ``other`` = of another body or
    area, ``shared`` / ``not_shared`` for council sharing);
    every role not listed is denied. ``public: true`` instead allows every role.
  - ``object``: the builder (``BUILDERS`` below) giving the URL's arguments per variant.
  - ``method``: ``get`` (default) or ``post`` (sent without data; a CSRF token is not checked by
    the test client).
  - ``ok``: further status codes that count as allowed for this URL (with ``why``), e.g. 400 for
    an action that passes the access check and then refuses an empty form.
  - ``kwargs``: fixed URL arguments instead of a builder; ``path``: a literal path to request
    (for an unnamed regular-expression route such as the admin's catch-all).
  - ``why``: the reason of the decision, for readers.

  A route whose text changes with the installed apps is keyed ``name:<namespace:name>`` instead.
- ``admin_models``: one entry per model registered in the admin (``app.model``), with the roles
  allowed to ``view`` (list, change form, history), ``add`` and ``delete``; the admin's own URL
  patterns of that model need no ``urls`` entry. Object pages are requested for an object of body
  A where the model belongs to a body (``ADMIN_OWN_OBJECTS``), else for any stored object; for a
  model without rows only the denials can be seen (and are checked). The admin's "no such object"
  redirect to its index counts as a denial there.
- A key given twice is an error (YAML would silently keep the last one).

Object builders (``BUILDERS``) make the objects through the apps' services: a URL of a new kind
of object needs a builder here. Allowed means a status below 400 that is not a redirect to a login
page (or a listed ``ok`` status). Denied means a redirect to a login page (anonymous), 403 or 404 (401/403/404 for an
anonymous API or webhook call, which cannot be redirected). A URL pattern without an entry, or an
entry without a pattern, fails the test naming it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from tests.staff_login import login_staff

MATRIX = Path(__file__).with_name("authz_matrix.yaml")
ROLES = (
    "anonymous",
    "counsellor",
    "supervisor",
    "coordinator",
    "council_member",
    "municipal_officer",
    "analyst",
    "auditor",
    "system_administrator",
)
AREA_A, AREA_B = "131016", "271004"  # the municipal officer's area (千代田区) and another (大阪市)
STAFF_ROLES = ROLES[1:-1]  # the system administrator is a superuser
ADMIN_KINDS = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    "add": "add",
    "delete": "delete",
    "redirect": "staff",  # the admin's old object URL, a redirect to the change form for any staff user
}
ADMIN_NAME = re.compile(r"^admin:(?P<app>[a-z0-9_]+?)_(?P<model>[a-z0-9]+)_(?P<kind>[a-z]+)$")
ADMIN_REDIRECT = re.compile(r"^admin/(?P<app>[a-z0-9_]+)/(?P<model>[a-z0-9]+)/<path:object_id>/$")


# -- the URL patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str  # namespace:name, or "" for an unnamed pattern
    pattern: URLPattern


def project_routes() -> list[Route]:
    """Every URL pattern of the project, recursively (i18n patterns once, default language)."""

    def walk(resolver, prefix, namespace):
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                inner = f"{namespace}:{item.namespace}" if namespace and item.namespace else item.namespace
                yield from walk(item, prefix + str(item.pattern), inner or namespace)
            else:
                name = f"{namespace}:{item.name}" if namespace and item.name else (item.name or "")
                yield Route(prefix + str(item.pattern), name, item)

    with translation.override(settings.LANGUAGE_CODE):
        return list(walk(get_resolver(), "", ""))


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice (YAML would keep the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(f"{MATRIX.name} line {key_node.start_mark.line + 1}: {key!r} is given twice")
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_matrix() -> dict:
    data = yaml.load(MATRIX.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    if data.get("version") != 1:
        raise ValueError(f"{MATRIX.name}: unknown version {data.get('version')!r}")
    for key, entry in data["urls"].items():
        if entry == "public":
            continue
        if not isinstance(entry, dict):
            raise ValueError(f"{MATRIX.name}: {key!r}: an entry is 'public' or a mapping")
        unknown = set(entry) - {"allow", "public", "object", "method", "ok", "why", "kwargs", "path"}
        if unknown:
            raise ValueError(f"{MATRIX.name}: {key!r}: unknown keys {sorted(unknown)}")
        allow = entry.get("allow", [])
        lists = allow.values() if isinstance(allow, dict) else [allow]
        for roles in lists:
            bad = set(roles) - set(ROLES)
            if bad:
                raise ValueError(f"{MATRIX.name}: {key!r}: unknown roles {sorted(bad)}")
        if isinstance(allow, dict) and "object" not in entry:
            raise ValueError(f"{MATRIX.name}: {key!r}: variants need an object builder")
    for model, entry in data["admin_models"].items():
        for kind in ("view", "add", "delete"):
            bad = set(entry.get(kind, [])) - set(ROLES)
            if bad:
                raise ValueError(f"{MATRIX.name}: admin model {model}: unknown roles {sorted(bad)}")
    return data


def _admin_model(route: Route) -> tuple[str, str] | None:
    """(``app.model``, kind) of an admin model URL, else None."""
    redirect = ADMIN_REDIRECT.match(route.route)
    if redirect is not None and not route.name:
        return f"{redirect['app']}.{redirect['model']}", "redirect"
    match = ADMIN_NAME.match(route.name)
    if match is None or match["kind"] not in ADMIN_KINDS:
        return None
    return f"{match['app']}.{match['model']}", match["kind"]


def entry_key(matrix, route: Route) -> str | None:
    """The key of the route's entry: its route, or ``name:<namespace:name>`` (for routes whose text
    changes with the installed apps, such as the admin's app index)."""
    for key in (route.route, f"name:{route.name}" if route.name else None):
        if key in matrix["urls"]:
            return key
    return None


def test_every_url_pattern_has_an_entry_and_every_entry_a_pattern():
    matrix = load_matrix()
    routes = project_routes()
    missing = [
        f"{r.route} ({r.name or 'unnamed'}, {r.pattern.lookup_str})"
        for r in routes
        if entry_key(matrix, r) is None
        and not ((found := _admin_model(r)) and found[0] in matrix["admin_models"])
    ]
    assert not missing, "URL patterns without an entry in tests/authz_matrix.yaml:\n" + "\n".join(missing)
    known = {r.route for r in routes} | {f"name:{r.name}" for r in routes if r.name}
    stale = sorted(set(matrix["urls"]) - known)
    assert not stale, f"entries of tests/authz_matrix.yaml without a URL pattern: {stale}"
    admin_models = {found[0] for r in routes if (found := _admin_model(r))}
    stale_models = sorted(set(matrix["admin_models"]) - admin_models)
    assert not stale_models, f"admin models in tests/authz_matrix.yaml not in the admin: {stale_models}"


# -- the world: users of every role and objects of every variant ---------------------------------

RECORD = {
    "age_band": "age_20s",
    "gender": "unknown",
    "field": "kodoku",
    "consultation_types": ["no_place_to_talk"],
    "risk": "high",
    "summary": "LINEで相談。ひとりでつらい。",
    "actions": "傾聴",
}


def _ensure_role_groups() -> None:
    from tsunagari.cases.roles import ensure_case_roles
    from tsunagari.helpline.roles import ensure_roles
    from tsunagari.network.roles import ensure_network_roles
    from tsunagari.survey.roles import ensure_evidence_roles

    # the role groups as ``tsunagari setup`` makes them (cli.setup calls these four)
    ensure_roles()
    ensure_case_roles()
    ensure_network_roles()
    ensure_evidence_roles()
    for role in STAFF_ROLES:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def world(django_user_model):
    """Two bodies (A: the staff users' own, B: another), users of every role (staff users are
    ``is_staff`` and members of body A, except the auditor, who belongs to no body) and objects."""
    from tests.helpline.line_support import chat_setup
    from tsunagari.cases.area_models import StaffArea
    from tsunagari.helpline.chat_models import StaffMembership

    _ensure_role_groups()
    lines = chat_setup(django_user_model)
    users = {"anonymous": None}
    for role in STAFF_ROLES:
        user = django_user_model.objects.create_user(f"matrix_{role}", is_staff=True)
        user.groups.set(Group.objects.filter(name=role))
        if role != "auditor":
            StaffMembership.objects.create(user=user, body=lines["body_a"])
        if role == "municipal_officer":  # area A: the own council's local government (千代田区)
            StaffArea.objects.create(user=user, local_government_id=AREA_A)
        users[role] = django_user_model.objects.get(pk=user.pk)
    admin = django_user_model.objects.create_superuser("matrix_system_administrator", email="")
    admin.groups.set(Group.objects.filter(name="system_administrator"))
    users["system_administrator"] = admin
    return {"users": users, **lines}


def _voice_contact(line):
    from tsunagari.helpline.models import Contact, ContactEvent

    at = timezone.now() - timedelta(minutes=5)
    contact = Contact.objects.create(
        channel=Contact.Channel.VOICE, provider_id=f"CA{uuid.uuid4().hex}", started_at=at
    )
    for offset, kind in ((0, ContactEvent.Kind.OFFERED), (30, ContactEvent.Kind.ANSWERED)):
        ContactEvent.objects.create(
            contact=contact,
            kind=kind,
            at=at + timedelta(seconds=offset),
            event_key=f"m{uuid.uuid4().hex}",
            line=line if kind == ContactEvent.Kind.ANSWERED else None,
            body=line.body if kind == ContactEvent.Kind.ANSWERED else None,
        )
    return contact


def _record(world, line, counsellor, serious=False):
    from tsunagari.helpline import console_services

    contact = _voice_contact(line)
    return console_services.save_record(
        contact_id=contact.pk, counsellor=counsellor, data=RECORD, serious=serious
    )


def build_contact(world):
    return {
        "own": {"contact_id": _voice_contact(world["line_a"]).pk},
        "other": {"contact_id": _voice_contact(world["line_b"]).pk},
    }


def build_record(world):
    """own: written by the matrix counsellor; other: by a counsellor of body B."""
    return {
        "own": {"record_id": _record(world, world["line_a"], world["users"]["counsellor"]).pk},
        "other": {"record_id": _record(world, world["line_b"], world["counsellor_b"]).pk},
    }


def build_coordination_case(world):
    record = _record(world, world["line_a"], world["counsellor_a"], serious=True)
    return {"any": {"case_id": record.coordination.pk}}


def _chat(field_code):
    from tsunagari.helpline import chat_services
    from tsunagari.helpline.models import Contact

    return chat_services.start_chat(
        channel=Contact.Channel.WEB,
        visitor_key=uuid.uuid4().hex,
        field_code=field_code,
        crisis=False,
        now=timezone.now(),
    )


def build_chat(world):
    """own: a waiting chat of a field body A serves; other: of a field only body B serves."""
    return {"own": {"contact_id": _chat("kodoku").pk}, "other": {"contact_id": _chat("kodomo").pk}}


def _callback(field_code):
    from tsunagari.helpline import callback_services
    from tsunagari.helpline.models import Contact

    now = timezone.now()
    contact = Contact.objects.create(
        channel=Contact.Channel.VOICE, provider_id=f"CA{uuid.uuid4().hex}", started_at=now
    )
    return callback_services.request_callback(contact, "+819012345678", field_code, False, now)


def build_callback(world):
    return {"own": {"callback_id": _callback("kodoku").pk}, "other": {"callback_id": _callback("kodomo").pk}}


def build_directory_service(world):
    from tsunagari.directory.models import Service

    return {"any": {"service_id": Service.objects.values_list("pk", flat=True).first()}}


def build_directory_organization(world):
    from tsunagari.directory.models import Organization

    return {"any": {"organization_id": Organization.objects.values_list("pk", flat=True).first()}}


def build_topic(world):
    from tsunagari.core.vocabulary import TOPICS

    return {"any": {"code": next(iter(TOPICS))}}


def build_platform(world):
    from tests.network.factories import national_platform

    return {"any": {"platform_id": national_platform().pk}}


def build_event(world):
    from tests.network.factories import event, national_platform

    return {"any": {"event_id": event(national_platform()).pk}}


def build_password_reset(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world["users"]["counsellor"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return {"any": {"uidb64": uid, "token": default_token_generator.make_token(user)}}


def build_view_on_site(world):
    from django.contrib.contenttypes.models import ContentType

    from tsunagari.directory.models import Service

    service = Service.objects.first()
    return {
        "any": {"content_type_id": ContentType.objects.get_for_model(Service).pk, "object_id": service.pk}
    }


def _cases_world(world) -> dict:
    """Cases of body A (own) and B (other) with sections and handovers; councils A (the matrix
    council member belongs to it) and B, each with a meeting; a consent and a share of an own
    section with council A (shared) and of the other case's section with council B (not shared
    with the matrix council member). Built once per test by the system administrator."""
    if "cases" in world:
        return world["cases"]
    from tsunagari.cases import council_services, referrals, services, sharing_services
    from tsunagari.helpline.models import PartnerBody

    admin, users = world["users"]["system_administrator"], world["users"]
    third = PartnerBody.objects.create(name="団体C")
    made = {}
    for variant, body, to_body, area in (
        ("own", world["body_a"], world["body_b"], AREA_A),
        ("other", world["body_b"], third, AREA_B),
    ):
        case = services.open_case(admin, body=body, person_name="仮名 花子", summary="孤立の相談")
        section = services.add_section(admin, case.pk, "note", body="本人と面談した。")
        referral = referrals.request(admin, case.pk, "referral", to_body=to_body, reason="地域の支援へ")
        council = council_services.create_council(admin, f"協議会{variant}", [area])
        meeting = council_services.record_meeting(
            admin, council.pk, held_at=timezone.now(), title="定例会議", minutes="議事録"
        )
        consent = sharing_services.record_consent(
            admin, case.pk, council.pk, purpose="支援の検討", given_by="person", recorded_how="verbal"
        )
        share = sharing_services.share_case(admin, case.pk, council.pk, [section.pk], consent_id=consent.pk)
        to_withdraw = sharing_services.record_consent(
            admin, case.pk, council.pk, purpose="撤回の確認", given_by="person", recorded_how="written"
        )
        to_end = services.add_section(admin, case.pk, "note", body="共有を終える記録。")
        share_to_end = sharing_services.share_case(
            admin, case.pk, council.pk, [to_end.pk], consent_id=consent.pk
        )
        made[variant] = {
            "share_to_end": share_to_end,
            "consent_to_withdraw": to_withdraw,
            "case": case, "section": section, "referral": referral, "council": council,
            "meeting": meeting, "consent": consent, "share": share,
        }  # fmt: skip
    council_services.add_member(admin, made["own"]["council"].pk, users["council_member"])
    for variant in ("own", "other"):  # memberships the matrix may end without changing its users' rights
        extra = type(admin).objects.create_user(f"matrix_extra_{variant}")
        made[variant]["membership"] = council_services.add_member(admin, made[variant]["council"].pk, extra)
    world["cases"] = made
    return made


def _cases_variants(world, key: str, attribute: str, names=("own", "other")) -> dict:
    made = _cases_world(world)
    return {
        name: {key: made[variant][attribute].pk}
        for name, variant in zip(names, ("own", "other"), strict=True)
    }


def build_case(world):
    return _cases_variants(world, "case_id", "case")


def build_case_section_kind(world):
    return {name: {**kwargs, "kind": "note"} for name, kwargs in build_case(world).items()}


def build_referral(world):
    return _cases_variants(world, "referral_id", "referral")


def build_consent(world):
    """A consent no share relies on (withdrawing a consent ends the shares made with it)."""
    return _cases_variants(world, "consent_id", "consent_to_withdraw")


def build_share_of_case(world):
    """A share of an own case / of another body's case (ending it is casework on the case); not
    the shares ``build_share`` gives, so the council member's view stays as it was."""
    return _cases_variants(world, "share_id", "share_to_end")


def build_share(world):
    """A share with the matrix council member's council (shared) or with another (not_shared)."""
    return _cases_variants(world, "share_id", "share", ("shared", "not_shared"))


def build_council(world):
    return _cases_variants(world, "council_id", "council")


def build_council_membership(world):
    return _cases_variants(world, "membership_id", "membership")


def build_meeting(world):
    return _cases_variants(world, "meeting_id", "meeting")


def _training_world(world) -> dict:
    """A course with two required parts attended by one participant, and their certificate."""
    if "training" in world:
        return world["training"]
    from decimal import Decimal

    from tests.network.factories import national_platform
    from tsunagari.network import event_services, training_services
    from tsunagari.network.models import Course

    admin = world["users"]["system_administrator"]
    course = Course.objects.create(
        platform=national_platform(),
        title="つながりサポーター養成講座",
        hours=Decimal("2"),
        curriculum_version="v",
    )
    sessions = []
    for order in (1, 2):
        part = course.parts.create(order=order, title=f"第{order}部", required=True)
        starts = timezone.now().replace(microsecond=0) + timedelta(days=order)
        session = training_services.create_session(
            part, starts, starts + timedelta(hours=1), venue="市民会館"
        )
        registration = event_services.register(session.event, "山田 花子", "hana@example.jp")
        training_services.record_attendance(session, [registration.pk], admin)
        sessions.append(session)
    certificate = training_services.issue_certificate(course, "hana@example.jp", admin)
    world["training"] = {"course": course, "session": sessions[0], "certificate": certificate}
    return world["training"]


def build_course(world):
    return {"any": {"course_id": _training_world(world)["course"].pk}}


def build_training_session(world):
    return {"any": {"session_id": _training_world(world)["session"].pk}}


def build_certificate(world):
    return {"any": {"certificate_id": _training_world(world)["certificate"].pk}}


def _campaign_world(world):
    if "campaign" in world:
        return world["campaign"]
    from tests.network.test_campaign import _campaign
    from tsunagari.network import campaign_services

    campaign = _campaign("matrix-month")
    campaign.pages.create(slug="voices", title="声を上げてみよう", intro="ひとりで抱えないで。", order=1)
    tag = campaign_services.create_tag(campaign, "matrix-sms", "SMS")
    world["campaign"] = {"campaign": campaign, "tag": tag}
    return world["campaign"]


def build_campaign(world):
    return {"any": {"slug": _campaign_world(world)["campaign"].slug}}


def build_campaign_page(world):
    return {"any": {"slug": _campaign_world(world)["campaign"].slug, "page_slug": "voices"}}


def build_campaign_entry(world):
    return {"any": {"code": _campaign_world(world)["tag"].code}}


def build_staff_user(world):
    return {"any": {"id": world["users"]["counsellor"].pk}}


def build_totp_device(world):
    from tests.staff_login import totp_device

    return {"any": {"pk": totp_device(world["users"]["counsellor"]).pk}}


BUILDERS = {
    "course": build_course,
    "training_session": build_training_session,
    "certificate": build_certificate,
    "campaign": build_campaign,
    "campaign_page": build_campaign_page,
    "campaign_entry": build_campaign_entry,
    "case": build_case,
    "case_section_kind": build_case_section_kind,
    "referral": build_referral,
    "consent": build_consent,
    "share_of_case": build_share_of_case,
    "share": build_share,
    "council": build_council,
    "meeting": build_meeting,
    "council_membership": build_council_membership,
    "totp_device": build_totp_device,
    "staff_user": build_staff_user,
    "view_on_site": build_view_on_site,
    "contact": build_contact,
    "record": build_record,
    "coordination_case": build_coordination_case,
    "chat": build_chat,
    "callback": build_callback,
    "directory_service": build_directory_service,
    "directory_organization": build_directory_organization,
    "topic": build_topic,
    "platform": build_platform,
    "event": build_event,
    "password_reset": build_password_reset,
}


# -- requesting and judging ------------------------------------------------------------------------


def _client(world, role) -> Client:
    client = Client()
    user = world["users"][role]
    if user is not None:
        login_staff(client, user)
    return client


def _to_login(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = response.get("Location", "")
    return location.startswith(settings.LOGIN_URL) or "/admin/login/" in location


ADMIN_OBJECT = "admin object"  # marker in ``ok``: the admin's "no such object" redirect is a denial


def judge(response, role: str, ok: tuple = ()) -> str:
    """``allow``, ``deny`` or ``error: …`` for a response."""
    status = response.status_code
    if status >= 500 or status == 405:
        return f"error: {status}"
    if ADMIN_OBJECT in ok and status == 302 and response.get("Location") == reverse("admin:index"):
        return "deny"  # the object is not in the user's admin queryset (or does not exist)
    if _to_login(response):
        return "deny" if role == "anonymous" else "error: staff user sent to a login page"
    if status in (403, 404) or (role == "anonymous" and status == 401):
        return "deny"
    if status < 400 or status in ok:
        return "allow"
    return f"error: {status}"


def _fill(route: str, kwargs: dict) -> str:
    """The path of a route with its converters replaced by ``kwargs``."""

    def value(match):
        return str(kwargs[match.group("name")])

    path = re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", value, route)
    return "/" + path


def _cases(matrix, routes, world):
    """(route key, path, method, variant, role, expected, ok) for every request to make."""
    for route in routes:
        key = entry_key(matrix, route)
        if key is None:
            continue  # an admin model URL (see _admin_cases), or missing (the test above fails)
        entry = matrix["urls"][key]
        if entry == "public":
            entry = {"public": True}
        method = entry.get("method", "get")
        ok = tuple(entry.get("ok", ()))
        variants = BUILDERS[entry["object"]](world) if "object" in entry else {"any": entry.get("kwargs", {})}
        allow = entry.get("allow", [])
        for variant, kwargs in variants.items():
            allowed = (
                set(ROLES)
                if entry.get("public")
                else set(allow.get(variant, []) if isinstance(allow, dict) else allow)
            )
            if "path" in entry:
                path = entry["path"]
            elif route.name:
                path = reverse(route.name, kwargs=kwargs)
            else:
                path = _fill(route.route, kwargs)
            for role in ROLES:
                yield key, path, method, variant, role, ("allow" if role in allowed else "deny"), ok


#: Admin pages of objects of a body: the object requested is one of body A (own); other bodies'
#: objects are left out of the staff users' admin lists, as the cases app's pages leave them out.
ADMIN_OWN_OBJECTS = {
    "cases.case": lambda world: _cases_world(world)["own"]["case"].pk,
    "cases.section": lambda world: _cases_world(world)["own"]["section"].pk,
    "cases.referral": lambda world: _cases_world(world)["own"]["referral"].pk,
}


def _admin_object_id(app_model: str, world):
    from django.apps import apps

    if app_model in ADMIN_OWN_OBJECTS:
        return ADMIN_OWN_OBJECTS[app_model](world)
    model = apps.get_model(app_model)
    return model._default_manager.values_list("pk", flat=True).first()


def _admin_cases(matrix, routes, world):
    for route in routes:
        found = _admin_model(route)
        if not found or found[0] not in matrix["admin_models"] or entry_key(matrix, route):
            continue
        app_model, kind = found
        rule = matrix["admin_models"][app_model]
        if ADMIN_KINDS[kind] == "staff":
            allowed = set(ROLES) - {"anonymous"}
        else:
            allowed = set(rule.get(ADMIN_KINDS[kind], []))
        ok, roles = (), ROLES
        if kind in ("change", "delete", "history", "redirect"):
            object_id = _admin_object_id(app_model, world)
            if object_id is None:
                if kind == "redirect":
                    continue  # a redirect to the change form, whatever the object
                object_id = 0
                roles = [r for r in ROLES if r not in allowed]  # without an object only denial is seen
            path = _fill(route.route.replace("<path:object_id>", "<object_id>"), {"object_id": object_id})
            ok = (ADMIN_OBJECT,) if kind != "redirect" else ()
        else:
            path = "/" + route.route
        for role in roles:
            yield route.route, path, "get", app_model, role, "allow" if role in allowed else "deny", ok


def test_every_role_gets_what_the_matrix_states(world, settings):
    settings.TSUNAGARI_LINE_CHANNEL_SECRET = "matrix-secret"
    matrix = load_matrix()
    routes = project_routes()
    wrong = []
    clients = {role: _client(world, role) for role in ROLES}
    for key, path, method, variant, role, expected, ok in [
        *_cases(matrix, routes, world),
        *_admin_cases(matrix, routes, world),
    ]:
        client = clients[role]
        response = client.post(path) if method == "post" else client.get(path)
        if "logout" in key:  # that session is over: a new one for the next request
            clients[role] = _client(world, role)
        outcome = judge(response, role, ok)
        if outcome != expected:
            wrong.append(
                f"{key} [{variant}] {method.upper()} {path} as {role}: expected {expected}, got {outcome} ({response.status_code})"
            )
    assert not wrong, f"{len(wrong)} requests against tests/authz_matrix.yaml:\n" + "\n".join(wrong)
