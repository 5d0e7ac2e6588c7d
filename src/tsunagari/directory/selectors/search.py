"""Japanese full-text search over the directory, identical on SQLite and PostgreSQL.

The query is parsed by ``search_query.parse_query`` into terms and variants; each variant becomes
an indexed lookup on ``SearchToken`` (bigram joins, or the ``lead`` column for one character), so
one- and two-character queries (孤独, 借金, DV, 心) work — unlike SQLite's trigram tokenizer.
Variants of three or more characters are confirmed against ``Service.search_text`` so scattered
bigrams do not match. Only plain SQL that both databases run the same way is used, and ordering
ties are broken by code-point order, so results are identical on both (a test proves it).

Two plans give the same results (``bench/run.py`` measures them on 100,000 services):

- *term-driven* (default): the matching services are read from the token index, joined to the
  service rows and filtered; one statement returns the page and the total count.
- *filter-driven*: when a selective filter (area, topic, audience, channel, language, 24 h) is set
  and the query words are common (a bounded count of their index rows reaches
  ``DRIVE_FROM_FILTERS_ABOVE``), the services passing the filters are read first and each is checked
  with ``search_text LIKE`` (exact: the index and ``search_text`` come from the same segments) and
  scored by index lookups; counting and ordering happen in Python (code-point order, as in SQL).

"Open now" is evaluated once per distinct schedule, not once per service. On PostgreSQL the search
runs with JIT compilation off: its cost estimates for correlated lookups easily pass
``jit_above_cost`` and compiling then takes far longer (up to 0.8 s) than running the query.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
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
#: A query whose words have at least this many index rows is answered from the filter side when a
#: selective filter is set. Also the cap of the row counts used to order bigram joins.
DRIVE_FROM_FILTERS_ABOVE = 4000
#: Common bigrams of one variant are recounted up to this many rows to join the rarest first (SQLite).
JOIN_ORDER_CAP = 64000
#: "Open now" over more distinct schedules than this is filtered in Python instead of in SQL.
MAX_SCHEDULE_GROUPS = 200


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


def _like_pattern(variant: str) -> str:
    return "%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _bigrams(variant: str) -> list[str]:
    return list(dict.fromkeys(variant[i : i + 2] for i in range(len(variant) - 1)))


#: Looks up one bigram of one service. ``IN (%s, '')`` rather than ``= %s`` ('' is never a token):
#: for an equality on every column of a UNIQUE index SQLite takes that index even though it must
#: then read the table for ``weight``; with IN it weighs the covering (token, service, weight) index.
PROBE = "{t}.token IN (%s, '') AND {t}.service_id = {sid}"


def _index_keys(terms: list[Term]) -> list[tuple[str, str]]:
    """(column, value) of every index lookup the query makes: ("lead", c) or ("token", bigram)."""
    keys: dict[tuple[str, str], None] = {}
    for term in terms:
        for variant in term.variants:
            if len(variant) == 1:
                keys.setdefault(("lead", variant), None)
            else:
                for bigram in _bigrams(variant):
                    keys.setdefault(("token", bigram), None)
    return list(keys)


def _row_counts(keys: list[tuple[str, str]], cap: int) -> dict[tuple[str, str], int]:
    """Index rows per lookup, counted up to ``cap`` (cheap: bounded scans)."""
    if not keys:
        return {}
    parts = [
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {T_TOKEN} WHERE {column} = %s LIMIT {cap}) c{n})"
        for n, (column, _) in enumerate(keys)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [value for _, value in keys])
        return dict(zip(keys, cursor.fetchone(), strict=True))


def _tied_bigrams(terms: list[Term], counts: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Bigrams of variants whose two rarest bigrams both reached the cap: recount them to pick the rarest."""
    tied: dict[tuple[str, str], None] = {}
    for term in terms:
        for variant in term.variants:
            keys = [("token", b) for b in _bigrams(variant)]
            if len(keys) > 1 and sorted(counts[k] for k in keys)[1] >= DRIVE_FROM_FILTERS_ABOVE:
                tied.update(dict.fromkeys(k for k in keys if counts[k] >= DRIVE_FROM_FILTERS_ABOVE))
    return list(tied)


