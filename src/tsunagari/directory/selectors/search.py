"""Japanese full-text search over the directory, identical on SQLite and PostgreSQL.

What matches and how it ranks is defined by ``search_document``: a service matches when, for every
query term, some variant (literal, SudachiPy normal form, synonym) is a substring of its document
text; its score is the sum over terms of the best field weight containing a variant; results are
ordered by score (best first), then name and service id in code-point order. Scores are computed in
Python from the text, so both databases rank identically (a test proves it).

The index (``search_tables``) is read so that only about a page of documents is ever fetched:

- *term-driven* (default): one query term drives (the one with the fewest index rows). For each of
  its variants, the rarest token (a character, or a bigram) is looked up in the posting table,
  whose key is (token, weight DESC, sort key, document): the documents having that token in fields
  of one weight come out in name order. Each (variant, weight) range is a *source*; no document it
  yields can score above its weight (plus 10 per other term). Sources are read best-first in
  chunks, filters and the other terms checked in the same statement, until the page is certain
  (the k-th best result found beats the best any unread row could reach), then on until more than
  ``COUNT_CAP`` matches are known or every source is read.
- *filter-driven*: when a vocabulary filter (topic, audience, channel, language), optionally with
  an area, selects few documents compared with what the term side would read (``_prefer_filters``),
  those documents are read in full from the vocabulary table and checked and scored in Python.

Area, flags (active, 24 h, free, crisis line, age band) and topic/audience/channel bits are checked
on the index rows themselves; exact ages, "open now" (one set of schedule ids, computed per minute)
and the other terms on the document row. Totals are exact up to ``COUNT_CAP``; beyond it the page
says "more than ``COUNT_CAP``" (``total_exact`` false).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils import timezone

from tsunagari.core.lgcode import normalize as normalize_lgcode
from tsunagari.core.models import LocalGovernment
from tsunagari.core.page_cache import cache_seconds
from tsunagari.core.ttl_cache import ttl_cache
from tsunagari.directory import search_document as document
from tsunagari.directory.search_query import Term, parse_query
from tsunagari.directory.search_tables import DOCTERM, POSTING, TERMSTAT
from tsunagari.directory.selectors.hours import schedule_for
from tsunagari.directory.textnorm import query_bigrams

MAX_LIMIT = 100
#: Results can be paged through this far (offset + limit); beyond, narrow the search.
MAX_DEPTH = 1000
#: Totals are counted exactly up to this many results (counting costs about one index probe per
#: candidate, so a common word with a selective filter would otherwise dominate the search time).
COUNT_CAP = 100
#: Vocabulary rows of a filter are counted up to this many to choose the plan.
ESTIMATE_CAP = 4000
#: A source's first read asks for the rows still wanted plus ``CHUNK_SLACK`` (so ties on the last
#: sort key rarely need a second read); each further read is ``CHUNK_GROWTH`` times larger.
CHUNK_SLACK = 16
CHUNK_GROWTH = 4
MAX_CHUNK = 4000
T_DOC = "directory_searchdoc"
T_SCHEDULE = "directory_searchschedule"
_TOP_WEIGHT = document.WEIGHTS[0]


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
    """A page of results. ``total`` is exact when ``total_exact``, else "more than ``total``"."""

    total: int
    hits: list[SearchHit]
    terms: list[Term]
    total_exact: bool = True
    plan: str = ""


# --- filters -----------------------------------------------------------------------------------


@dataclass
class _Filters:
    """Filters as SQL. ``row`` conditions use columns every index table has (area, flags)."""

    flag_mask: int = 0
    areas: list[int] = field(default_factory=list)
    code_groups: list[list[str]] = field(default_factory=list)
    doc: list[str] = field(default_factory=list)
    doc_params: list = field(default_factory=list)

    def row(self, alias: str) -> tuple[list[str], list]:
        """Area and flag conditions on the index row ``alias`` (posting, docterm or doc)."""
        where, params = [], []
        if self.flag_mask:
            where.append(f"({alias}.flags & %s) = %s")
            params += [self.flag_mask, self.flag_mask]
        if self.areas:
            marks = ", ".join(["%s"] * len(self.areas))
            where.append(f"({alias}.area = 0 OR {alias}.area IN ({marks}))")
            params += self.areas
        return where, params

    def probes(self, alias: str, id_column: str, skip: int | None = None) -> tuple[list[str], list]:
        """Vocabulary conditions on a posting or document row ``alias``: its ``vocab`` mask for
        topics, audiences and channels, key lookups in the vocabulary table for the rest."""
        where, params = [], []
        for number, codes in enumerate(self.code_groups):
            if number == skip:
                continue
            if all(code in document.VOCABULARY_BITS for code in codes):
                where.append(f"({alias}.vocab & %s) <> 0")
                params.append(document.vocabulary_mask(codes))
            else:
                marks = ", ".join(["%s"] * len(codes))
                where.append(
                    f"EXISTS (SELECT 1 FROM {DOCTERM} t WHERE t.code IN ({marks}) "
                    f"AND t.sort_key = {alias}.sort_key AND t.doc = {alias}.{id_column})"
                )
                params += codes
        return where, params

    def index_row(self, alias: str, id_column: str) -> tuple[list[str], list]:
        """Every condition that needs no document row."""
        row_where, row_params = self.row(alias)
        probe_where, probe_params = self.probes(alias, id_column)
        return row_where + probe_where, row_params + probe_params


def area_codes(area: str) -> list[int]:
    """The area codes whose services serve ``area``'s residents (see ``_area_family``); raises
    ``SearchError`` for a malformed or unknown code."""
    try:
        code = normalize_lgcode(area)
    except ValueError as exc:
        raise SearchError(f"area: {exc}") from None
    codes = _area_family(code)
    if codes is None:
        raise SearchError(f"area: unknown 地方公共団体コード {code}")
    return list(codes)


@ttl_cache(cache_seconds, maxsize=2048)
def _area_family(code: str) -> tuple[int, ...] | None:
    """The codes whose services serve ``code``'s residents (itself, its prefecture, a ward's city),
    or None for an unknown code. Reference data: kept ``cache_seconds()`` per process."""
    government = LocalGovernment.objects.filter(pk=code).first()
    if government is None:
        return None
    codes = {code, government.prefecture_lgcode}
    if government.kind == LocalGovernment.Kind.WARD and government.parent_id:
        codes.add(government.parent_id)
    return tuple(sorted(int(c) for c in codes))


def age_band_flag(age: int) -> int:
    """The index flag of ``age``'s band; raises ``SearchError`` outside 0–``AGE_MAX``."""
    if not 0 <= age <= document.AGE_MAX:
        raise SearchError(f"age: must be between 0 and {document.AGE_MAX}")
    return document.age_band_flag(age)


