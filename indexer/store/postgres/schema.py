"""The PostgreSQL schema, created and changed only by numbered migrations.

Two kinds of schema, each with its own list of migrations, recorded in
``whoknows.migrations`` (schema name, version, name, when):

- ``whoknows`` (shared): the embedding cache (vectors by model id + text hash, shared by
  every generation), the list of generations, the one-row pointer to the served one and
  the text search configuration ``whoknows.search``.
- ``gen_<name>``, one per generation: documents and chunks (with a ``tsvector`` and a GIN
  index each), people, contributions, meta, the vector table and its manifest.

A migration is appended, never edited: version ``n`` runs once per schema, in a
transaction holding an advisory lock, so two processes starting at once do not race.
"""

from __future__ import annotations

import logging
import re

import psycopg
from psycopg import sql

from indexer.errors import ConfigError, IndexMismatchError

logger = logging.getLogger(__name__)

SHARED_SCHEMA = "whoknows"
GENERATION_PREFIX = "gen_"
TEXT_SEARCH_CONFIG = "whoknows.search"
"""English stems without a stop-word list, as FTS5's ``porter`` tokenizer keeps every word."""
_NAME = re.compile(r"[A-Za-z0-9_]{1,50}")
_MIGRATE_LOCK = 0x77686F6B6E6F7773  # "whoknows": one migration at a time per database

Migration = tuple[str, str]
"""``(name, SQL)``: the SQL runs with the migrated schema first on the search path."""

SHARED_MIGRATIONS: list[Migration] = [
    (
        "initial",
        """
        CREATE TABLE embeddings (
            model_id text COLLATE "C" NOT NULL, text_hash text COLLATE "C" NOT NULL,
            vector vector NOT NULL, PRIMARY KEY (model_id, text_hash)
        );
        CREATE TABLE generations (
            name text COLLATE "C" PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz
        );
        CREATE TABLE current_generation (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            name text COLLATE "C" NOT NULL REFERENCES generations(name)
        );
        CREATE TEXT SEARCH DICTIONARY english_stem_all (TEMPLATE = snowball, LANGUAGE = english);
        CREATE TEXT SEARCH CONFIGURATION search (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION search
            ALTER MAPPING FOR asciiword, word, hword_asciipart, hword_part WITH english_stem_all;
        """,
    ),
]

GENERATION_MIGRATIONS: list[Migration] = [
    (
        "initial",
        """
        CREATE TABLE sources (
            name text COLLATE "C" PRIMARY KEY, kind text NOT NULL, path text NOT NULL,
            indexed_at text
        );
        CREATE TABLE documents (
            id text COLLATE "C" PRIMARY KEY, source text COLLATE "C" NOT NULL,
            kind text NOT NULL, title text NOT NULL, text text NOT NULL, url text NOT NULL,
            created text, updated text, access_groups text[] NOT NULL,
            content_hash text NOT NULL, ntokens integer NOT NULL, tsv tsvector NOT NULL
        );
        CREATE INDEX documents_source ON documents (source);
        CREATE INDEX documents_tsv ON documents USING gin (tsv);
        CREATE TABLE chunks (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            document_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            ordinal integer NOT NULL, text text NOT NULL, body text NOT NULL,
            text_hash text COLLATE "C" NOT NULL, ntokens integer NOT NULL, tsv tsvector NOT NULL
        );
        CREATE INDEX chunks_document ON chunks (document_id);
        CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
        CREATE TABLE person_records (
            source text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
            record text NOT NULL, PRIMARY KEY (source, key)
        );
        CREATE TABLE contributions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source text COLLATE "C" NOT NULL, person_key text COLLATE "C" NOT NULL,
            person_id text COLLATE "C", document_id text COLLATE "C" NOT NULL,
            role text COLLATE "C" NOT NULL, count bigint NOT NULL, score bigint NOT NULL,
            time text
        );
        CREATE INDEX contributions_document ON contributions (document_id);
        CREATE INDEX contributions_person ON contributions (person_id);
        CREATE INDEX contributions_source ON contributions (source);
        CREATE TABLE people (
            id text COLLATE "C" PRIMARY KEY, name text NOT NULL, aliases text[] NOT NULL,
            title text NOT NULL, team text NOT NULL, location text NOT NULL, bio text NOT NULL,
            skills text[] NOT NULL, active boolean NOT NULL, url text NOT NULL,
            records text NOT NULL DEFAULT '[]'
        );
        CREATE TABLE person_keys (
            source text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
            person_id text COLLATE "C" NOT NULL, PRIMARY KEY (source, key)
        );
        CREATE INDEX person_keys_person ON person_keys (person_id);
        CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
        CREATE TABLE manifest (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            model_id text NOT NULL, dim integer NOT NULL, count bigint NOT NULL,
            schema_version integer NOT NULL, built_at text NOT NULL, index_type text NOT NULL
        );
        -- BM25's statistics, kept by triggers: rows holding each lexeme, rows and tokens
        CREATE TABLE lexical_terms (
            tbl text COLLATE "C" NOT NULL, lexeme text COLLATE "C" NOT NULL, n bigint NOT NULL,
            PRIMARY KEY (tbl, lexeme)
        );
        CREATE TABLE lexical_totals (
            tbl text COLLATE "C" PRIMARY KEY, rows bigint NOT NULL, tokens bigint NOT NULL
        );
        INSERT INTO lexical_totals VALUES ('chunks', 0, 0), ('documents', 0, 0);
        CREATE FUNCTION lexical_rows_added() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO lexical_terms (tbl, lexeme, n)
                SELECT TG_TABLE_NAME, l, count(*)
                FROM changed_rows r, unnest(tsvector_to_array(r.tsv)) l GROUP BY l
                ON CONFLICT (tbl, lexeme) DO UPDATE SET n = lexical_terms.n + EXCLUDED.n;
            UPDATE lexical_totals t SET rows = t.rows + s.rows, tokens = t.tokens + s.tokens
                FROM (SELECT count(*) AS rows, coalesce(sum(ntokens), 0) AS tokens
                      FROM changed_rows) s
                WHERE t.tbl = TG_TABLE_NAME;
            RETURN NULL;
        END $$;
        CREATE FUNCTION lexical_rows_removed() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            UPDATE lexical_terms s SET n = s.n - r.n
                FROM (SELECT l, count(*) AS n FROM changed_rows c,
                      unnest(tsvector_to_array(c.tsv)) l GROUP BY l) r
                WHERE s.tbl = TG_TABLE_NAME AND s.lexeme = r.l;
            DELETE FROM lexical_terms WHERE tbl = TG_TABLE_NAME AND n <= 0;
            UPDATE lexical_totals t SET rows = t.rows - s.rows, tokens = t.tokens - s.tokens
                FROM (SELECT count(*) AS rows, coalesce(sum(ntokens), 0) AS tokens
                      FROM changed_rows) s
                WHERE t.tbl = TG_TABLE_NAME;
            RETURN NULL;
        END $$;
        CREATE TRIGGER chunks_added AFTER INSERT ON chunks REFERENCING NEW TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION lexical_rows_added();
        CREATE TRIGGER chunks_removed AFTER DELETE ON chunks
            REFERENCING OLD TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION lexical_rows_removed();
        CREATE TRIGGER documents_added AFTER INSERT ON documents
            REFERENCING NEW TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION lexical_rows_added();
        CREATE TRIGGER documents_removed AFTER DELETE ON documents
            REFERENCING OLD TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION lexical_rows_removed();
        CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are replaced (deleted and inserted), never updated',
                TG_TABLE_NAME;
        END $$;
        CREATE TRIGGER chunks_not_updated BEFORE UPDATE ON chunks
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_update();
        CREATE TRIGGER documents_not_updated BEFORE UPDATE ON documents
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_update();
        """,
    ),
]


