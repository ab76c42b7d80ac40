"""API key rows of the embedded backend: table ``api_keys`` of ``<data_dir>/state.db``."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from indexer.state import open_state_db
from indexer.store.backend import KeyRow

migrations = Migrations("whoknows-keys")
_COLUMNS = "prefix, name, key_hash, scopes, groups, created, revoked"


@migrations()
def m001_api_keys(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE api_keys (
            prefix TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL,
            scopes TEXT NOT NULL, groups TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT
        )
        """
    )


class SQLiteKeyRows:
    """:class:`~indexer.store.backend.KeyRows` in ``state.db``; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.db = open_state_db(data_dir, migrations)
        self._lock = threading.Lock()

    def insert(self, row: KeyRow) -> bool:
        with self._lock, self.db.conn:
            cursor = self.db.execute(
                f"INSERT OR IGNORE INTO api_keys ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row.values(),
            )
            return cursor.rowcount == 1

    def all(self) -> list[KeyRow]:
        with self._lock:
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY rowid").fetchall()
        return [_row(r) for r in rows]

    def get(self, prefix: str) -> KeyRow | None:
        with self._lock:
            found = self.db.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE prefix = ?", [prefix]
            ).fetchone()
        return _row(found) if found else None

    def revoke(self, prefix: str, when: str) -> KeyRow | None:
        with self._lock, self.db.conn:
            self.db.execute(
                "UPDATE api_keys SET revoked = COALESCE(revoked, ?) WHERE prefix = ?",
                [when, prefix],
            )
            found = self.db.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE prefix = ?", [prefix]
            ).fetchone()
        return _row(found) if found else None

    def close(self) -> None:
        self.db.close()


def _row(values: tuple) -> KeyRow:
    prefix, name, key_hash, scopes, groups, created, revoked = values
    return KeyRow(
        prefix,
        name,
        key_hash,
        tuple(json.loads(scopes)),
        tuple(json.loads(groups)),
        created,
        revoked,
    )
