"""Links from results to municipal procedure information, and the area step that feeds them."""

from __future__ import annotations

import re

import pytest

from tests.navigator.turns import turn
from tsunagari.core.selectors import find_area
from tsunagari.directory.models import Service
from tsunagari.navigator.models import ProcedureLink
from tsunagari.navigator.procedure_links import TemplateError, render, validate_template
from tsunagari.navigator.selectors import procedure_links


def test_template_placeholders_are_filled_and_quoted():
    url = render("https://example.jp/{prefecture_code}/{municipality_code5}?c={municipality_code}", "131016")
    assert url == "https://example.jp/13/13101?c=131016"


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("https://example.jp/{city}", "unknown placeholder {city}"),
        ("http://example.jp/{municipality_code}", "https://"),
        ("https://example.jp/{municipality_code", "braces"),
        ("javascript:alert(1)", "https://"),
    ],
)
def test_bad_templates_are_refused_with_the_reason(template, reason):
    with pytest.raises(TemplateError, match=re.escape(reason)):
        validate_template(template)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefecture", "typed", "expected", "found"),
    [
        ("13", "千代田区", "131016", True),
        ("13", "千代田", "131016", True),
        ("", "札幌市中央区", "011011", True),
        ("01", "中央区", "011011", True),
        ("13", "中央区", "131024", True),
        ("", "中央区", None, False),  # in several cities: ask again
        ("13", "府中市", "132063", True),
        ("34", "府中市", "342084", True),
        ("13", "ちよだく", "131016", True),
        ("13", "131016", "131016", True),
        ("13", "どこでもない町", "130001", False),
        ("13", "", "130001", True),
        ("", "", None, True),
        ("99", "千代田区", "131016", True),  # an unknown prefecture value is ignored
    ],
)
def test_find_area(prefecture, typed, expected, found):
    assert find_area(prefecture, typed) == (expected, found)


@pytest.mark.django_db
def test_default_link_is_the_national_procedure_search_and_a_service_may_override_it():
    default = ProcedureLink.objects.get(service__isnull=True)
    assert default.url_template.startswith("https://app.oss.myna.go.jp/")
    assert default.last_verified is None  # not checked from here: shown as unverified in admin
    services = list(Service.objects.filter(status="active")[:2])
    ProcedureLink.objects.create(
        service=services[0], url_template="https://example.jp/proc?code={municipality_code}", label="手続き"
    )
    links = procedure_links(services, "131016")
    assert links[services[0].pk] == ("https://example.jp/proc?code=131016", "手続き")
    assert links[services[1].pk] == (default.url_template, "")
    assert procedure_links(services, "130001") == {}  # a prefecture is not a municipality
    assert procedure_links(services, None) == {}


@pytest.mark.django_db
def test_only_one_default_link():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureLink.objects.create(service=None, url_template="https://example.jp/", label="")


@pytest.mark.django_db
def test_admin_form_refuses_an_unknown_placeholder(admin_client):
    response = admin_client.post(
        "/admin/navigator/procedurelink/add/", {"url_template": "https://example.jp/{city}", "label": "x"}
    )
    assert response.status_code == 200
    assert "unknown placeholder {city}" in response.content.decode()
    assert ProcedureLink.objects.count() == 1


def _walk_to_area(client):
    html = client.get("/navi/").content.decode()
    html = turn(client, html, answer="age30_64")
    html = turn(client, html, answer="poverty")
    for _ in range(3):  # situation, channel, when
        html = turn(client, html, action="skip")
    assert 'id="id_prefecture"' in html
    return html


@pytest.mark.django_db
def test_area_step_by_name_leads_to_results_with_procedure_links(client):
    html = _walk_to_area(client)
    html = turn(client, html, prefecture="13", municipality="千代田区")
    assert "あなたに合いそうな相談先" in html
    assert "千代田区の手続きを調べる（マイナポータル）" in html
    assert 'href="https://app.oss.myna.go.jp/Application/search"' in html
    assert "<dd>千代田区" in html  # the summary names the place, not its code


@pytest.mark.django_db
def test_unknown_municipality_asks_again_with_the_prefecture_kept(client):
    html = _walk_to_area(client)
    html = turn(client, html, prefecture="13", municipality="どこでもない町")
    assert "市区町村が見つかりませんでした" in html
    assert '<option value="13" lang="ja" selected>' in html
    html = turn(client, html, action="skip")
    assert "あなたに合いそうな相談先" in html and "の手続きを調べる" not in html
