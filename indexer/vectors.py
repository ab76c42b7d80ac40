"""A FAISS index of chunk vectors saved beside a manifest that says what it was built for."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from indexer.errors import IndexMismatchError, IndexNotFoundError

if TYPE_CHECKING:
    import numpy.typing as npt

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
FLAT = "IDMap2,Flat(IP)"
HNSW = "IDMap,HNSW{m},Flat(IP)"
HNSW_SQ8 = "IDMap,HNSW{m},SQ8(IP)"


@dataclass(frozen=True)
class IndexPolicy:
    """Which FAISS index a build gets, by the number of vectors.

    Exact search scans every vector (about 15 ms a query at 100k here), so up to
    ``exact_max`` vectors the index is exact; above, an HNSW graph answers in a
    few milliseconds at recall@10 above 0.95; above ``sq8_from`` its vectors are
    stored as 8-bit scalars (a quarter of the memory), so a million chunks fit in
    about 0.7 GB.
    """

    exact_max: int = 50_000
    sq8_from: int = 250_000
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    """Candidates HNSW keeps while searching; raised to ``limit`` when more are asked."""

    def index_type(self, count: int) -> str:
        if count <= self.exact_max:
            return FLAT
        template = HNSW_SQ8 if count >= self.sq8_from else HNSW
        return template.format(m=self.hnsw_m)


DEFAULT_POLICY = IndexPolicy()


@dataclass(frozen=True)
class Manifest:
    """What a saved vector index holds and how it was made."""

    model_id: str
    dim: int
    count: int
    schema_version: int
    built_at: str
    index_type: str = FLAT

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST_FILE
        if not path.is_file():
            raise IndexNotFoundError(f"no vector index in {folder}: run `whoknows index` first")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (json.JSONDecodeError, TypeError) as exc:
            raise IndexMismatchError(
                f"{path} is unreadable ({exc}); rebuild with `whoknows index`"
            ) from exc

    def check(self, model_id: str, dim: int) -> None:
        """Refuse an index built for another model, dimension or schema."""
        problems = []
        if self.schema_version != SCHEMA_VERSION:
            problems.append(f"schema version {self.schema_version}, expected {SCHEMA_VERSION}")
        if self.model_id != model_id:
            problems.append(f"model {self.model_id!r}, configured {model_id!r}")
        if self.dim != dim:
            problems.append(f"dimension {self.dim}, model gives {dim}")
        if problems:
            raise IndexMismatchError(
                "the index was built with "
                + "; ".join(problems)
                + ": rebuild it with `whoknows index` or configure the model it was built with"
            )


class VectorIndex:
    """Inner-product search over L2-normalised vectors, with chunk ids as FAISS ids.

    Exact for small indexes, HNSW for large ones (see :class:`IndexPolicy`).
    """

    def __init__(
        self, index: faiss.Index, manifest: Manifest, *, policy: IndexPolicy = DEFAULT_POLICY
    ) -> None:
        self._index = index
        self.manifest = manifest
        self.policy = policy
        self._hnsw = manifest.index_type != FLAT

    @classmethod
    def build(
        cls,
        ids: npt.NDArray[np.int64],
        vectors: npt.NDArray[np.float32],
        model_id: str,
        *,
        policy: IndexPolicy = DEFAULT_POLICY,
    ) -> VectorIndex:
        if vectors.ndim != 2 or vectors.dtype != np.float32:
            raise ValueError(
                f"vectors must be a 2-d float32 array, got {vectors.dtype} {vectors.shape}"
            )
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        dim = int(vectors.shape[1])
        index_type = policy.index_type(len(vectors))
        index = _new_index(index_type, dim, policy)
        if len(ids):
            vectors = np.ascontiguousarray(vectors)
            if not index.is_trained:
                index.train(vectors)
            index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))
        manifest = Manifest(
            model_id=model_id,
            dim=dim,
            count=int(index.ntotal),
            schema_version=SCHEMA_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_type=index_type,
        )
        return cls(index, manifest, policy=policy)

    def save(self, folder: Path) -> None:
        """Write the index, then the manifest, each by atomic rename."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp_index = folder / f".{INDEX_FILE}.tmp"
        faiss.write_index(self._index, str(tmp_index))
        os.replace(tmp_index, folder / INDEX_FILE)
        tmp_manifest = folder / f".{MANIFEST_FILE}.tmp"
        tmp_manifest.write_text(json.dumps(asdict(self.manifest), indent=2), encoding="utf-8")
        os.replace(tmp_manifest, folder / MANIFEST_FILE)

    @classmethod
    def load(
        cls, folder: Path, model_id: str, dim: int, *, policy: IndexPolicy = DEFAULT_POLICY
    ) -> VectorIndex:
        """Load a saved index, refusing one that does not match the model."""
        manifest = Manifest.read(folder)
        manifest.check(model_id, dim)
        index = faiss.read_index(str(folder / INDEX_FILE))
        if index.ntotal != manifest.count or index.d != manifest.dim:
            raise IndexMismatchError(
                f"{folder / INDEX_FILE} holds {index.ntotal} vectors of dimension {index.d} but "
                f"its manifest says {manifest.count} of {manifest.dim}: "
                "rebuild with `whoknows index`"
            )
        return cls(index, manifest, policy=policy)

    def search(self, vector: npt.NDArray[np.float32], limit: int) -> list[tuple[int, float]]:
        """Ids and inner products of the ``limit`` nearest vectors, best first."""
        if self._index.ntotal == 0 or limit <= 0:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.manifest.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, index {self.manifest.dim}")
        k = min(limit, int(self._index.ntotal))
        params = (
            faiss.SearchParametersHNSW(efSearch=max(self.policy.ef_search, k))
            if self._hnsw
            else None
        )
        # One query gains nothing from OpenMP threads, and their spin-waits cost 10-100x
        # when requests run in parallel on few cores; the setting is per calling thread.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self._index.search(query, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    @property
    def size(self) -> int:
        return int(self._index.ntotal)


def _new_index(index_type: str, dim: int, policy: IndexPolicy) -> faiss.Index:
    if index_type == FLAT:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if index_type == HNSW.format(m=policy.hnsw_m):
        graph = faiss.IndexHNSWFlat(dim, policy.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    else:
        graph = faiss.IndexHNSWSQ(
            dim, faiss.ScalarQuantizer.QT_8bit, policy.hnsw_m, faiss.METRIC_INNER_PRODUCT
        )
    graph.hnsw.efConstruction = policy.ef_construction
    # the id map keeps no reverse table: search never needs one, and it costs memory
    return faiss.IndexIDMap(graph)
