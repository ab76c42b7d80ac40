"""The same sentence-transformers model run by ONNX Runtime: fp32 (same vectors) or int8.

The ONNX graph is exported once from the model's local folder with ``torch.onnx``
(mean pooling and L2 normalisation included) and cached on disk, keyed by the
model's files; int8 is dynamic quantisation of that graph (MatMul weights,
per channel). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import EmbeddingError
from embeddings.sentence import DEFAULT_MODEL, resolve_model

if TYPE_CHECKING:
    import numpy.typing as npt
    import onnxruntime
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

INT8_SUFFIX = "#onnx-int8"
"""Appended to the model id of int8 vectors: they differ from fp32 ones and must never mix."""
EXPORT_VERSION = 1
"""Part of the cache key: bump it when the exported graph changes."""
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_EXPORT_LOCK = threading.Lock()


def default_cache_dir() -> Path:
    """Where exported graphs live: ``$XDG_CACHE_HOME/whoknows/onnx``, else ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "whoknows" / "onnx"


class OnnxEmbedder:
    """An :class:`embeddings.base.Embedder` running a local model with ONNX Runtime.

    Example:
        >>> embedder = OnnxEmbedder("all-MiniLM-L6-v2", quantize=True)  # doctest: +SKIP
        >>> embedder.model_id  # doctest: +SKIP
        'all-MiniLM-L6-v2#onnx-int8'
    """

    def __init__(
        self,
        name_or_path: str = DEFAULT_MODEL,
        *,
        quantize: bool = False,
        batch_size: int = 32,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        model_id, location = resolve_model(name_or_path)
        folder = Path(location)
        if not (folder / "tokenizer.json").is_file() or not (folder / "config.json").is_file():
            raise EmbeddingError(
                f"the ONNX backend needs a local model folder with tokenizer.json and "
                f"config.json; {location!r} is not one: use embedding_backend = 'torch'"
            )
        self._model_id = model_id + (INT8_SUFFIX if quantize else "")
        self._batch_size = batch_size
        self._max_tokens = _max_seq_length(folder)
        self._spans_tokenizer = _tokenizer(folder, None)
        self._tokenizer = _tokenizer(folder, self._max_tokens)
        self._graph = exported_graph(folder, cache_dir or default_cache_dir(), quantize=quantize)
        self._threads = threads
        # a query runs on one thread: parallel requests use the cores, and ORT's spinning
        # worker threads slow everything down when they are busy (see docs/performance.md)
        self._query_session = _session(self._graph, 1)
        self._passage_session: onnxruntime.InferenceSession | None = None
        self._passage_lock = threading.Lock()
        self._dim = int(self._run(self._query_session, ["dimension probe"]).shape[1])

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        encoding = self._spans_tokenizer.encode(text, add_special_tokens=False)
        return [(int(a), int(b)) for a, b in encoding.offsets]

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(self._query_session, texts)

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool = False
    ) -> npt.NDArray[np.float32]:
        with self._passage_lock:
            if self._passage_session is None:  # made on first use: the server never needs it
                self._passage_session = _session(self._graph, self._threads)
        return self._encode(self._passage_session, texts)

    def _encode(
        self, session: onnxruntime.InferenceSession, texts: Sequence[str]
    ) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        # batches of similar lengths pad less, as sentence-transformers does
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._run(session, [texts[i] for i in rows])
        return out

    def _run(
        self, session: onnxruntime.InferenceSession, texts: list[str]
    ) -> npt.NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = session.run(None, feed)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def exported_graph(folder: Path, cache_dir: Path, *, quantize: bool) -> Path:
    """The cached ONNX file of the model in ``folder``, exported (and quantised) if missing."""
    target = cache_dir / _cache_key(folder)
    fp32 = target / "model.onnx"
    int8 = target / "model-int8.onnx"
    wanted = int8 if quantize else fp32
    if wanted.is_file():
        return wanted
    with _EXPORT_LOCK:
        if wanted.is_file():
            return wanted
        target.mkdir(parents=True, exist_ok=True)
        if not fp32.is_file():
            logger.info("exporting %s to ONNX in %s (once)", folder, target)
            _atomic(fp32, lambda tmp: _export(folder, tmp))
        if quantize and not int8.is_file():
            logger.info("quantising %s to int8", fp32)
            _atomic(int8, lambda tmp: _quantize(fp32, tmp))
    return wanted


def _cache_key(folder: Path) -> str:
    """The model's config and weights (name, size, mtime) and the export recipe, hashed."""
    parts: list[str] = [str(EXPORT_VERSION), str(folder.resolve())]
    for path in sorted(folder.iterdir()):
        if path.is_file():
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    parts.append((folder / "config.json").read_text(encoding="utf-8"))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _export(folder: Path, out: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    try:
        model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot load {folder} for ONNX export: {exc}") from exc

    class _Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes; the graph is checked in tests
        torch.onnx.export(
            _Pooled(model),
            (sample, sample, torch.zeros_like(sample)),
            str(out),
            input_names=list(_INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # MatMul weights only, per channel: cosine to fp32 about 0.99 (all ops per tensor: 0.9)
    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )


def _session(graph: Path, threads: int | None) -> onnxruntime.InferenceSession:
    import onnxruntime
    from onnxruntime.capi.onnxruntime_pybind11_state import (
        Fail,
        InvalidGraph,
        InvalidProtobuf,
        NoSuchFile,
    )

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except (Fail, InvalidGraph, InvalidProtobuf, NoSuchFile) as exc:
        raise EmbeddingError(
            f"ONNX Runtime cannot load {graph} ({exc}); delete it to export it again"
        ) from exc


def _tokenizer(folder: Path, truncate_at: int | None) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    padding = tokenizer.padding or {}
    tokenizer.no_padding()
    tokenizer.no_truncation()
    if truncate_at is not None:
        tokenizer.enable_truncation(truncate_at)
        # pad to the longest text of a batch, not to the file's fixed length
        tokenizer.enable_padding(
            pad_id=int(padding.get("pad_id", 0)), pad_token=str(padding.get("pad_token", "[PAD]"))
        )
    return tokenizer


def _max_seq_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return value
    model_config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return int(model_config.get("max_position_embeddings", 512))
