"""The embedded backend: one SQLite file (through sqlite-utils) and a FAISS index folder.

Layout of one index folder (a generation, see :mod:`indexer.generations`, or a
folder indexed in place)::

    whoknows.db          documents, chunks (+ FTS5), people, contributions
    vectors/index.faiss  the dense index, FAISS ids = chunk row ids
    vectors/manifest.json

Chunk vectors are cached by model and text hash in ``embeddings.db`` beside the
generations (shared by all of them), or in ``whoknows.db`` for an in-place index.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import sqlite_utils

from indexer import generations
from indexer.errors import IndexNotFoundError
from indexer.generations import DB_FILE
from indexer.store.base import IndexStats
from indexer.store.errors import raising_store_errors
from indexer.store.sqlite.dense import VECTORS_DIR, DenseFiles
from indexer.store.sqlite.documents import DocumentTables
from indexer.store.sqlite.embeddings import EmbeddingTables
from indexer.store.sqlite.lexical import MAX_QUERY_WORDS, LexicalTables, fts_query
from indexer.store.sqlite.schema import migrations
from indexer.vectors import VectorIndex

__all__ = ["MAX_QUERY_WORDS", "VECTORS_DIR", "SQLiteStore", "fts_query", "migrations"]

logger = logging.getLogger(__name__)


@raising_store_errors((sqlite3.Error,), "the index database")
class SQLiteStore(DocumentTables, LexicalTables, EmbeddingTables, DenseFiles):
    """A :class:`indexer.store.base.Store` over ``whoknows.db`` and ``vectors/`` in one folder.

    Each seam lives in its own module (documents, lexical, embeddings, dense); this class
    opens the files and joins them.
    """

    def __init__(
        self, data_dir: Path, *, create: bool = False, embeddings_db: Path | None = None
    ) -> None:
        """Open the served index of ``data_dir`` (its current generation, or the folder itself).

        With ``create``, ``data_dir`` is the folder to build in (made if missing).
        ``embeddings_db`` keeps the vector cache in that shared file instead.
        """
        folder = Path(data_dir) if create else generations.current_dir(Path(data_dir))
        if folder is None or (not create and not (folder / DB_FILE).is_file()):
            raise IndexNotFoundError(
                f"no index in {data_dir}: run `whoknows index` with sources first"
            )
        self.data_dir = folder
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.data_dir / DB_FILE, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        # a new file gets 8 KB pages: a 1.5 KB vector then fits in its b-tree row (with 4 KB pages
        # each spilled into an overflow page of its own, 4.7 KB a vector); no-op on existing files
        self.db.execute("PRAGMA page_size=8192")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not create:
            # serving reads by memory map and a larger page cache: queries touch many rows
            # (not while building: the indexer's memory stays bounded by its batches)
            self.db.execute("PRAGMA mmap_size=268435456")
            self.db.execute("PRAGMA cache_size=-32768")
        migrations.apply(self.db)
        self._embeddings = "embeddings"
        self._cache = self.db
        if embeddings_db is not None:
            self._attach_cache(Path(embeddings_db))
        self._vectors: VectorIndex | None = None

    @property
    def generation(self) -> str:
        """The name of the generation open here (``""`` for an index built in place)."""
        if self.data_dir.parent.name == generations.GENERATIONS_DIR:
            return self.data_dir.name
        return ""

    def stats(self) -> IndexStats:
        def count(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        return IndexStats(
            documents=count("SELECT count(*) FROM documents"),
            chunks=count("SELECT count(*) FROM chunks"),
            people=count("SELECT count(*) FROM people"),
            contributions=count("SELECT count(*) FROM contributions WHERE person_id IS NOT NULL"),
            vectors=self._vectors.size if self._vectors else self._saved_vectors(),
        )

    def close(self) -> None:
        if self._cache is not self.db:
            self._cache.conn.close()
        self.db.conn.close()
