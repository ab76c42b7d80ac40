"""ONNX Runtime backends against the sentence-transformers model; the query cache; the factory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from embeddings.base import Embedder, EmbeddingError
from embeddings.cache import CachedEmbedder
from embeddings.factory import load_embedder
from embeddings.onnx import OnnxEmbedder

TEXTS = [
    "helm rollback",
    "How do I stake ADA from a hardware wallet without running a node?",
    "Deploys go through Argo CD; to roll a release back, run helm rollback with the revision "
    "number shown by helm history, then check that the pods come up. " * 6,
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``default_cache_dir()`` when ``XDG_CACHE_HOME`` is this folder's grandparent's parent."""
    return tmp_path_factory.mktemp("xdg") / "whoknows" / "onnx"


@pytest.fixture(scope="module")
def onnx_fp32(onnx_cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(cache_dir=onnx_cache)


def test_onnx_fp32_gives_the_torch_vectors(embedder: Embedder, onnx_fp32: OnnxEmbedder) -> None:
    cosines = np.sum(onnx_fp32.encode_passages(TEXTS) * embedder.encode_passages(TEXTS), axis=1)

    assert onnx_fp32.model_id == embedder.model_id == "all-MiniLM-L6-v2"
    assert (onnx_fp32.dim, onnx_fp32.max_tokens) == (384, 256)
    assert cosines.min() > 0.9999
    assert onnx_fp32.token_spans(TEXTS[2]) == embedder.token_spans(TEXTS[2])


def test_onnx_int8_is_close_and_keyed_apart(embedder: Embedder, onnx_cache: Path) -> None:
    int8 = OnnxEmbedder(quantize=True, cache_dir=onnx_cache)
    vectors = int8.encode_queries(TEXTS)
    cosines = np.sum(vectors * embedder.encode_queries(TEXTS), axis=1)

    assert int8.model_id == "all-MiniLM-L6-v2#onnx-int8"
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines.min() >= 0.98
    assert sorted(p.name for p in next(onnx_cache.iterdir()).iterdir()) == [
        "model-int8.onnx",
        "model.onnx",
    ]


def test_onnx_encodes_nothing_to_an_empty_array(onnx_fp32: OnnxEmbedder) -> None:
    assert onnx_fp32.encode_passages([]).shape == (0, 384)


class _Counting:
    """A real embedder that counts the texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.embedded: list[str] = []
        self.model_id, self.dim, self.max_tokens = inner.model_id, inner.dim, inner.max_tokens

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.inner.token_spans(text)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.embedded.extend(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        return self.inner.encode_passages(texts)


def test_query_cache_embeds_each_text_once_and_forgets_the_oldest(
    onnx_fp32: OnnxEmbedder,
) -> None:
    counting = _Counting(onnx_fp32)
    cached = CachedEmbedder(counting, size=2)

    first = cached.encode_queries(["helm", "argo"])
    again = cached.encode_queries(["argo", "helm"])
    cached.encode_queries(["kafka"])  # evicts "argo", the least recently used
    cached.encode_queries(["helm", "argo"])

    assert counting.embedded == ["helm", "argo", "kafka", "argo"]
    assert np.array_equal(again, first[::-1])
    assert (cached.hits, cached.misses) == (3, 4)
    assert cached.model_id == "all-MiniLM-L6-v2"


@dataclass
class _Settings:
    model: str = "all-MiniLM-L6-v2"
    embedding_backend: str = "onnx"
    embed_batch_size: int = 8
    query_cache_size: int = 16


def test_factory_wraps_the_server_embedder_in_the_cache(
    onnx_fp32: OnnxEmbedder, onnx_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(onnx_cache.parents[1]))

    served = load_embedder(_Settings(), query_cache=True)

    assert isinstance(served, CachedEmbedder)
    assert isinstance(served.inner, OnnxEmbedder)
    assert isinstance(load_embedder(_Settings(query_cache_size=0), query_cache=True), OnnxEmbedder)


def test_factory_refuses_an_unknown_backend() -> None:
    with pytest.raises(EmbeddingError, match="unknown embedding_backend 'tensorrt'; expected one"):
        load_embedder(_Settings(embedding_backend="tensorrt"))
