"""The search engine's reading strategy against a brute-force ordering of the same documents.

``search_services`` reads index ranges best-first and stops early; whatever the chunk sizes, the
plan, the page or the count cap, its pages must be slices of the reference order: every active
document scored in Python, sorted by (score desc, name, service id).
"""

from __future__ import annotations

import pytest
from django.db import connection

from tsunagari.directory import search_document
from tsunagari.directory.models import SearchDoc, Service
from tsunagari.directory.search_query import parse_query
from tsunagari.directory.search_tables import DOCTERM, POSTING
from tsunagari.directory.selectors import search
from tsunagari.directory.selectors.search import SearchError, SearchFilters, search_services

from .factories import make_service

pytestmark = pytest.mark.django_db
QUERIES = ["相談", "心", "電話", "孤独", "こころの", "子ども", "つらい", "支援 電話", "DV", "外国人 相談"]


def _reference(query: str) -> list[tuple[str, int]]:
    terms = [t.variants for t in parse_query(query)]
    ranked = []
    for sid, name, text in SearchDoc.objects.filter(service__status="active").values_list(
        "service_id", "name", "text"
    ):
        score = search_document.score(text, terms) if terms else 0
        if score is not None:
            ranked.append((-score, name, sid))
    ranked.sort()
    return [(sid, -negative) for negative, _, sid in ranked]


def _capped(total: int) -> tuple[int, bool]:
    return min(total, search.COUNT_CAP), total <= search.COUNT_CAP


def _page(query, limit, offset, **kwargs):
    page = search_services(query, limit=limit, offset=offset, **kwargs)
    return page, [(h.service_id, h.score) for h in page.hits]


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Read one row per statement, so every early-stop and continuation path runs."""
    monkeypatch.setattr(search, "CHUNK_SLACK", 0)
    monkeypatch.setattr(search, "MAX_CHUNK", 1)


@pytest.mark.parametrize("query", QUERIES)
def test_pages_are_slices_of_the_reference_order(query, tiny_chunks):
    expected = _reference(query)
    assert expected, "the bundled directory should match every test query"
    for limit, offset in [(1, 0), (3, 0), (3, 3), (7, 14), (20, 0), (100, 0)]:
        page, hits = _page(query, limit, offset)
        assert hits == expected[offset : offset + limit], (limit, offset)
        assert (page.total, page.total_exact) == _capped(len(expected))


def test_listing_without_query_is_in_name_order(tiny_chunks):
    expected = _reference("")
    page, hits = _page("", 10, 5)
    assert hits == expected[5:15]
    assert page.plan == "listing" and (page.total, page.total_exact) == _capped(len(expected))


def test_total_is_capped_and_flagged(monkeypatch):
    expected = _reference("相談")
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    page, hits = _page("相談", 3, 0)
    assert len(expected) > 5
    assert hits == expected[:3]
    assert page.total == 5 and not page.total_exact
    # Still capped when a deep page has read every match: totals must not depend on the page.
    page, hits = _page("相談", 100, 0)
    assert hits == expected[:100] and (page.total, page.total_exact) == (5, False)
    # A rare word is counted exactly (its sources are read to the end).
    rare = _reference("法テラス")
    page, _ = _page("法テラス", 3, 0)
    assert page.total == len(rare) <= 5 and page.total_exact


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(topics=["suicide"]),
        SearchFilters(topics=["debt_legal", "poverty"], audiences=["adult"]),
        SearchFilters(topics=["bullying_school"], area="131016", age=15),
        SearchFilters(channels=["line"], open_now=True),
        SearchFilters(languages=["en"]),
    ],
)
@pytest.mark.parametrize("query", ["相談", "電話", "", "こころ 相談"])
def test_both_plans_give_identical_pages(query, filters, tiny_chunks):
    pages = []
    for plan in ("terms", "filters"):
        page = search_services(query, filters, limit=5, offset=2, plan=plan)
        pages.append((page.total, page.total_exact, [(h.service_id, h.score) for h in page.hits]))
    assert pages[0] == pages[1]


def test_prefix_ties_are_ordered_by_full_name():
    # Same first three characters: the sort key ties and the full name decides.
    ids = [make_service(f"t-tie-{n}", f"ぴよぴ窓口{suffix}") for n, suffix in enumerate("ウアイ")]
    page = search_services("ぴよぴ", limit=10)
    assert [h.service_id for h in page.hits] == [ids[1], ids[2], ids[0]]


def test_renamed_service_loses_its_old_index_rows():
    sid = make_service("t-rename", "もげもげ相談室")
    assert [h.service_id for h in search_services("もげもげ").hits] == [sid]
    make_service("t-rename", "ふがふが相談室")
    assert search_services("もげもげ").total == 0
    assert [h.service_id for h in search_services("ふがふが").hits] == [sid]
    stored = SearchDoc.objects.get(service_id=sid)
    assert _index_rows(sid) == (len(search_document.postings(stored.text)), len(stored.codes.split()))


def test_deleted_service_leaves_no_index_rows():
    sid = make_service("t-delete", "ぬるぬる相談室")
    doc_id = SearchDoc.objects.get(service_id=sid).pk
    Service.objects.filter(pk=sid).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {POSTING} WHERE doc = %s", [doc_id])
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"SELECT COUNT(*) FROM {DOCTERM} WHERE doc = %s", [doc_id])
        assert cursor.fetchone()[0] == 0


def _index_rows(service_id: str) -> tuple[int, int]:
    doc_id = SearchDoc.objects.get(service_id=service_id).pk
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {POSTING} WHERE doc = %s", [doc_id])
        postings = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {DOCTERM} WHERE doc = %s", [doc_id])
        return postings, cursor.fetchone()[0]


def test_status_change_moves_the_service_out_of_results():
    sid = make_service("t-status", "ぽよぽよ相談室")
    assert search_services("ぽよぽよ").total == 1
    make_service("t-status", "ぽよぽよ相談室", status="temporarily closed")
    assert search_services("ぽよぽよ").total == 0
    assert [h.service_id for h in search_services("ぽよぽよ", SearchFilters(include_inactive=True)).hits] == [
        sid
    ]


def test_paging_deeper_than_the_limit_is_refused():
    with pytest.raises(SearchError, match="offset"):
        search_services("相談", limit=20, offset=search.MAX_DEPTH)
