"""The dense index of the embedded backend: a FAISS file with its manifest, ids = chunk ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from indexer.errors import IndexNotFoundError
from indexer.vectors import Manifest, VectorIndex

if TYPE_CHECKING:
    import numpy.typing as npt


from indexer.store.sqlite.tables import SQLiteTables

VECTORS_DIR = "vectors"


class DenseFiles(SQLiteTables):
    """The :class:`indexer.store.base.DenseIndex` part of :class:`SQLiteStore`."""

    def build_vectors(self, model_id: str, dim: int) -> int:
        join = (
            f"FROM chunks c JOIN {self._embeddings} e "
            "ON e.model_id = ? AND e.text_hash = c.text_hash"
        )
        total = int(self.db.execute(f"SELECT count(*) {join}", [model_id]).fetchone()[0])
        ids = np.zeros(total, dtype=np.int64)
        vectors = np.zeros((total, dim), dtype=np.float32)
        rows = self.db.execute(f"SELECT c.id, e.vector {join} ORDER BY c.id", [model_id])
        for i, (chunk_id, blob) in enumerate(rows):  # streamed: no list of every row
            ids[i] = chunk_id
            vectors[i] = np.frombuffer(blob, dtype=np.float32)
        index = VectorIndex.build(ids, vectors, model_id)
        index.save(self.data_dir / VECTORS_DIR)
        self._vectors = index
        return index.size

    def check_ready(self, model_id: str, dim: int) -> None:
        self._vectors = VectorIndex.load(self.data_dir / VECTORS_DIR, model_id, dim)

    def built_at(self) -> str | None:
        try:
            return Manifest.read(self.data_dir / VECTORS_DIR).built_at
        except IndexNotFoundError:
            return None

    def _saved_vectors(self) -> int:
        """How many vectors the saved index holds (0 when none was built)."""
        try:
            return Manifest.read(self.data_dir / VECTORS_DIR).count
        except IndexNotFoundError:
            return 0

    def search_dense(self, vector: npt.NDArray[np.float32], limit: int) -> list[tuple[int, float]]:
        if self._vectors is None:
            raise IndexNotFoundError("the vector index is not loaded: call check_ready() first")
        return self._vectors.search(vector, limit)
