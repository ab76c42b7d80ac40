"""Generations on PostgreSQL: one schema each, and a one-row pointer to the served one.

A re-index writes a new generation in schema ``gen_<name>`` beside the live one; publishing
moves ``whoknows.current_generation`` to it in one transaction (and notifies channel
``whoknows_generation``), so readers switch atomically and a killed run leaves the live
generation answering. Replicas poll :func:`current` (one indexed row) or LISTEN on the
channel. The last :data:`KEEP` published generations are kept; older schemas are dropped
after the switch, without waiting behind readers that still use them (the next prune
retries). :func:`reindex_lock` keeps re-index runs one at a time across machines.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from psycopg import errors, sql

from indexer.errors import IndexLockedError, IndexNotFoundError
from indexer.store.postgres.schema import generation_schema, migrate_generation, migrate_shared

logger = logging.getLogger(__name__)

KEEP = 2
CHANNEL = "whoknows_generation"
DEFAULT_GENERATION = "main"
"""The generation an index built in place (``create=True`` with no name) lives in."""
_REINDEX_LOCK = 0x77686F6B6E6F7772
DROP_LOCK_TIMEOUT = "2s"


def new_name() -> str:
    """A fresh generation name that sorts by build time (like the embedded backend's)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def begin(url: str, name: str | None = None, *, seed: bool = False) -> str:
    """Create a generation (its schema, migrated); return its name. Not served yet.

    With ``seed``, a new generation starts as a copy of the served one's rows (not its
    vectors, which every run rebuilds), so an incremental run only writes what changed.
    """
    name = name or new_name()
    migrate_shared(url)
    schema = generation_schema(name)
    migrate_generation(url, schema)
    with psycopg.connect(url, autocommit=True) as conn:
        created = conn.execute(
            "INSERT INTO whoknows.generations (name) VALUES (%s) ON CONFLICT DO NOTHING "
            "RETURNING name",
            [name],
        ).fetchone()
        served = current_on(conn)
        if seed and created and served is not None and served != name:
            migrate_generation(url, generation_schema(served))
            _copy_rows(conn, generation_schema(served), schema)
    return name


SEEDED_TABLES = (
    "sources",
    "documents",
    "chunks",
    "person_records",
    "contributions",
    "people",
    "person_keys",
    "meta",
)
"""What a seeded generation copies, in this order (BM25 statistics follow by trigger)."""


def _copy_rows(conn: psycopg.Connection, source: str, target: str) -> None:
    with conn.transaction():
        for table in SEEDED_TABLES:
            conn.execute(
                sql.SQL("INSERT INTO {}.{} OVERRIDING SYSTEM VALUE SELECT * FROM {}.{}").format(
                    sql.Identifier(target),
                    sql.Identifier(table),
                    sql.Identifier(source),
                    sql.Identifier(table),
                )
            )
        for table in ("chunks", "contributions"):
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, "
                    "false) FROM {}.{}"
                ).format(sql.Identifier(target), sql.Identifier(table)),
                [f'"{target}".{table}'],
            )
    logger.info("generation schema %s seeded from %s", target, source)


def current(url: str) -> str | None:
    """The served generation's name (``None``: nothing has been published)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return current_on(conn)


def current_on(conn: psycopg.Connection) -> str | None:
    """:func:`current` on an open connection (cheap enough to poll every second)."""
    if not _has_pointer(conn):
        return None
    row = conn.execute("SELECT name FROM whoknows.current_generation").fetchone()
    return str(row[0]) if row else None


def publish(url: str, name: str, *, keep: int = KEEP) -> list[str]:
    """Serve generation ``name`` from now on; drop all but the last ``keep``; return dropped."""
    migrate_shared(url)
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            found = conn.execute(
                "UPDATE whoknows.generations SET published_at = clock_timestamp() "
                "WHERE name = %s RETURNING name",
                [name],
            ).fetchone()
            if found is None:
                raise IndexNotFoundError(f"no generation {name!r} in the database: begin() it")
            conn.execute(
                "INSERT INTO whoknows.current_generation (only_row, name) VALUES (true, %s) "
                "ON CONFLICT (only_row) DO UPDATE SET name = EXCLUDED.name",
                [name],
            )
            conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, name])
        logger.info("generation %s published", name)
        return prune_on(conn, keep=keep)


def prune_on(conn: psycopg.Connection, *, keep: int = KEEP) -> list[str]:
    """Drop the schemas of generations older than the last ``keep`` published ones.

    Unpublished generations newer than the served one (a run in progress) are left alone;
    older unpublished ones (killed runs) go. A schema still read by an open transaction is
    skipped after :data:`DROP_LOCK_TIMEOUT` and dropped by a later prune.
    """
    rows = conn.execute(
        "WITH served AS (SELECT g.created_at FROM whoknows.generations g "
        "JOIN whoknows.current_generation c ON c.name = g.name), "
        "kept AS (SELECT name FROM whoknows.generations WHERE published_at IS NOT NULL "
        "ORDER BY published_at DESC LIMIT %s) "
        "SELECT g.name FROM whoknows.generations g, served "
        "WHERE g.name NOT IN (SELECT name FROM kept) "
        "AND (g.published_at IS NOT NULL OR g.created_at < served.created_at) ORDER BY g.name",
        [keep],
    ).fetchall()
    dropped = []
    for (name,) in rows:
        try:
            with conn.transaction():
                conn.execute("SELECT set_config('lock_timeout', %s, true)", [DROP_LOCK_TIMEOUT])
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(generation_schema(name))
                    )
                )
                conn.execute("DELETE FROM whoknows.generations WHERE name = %s", [name])
        except errors.LockNotAvailable:
            logger.info("generation %s is still being read: dropped by a later prune", name)
            continue
        dropped.append(name)
    return dropped


def names(url: str) -> list[str]:
    """Every generation in the database, oldest first."""
    with psycopg.connect(url, autocommit=True) as conn:
        if not _has_pointer(conn):
            return []
        return [
            str(row[0])
            for row in conn.execute("SELECT name FROM whoknows.generations ORDER BY created_at")
        ]


@contextmanager
def reindex_lock(url: str) -> Iterator[None]:
    """Hold the database's re-index lock (a session advisory lock) for the block.

    Raises :class:`IndexLockedError` at once when another run holds it; the lock goes
    with the session, so a killed run frees it.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        (taken,) = conn.execute("SELECT pg_try_advisory_lock(%s)", [_REINDEX_LOCK]).fetchone()
        if not taken:
            raise IndexLockedError(
                "another re-index of this database is running: wait for it to finish"
            )
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_REINDEX_LOCK])


def _has_pointer(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass('whoknows.current_generation')").fetchone()
    return row is not None and row[0] is not None
