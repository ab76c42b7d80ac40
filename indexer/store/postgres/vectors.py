"""Dense search on PostgreSQL: a pgvector column with an HNSW index (cosine), and its manifest.

``build_vectors`` fills ``chunk_vectors`` from the embedding cache and writes a one-row
``manifest`` (model id, dimension, count, schema version, build time) that
``check_ready`` reads first, refusing a mismatch as the embedded backend does.

pgvector returns at most ``hnsw.ef_search`` rows from the index, so every query sets it
(for its transaction only) to at least the rows asked for; above pgvector's limit of 1000
the query scans exactly instead.
"""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from psycopg import sql

from indexer.errors import IndexMismatchError, IndexNotFoundError
from indexer.vectors import SCHEMA_VERSION, Manifest

if TYPE_CHECKING:
    import numpy.typing as npt

    from indexer.store.postgres.connection import Database

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
EF_SEARCH = 100
"""Candidates HNSW keeps per query (recall@10 0.99 at 22k MiniLM vectors at 128, 0.97 at 40)."""
EF_SEARCH_MAX = 1000
INDEX_TYPE = f"hnsw(m={HNSW_M},ef_construction={HNSW_EF_CONSTRUCTION},cosine)"


class Vectors:
    """The vector-index half of :class:`indexer.store.postgres.PostgresStore`."""

    _db: Database
    _manifest: Manifest | None

    def build_vectors(self, model_id: str, dim: int) -> int:
        """Rebuild the dense index from cached vectors of every chunk; return its size."""
        with self._db.transaction() as conn:
            conn.execute("DROP TABLE IF EXISTS chunk_vectors")
            conn.execute(
                sql.SQL(
                    "CREATE TABLE chunk_vectors (chunk_id bigint PRIMARY KEY "
                    "REFERENCES chunks (id) ON DELETE CASCADE, embedding vector({}) NOT NULL)"
                ).format(sql.Literal(int(dim)))
            )
            conn.execute(
                sql.SQL(
                    "INSERT INTO chunk_vectors (chunk_id, embedding) "
                    "SELECT c.id, e.vector::vector({}) FROM chunks c JOIN whoknows.embeddings e "
                    "ON e.model_id = %s AND e.text_hash = c.text_hash "
                    "WHERE vector_dims(e.vector) = %s ORDER BY c.id"
                ).format(sql.Literal(int(dim))),
                [model_id, dim],
            )
            conn.execute(
                sql.SQL(
                    "CREATE INDEX chunk_vectors_hnsw ON chunk_vectors USING hnsw "
                    "(embedding vector_cosine_ops) WITH (m = {}, ef_construction = {})"
                ).format(sql.Literal(HNSW_M), sql.Literal(HNSW_EF_CONSTRUCTION))
            )
            (count,) = conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()
            manifest = Manifest(
                model_id=model_id,
                dim=int(dim),
                count=int(count),
                schema_version=SCHEMA_VERSION,
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                index_type=INDEX_TYPE,
            )
            _settle(conn)
            conn.execute("DELETE FROM manifest")
            conn.execute(
                "INSERT INTO manifest (model_id, dim, count, schema_version, built_at, "
                "index_type) VALUES (%s, %s, %s, %s, %s, %s)",
                list(astuple(manifest)),
            )
        self._manifest = manifest
        return manifest.count

    def _read_manifest(self) -> Manifest | None:
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT model_id, dim, count, schema_version, built_at, index_type FROM manifest"
            ).fetchone()
        return Manifest(*row) if row else None

    def check_ready(self, model_id: str, dim: int) -> None:
        """Raise a clear error unless the stored index was built for this model."""
        manifest = self._read_manifest()
        if manifest is None:
            raise IndexNotFoundError(
                f"no vector index in schema {self._db.schema}: run `whoknows index` first"
            )
        manifest.check(model_id, dim)
        with self._db.connection() as conn:
            (count,) = conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()
        if count != manifest.count:
            raise IndexMismatchError(
                f"{self._db.schema}.chunk_vectors holds {count} vectors but its manifest says "
                f"{manifest.count}: rebuild with `whoknows index`"
            )
        self._manifest = manifest

    def built_at(self) -> str | None:
        manifest = self._read_manifest()
        return manifest.built_at if manifest else None

    def search_dense(self, vector: npt.NDArray[np.float32], limit: int) -> list[tuple[int, float]]:
        """Chunk ids and cosine scores nearest to ``vector``, best first."""
        if self._manifest is None:
            raise IndexNotFoundError("the vector index is not loaded: call check_ready() first")
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if query.shape != (self._manifest.dim,):
            raise ValueError(
                f"query vector has shape {vector.shape}, the index holds {self._manifest.dim}-d"
            )
        if limit <= 0 or self._manifest.count == 0:
            return []
        with self._db.connection() as conn:
            if limit > EF_SEARCH_MAX:
                conn.execute("SELECT set_config('enable_indexscan', 'off', true)")
            else:
                ef_search = str(max(EF_SEARCH, limit))
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", [ef_search])
            rows = conn.execute(
                "SELECT chunk_id, 1 - (embedding <=> %(v)s) FROM chunk_vectors "
                "ORDER BY embedding <=> %(v)s LIMIT %(limit)s",
                {"v": query, "limit": limit},
            ).fetchall()
        return [(int(chunk_id), float(score)) for chunk_id, score in rows]

    def _vector_count(self) -> int:
        """The vectors of the loaded index, else of the saved one (0 when none was built)."""
        manifest = self._manifest or self._read_manifest()
        return manifest.count if manifest else 0


def _settle(conn: Any) -> None:
    """Ready a freshly written generation for queries (the last step of every index run).

    GIN indexes keep new entries in a pending list that every search scans (2.5 ms of a
    4.6 ms query at 20k chunks, before); the planner needs statistics of the new rows.
    """
    for index in ("chunks_tsv", "documents_tsv"):
        conn.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    conn.execute("ANALYZE chunks, documents, contributions, lexical_terms, chunk_vectors")
