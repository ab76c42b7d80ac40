"""Storage backends behind one interface: :mod:`indexer.store.base` (the seams of one
generation) and :mod:`indexer.store.backend` (where generations live).

:func:`open_home` is the one factory: it picks the backend from the settings, so
ranking, the API and the CLI never name one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import StoreError
from indexer.store.backend import IndexHome, NewGeneration
from indexer.store.base import Store
from indexer.store.sqlite import SQLiteStore
from indexer.store.sqlite.home import SQLiteHome, scratch_store

if TYPE_CHECKING:
    from indexer.config import Settings

__all__ = [
    "IndexHome",
    "NewGeneration",
    "SQLiteStore",
    "Store",
    "folder_store",
    "home_at",
    "open_home",
    "scratch_store",
]


def open_home(settings: Settings) -> IndexHome:
    """The index home the settings name: PostgreSQL at ``database_url``, else ``data_dir``."""
    if settings.database_url is not None:
        try:
            from indexer.store.postgres.home import PostgresHome
        except ImportError as exc:
            raise StoreError(
                f"database_url needs the PostgreSQL backend ({exc.name} is missing): "
                "pip install 'whoknows[postgres]'"
            ) from exc
        return PostgresHome(settings.database_url.get_secret_value())
    return home_at(settings.data_dir)


def home_at(data_dir: Path) -> IndexHome:
    """The embedded index home in ``data_dir`` (for code that is given a folder, not settings)."""
    return SQLiteHome(Path(data_dir))


def folder_store(folder: Path, *, create: bool = False) -> Store:
    """An embedded store kept in a folder of its own (evaluation caches, the library, tests).

    With ``create`` the folder is made if missing and indexed in place.
    """
    return SQLiteStore(Path(folder), create=create)