def _estimate(terms: list[Term], counts: dict[tuple[str, str], int]) -> int:
    """Upper bound (capped) of the services matching every term, from the index row counts."""
    per_term = []
    for term in terms:
        total = 0
        for variant in term.variants:
            if len(variant) == 1:
                total += counts[("lead", variant)]
            else:
                total += min(counts[("token", b)] for b in _bigrams(variant))
        per_term.append(total)
    return min(per_term)


# --- term-driven plan: the token index first --------------------------------------------------


def _variant_sql(variant: str, counts: dict, confirm: bool) -> tuple[str, list]:
    """SQL yielding (sid, w) for services containing ``variant``.

    Bigrams are joined rarest first (SQLite follows the written order). With ``confirm``, a
    variant of three or more characters is checked against ``search_text`` here; otherwise the
    caller checks it on the service row it joins anyway.
    """
    if len(variant) == 1:
        return (
            f"SELECT service_id AS sid, MAX(weight) AS w FROM {T_TOKEN} WHERE lead = %s GROUP BY service_id"
        ), [variant]
    bigrams = _bigrams(variant)
    if counts:
        bigrams.sort(key=lambda b: counts[("token", b)])  # stable: ties keep their order
    parts = ["SELECT t0.service_id AS sid, (t0.weight"]
    joins, params = [], []
    for n, bigram in enumerate(bigrams[1:], start=1):
        parts.append(f" + t{n}.weight")
        joins.append(f" JOIN {T_TOKEN} t{n} ON " + PROBE.format(t=f"t{n}", sid="t0.service_id"))
        params.append(bigram)
    sql = "".join(parts) + f") / {len(bigrams)} AS w FROM {T_TOKEN} t0" + "".join(joins)
    where, where_params = "t0.token = %s", [bigrams[0]]
    if confirm and len(variant) >= 3:
        # CROSS JOIN: SQLite then reads the service row only after every bigram matched.
        sql += f" CROSS JOIN {T_SERVICE} v"
        where = f"v.id = t0.service_id AND v.search_text LIKE %s ESCAPE '\\' AND {where}"
        where_params.insert(0, _like_pattern(variant))
    return f"{sql} WHERE {where}", params + where_params


def _term_sql(term: Term, counts: dict) -> tuple[str, list, list]:
    """(SQL yielding (sid, w), its params, LIKE patterns the caller must apply to ``s.search_text``)."""
    if len(term.variants) == 1:
        variant = term.variants[0]
        sql, params = _variant_sql(variant, counts, confirm=False)
        return sql, params, [_like_pattern(variant)] if len(variant) >= 3 else []
    pieces, params = [], []
    for variant in term.variants:
        sql, p = _variant_sql(variant, counts, confirm=True)
        pieces.append(sql)
        params.extend(p)
    return "SELECT sid, MAX(w) AS w FROM (" + " UNION ALL ".join(pieces) + ") u GROUP BY sid", params, []


# --- filter-driven plan: the filtered services first -------------------------------------------


def _variant_weight_sql(variant: str) -> tuple[str, list]:
    """Scalar SQL: the variant's weight for service ``s``, NULL when ``s`` does not contain it.

    ``search_text`` holds exactly the segments the tokens were made from, so ``LIKE '%v%'`` is true
    exactly when the term-driven plan would match (a character is the lead of a token, a bigram is
    a token, a longer variant needs the LIKE anyway); the index is read only to score a match.
    """
    like = "s.search_text LIKE %s ESCAPE '\\'"
    if len(variant) == 1:
        score = f"SELECT MAX(t.weight) FROM {T_TOKEN} t WHERE t.lead = %s AND t.service_id = s.id"
        return f"CASE WHEN {like} THEN ({score}) END", [_like_pattern(variant), variant]
    bigrams = _bigrams(variant)
    probes = " + ".join(
        f"(SELECT t.weight FROM {T_TOKEN} t WHERE {PROBE.format(t='t', sid='s.id')})" for _ in bigrams
    )
    return f"CASE WHEN {like} THEN ({probes}) / {len(bigrams)} END", [_like_pattern(variant), *bigrams]


# --- filters -----------------------------------------------------------------------------------


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


def _in_terms(taxonomy: str, codes: list[str]) -> tuple[str, list]:
    # IN (subquery) rather than EXISTS: both databases can then start from the attribute index.
    marks = ", ".join(["%s"] * len(codes))
    sql = f"s.id IN (SELECT a.service_id FROM {T_ATTR} a WHERE a.term_id IN ({marks}))"
    return sql, [f"{taxonomy}:{c}" for c in codes]