def generation_schema(name: str) -> str:
    """The schema holding generation ``name``.

    >>> generation_schema("20261208T020412123456Z")
    'gen_20261208T020412123456Z'
    """
    if not _NAME.fullmatch(name):
        raise ConfigError(
            f"generation name {name!r} is not 1-50 letters, digits or underscores: pick another"
        )
    return GENERATION_PREFIX + name


def vector_schema(conn: psycopg.Connection) -> str:
    """The schema pgvector's ``vector`` type lives in (created in ``public`` when missing)."""
    row = conn.execute(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'vector'"
    ).fetchone()
    if row is None:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
        return "public"
    return str(row[0]).strip('"')


def migrate_shared(url: str) -> None:
    """Create or bring up to date the shared ``whoknows`` schema (and pgvector)."""
    _migrate(url, SHARED_SCHEMA, SHARED_MIGRATIONS)


def migrate_generation(url: str, schema: str) -> None:
    """Create or bring up to date one generation's schema."""
    _migrate(url, schema, GENERATION_MIGRATIONS)


def check_generation(conn: psycopg.Connection, schema: str) -> None:
    """Refuse to serve a generation whose schema is behind this code's migrations.

    Reading never migrates (a read replica cannot); the next re-index does.
    """
    row = conn.execute(
        "SELECT coalesce(max(version), 0) FROM whoknows.migrations WHERE schema_name = %s",
        [schema],
    ).fetchone()
    have = int(row[0]) if row else 0
    if have != len(GENERATION_MIGRATIONS):
        raise IndexMismatchError(
            f"schema {schema} is at version {have}, this WhoKnows reads version "
            f"{len(GENERATION_MIGRATIONS)}: run `whoknows index` to build a current generation"
        )


def schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    return row is not None


def _migrate(url: str, schema: str, migrations: list[Migration]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        extension_schema = vector_schema(conn)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATE_LOCK])
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SHARED_SCHEMA))
            )
            conn.execute(
                'CREATE TABLE IF NOT EXISTS whoknows.migrations (schema_name text COLLATE "C" '
                "NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at timestamptz "
                "NOT NULL DEFAULT now(), PRIMARY KEY (schema_name, version))"
            )
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            conn.execute(
                sql.SQL("SET LOCAL search_path TO {}, {}, {}").format(
                    sql.Identifier(schema),
                    sql.Identifier(SHARED_SCHEMA),
                    sql.Identifier(extension_schema),
                )
            )
            done = {
                row[0]
                for row in conn.execute(
                    "SELECT version FROM whoknows.migrations WHERE schema_name = %s", [schema]
                )
            }
            for version, (name, script) in enumerate(migrations, start=1):
                if version in done:
                    continue
                logger.info("migrating %s to version %d (%s)", schema, version, name)
                conn.execute(script)  # several statements: no parameters
                conn.execute(
                    "INSERT INTO whoknows.migrations (schema_name, version, name) "
                    "VALUES (%s, %s, %s)",
                    [schema, version, name],
                )
