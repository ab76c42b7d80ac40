"""Where indexes live: the generations of one organisation's index, the live one, the lock.

An :class:`IndexHome` is what a backend provides besides the :class:`~indexer.store.base.Store`
of one generation: re-indexing builds a :class:`NewGeneration` beside the live one, verifies
it and publishes it in one atomic switch; servers open the live one and notice a switch by
polling :meth:`IndexHome.current`. The embedded home is a data directory
(:mod:`indexer.store.sqlite.home`); :func:`indexer.store.open_home` picks one from the settings.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from indexer.store.base import Store

if TYPE_CHECKING:
    from indexer.state import HiddenPerson


@dataclass(frozen=True)
class KeyRow:
    """An API key as stored: the sha256 of the key, never the key."""

    prefix: str
    name: str
    key_hash: str
    scopes: tuple[str, ...]
    groups: tuple[str, ...]
    created: str
    revoked: str | None = None

    def values(self) -> tuple[str | None, ...]:
        """The row's columns in order, scopes and groups as JSON (what every backend stores)."""
        return (
            self.prefix,
            self.name,
            self.key_hash,
            json.dumps(self.scopes),
            json.dumps(self.groups),
            self.created,
            self.revoked,
        )


class KeyRows(Protocol):
    """The stored API keys that every API process of an organisation shares."""

    def insert(self, row: KeyRow) -> bool:
        """Store a new key; False (nothing written) when its prefix is taken."""
        ...

    def all(self) -> list[KeyRow]:
        """Every key, revoked ones included, oldest first."""
        ...

    def get(self, prefix: str) -> KeyRow | None:
        """The key with ``prefix``, if any (read at every request: a revoke counts at once)."""
        ...

    def revoke(self, prefix: str, when: str) -> KeyRow | None:
        """Mark the key revoked at ``when`` unless it already was; ``None`` if unknown."""
        ...

    def close(self) -> None: ...


class TokenBuckets(Protocol):
    """Token buckets per caller (``per_minute`` a minute, bursts of ``burst``)."""

    per_minute: int

    def acquire(self, caller: str) -> float:
        """Take a token: 0.0 if allowed, else the seconds until one is free."""
        ...

    def wait(self, caller: str) -> float:
        """Seconds until ``caller`` has a token (0.0 now); takes nothing."""
        ...

    def close(self) -> None: ...


class HiddenList(Protocol):
    """The people hidden from every answer (see :mod:`indexer.state`), shared by all processes."""

    revision: int
    """Grows whenever :meth:`entries` sees a change (by any process): callers cache on it."""

    def hide(self, person_id: str, reason: str = "", identities: Collection[str] = ()) -> bool:
        """Hide a person; False when they already were (new identities are added)."""
        ...

    def unhide(self, person_id: str) -> bool:
        """Show a person again, by the id they were hidden under; False if not hidden."""
        ...

    def entries(self) -> tuple[HiddenPerson, ...]:
        """Every hidden person, oldest first."""
        ...

    def hidden_people(self) -> list[HiddenPerson]:
        """The same, as a list."""
        ...

    def close(self) -> None: ...


class NewGeneration(Protocol):
    """A generation being built: written beside the live one, served only once published."""

    @property
    def name(self) -> str:
        """The generation's name (sortable by creation time)."""
        ...

    def open(self) -> Store:
        """The generation's store, open for writing; it starts as a copy of the live one."""
        ...

    def publish(self, info: dict[str, Any], *, keep: int) -> str:
        """Make this generation the live one, atomically; keep ``keep`` generations in all.

        ``info`` (model, counts, build time) is recorded with it. Returns its name.
        """
        ...

    def discard(self) -> None:
        """Throw the unpublished generation away (the live one is untouched)."""
        ...


class IndexHome(Protocol):
    """The generations of one index and the lock that serialises re-index runs."""

    @property
    def location(self) -> str:
        """Where the index lives, for messages (a folder, a database without its password)."""
        ...

    def current(self) -> str | None:
        """The live generation's name (``""`` for an index built in place; ``None``: none)."""
        ...

    def open_current(self) -> Store:
        """The live generation's store, for reading (raises ``IndexNotFoundError``)."""
        ...

    def lock(self, *, wait: bool = False) -> AbstractContextManager[object]:
        """Hold the re-index lock (raises ``IndexLockedError`` unless ``wait``)."""
        ...

    def begin(self) -> NewGeneration:
        """Start a new generation (call with the lock held); a dead run's leftovers go first."""
        ...

    def scratch(self) -> AbstractContextManager[Store]:
        """An empty store of this backend, removed afterwards (dry runs, evaluations)."""
        ...

    def open_keys(self) -> KeyRows:
        """The organisation's API keys (outliving every generation)."""
        ...

    def open_hidden(self) -> HiddenList:
        """The organisation's hidden people (outliving every generation)."""
        ...

    def open_buckets(self, name: str, per_minute: int, burst: int) -> TokenBuckets | None:
        """Rate-limit buckets ``name`` shared by every process, or ``None``: this backend
        shares none, and each process keeps its own."""
        ...
