"""The compact search index tables, created with database-specific SQL (Django has no model for them).

``directory_searchposting``: one row per (token, document) with the token's best field weight, the
document's sort key, area, flags and vocabulary mask. Its key is (term, weight DESC, sort_key, doc), so the
documents containing a token in fields of one weight are read in name order straight from the
index, and area, flag and topic/audience/channel filters are checked without leaving it.

``directory_searchdocterm``: one row per (vocabulary code, document), keyed (code, sort_key, doc),
with area and flags; a second index on (code, area) serves "this topic in this area".

``directory_searchtermstat``: how many documents have each (token, weight) posting, kept in step
with the postings, so choosing the driving token and skipping empty ranges is one key lookup.

``directory_searchmeta``: what the stored index was built with (the vocabulary bit layout).

On SQLite the first two are ``WITHOUT ROWID`` tables (the table *is* the key's b-tree); on PostgreSQL they are
heaps with a unique index that INCLUDEs the other columns, so reads are index-only scans.
"""

from __future__ import annotations

POSTING = "directory_searchposting"
DOCTERM = "directory_searchdocterm"
TERMSTAT = "directory_searchtermstat"
META = "directory_searchmeta"

_SQLITE_TABLES = [
    f"""CREATE TABLE {POSTING} (
        term TEXT NOT NULL, weight INTEGER NOT NULL, sort_key INTEGER NOT NULL, doc INTEGER NOT NULL,
        area INTEGER NOT NULL, flags INTEGER NOT NULL, vocab INTEGER NOT NULL,
        PRIMARY KEY (term, weight DESC, sort_key, doc)) WITHOUT ROWID""",
    f"""CREATE TABLE {DOCTERM} (
        code TEXT NOT NULL, sort_key INTEGER NOT NULL, doc INTEGER NOT NULL,
        area INTEGER NOT NULL, flags INTEGER NOT NULL,
        PRIMARY KEY (code, sort_key, doc)) WITHOUT ROWID""",
    f"""CREATE TABLE {TERMSTAT} (
        term TEXT NOT NULL, weight INTEGER NOT NULL, docs INTEGER NOT NULL,
        PRIMARY KEY (term, weight)) WITHOUT ROWID""",
    f"CREATE TABLE {META} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
]
_SQLITE_INDEXES = [f"CREATE INDEX searchdocterm_area ON {DOCTERM} (code, area)"]

_POSTGRESQL_TABLES = [
    f"""CREATE TABLE {POSTING} (
        term varchar(2) COLLATE "C" NOT NULL, weight smallint NOT NULL, sort_key bigint NOT NULL,
        doc integer NOT NULL, area integer NOT NULL, flags smallint NOT NULL, vocab bigint NOT NULL)""",
    f"""CREATE TABLE {DOCTERM} (
        code varchar(80) COLLATE "C" NOT NULL, sort_key bigint NOT NULL, doc integer NOT NULL,
        area integer NOT NULL, flags smallint NOT NULL)""",
    f"""CREATE TABLE {TERMSTAT} (
        term varchar(2) COLLATE "C" NOT NULL, weight smallint NOT NULL, docs integer NOT NULL,
        PRIMARY KEY (term, weight))""",
    f"CREATE TABLE {META} (key varchar(40) PRIMARY KEY, value text NOT NULL)",
]
_POSTGRESQL_INDEXES = [
    f"CREATE UNIQUE INDEX searchposting_key ON {POSTING} (term, weight DESC, sort_key, doc) INCLUDE (area, flags, vocab)",
    f"CREATE UNIQUE INDEX searchdocterm_key ON {DOCTERM} (code, sort_key, doc) INCLUDE (area, flags)",
    f"CREATE INDEX searchdocterm_area ON {DOCTERM} (code, area) INCLUDE (doc, flags)",
]


def create_statements(vendor: str) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for ``vendor`` ("sqlite" or "postgresql")."""
    return table_statements(vendor) + index_statements(vendor)


def table_statements(vendor: str) -> list[str]:
    return _SQLITE_TABLES if vendor == "sqlite" else _POSTGRESQL_TABLES


def index_statements(vendor: str) -> list[str]:
    """Secondary indexes (PostgreSQL: all indexes); a bulk load may create them after the rows."""
    return _SQLITE_INDEXES if vendor == "sqlite" else _POSTGRESQL_INDEXES


def drop_statements() -> list[str]:
    return [f"DROP TABLE IF EXISTS {t}" for t in (POSTING, DOCTERM, TERMSTAT, META)]
