"""The OpenAPI 3.1 document of the directory API, served at ``/api/openapi.json``.

Paths and parameters follow the Open Referral HSDS 3.1 API; the object schemas are HSDS's own
(shipped in ``hsds/schema``), embedded under ``components.schemas`` with their ``$ref`` rewritten.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from tsunagari import __version__
from tsunagari.core.vocabulary import AUDIENCES, CHANNELS, TOPICS
from tsunagari.directory.forms import LANGUAGE_CHOICES
from tsunagari.directory.selectors.search import MAX_DEPTH

HSDS_OBJECTS = ("service", "organization", "taxonomy", "taxonomy_term")


def _hsds_schema(name: str) -> dict:
    text = resources.files("tsunagari.directory.hsds").joinpath(f"schema/compiled/{name}.json")
    if not text.is_file():
        text = resources.files("tsunagari.directory.hsds").joinpath(f"schema/{name}.json")
    return json.loads(text.read_text(encoding="utf-8"))


def _object_schema(name: str) -> dict:
    """An HSDS object schema reduced to plain JSON Schema (no external $ref, no tabular extras)."""
    raw = _hsds_schema(name)

    def clean(node):
        if isinstance(node, dict):
            if "$ref" in node:
                target = node["$ref"].removesuffix(".json")
                return (
                    {"type": "object", "description": f"HSDS {target} object"}
                    if target not in HSDS_OBJECTS
                    else {"$ref": f"#/components/schemas/{target}"}
                )
            keep = {
                "type",
                "properties",
                "items",
                "required",
                "description",
                "title",
                "format",
                "enum",
                "oneOf",
                "anyOf",
            }
            return {k: clean(v) for k, v in node.items() if k in keep}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    schema = clean(raw)
    schema["additionalProperties"] = True
    return schema


#: Keys of every paginated response (HSDS page object plus ``total_items_exact``).
PAGE_FIELDS = (
    "total_items",
    "total_items_exact",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
)


def _page(item: str) -> dict:
    return {
        "type": "object",
        "required": list(PAGE_FIELDS),
        "properties": {
            "total_items": {"type": "integer"},
            "total_items_exact": {
                "type": "boolean",
                "description": "false: there are more than total_items results (search counts exactly up to 1000)",
            },
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        },
    }


def _param(name: str, description: str, schema: dict, explode: bool = False) -> dict:
    param = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if explode:
        param.update({"style": "form", "explode": True})
    return param


def _list_of(values) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": sorted(values)}}


#: The prefecture part is JIS X 0401 (01–47, ``core.lgcode``); the check digit and whether the code
#: names a stored local government cannot be said in a pattern (the server answers 400).
AREA_PATTERN = "^(0[1-9]|[1-3][0-9]|4[0-7])([0-9]{3,4})?$"

PAGING = [
    _param("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1}),
    _param("per_page", "Items per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
]
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}, "details": {}}}


def _responses(schema_ref: str, not_found: bool = False) -> dict:
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}},
        "400": {"description": "Invalid parameters", "content": {"application/json": {"schema": ERROR}}},
    }
    if not_found:
        responses["404"] = {"description": "Not found", "content": {"application/json": {"schema": ERROR}}}
    return responses


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    service_filters = [
        _param(
            "q",
            "Japanese full-text query (1+ characters; normalised, synonyms).",
            {"type": "string", "maxLength": 200},
        ),
        _param("topic", "Topic codes (any of).", _list_of(TOPICS), explode=True),
        _param("audience", "Audience codes (any of).", _list_of(AUDIENCES), explode=True),
        _param("channel", "Channel codes (any of).", _list_of(CHANNELS), explode=True),
        _param(
            "language", "Language codes (any of).", _list_of(c for c, _ in LANGUAGE_CHOICES), explode=True
        ),
        _param("age", "Age of the person.", {"type": "integer", "minimum": 0, "maximum": 130}),
        _param(
            "area",
            "全国地方公共団体コード (2, 5 or 6 digits; prefecture part 01–47; a 6-digit code with its check digit) "
            "of a stored local government, else 400. Includes national and the prefecture's services.",
            {"type": "string", "pattern": AREA_PATTERN},
        ),
        _param("open_now", "Only services open now (Asia/Tokyo).", {"type": "boolean"}),
        _param("is_24h", "Only 24-hour services.", {"type": "boolean"}),
        _param("free", "Only services free of charge.", {"type": "boolean"}),
    ]
    id_param = {"in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tsunagari directory API",
            "version": __version__,
            "description": "Support systems and consultation windows in Japan, shaped like the Open Referral HSDS 3.1 API.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/api"}],
        "paths": {
            "/services": {
                "get": {
                    "operationId": "listServices",
                    "summary": "Search and filter services",
                    "description": f"Results are ranked; only the first {MAX_DEPTH} can be paged to "
                    f"(page × per_page ≤ {MAX_DEPTH}, else 400).",
                    "parameters": service_filters + PAGING,
                    "responses": _responses("#/components/schemas/service_page"),
                }
            },
            "/services/{id}": {
                "get": {
                    "operationId": "getService",
                    "summary": "One service with its details",
                    "parameters": [{"name": "id", **id_param}],
                    "responses": _responses("#/components/schemas/service", not_found=True),
                }
            },
            "/organizations": {
                "get": {
                    "operationId": "listOrganizations",
                    "summary": "Organizations",
                    "parameters": PAGING,
                    "responses": _responses("#/components/schemas/organization_page"),
                }
            },
            "/organizations/{id}": {
                "get": {
                    "operationId": "getOrganization",
                    "summary": "One organization with its services",
                    "parameters": [{"name": "id", **id_param}],
                    "responses": _responses("#/components/schemas/organization", not_found=True),
                }
            },
            "/taxonomies": {
                "get": {
                    "operationId": "listTaxonomies",
                    "summary": "Taxonomies (topics, audiences, channels, profile)",
                    "responses": _responses("#/components/schemas/taxonomy_page"),
                }
            },
            "/taxonomy_terms": {
                "get": {
                    "operationId": "listTaxonomyTerms",
                    "summary": "Taxonomy terms",
                    "parameters": [_param("taxonomy_id", "Only terms of this taxonomy.", {"type": "string"})],
                    "responses": _responses("#/components/schemas/taxonomy_term_page"),
                }
            },
        },
        "components": {
            "schemas": {
                **{name: _object_schema(name) for name in HSDS_OBJECTS},
                **{f"{name}_page": _page(name) for name in HSDS_OBJECTS},
            }
        },
    }
