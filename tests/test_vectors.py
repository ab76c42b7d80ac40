"""The FAISS index chosen by size: exact, HNSW, HNSW with 8-bit vectors; against brute force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.errors import IndexMismatchError
from indexer.vectors import FLAT, IndexPolicy, Manifest, VectorIndex

DIM = 48
SMALL = IndexPolicy(exact_max=500, sq8_from=3_000, hnsw_m=16, ef_construction=64, ef_search=64)


def _unit_vectors(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _recall_at(index: VectorIndex, ids: np.ndarray, data: np.ndarray, queries: np.ndarray, k: int):
    """Share of the exact top-k found; a hit scoring as high as the k-th exact one counts (ties)."""
    exact = queries @ data.T
    found = 0
    for row, query in enumerate(queries):
        kth = np.sort(exact[row])[-k]
        by_id = dict(zip(ids.tolist(), exact[row].tolist(), strict=True))
        hits = index.search(query, k)
        found += sum(1 for chunk_id, _ in hits if by_id[chunk_id] >= kth - 1e-5)
    return found / (k * len(queries))


@pytest.mark.parametrize(
    ("count", "expected_type"),
    [(400, FLAT), (2_000, "IDMap,HNSW16,Flat(IP)"), (4_000, "IDMap,HNSW16,SQ8(IP)")],
)
def test_index_type_by_size_and_recall_against_brute_force(count: int, expected_type: str) -> None:
    data = _unit_vectors(count, seed=count)
    ids = np.arange(count, dtype=np.int64) * 3 + 7  # chunk ids are not positions
    index = VectorIndex.build(ids, data, "m", policy=SMALL)
    queries = _unit_vectors(50, seed=1)

    assert index.manifest.index_type == expected_type
    assert index.size == count
    assert _recall_at(index, ids, data, queries, 10) >= 0.95


def test_hnsw_returns_as_many_neighbours_as_asked_beyond_ef_search() -> None:
    data = _unit_vectors(2_000, seed=5)
    ids = np.arange(2_000, dtype=np.int64)
    index = VectorIndex.build(ids, data, "m", policy=SMALL)

    hits = index.search(data[0], 300)

    assert len(hits) == 300
    assert hits[0][0] == 0
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@pytest.mark.parametrize("count", [300, 2_000, 4_000])
def test_save_and_load_keep_type_and_answers(tmp_path: Path, count: int) -> None:
    data = _unit_vectors(count, seed=2)
    ids = np.arange(count, dtype=np.int64) + 100
    built = VectorIndex.build(ids, data, "model-a", policy=SMALL)
    built.save(tmp_path / "vectors")

    loaded = VectorIndex.load(tmp_path / "vectors", "model-a", DIM, policy=SMALL)

    assert Manifest.read(tmp_path / "vectors").index_type == built.manifest.index_type
    assert loaded.manifest == built.manifest
    assert loaded.search(data[3], 5) == built.search(data[3], 5)


def test_load_refuses_another_model(tmp_path: Path) -> None:
    data = _unit_vectors(600, seed=3)
    VectorIndex.build(np.arange(600, dtype=np.int64), data, "model-a", policy=SMALL).save(tmp_path)

    with pytest.raises(IndexMismatchError, match="model 'model-a', configured 'model-b'"):
        VectorIndex.load(tmp_path, "model-b", DIM)


def test_empty_index_answers_nothing() -> None:
    index = VectorIndex.build(
        np.zeros(0, dtype=np.int64), np.zeros((0, DIM), dtype=np.float32), "m"
    )

    assert index.manifest.index_type == FLAT
    assert index.search(_unit_vectors(1, seed=0)[0], 10) == []
