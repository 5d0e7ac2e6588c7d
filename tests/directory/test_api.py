"""The JSON API over real HTTP requests (Django test client) and its OpenAPI document."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tsunagari.directory.api.openapi import PAGE_FIELDS
from tsunagari.directory.hsds.validate import validate_object
from tsunagari.directory.models import Organization, Service
from tsunagari.directory.selectors.search import COUNT_CAP, MAX_DEPTH

from .factories import make_service

pytestmark = pytest.mark.django_db

PAGE_KEYS = set(PAGE_FIELDS)


def test_services_are_paginated_hsds_objects(client):
    response = client.get("/api/services", {"per_page": 5, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PAGE_KEYS
    assert body["page_number"] == 2 and body["size"] == 5
    active = Service.objects.filter(status="active").count()
    assert active > COUNT_CAP  # the bundled directory: the total is "more than COUNT_CAP"
    assert body["total_items"] == COUNT_CAP and body["total_items_exact"] is False
    assert body["last_page"] is False and body["total_pages"] == MAX_DEPTH // 5
    for item in body["contents"]:
        data = {k: v for k, v in item.items() if k != "tsunagari"}
        assert validate_object("service", data) == []


def test_services_search_short_query_and_filters(client):
    body = client.get("/api/services", {"q": "DV", "per_page": 50}).json()
    names = [s["name"] for s in body["contents"]]
    assert any("DV" in n for n in names)
    body = client.get("/api/services", {"q": "相談", "topic": "suicide", "area": "13", "age": 20}).json()
    assert body["total_items"] > 0
    for item in body["contents"]:
        terms = {a["taxonomy_term"]["code"] for a in item["attributes"]}
        assert "topic:suicide" in terms


def test_services_bad_parameters_are_400_with_details(client):
    response = client.get("/api/services", {"age": "old", "topic": "nope", "area": "99"})
    assert response.status_code == 400
    details = response.json()["details"]
    assert {"age", "topic", "area"} <= set(details)


def test_service_detail_and_404(client):
    sid = make_service("t-api", "API確認窓口", phones=["0120-000-000"])
    body = client.get(f"/api/services/{sid}").json()
    assert body["id"] == sid and body["name"] == "API確認窓口"
    assert [p["number"] for p in body["phones"]] == ["0120-000-000"]
    assert validate_object("service", body) == []
    assert client.get("/api/services/unknown").status_code == 404


def test_organizations_and_taxonomies(client):
    body = client.get("/api/organizations", {"per_page": 100}).json()
    assert body["total_items"] == Organization.objects.count()
    org = body["contents"][0]
    assert client.get(f"/api/organizations/{org['id']}").status_code == 200
    assert client.get("/api/organizations/none").status_code == 404
    taxonomies = client.get("/api/taxonomies").json()["contents"]
    assert taxonomies
    terms = client.get("/api/taxonomy_terms").json()["contents"]
    assert {"topic:suicide", "topic:loneliness", "audience:under18", "channel:phone"} <= {
        t["code"] for t in terms
    }


def test_openapi_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert {"/services", "/services/{id}", "/organizations", "/taxonomies"} <= set(document["paths"])


def test_api_is_read_only(client):
    assert client.post("/api/services", {}).status_code == 405