def _build_filters(filters: SearchFilters, at: datetime | None) -> _Filters:
    built = _Filters()
    for wanted, bit in (
        (not filters.include_inactive, document.FLAG_ACTIVE),
        (filters.is_24h, document.FLAG_24H),
        (filters.free, document.FLAG_FREE),
        (filters.crisis_line, document.FLAG_CRISIS),
    ):
        if wanted:
            built.flag_mask |= bit
    if filters.area:
        built.areas = area_codes(filters.area)
    for taxonomy, codes in (
        ("topic", filters.topics),
        ("audience", filters.audiences),
        ("channel", filters.channels),
        ("language", filters.languages),
    ):
        if codes:
            built.code_groups.append(sorted({f"{taxonomy}:{c}" for c in codes}))
    if filters.age is not None:
        built.flag_mask |= age_band_flag(filters.age)  # in the index rows; exact below
        built.doc.append(
            "((d.age1_low <= %s AND d.age1_high >= %s) OR (d.age2_low <= %s AND d.age2_high >= %s))"
        )
        built.doc_params += [filters.age] * 4
    if at is not None:
        open_ids = open_schedule_ids(at)
        if open_ids:
            built.doc.append(f"d.schedule_id IN ({', '.join(['%s'] * len(open_ids))})")
            built.doc_params += open_ids
        else:
            built.doc.append("1 = 0")
    return built


_OPEN_AT: dict[tuple[str, bool, datetime], bool] = {}


def open_schedule_ids(at: datetime) -> list[int]:
    """Ids of the schedules open at ``at``'s minute (each distinct spec is evaluated once per
    minute; the ids of a minute are kept like other reference data, ``cache_seconds()``)."""
    return list(_open_schedule_ids_in(at.replace(second=0, microsecond=0)))