def _filter_sql(filters: SearchFilters, status_index: bool = True) -> tuple[list[str], list, bool]:
    """WHERE conditions on ``s``, their params, and whether one of them is selective.

    Without ``status_index`` the status test is written so no index serves it: almost every
    service is active, but SQLite's statistics cannot tell, and would start from that index.
    """
    where, params = [], []
    selective = False
    if not filters.include_inactive:
        where.append("s.status = 'active'" if status_index else "s.status || '' = 'active'")
    for taxonomy, codes in (
        ("topic", filters.topics),
        ("audience", filters.audiences),
        ("channel", filters.channels),
    ):
        if codes:
            sql, p = _in_terms(taxonomy, codes)
            where.append(sql)
            params += p
            selective = True
    if filters.age is not None:
        # An age-defined audience must fit, if the service names any: "no age audience, or one that
        # fits" is written as "no non-fitting one unless one fits", a single NOT EXISTS that
        # PostgreSQL runs as one anti-join instead of two lookups per row.
        matching = sorted(audiences_for_age(filters.age))
        other = [code for code in AUDIENCE_AGES if code not in matching]
        if other:
            unless = ""
            if matching:
                marks = ", ".join(["%s"] * len(matching))
                unless = f" AND NOT EXISTS (SELECT 1 FROM {T_ATTR} b WHERE b.service_id = s.id AND b.term_id IN ({marks}))"
            marks = ", ".join(["%s"] * len(other))
            where.append(
                f"NOT EXISTS (SELECT 1 FROM {T_ATTR} a WHERE a.service_id = s.id AND a.term_id IN ({marks}){unless})"
            )
            params += [f"audience:{c}" for c in other] + [f"audience:{c}" for c in matching]
        where.append(
            "(s.minimum_age IS NULL OR s.minimum_age <= %s) AND (s.maximum_age IS NULL OR s.maximum_age >= %s)"
        )
        params += [filters.age, filters.age]
    if filters.languages:
        marks = ", ".join(["%s"] * len(filters.languages))
        where.append(f"s.id IN (SELECT l.service_id FROM {T_LANG} l WHERE l.code IN ({marks}))")
        params += filters.languages
        selective = True
    if filters.area:
        codes = _area_codes(filters.area)
        marks = ", ".join(["%s"] * len(codes))
        where.append(f"(s.area_scope = 'national' OR s.area_id IN ({marks}))")
        params += codes
        selective = True
    if filters.is_24h:
        where.append("s.is_24h = %s")
        params.append(True)
        selective = True
    if filters.free:
        where.append("s.free_of_charge = %s")
        params.append(True)
    if filters.crisis_line:
        where.append("s.crisis_line = %s")
        params.append(True)
    return where, params, selective


# --- the search --------------------------------------------------------------------------------


