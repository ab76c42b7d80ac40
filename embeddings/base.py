"""The interface every embedding model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class EmbeddingError(Exception):
    """The embedding model cannot be loaded or cannot encode its input."""


@runtime_checkable
class Embedder(Protocol):
    """A text embedding model.

    Vectors are float32, L2-normalised, one row per input text, so that an
    inner product is a cosine similarity.
    """

    @property
    def model_id(self) -> str:
        """A stable name for the model; cached vectors and indexes are keyed by it."""
        ...

    @property
    def dim(self) -> int:
        """The vector dimension."""
        ...

    @property
    def max_tokens(self) -> int:
        """How many tokens one passage may hold before the model truncates it."""
        ...

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character ``(start, end)`` of each model token of ``text``, special tokens excluded."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed search queries."""
        ...

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        """Embed passages (document chunks)."""
        ...
