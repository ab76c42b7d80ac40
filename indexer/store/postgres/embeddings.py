"""The embedding cache on PostgreSQL: vectors by model id and text hash, shared by generations.

Writes go through a connection of their own, so each batch is committed at once (and
survives a killed run) while a source's documents are still in their transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from pgvector import Vector

if TYPE_CHECKING:
    import numpy.typing as npt

    from indexer.store.postgres.connection import Database


class Embeddings:
    """The embedding-cache half of :class:`indexer.store.postgres.PostgresStore`."""

    _db: Database

    def missing_embeddings(self, model_id: str, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        if not wanted:
            return set()
        with self._db.connection(own=True) as conn:
            rows = conn.execute(
                "SELECT text_hash FROM whoknows.embeddings "
                "WHERE model_id = %s AND text_hash = ANY(%s)",
                [model_id, sorted(wanted)],
            ).fetchall()
        return wanted - {row[0] for row in rows}

    def put_embeddings(
        self, model_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        if vectors.ndim != 2 or len(vectors) != len(hashes):
            raise ValueError(
                f"{len(hashes)} hashes for vectors of shape {vectors.shape}: "
                "pass one row of a 2-d array per hash"
            )
        rows = [
            (model_id, h, np.ascontiguousarray(v, dtype=np.float32))
            for h, v in zip(hashes, vectors, strict=True)
        ]
        with self._db.connection(own=True) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO whoknows.embeddings (model_id, text_hash, vector) "
                "VALUES (%s, %s, %s) "
                "ON CONFLICT (model_id, text_hash) DO UPDATE SET vector = EXCLUDED.vector",
                rows,
            )

    def unembedded_chunks(self, model_id: str) -> dict[str, str]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT c.text_hash, c.text FROM chunks c LEFT JOIN whoknows.embeddings e "
                "ON e.model_id = %s AND e.text_hash = c.text_hash WHERE e.text_hash IS NULL",
                [model_id],
            ).fetchall()
        return {text_hash: text for text_hash, text in rows}

    def embedding_of(self, model_id: str, text_hash: str) -> npt.NDArray[np.float32] | None:
        """The cached vector of one chunk text, if any."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT vector FROM whoknows.embeddings WHERE model_id = %s AND text_hash = %s",
                [model_id, text_hash],
            ).fetchone()
        if row is None:
            return None
        value = row[0]
        return np.asarray(value.to_numpy() if isinstance(value, Vector) else value, np.float32)
