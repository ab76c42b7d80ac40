"""The embedded index home: a data directory of generation folders (see :mod:`indexer.generations`).

A new generation is a ``.partial`` folder seeded by an online-backup copy of the live
database; publishing renames it and replaces ``CURRENT`` by rename. Chunk vectors live
in ``embeddings.db`` beside the generations, shared by all of them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from indexer import generations
from indexer.store.backend import HiddenList, KeyRows, TokenBuckets
from indexer.store.base import Store
from indexer.store.sqlite import SQLiteStore


class SQLiteGeneration:
    """A ``.partial`` generation folder of a data directory."""

    def __init__(self, data_dir: Path, folder: Path) -> None:
        self.data_dir = data_dir
        self.folder = folder

    @property
    def name(self) -> str:
        return self.folder.name.removesuffix(generations.PARTIAL_SUFFIX)

    def open(self) -> Store:
        return SQLiteStore(
            self.folder, create=True, embeddings_db=self.data_dir / generations.EMBEDDINGS_DB
        )

    def publish(self, info: dict[str, Any], *, keep: int) -> str:
        return generations.publish(self.data_dir, self.folder, info, keep=keep)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class SQLiteHome:
    """An :class:`~indexer.store.backend.IndexHome` in a data directory on local disk."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    @property
    def location(self) -> str:
        return str(self.data_dir)

    def current(self) -> str | None:
        return generations.current_name(self.data_dir)

    def open_current(self) -> Store:
        return SQLiteStore(self.data_dir)

    def lock(self, *, wait: bool = False) -> AbstractContextManager[object]:
        return generations.IndexLock(self.data_dir, wait=wait)

    def begin(self) -> SQLiteGeneration:
        return SQLiteGeneration(self.data_dir, generations.begin(self.data_dir))

    def scratch(self) -> AbstractContextManager[Store]:
        return scratch_store()

    def open_keys(self) -> KeyRows:
        from indexer.store.sqlite.keys import SQLiteKeyRows

        return SQLiteKeyRows(self.data_dir)

    def open_hidden(self) -> HiddenList:
        from indexer.state import StateStore

        return StateStore(self.data_dir)

    def open_buckets(self, name: str, per_minute: int, burst: int) -> TokenBuckets | None:
        return None  # one machine: each worker's own buckets (a write a request costs more)


@contextmanager
def scratch_store(parent: Path | None = None) -> Iterator[Store]:
    """An empty embedded store in a temporary folder (under ``parent``), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="whoknows-", dir=parent) as tmp:
        store = SQLiteStore(Path(tmp), create=True)
        try:
            yield store
        finally:
            store.close()
