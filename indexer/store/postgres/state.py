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
from indexer.store.postgres.schema import SHARED_SCHEMA

POOL_MAX = 4
_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SHARED_SCHEMA};
CREATE TABLE IF NOT EXISTS {SHARED_SCHEMA}.api_keys (
    prefix text PRIMARY KEY, name text NOT NULL, key_hash text NOT NULL,
    scopes jsonb NOT NULL, groups jsonb NOT NULL, created text NOT NULL, revoked text,
    made bigserial
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


def _key(row: tuple) -> KeyRow:
    prefix, name, key_hash, scopes, groups, created, revoked = row
    return KeyRow(prefix, name, key_hash, tuple(scopes), tuple(groups), created, revoked)