@ttl_cache(cache_seconds, maxsize=64)
def _open_schedule_ids_in(minute: datetime) -> tuple[int, ...]:
    if len(_OPEN_AT) > 20000:
        _OPEN_AT.clear()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, spec, is_24h FROM {T_SCHEDULE} ORDER BY id")
        rows = cursor.fetchall()
    ids = []
    for pk, spec, is_24h in rows:
        key = (spec, bool(is_24h), minute)
        if key not in _OPEN_AT:
            schedule = schedule_for(spec)
            _OPEN_AT[key] = bool(is_24h) if schedule is None else schedule.is_open(minute)
        if _OPEN_AT[key]:
            ids.append(pk)
    return tuple(ids)


# --- index statistics ----------------------------------------------------------------------------


def _variant_keys(variant: str) -> list[str]:
    """The index tokens a variant is looked up by: itself (one or two characters), else its bigrams."""
    return [variant] if len(variant) <= 2 else query_bigrams(variant)


@dataclass
class _KeyStats:
    rows: int  # documents with this token
    weights: set[int]  # the weights it has postings at

    def may_have(self, weight: int) -> bool:
        return weight in self.weights


def _key_stats(keys: list[str]) -> dict[str, _KeyStats]:
    """Documents per token and the weights it occurs at, from the statistics table."""
    stats = {key: _KeyStats(0, set()) for key in keys}
    if not keys:
        return stats
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, weight, docs FROM {TERMSTAT} WHERE term IN ({marks}) AND docs > 0", keys
        )
        for key, weight, docs in cursor.fetchall():
            stats[key].rows += docs
            stats[key].weights.add(weight)
    return stats


def _drivers(term: Term, stats: dict[str, _KeyStats]) -> list[tuple[str, str]]:
    """(variant, its rarest token) for each variant of ``term``."""
    return [(v, min(_variant_keys(v), key=lambda k: stats[k].rows)) for v in term.variants]


def _estimate(term: Term, stats: dict[str, _KeyStats]) -> int:
    return sum(stats[key].rows for _, key in _drivers(term, stats))


# --- statements ----------------------------------------------------------------------------------


def _contains() -> str:
    """SQL testing that the document text contains the parameter (a plain substring search)."""
    return "instr(d.text, %s) > 0" if connection.vendor == "sqlite" else "strpos(d.text, %s) > 0"


def _term_conditions(terms: list[Term]) -> tuple[list[str], list]:
    """Document conditions: each term needs one of its variants in the text."""
    where, params = [], []
    for term in terms:
        where.append("(" + " OR ".join([_contains()] * len(term.variants)) + ")")
        params += list(term.variants)
    return where, params


def _postings_then_documents() -> str:
    """FROM clause: posting rows ``p`` joined to their documents ``d``, postings read first.

    SQLite reads a CROSS JOIN in the written order: the index range first, in its key order.
    """
    if connection.vendor == "sqlite":
        return f"{POSTING} p CROSS JOIN {T_DOC} d"
    return f"{POSTING} p JOIN {T_DOC} d ON d.id = p.doc"


def _columns(terms: list[Term]) -> str:
    """What a document read returns; its text only when there are terms to score (without terms
    every document scores 0, and the text is most of what a row weighs)."""
    text = "d.text" if terms else "''"
    return f"d.id, d.sort_key, d.name, d.service_id, {text}"


@dataclass
class _Source:
    """An index range read in (sort key, doc) order; none of its documents scores above ``bound``."""

    bound: int
    sql: str  # with a keyset condition "(sort_key, doc) > (%s, %s)" and a trailing "LIMIT %s"
    params: list  # without the keyset and limit values
    after_params: int  # where the two keyset values go among ``params``
    #: Every document of this source scores exactly this (then the text is not read), or None.
    score: int | None = None
    last: tuple[int, int] = (-1, -1)
    exhausted: bool = False
    reads: int = 0

    @property
    def frontier(self) -> tuple[int, int]:
        return (-self.bound, self.last[0])

    def read(self, size: int) -> list[tuple]:
        params = self.params[: self.after_params] + list(self.last) + self.params[self.after_params :]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*params, size])
            rows = cursor.fetchall()
        self.reads += 1
        if len(rows) < size:
            self.exhausted = True
        if rows:
            self.last = (rows[-1][1], rows[-1][0])
        return rows


