"""API keys: scopes and access groups, stored hashed in ``state.db``.

Keys live in the data directory's ``state.db``, beside the index generations,
so a re-index never touches them.

A key reads ``wk_<prefix>_<secret>``. Only the sha256 of the whole key is stored,
with the prefix in clear so keys can be listed and revoked; the plaintext is
shown once, by :meth:`KeyStore.create`.

Example:
    >>> keys = KeyStore(data_dir)  # doctest: +SKIP
    >>> info, plaintext = keys.create("intranet", ["search"], ["eng"])  # doctest: +SKIP
    >>> keys.verify(plaintext).groups  # doctest: +SKIP
    ('eng',)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from indexer.errors import WhoKnowsError
from indexer.state import open_state_db

SCOPES = ("search", "admin", "metrics")
"""``metrics`` reads ``/metrics`` and nothing else; ``admin`` may do everything."""
KEY_PREFIX = "wk"
_PREFIX_BYTES = 4
_SECRET_BYTES = 24

migrations = Migrations("whoknows-keys")


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


class ApiKeyError(WhoKnowsError):
    """Base class of the key errors."""


class UnknownKey(ApiKeyError):
    """No key has the given prefix."""


class InvalidScope(ApiKeyError):
    """A scope other than ``search`` or ``admin`` was asked for."""


@dataclass(frozen=True)
class KeyInfo:
    """What a key may do; never holds the secret."""

    prefix: str
    name: str
    scopes: tuple[str, ...]
    groups: tuple[str, ...]
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def as_json(self) -> dict[str, object]:
        return {
            "prefix": self.prefix,
            "name": self.name,
            "scopes": list(self.scopes),
            "groups": list(self.groups),
            "created": self.created,
            "revoked": self.revoked,
        }


def hash_key(plaintext: str) -> str:
    """The stored form of a key: hex sha256 of the whole key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def split_key(plaintext: str) -> str | None:
    """The prefix of a well-formed ``wk_<prefix>_<secret>`` key, else None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


class KeyStore:
    """Create, list, revoke and verify API keys in ``<data_dir>/state.db``."""

    def __init__(self, data_dir: Path) -> None:
        self.db = open_state_db(data_dir, migrations)
        self._lock = threading.Lock()

    def create(
        self, name: str, scopes: Iterable[str] = ("search",), groups: Iterable[str] = ()
    ) -> tuple[KeyInfo, str]:
        """A new key; returns its info and the plaintext, which is never stored."""
        scopes = tuple(dict.fromkeys(scopes))
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown:
            raise InvalidScope(
                f"unknown scope {unknown[0]!r}; use {', '.join(SCOPES)} (repeat --scope for more)"
            )
        groups = tuple(dict.fromkeys(g.strip() for g in groups if g.strip()))
        with self._lock:
            prefix = secrets.token_hex(_PREFIX_BYTES)
            while self._row(prefix) is not None:
                prefix = secrets.token_hex(_PREFIX_BYTES)
            plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
            info = KeyInfo(prefix, name, scopes, groups, _now())
            with self.db.conn:
                self.db.execute(
                    "INSERT INTO api_keys (prefix, name, key_hash, scopes, groups, created) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        prefix,
                        name,
                        hash_key(plaintext),
                        json.dumps(scopes),
                        json.dumps(groups),
                        info.created,
                    ],
                )
        return info, plaintext

    def list(self) -> list[KeyInfo]:
        """Every key, revoked ones included, in the order they were made."""
        with self._lock:
            rows = self.db.execute(
                "SELECT prefix, name, key_hash, scopes, groups, created, revoked FROM api_keys "
                "ORDER BY rowid"
            ).fetchall()
        return [_info(row) for row in rows]

    def revoke(self, prefix: str) -> KeyInfo:
        """Revoke the key with ``prefix`` (revoking twice keeps the first time)."""
        with self._lock, self.db.conn:
            if self._row(prefix) is None:
                raise UnknownKey(f"no key with prefix {prefix!r}; see `whoknows keys list`")
            self.db.execute(
                "UPDATE api_keys SET revoked = COALESCE(revoked, ?) WHERE prefix = ?",
                [_now(), prefix],
            )
            return _info(self._row(prefix))

    def verify(self, plaintext: str) -> KeyInfo | None:
        """The active key matching ``plaintext``, else None (hashes compared in constant time)."""
        prefix = split_key(plaintext)
        if prefix is None:
            return None
        with self._lock:
            row = self._row(prefix)
        if row is None or not hmac.compare_digest(row[2], hash_key(plaintext)):
            return None
        info = _info(row)
        return info if info.active else None

    def _row(self, prefix: str) -> tuple | None:
        return self.db.execute(
            "SELECT prefix, name, key_hash, scopes, groups, created, revoked FROM api_keys "
            "WHERE prefix = ?",
            [prefix],
        ).fetchone()

    def close(self) -> None:
        self.db.close()


def _info(row: tuple) -> KeyInfo:
    prefix, name, _, scopes, groups, created, revoked = row
    return KeyInfo(
        prefix, name, tuple(json.loads(scopes)), tuple(json.loads(groups)), created, revoked
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
