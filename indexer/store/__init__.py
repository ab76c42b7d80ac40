"""Storage backends behind one interface (see :mod:`indexer.store.base`)."""

from __future__ import annotations

from pathlib import Path

from indexer.store.base import Store
from indexer.store.sqlite import SQLiteStore


def open_store(data_dir: Path, *, create: bool = False) -> Store:
    """Open the index in ``data_dir`` (the embedded SQLite + FAISS backend)."""
    return SQLiteStore(data_dir, create=create)
