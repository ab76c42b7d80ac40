"""API keys: scopes and access groups, stored hashed.

Keys live beside the index generations (the embedded backend: the data
directory's ``state.db``; PostgreSQL: a table every replica reads), so a
re-index never touches them and a revoke counts everywhere at the next request.

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
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import WhoKnowsError
from indexer.store.backend import KeyRow, KeyRows
from indexer.store.sqlite.keys import SQLiteKeyRows

SCOPES = ("search", "admin", "metrics")
"""``metrics`` reads ``/metrics`` and nothing else; ``admin`` may do everything."""
KEY_PREFIX = "wk"
_PREFIX_BYTES = 4
_SECRET_BYTES = 24


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
    """Create, list, revoke and verify API keys, stored hashed in the index home's key rows.

    Given a data directory, the keys are those of its ``state.db`` (the embedded backend);
    :meth:`indexer.store.backend.IndexHome.open_keys` gives the rows of any backend.
    """

    def __init__(self, rows: KeyRows | Path) -> None:
        self.rows: KeyRows = SQLiteKeyRows(rows) if isinstance(rows, Path | str) else rows

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
        while True:
            prefix = secrets.token_hex(_PREFIX_BYTES)
            plaintext = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
            info = KeyInfo(prefix, name, scopes, groups, _now())
            row = KeyRow(prefix, name, hash_key(plaintext), scopes, groups, info.created)
            if self.rows.insert(row):
                return info, plaintext

    def list(self) -> list[KeyInfo]:
        """Every key, revoked ones included, in the order they were made."""
        return [_info(row) for row in self.rows.all()]

    def revoke(self, prefix: str) -> KeyInfo:
        """Revoke the key with ``prefix`` (revoking twice keeps the first time)."""
        row = self.rows.revoke(prefix, _now())
        if row is None:
            raise UnknownKey(f"no key with prefix {prefix!r}; see `whoknows keys list`")
        return _info(row)

    def verify(self, plaintext: str) -> KeyInfo | None:
        """The active key matching ``plaintext``, else None (hashes compared in constant time)."""
        prefix = split_key(plaintext)
        if prefix is None:
            return None
        row = self.rows.get(prefix)
        if row is None or not hmac.compare_digest(row.key_hash, hash_key(plaintext)):
            return None
        info = _info(row)
        return info if info.active else None

    def close(self) -> None:
        self.rows.close()


def _info(row: KeyRow) -> KeyInfo:
    return KeyInfo(row.prefix, row.name, row.scopes, row.groups, row.created, row.revoked)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
