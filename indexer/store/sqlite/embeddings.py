"""The embedding cache in SQLite: vectors by model and text hash, in ``embeddings.db``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

if TYPE_CHECKING:
    import numpy.typing as npt


from indexer.store.sqlite.tables import SQLiteTables


class EmbeddingTables(SQLiteTables):
    """The :class:`indexer.store.base.EmbeddingCache` part of :class:`SQLiteStore`."""

    def _attach_cache(self, path: Path) -> None:
        """Keep vectors in a shared cache file, moving any this database held into it.

        Vectors are written through a connection of their own, so each batch is
        committed at once (and survives a kill) while a source's documents are
        still being written in one transaction of the index database.
        """
        self.db.execute("ATTACH DATABASE ? AS cache", [str(path)])
        self.db.execute("PRAGMA cache.page_size=8192")  # as above: vectors stay in their rows
        self.db.execute("PRAGMA cache.journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS cache.embeddings (model_id TEXT NOT NULL, "
            "text_hash TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model_id, text_hash)) "
            "WITHOUT ROWID"
        )
        self._embeddings = "cache.embeddings"
        if self.db.execute("SELECT 1 FROM main.embeddings LIMIT 1").fetchone():
            with self.db.atomic():
                self.db.execute(
                    "INSERT OR IGNORE INTO cache.embeddings SELECT * FROM main.embeddings"
                )
                self.db.execute("DELETE FROM main.embeddings")
        self._cache = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        self._cache.execute("PRAGMA synchronous=NORMAL")

    def missing_embeddings(self, model_id: str, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        have = {
            row[0]
            for row in self._rows_in(
                "SELECT text_hash FROM embeddings WHERE model_id = ? AND text_hash IN ({ids})",
                sorted(wanted),
                [model_id],
                db=self._cache,
            )
        }
        return wanted - have

    def put_embeddings(
        self, model_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        rows = [
            (model_id, h, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for h, v in zip(hashes, vectors, strict=True)
        ]
        with self._cache.atomic():
            self._cache.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model_id, text_hash, vector) VALUES (?, ?, ?)",
                rows,
            )

    def unembedded_chunks(self, model_id: str) -> dict[str, str]:
        rows = self.db.execute(
            f"SELECT c.text_hash, c.text FROM chunks c LEFT JOIN {self._embeddings} e "
            "ON e.model_id = ? AND e.text_hash = c.text_hash WHERE e.text_hash IS NULL",
            [model_id],
        ).fetchall()
        return {text_hash: text for text_hash, text in rows}

    def embedding_of(self, model_id: str, text_hash: str) -> npt.NDArray[np.float32] | None:
        """The cached vector of one chunk text, if any."""
        row = self.db.execute(
            f"SELECT vector FROM {self._embeddings} WHERE model_id = ? AND text_hash = ?",
            [model_id, text_hash],
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32).copy() if row else None
