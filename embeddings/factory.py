"""One place that turns settings into an embedder: backend, batch size, query cache."""

from __future__ import annotations

from typing import Literal, Protocol

from embeddings.base import Embedder, EmbeddingError

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = ("torch", "onnx", "onnx-int8")


class EmbedderSettings(Protocol):
    """The settings an embedder is made from (``indexer.config.Settings`` has them)."""

    @property
    def model(self) -> str: ...

    @property
    def embedding_backend(self) -> str: ...

    @property
    def embed_batch_size(self) -> int: ...

    @property
    def query_cache_size(self) -> int: ...


def load_embedder(settings: EmbedderSettings, *, query_cache: bool = False) -> Embedder:
    """The configured model on the configured backend; with ``query_cache``, behind an LRU cache.

    ``torch`` runs sentence-transformers; ``onnx`` the same model in ONNX Runtime
    (the same vectors, so the same model id); ``onnx-int8`` its int8 quantisation
    (different vectors: the model id gets the suffix ``#onnx-int8``).
    """
    backend = settings.embedding_backend
    embedder: Embedder
    if backend == "torch":
        from embeddings.sentence import SentenceEmbedder

        embedder = SentenceEmbedder(settings.model, batch_size=settings.embed_batch_size)
    elif backend in ("onnx", "onnx-int8"):
        from embeddings.onnx import OnnxEmbedder

        embedder = OnnxEmbedder(
            settings.model,
            quantize=backend == "onnx-int8",
            batch_size=settings.embed_batch_size,
        )
    else:
        raise EmbeddingError(
            f"unknown embedding_backend {backend!r}; expected one of {', '.join(BACKENDS)}"
        )
    if query_cache and settings.query_cache_size > 0:
        from embeddings.cache import CachedEmbedder

        return CachedEmbedder(embedder, size=settings.query_cache_size)
    return embedder
