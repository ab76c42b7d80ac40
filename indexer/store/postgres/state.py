"""What every replica shares besides the index: API keys and hidden people, in ``whoknows``.

Both tables outlive generations. Every replica reads them at each request (one indexed
row for a key; the short hidden list), so a revoked key or a newly hidden person counts
everywhere at once, with no cache to go stale.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime

import psycopg
from psycopg_pool import ConnectionPool

from indexer.state import HiddenPerson
from indexer.store.backend import KeyRow
from indexer.store.errors import raising_store_errors
from indexer.store.postgres.schema import SHARED_SCHEMA

POOL_MAX = 4
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SHARED_SCHEMA};
CREATE TABLE IF NOT EXISTS {SHARED_SCHEMA}.api_keys (
    prefix text PRIMARY KEY, name text NOT NULL, key_hash text NOT NULL,
    scopes jsonb NOT NULL, groups jsonb NOT NULL, created text NOT NULL, revoked text,
    made bigserial
);
CREATE UNLOGGED TABLE IF NOT EXISTS {SHARED_SCHEMA}.rate_buckets (
    name text NOT NULL, caller text NOT NULL, tokens double precision NOT NULL,
    updated timestamptz NOT NULL, allowed boolean NOT NULL, PRIMARY KEY (name, caller)
);
CREATE TABLE IF NOT EXISTS {SHARED_SCHEMA}.hidden_people (
    person_id text PRIMARY KEY, hidden_at text NOT NULL, reason text NOT NULL,
    identities jsonb NOT NULL DEFAULT '[]'
);
"""
_KEY_COLUMNS = "prefix, name, key_hash, scopes, groups, created, revoked"


def _pool(url: str, name: str) -> ConnectionPool:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('whoknows-state'))")
        try:
            conn.execute(_DDL)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('whoknows-state'))")
    return ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=True, name=name)


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresKeyRows:
    """:class:`~indexer.store.backend.KeyRows` in ``whoknows.api_keys``."""

    def __init__(self, url: str) -> None:
        self.pool = _pool(url, "whoknows-keys")

    def insert(self, row: KeyRow) -> bool:
        with self.pool.connection() as conn:
            cursor = conn.execute(
                f"INSERT INTO {SHARED_SCHEMA}.api_keys ({_KEY_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (prefix) DO NOTHING",
                row.values(),
            )
            return cursor.rowcount == 1

    def all(self) -> list[KeyRow]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_KEY_COLUMNS} FROM {SHARED_SCHEMA}.api_keys ORDER BY made"
            ).fetchall()
        return [_key(r) for r in rows]

    def get(self, prefix: str) -> KeyRow | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT {_KEY_COLUMNS} FROM {SHARED_SCHEMA}.api_keys WHERE prefix = %s", [prefix]
            ).fetchone()
        return _key(row) if row else None

    def revoke(self, prefix: str, when: str) -> KeyRow | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"UPDATE {SHARED_SCHEMA}.api_keys SET revoked = COALESCE(revoked, %s) "
                f"WHERE prefix = %s RETURNING {_KEY_COLUMNS}",
                [when, prefix],
            ).fetchone()
        return _key(row) if row else None

    def close(self) -> None:
        self.pool.close()


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresHiddenList:
    """:class:`~indexer.store.backend.HiddenList` in ``whoknows.hidden_people``."""

    def __init__(self, url: str) -> None:
        self.pool = _pool(url, "whoknows-hidden")
        self.revision = 0
        self._entries: tuple[HiddenPerson, ...] = ()

    def hide(self, person_id: str, reason: str = "", identities: Collection[str] = ()) -> bool:
        with self.pool.connection() as conn:
            inserted = conn.execute(
                f"INSERT INTO {SHARED_SCHEMA}.hidden_people "
                "(person_id, hidden_at, reason, identities) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (person_id) DO NOTHING",
                [
                    person_id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    reason,
                    json.dumps(sorted(identities)),
                ],
            ).rowcount
            if not inserted and identities:  # hidden already: add identities it lacks
                conn.execute(
                    f"UPDATE {SHARED_SCHEMA}.hidden_people SET identities = (SELECT "
                    "jsonb_agg(DISTINCT v ORDER BY v) FROM jsonb_array_elements_text("
                    "identities || %s::jsonb) v) WHERE person_id = %s",
                    [json.dumps(sorted(identities)), person_id],
                )
            return inserted == 1

    def unhide(self, person_id: str) -> bool:
        with self.pool.connection() as conn:
            return (
                conn.execute(
                    f"DELETE FROM {SHARED_SCHEMA}.hidden_people WHERE person_id = %s", [person_id]
                ).rowcount
                == 1
            )

    def entries(self) -> tuple[HiddenPerson, ...]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT person_id, hidden_at, reason, identities "
                f"FROM {SHARED_SCHEMA}.hidden_people ORDER BY hidden_at, person_id"
            ).fetchall()
        entries = tuple(HiddenPerson(p, at, r, tuple(ids)) for p, at, r, ids in rows)
        if entries != self._entries:
            self._entries = entries
            self.revision += 1
        return entries

    def hidden_people(self) -> list[HiddenPerson]:
        return list(self.entries())

    def close(self) -> None:
        self.pool.close()