def _posting_source(key: str, weight: int, bound: int, variant: str, built: _Filters, others: list[Term]):
    row_where, row_params = built.index_row("p", "doc")
    doc_where, doc_params = list(built.doc), list(built.doc_params)
    if len(variant) > 2:
        doc_where.append(_contains())
        doc_params.append(variant)
    term_where, term_params = _term_conditions(others)
    where = ["p.term = %s", "p.weight = %s", "(p.sort_key, p.doc) > (%s, %s)", *row_where]
    where += ["d.id = p.doc", *doc_where, *term_where]
    # A lone term's one- or two-character variant scores its posting's weight: sources are read
    # strictly by bound, so a better variant of the same document would have been read before.
    fixed = weight if not others and len(variant) <= 2 else None
    text = "d.text" if fixed is None else "''"
    sql = (
        f"SELECT p.doc, p.sort_key, d.name, d.service_id, {text} FROM {_postings_then_documents()} "
        f"WHERE {' AND '.join(where)} ORDER BY p.sort_key, p.doc LIMIT %s"
    )
    params = [key, weight, *row_params, *doc_params, *term_params]
    return _Source(bound, sql, params, after_params=2, score=fixed)


def _doc_source(built: _Filters, terms: list[Term]):
    row_where, row_params = built.index_row("d", "id")
    term_where, term_params = _term_conditions(terms)
    where = ["(d.sort_key, d.id) > (%s, %s)", *row_where, *built.doc, *term_where]
    sql = f"SELECT {_columns(terms)} FROM {T_DOC} d WHERE {' AND '.join(where)} ORDER BY d.sort_key, d.id LIMIT %s"
    return _Source(0, sql, [*row_params, *built.doc_params, *term_params], after_params=0)


def _group_rows(codes: list[str], built: _Filters, cap: int) -> int:
    """Vocabulary rows of one filter group passing the area and flag filters, up to ``cap`` + 1.

    Only an estimate for choosing the plan (both plans give the same results), so it is kept
    ``cache_seconds()`` per process like other reference data."""
    return counted_code_rows(tuple(codes), built.flag_mask, tuple(built.areas), cap)


@ttl_cache(cache_seconds, maxsize=4096)
def counted_code_rows(codes: tuple[str, ...], flag_mask: int, areas: tuple[int, ...], cap: int) -> int:
    """Vocabulary rows having one of ``codes`` with the flags of ``flag_mask`` and national or in
    ``areas`` (none: any area), counted up to ``cap`` + 1; kept ``cache_seconds()``."""
    built = _Filters(flag_mask=flag_mask, areas=list(areas))
    row_where, row_params = built.row("t")
    marks = ", ".join(["%s"] * len(codes))
    where = " AND ".join([f"t.code IN ({marks})", *row_where])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {DOCTERM} t WHERE {where} LIMIT {cap + 1}) c",
            [*codes, *row_params],
        )
        return cursor.fetchone()[0]


# --- the search --------------------------------------------------------------------------------


def search_services(
    query: str = "",
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
    plan: str | None = None,
) -> SearchPage:
    """Services matching ``query`` (all terms) and ``filters``, best first.

    ``open_now`` is evaluated at ``now`` (default: the current time) in Asia/Tokyo. ``plan``
    ("terms" or "filters") forces a plan where it applies (tests and benchmarks compare them).
    """
    filters = filters or SearchFilters()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if offset + limit > MAX_DEPTH:
        raise SearchError(
            f"offset: only the first {MAX_DEPTH} results can be paged through; narrow the search"
        )
    terms = parse_query(query)
    built = _build_filters(filters, (now or timezone.now()) if filters.open_now else None)
    wanted = offset + limit
    stats = _key_stats(list(dict.fromkeys(k for t in terms for v in t.variants for k in _variant_keys(v))))
    driver = min(terms, key=lambda t: _estimate(t, stats)) if terms else None
    group_rows = [(_group_rows(g, built, ESTIMATE_CAP), n) for n, g in enumerate(built.code_groups)]
    smallest = min(group_rows) if group_rows else None
    use_filters = False
    if smallest is not None and smallest[0] <= ESTIMATE_CAP:
        documents = _documents()
        driver_rows = _estimate(driver, stats) if driver else documents
        use_filters = _prefer_filters(smallest[0], driver_rows, documents, wanted)
    if plan == "filters" and smallest is not None:
        use_filters = True
    elif plan == "terms":
        use_filters = False
    if use_filters:
        found = _filter_driven(built, smallest[1], terms)
        page = _page(found, offset, limit, terms, min(len(found), COUNT_CAP), len(found) <= COUNT_CAP)
        page.plan = "filters"
        return page
    if driver is None:
        sources = [_doc_source(built, [])]
    else:
        others = [t for t in terms if t is not driver]
        extra = _TOP_WEIGHT * len(others)
        sources = [
            _posting_source(key, weight, weight + extra, variant, built, others)
            for variant, key in _drivers(driver, stats)
            for weight in document.WEIGHTS
            if stats[key].may_have(weight)
        ]
    found, complete = _best_first(sources, wanted, terms)
    total = len(found) if complete else COUNT_CAP + 1
    # Capped even when more were seen, so a total does not depend on the page or the plan.
    page = _page(found, offset, limit, terms, min(total, COUNT_CAP), total <= COUNT_CAP)
    page.plan = "terms" if driver is not None else "listing"
    return page


