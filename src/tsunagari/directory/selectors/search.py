"""Japanese full-text search over the directory, identical on SQLite and PostgreSQL.

The query is parsed by ``search_query.parse_query`` into terms and variants; each variant becomes
an indexed lookup on ``SearchToken`` (bigram joins, or the ``lead`` column for one character), so
one- and two-character queries (孤独, 借金, DV, 心) work — unlike SQLite's trigram tokenizer.
Variants of three or more characters are confirmed against ``Service.search_text`` so scattered
bigrams do not match. Only plain SQL that both databases run the same way is used, and ordering
ties are broken by code-point order, so results are identical on both (a test proves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from tsunagari.core.lgcode import normalize as normalize_lgcode
from tsunagari.core.models import LocalGovernment
from tsunagari.core.vocabulary import AUDIENCE_AGES, audiences_for_age
from tsunagari.directory.search_query import Term, parse_query
from tsunagari.directory.selectors.hours import schedule_for

MAX_LIMIT = 100
T_TOKEN = "directory_searchtoken"
T_SERVICE = "directory_service"
T_ATTR = "directory_serviceattribute"
T_LANG = "directory_language"


class SearchError(ValueError):
    """A filter value is invalid; the message says which and why."""


@dataclass
class SearchFilters:
    """Filters; list filters match any of their values. ``area`` is a 全国地方公共団体コード."""

    topics: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    age: int | None = None
    area: str | None = None
    open_now: bool = False
    is_24h: bool = False
    free: bool = False
    crisis_line: bool = False
    include_inactive: bool = False


@dataclass
class SearchHit:
    service_id: str
    score: int


@dataclass
class SearchPage:
    total: int
    hits: list[SearchHit]
    terms: list[Term]


def _collate() -> str:
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


def _variant_sql(variant: str) -> tuple[str, list]:
    """SQL yielding (sid, w) for services containing ``variant``."""
    if len(variant) == 1:
        return (
            f"SELECT service_id AS sid, MAX(weight) AS w FROM {T_TOKEN} WHERE lead = %s GROUP BY service_id"
        ), [variant]
    bigrams = [variant[i : i + 2] for i in range(len(variant) - 1)]
    bigrams = list(dict.fromkeys(bigrams))
    parts = ["SELECT t0.service_id AS sid, (t0.weight"]
    joins, params = [], []
    for n, bigram in enumerate(bigrams[1:], start=1):
        parts.append(f" + t{n}.weight")
        joins.append(f" JOIN {T_TOKEN} t{n} ON t{n}.service_id = t0.service_id AND t{n}.token = %s")
        params.append(bigram)
    sql = "".join(parts) + f") / {len(bigrams)} AS w FROM {T_TOKEN} t0" + "".join(joins)
    if len(variant) >= 3:
        sql += f" JOIN {T_SERVICE} v ON v.id = t0.service_id AND v.search_text LIKE %s ESCAPE '\\'"
        params.append("%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    sql += " WHERE t0.token = %s"
    params.append(bigrams[0])
    return sql, params


def _term_sql(term: Term) -> tuple[str, list]:
    pieces, params = [], []
    for variant in term.variants:
        sql, p = _variant_sql(variant)
        pieces.append(sql)
        params.extend(p)
    if len(pieces) == 1:
        return pieces[0], params
    return "SELECT sid, MAX(w) AS w FROM (" + " UNION ALL ".join(pieces) + ") u GROUP BY sid", params


def _area_codes(area: str) -> list[str]:
    try:
        code = normalize_lgcode(area)
    except ValueError as exc:
        raise SearchError(f"area: {exc}") from None
    government = LocalGovernment.objects.filter(pk=code).select_related("parent").first()
    if government is None:
        raise SearchError(f"area: unknown 地方公共団体コード {code}")
    codes = {code, government.prefecture_lgcode}
    if government.kind == LocalGovernment.Kind.WARD and government.parent_id:
        codes.add(government.parent_id)
    return sorted(codes)


def _has_terms(taxonomy: str, codes: list[str]) -> tuple[str, list]:
    marks = ", ".join(["%s"] * len(codes))
    sql = f"EXISTS (SELECT 1 FROM {T_ATTR} a WHERE a.service_id = s.id AND a.term_id IN ({marks}))"
    return sql, [f"{taxonomy}:{c}" for c in codes]


def _filter_sql(filters: SearchFilters) -> tuple[list[str], list]:
    where, params = [], []
    if not filters.include_inactive:
        where.append("s.status = 'active'")
    for taxonomy, codes in (
        ("topic", filters.topics),
        ("audience", filters.audiences),
        ("channel", filters.channels),
    ):
        if codes:
            sql, p = _has_terms(taxonomy, codes)
            where.append(sql)
            params += p
    if filters.age is not None:
        matching = sorted(audiences_for_age(filters.age))
        no_age_audience, p1 = _has_terms("audience", list(AUDIENCE_AGES))
        fits, p2 = _has_terms("audience", matching) if matching else ("1 = 0", [])
        where.append(f"(NOT {no_age_audience} OR {fits})")
        params += p1 + p2
        where.append(
            "(s.minimum_age IS NULL OR s.minimum_age <= %s) AND (s.maximum_age IS NULL OR s.maximum_age >= %s)"
        )
        params += [filters.age, filters.age]
    if filters.languages:
        marks = ", ".join(["%s"] * len(filters.languages))
        where.append(f"EXISTS (SELECT 1 FROM {T_LANG} l WHERE l.service_id = s.id AND l.code IN ({marks}))")
        params += filters.languages
    if filters.area:
        codes = _area_codes(filters.area)
        marks = ", ".join(["%s"] * len(codes))
        where.append(f"(s.area_scope = 'national' OR s.area_id IN ({marks}))")
        params += codes
    if filters.is_24h:
        where.append("s.is_24h = %s")
        params.append(True)
    if filters.free:
        where.append("s.free_of_charge = %s")
        params.append(True)
    if filters.crisis_line:
        where.append("s.crisis_line = %s")
        params.append(True)
    return where, params


def search_services(
    query: str = "",
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
) -> SearchPage:
    """Services matching ``query`` (all terms) and ``filters``, best first.

    Order: relevance score (sum over terms of the average field weight of the matched bigrams), then
    name and id in code-point order. Without a query every service matching the filters is listed by
    name. ``open_now`` is evaluated at ``now`` (default: the current time) in Asia/Tokyo.
    """
    filters = filters or SearchFilters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    terms = parse_query(query)
    where, params = _filter_sql(filters)
    collate = _collate()
    if terms:
        subqueries, sub_params = [], []
        for term in terms:
            sql, p = _term_sql(term)
            subqueries.append(sql)
            sub_params += p
        from_sql = f"({subqueries[0]}) q0"
        score = "q0.w"
        for n, sql in enumerate(subqueries[1:], start=1):
            from_sql += f" JOIN ({sql}) q{n} ON q{n}.sid = q0.sid"
            score += f" + q{n}.w"
        from_sql += f" JOIN {T_SERVICE} s ON s.id = q0.sid"
        params = sub_params + params
    else:
        from_sql, score = f"{T_SERVICE} s", "0"
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    order = f" ORDER BY score DESC, s.name{collate}, s.id{collate}"
    if filters.open_now:
        sql = f"SELECT s.id, {score} AS score, s.is_24h, s.schedule_spec FROM {from_sql}{where_sql}{order}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        at = now or timezone.now()
        hits = [SearchHit(r[0], int(r[1])) for r in rows if _is_open(r[2], r[3], at)]
        return SearchPage(total=len(hits), hits=hits[offset : offset + limit], terms=terms)
    sql = f"SELECT s.id, {score} AS score, COUNT(*) OVER () FROM {from_sql}{where_sql}{order} LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    total = rows[0][2] if rows else _count(from_sql, where_sql, params) if offset else 0
    return SearchPage(total=total, hits=[SearchHit(r[0], int(r[1])) for r in rows], terms=terms)


def _count(from_sql: str, where_sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {from_sql}{where_sql}", params)
        return cursor.fetchone()[0]


def _is_open(is_24h: bool, spec, at: datetime) -> bool:
    schedule = schedule_for(spec)
    return bool(is_24h) if schedule is None else schedule.is_open(at)