_REFILLED = (
    "LEAST(%(burst)s, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated) * %(rate)s)"
)
_ACQUIRE = f"""
INSERT INTO {SHARED_SCHEMA}.rate_buckets AS b (name, caller, tokens, updated, allowed)
VALUES (%(name)s, %(caller)s, %(burst)s - 1, clock_timestamp(), true)
ON CONFLICT (name, caller) DO UPDATE SET
    allowed = {_REFILLED} >= 1,
    tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
    updated = clock_timestamp()
RETURNING allowed, tokens
"""
_PEEK = f"""
SELECT {_REFILLED} FROM {SHARED_SCHEMA}.rate_buckets b
WHERE b.name = %(name)s AND b.caller = %(caller)s
"""


PRUNE_EVERY = 1000
"""Acquisitions between two sweeps of the full buckets (the table stays bounded)."""
_PRUNE = f"""
DELETE FROM {SHARED_SCHEMA}.rate_buckets
WHERE name = %(name)s AND updated < clock_timestamp() - make_interval(secs => %(full)s)
"""


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresBuckets:
    """:class:`~indexer.store.backend.TokenBuckets` every replica shares: one UPSERT a request.

    A bucket refills at ``per_minute / 60`` tokens a second up to ``burst``, computed by the
    database clock in the same statement that takes the token, so replicas never race.
    The table is unlogged: a crash of the database forgets the buckets, which only refills them.
    """

    def __init__(self, url: str, name: str, per_minute: int, burst: int) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("rate_limit_per_minute and rate_limit_burst must be at least 1")
        self.pool = _pool(url, f"whoknows-buckets-{name}")
        self.per_minute = per_minute
        self._params = {"name": name, "burst": float(burst), "rate": per_minute / 60.0}
        self._full = burst / (per_minute / 60.0)
        """Seconds in which an untouched bucket refills completely."""
        self._taken = 0

    def acquire(self, caller: str) -> float:
        self._taken += 1
        with self.pool.connection() as conn:
            if self._taken % PRUNE_EVERY == 0:  # full buckets behave as new ones: forget them
                conn.execute(_PRUNE, {**self._params, "full": self._full})
            allowed, tokens = conn.execute(_ACQUIRE, {**self._params, "caller": caller}).fetchone()
        return 0.0 if allowed else (1.0 - tokens) / self._params["rate"]

    def wait(self, caller: str) -> float:
        with self.pool.connection() as conn:
            row = conn.execute(_PEEK, {**self._params, "caller": caller}).fetchone()
        if row is None or row[0] >= 1.0:
            return 0.0
        return (1.0 - row[0]) / self._params["rate"]

    def close(self) -> None:
        self.pool.close()


def _key(row: tuple) -> KeyRow:
    prefix, name, key_hash, scopes, groups, created, revoked = row
    return KeyRow(prefix, name, key_hash, tuple(scopes), tuple(groups), created, revoked)
