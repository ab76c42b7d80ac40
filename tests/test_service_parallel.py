"""SearchService runs at most ``max_parallel`` searches at once; the rest wait their turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.base import Embedder
from search_api.service import SearchService
from tests.helpers import build_index, open_index


class _Overlap:
    """The packaged model, slowed down, counting how many queries it embeds at the same time."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id, self.dim, self.max_tokens = inner.model_id, inner.dim, inner.max_tokens
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.inner.token_spans(text)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        try:
            return self.inner.encode_queries(texts)
        finally:
            with self._lock:
                self.running -= 1

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        return self.inner.encode_passages(texts)


def _search_from_threads(service: SearchService, count: int) -> list[int]:
    sizes: list[int] = []
    threads = [
        threading.Thread(
            target=lambda i=i: sizes.append(len(service.search(f"helm rollback {i}").people))
        )
        for i in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sizes


def test_searches_beyond_max_parallel_wait(tmp_path: Path, embedder: Embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    overlap = _Overlap(embedder)
    service = SearchService(open_index(data), overlap, max_parallel=2)

    sizes = _search_from_threads(service, 6)

    assert overlap.most == 2
    assert len(sizes) == 6 and min(sizes) > 0
