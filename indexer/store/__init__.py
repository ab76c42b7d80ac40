"""Storage backends behind one interface (see :mod:`indexer.store.base`)."""

from __future__ import annotations

from pathlib import Path

from indexer import generations
from indexer.store.base import Store
from indexer.store.sqlite import SQLiteStore


def open_store(data_dir: Path, *, create: bool = False) -> Store:
    """Open the served index in ``data_dir`` (the embedded SQLite + FAISS backend)."""
    return SQLiteStore(data_dir, create=create)


def current_generation(data_dir: Path) -> str | None:
    """The generation a store opened on ``data_dir`` now would serve (``None``: no index).

    Cheap enough to poll: servers compare it with their store's ``generation``.
    """
    return generations.current_name(data_dir)