@ttl_cache(cache_seconds)
def _documents() -> int:
    """About how many documents there are (the highest id: no scan; an estimate for choosing the
    plan, kept ``cache_seconds()``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {T_DOC}")
        return cursor.fetchone()[0] or 0


def _prefer_filters(filter_rows: int, driver_rows: int, documents: int, wanted: int) -> bool:
    """Whether reading every document of a vocabulary filter beats reading the driving token's rows.

    The filter side reads ``filter_rows`` whole documents. The term side, assuming the filter and
    the words are independent, reads about ``documents / filter_rows`` index rows per result it
    needs (the page and the capped count), at most all ``driver_rows`` of them. An index row is
    taken to cost a third of a document read (a rough figure from profiling the benchmark data).
    """
    needed = (COUNT_CAP + wanted) * documents / max(1, filter_rows)
    return 3 * filter_rows < min(driver_rows, needed)


def _score(text: str, terms: list[Term]) -> int | None:
    return document.score(text, [t.variants for t in terms]) if terms else 0


def _best_first(sources: list[_Source], wanted: int, terms: list[Term]) -> tuple[list[tuple], bool]:
    """Read sources best-first until the ``wanted`` best results are certain, then on until more
    than ``COUNT_CAP`` results are known (every row a source yields is a match).

    Returns the results found (ordering keys (-score, sort_key, name, service_id)) and whether
    every source was read to its end (then the results are all matches).
    """
    found: list[tuple] = []
    seen: set[int] = set()
    page_known = False
    while True:
        open_sources = [s for s in sources if not s.exhausted]
        if not open_sources:
            return found, True
        source = min(open_sources, key=lambda s: s.frontier)
        if not page_known and len(found) >= wanted:
            found.sort()
            page_known = found[wanted - 1][:2] < source.frontier
        if page_known:
            if len(found) > COUNT_CAP:
                return found, False
            size = min(MAX_CHUNK, COUNT_CAP + 1 - len(found) + CHUNK_SLACK)
        else:
            size = min(MAX_CHUNK, (wanted + CHUNK_SLACK) * CHUNK_GROWTH**source.reads)
        for doc_id, sort_key, name, service_id, text in source.read(size):
            if doc_id in seen:
                continue
            seen.add(doc_id)
            score = source.score if source.score is not None else _score(text, terms)
            if score is not None:
                found.append((-score, sort_key, name, str(service_id)))


def _filter_driven(built: _Filters, group: int, terms: list[Term]) -> list[tuple]:
    codes = built.code_groups[group]
    inner, inner_params = built.row("t")
    probes, probe_params = built.probes("d", "id", skip=group)
    term_where, term_params = _term_conditions(terms)
    marks = ", ".join(["%s"] * len(codes))
    subquery = f"SELECT t.doc FROM {DOCTERM} t WHERE " + " AND ".join([f"t.code IN ({marks})", *inner])
    where = [f"d.id IN ({subquery})", *probes, *built.doc, *term_where]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_columns(terms)} FROM {T_DOC} d WHERE {' AND '.join(where)}",
            [*codes, *inner_params, *probe_params, *built.doc_params, *term_params],
        )
        rows = cursor.fetchall()
    found = []
    for _, sort_key, name, service_id, text in rows:
        score = _score(text, terms)
        if score is not None:
            found.append((-score, sort_key, name, str(service_id)))
    return found


def _page(found: list[tuple], offset: int, limit: int, terms, total: int, exact: bool) -> SearchPage:
    found.sort()
    hits = [SearchHit(service_id, -negative) for negative, _, _, service_id in found[offset : offset + limit]]
    return SearchPage(total=total, hits=hits, terms=terms, total_exact=exact)