@contextmanager
def _no_jit():
    """On PostgreSQL, no JIT compilation for the statements run inside (a session setting only)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


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
    with _no_jit():
        return _search(query, filters, limit, offset, now)


def _search(query, filters, limit, offset, now) -> SearchPage:
    filters = filters or SearchFilters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    terms = parse_query(query)
    where, params, selective = _filter_sql(filters)
    at = (now or timezone.now()) if filters.open_now else None
    counts: dict = {}
    # Row counts decide the plan (with a selective filter) and, on SQLite, the bigram join order.
    orders_joins = connection.vendor == "sqlite" and any(len(v) >= 3 for t in terms for v in t.variants)
    if terms and (selective or orders_joins):
        counts = _row_counts(_index_keys(terms), DRIVE_FROM_FILTERS_ABOVE)
        if orders_joins:
            counts.update(_row_counts(_tied_bigrams(terms, counts), JOIN_ORDER_CAP))
        if selective and _estimate(terms, counts) >= DRIVE_FROM_FILTERS_ABOVE:
            # The area test needs the status index (national services); other filters have their own.
            where, params, _ = _filter_sql(filters, status_index=bool(filters.area))
            return _filter_driven(terms, where, params, limit, offset, at)
    if terms:
        subqueries, sub_params, likes = [], [], []
        for term in terms:
            sql, p, term_likes = _term_sql(term, counts)
            subqueries.append(sql)
            sub_params += p
            likes += term_likes
        from_sql = f"({subqueries[0]}) q0"
        score = "q0.w"
        for n, sql in enumerate(subqueries[1:], start=1):
            from_sql += f" JOIN ({sql}) q{n} ON q{n}.sid = q0.sid"
            score += f" + q{n}.w"
        from_sql += f" JOIN {T_SERVICE} s ON s.id = q0.sid"
        where = where + ["s.search_text LIKE %s ESCAPE '\\'"] * len(likes)
        params = sub_params + params + likes
    else:
        from_sql, score = f"{T_SERVICE} s", "0"
    collate = _collate()
    order = f" ORDER BY score DESC, s.name{collate}, s.id{collate}"
    if at is not None:
        return _open_now_page(terms, from_sql, score, where, params, order, limit, offset, at)
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
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


def _open_now_page(terms, from_sql, score, where, params, order, limit, offset, at) -> SearchPage:
    """Open-now results: count per distinct schedule, evaluate each schedule once, then page in SQL."""
    spec = "CAST(s.schedule_spec AS TEXT)"
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {spec}, s.is_24h, COUNT(*) FROM {from_sql}{where_sql} GROUP BY {spec}, s.is_24h", params
        )
        groups = cursor.fetchall()
    if len(groups) > MAX_SCHEDULE_GROUPS:
        sql = f"SELECT s.id, s.name, {score}, s.is_24h, {spec} FROM {from_sql}{where_sql}"
        return _page_in_python(sql, params, [1], limit, offset, at, terms)
    is_open = {(text, bool(is_24h)): _is_open(is_24h, text, at) for text, is_24h, _ in groups}
    total = sum(n for text, is_24h, n in groups if is_open[(text, bool(is_24h))])
    if total == 0 or offset >= total:
        return SearchPage(total=total, hits=[], terms=terms)
    conditions, open_params = [], []
    for (text, is_24h), value in is_open.items():
        if value:
            conditions.append(
                f"({spec} IS NULL AND s.is_24h = %s)" if text is None else f"({spec} = %s AND s.is_24h = %s)"
            )
            open_params += [is_24h] if text is None else [text, is_24h]
    where_sql += (" AND " if where_sql else " WHERE ") + "(" + " OR ".join(conditions) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, {score} AS score FROM {from_sql}{where_sql}{order} LIMIT %s OFFSET %s",
            [*params, *open_params, limit, offset],
        )
        rows = cursor.fetchall()
    return SearchPage(total=total, hits=[SearchHit(r[0], int(r[1])) for r in rows], terms=terms)


def _filter_driven(terms, where, params, limit, offset, at) -> SearchPage:
    columns, column_params = [], []
    for term in terms:
        for variant in term.variants:
            sql, p = _variant_weight_sql(variant)
            columns.append(sql)
            column_params += p
    sql = (
        f"SELECT s.id, s.name, {', '.join(columns)}, s.is_24h, CAST(s.schedule_spec AS TEXT) "
        f"FROM {T_SERVICE} s WHERE " + " AND ".join(where)
    )
    layout = [len(term.variants) for term in terms]
    return _page_in_python(sql, column_params + params, layout, limit, offset, at, terms)


def _page_in_python(sql, params, layout, limit, offset, at, terms) -> SearchPage:
    """Run ``sql`` (id, name, weight columns…, is_24h, schedule); count, filter, order, page in Python.

    ``layout`` gives the number of weight columns (variants) of each term: a term's weight is the
    best of its variants', a row needs every term. Python compares strings by code point, as
    ``COLLATE "C"`` (PostgreSQL) and SQLite's default do, so the order is the SQL plan's.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    is_open: dict = {}
    found = []
    for row in rows:
        score, column = 0, 2
        for width in layout:
            weights = [w for w in row[column : column + width] if w is not None]
            column += width
            if not weights:
                break
            score += max(weights)
        else:
            if at is not None:
                key = (row[-1], bool(row[-2]))
                if key not in is_open:
                    is_open[key] = _is_open(row[-2], row[-1], at)
                if not is_open[key]:
                    continue
            found.append((-int(score), row[1], row[0]))
    found.sort()
    hits = [SearchHit(sid, -negative) for negative, _, sid in found[offset : offset + limit]]
    return SearchPage(total=len(found), hits=hits, terms=terms)


def _is_open(is_24h: bool, spec, at: datetime) -> bool:
    schedule = schedule_for(spec)
    return bool(is_24h) if schedule is None else schedule.is_open(at)
