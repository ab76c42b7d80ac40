"""A small LRU cache of query vectors in front of any embedder.

Type-ahead search repeats the same prefixes, and a chat tool and the search
page often ask the same question; a cached vector costs microseconds instead of
a model call. Passages are never cached here (the indexer keeps its own store).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Embedder

if TYPE_CHECKING:
    import numpy.typing as npt


class CachedEmbedder:
    """An :class:`embeddings.base.Embedder` that remembers the last ``size`` query vectors.

    Example:
        >>> cached = CachedEmbedder(SentenceEmbedder(), size=1024)  # doctest: +SKIP
        >>> cached.encode_queries(["helm"]) is not None  # doctest: +SKIP
        True
    """

    def __init__(self, inner: Embedder, *, size: int = 1024) -> None:
        if size < 1:
            raise ValueError(f"a query cache needs room for at least one vector, got {size}")
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.inner.token_spans(text)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.append(row)
                else:
                    self._vectors.move_to_end(text)
                    out[row] = vector
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        if missing:
            fresh = self.inner.encode_queries([texts[row] for row in missing])
            out[missing] = fresh
            with self._lock:
                for row, vector in zip(missing, fresh, strict=True):
                    self._vectors[texts[row]] = vector.copy()
                    self._vectors.move_to_end(texts[row])
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return out

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        return self.inner.encode_passages(texts, show_progress=show_progress)
