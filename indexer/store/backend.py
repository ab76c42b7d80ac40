"""Where indexes live: the generations of one organisation's index, the live one, the lock.

An :class:`IndexHome` is what a backend provides besides the :class:`~indexer.store.base.Store`
of one generation: re-indexing builds a :class:`NewGeneration` beside the live one, verifies
it and publishes it in one atomic switch; servers open the live one and notice a switch by
polling :meth:`IndexHome.current`. The embedded home is a data directory
(:mod:`indexer.store.sqlite.home`); :func:`indexer.store.open_home` picks one from the settings.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from indexer.store.base import Store


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
