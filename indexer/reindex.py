"""One re-index run as cron runs it: lock, build a new generation, verify it, switch to it.

Whatever happens before the switch (a crash, ``kill -9``, too many rejected
records, a failed check) the served generation is untouched; the vectors
already computed stay in the shared cache for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from embeddings.base import Embedder
from indexer import generations
from indexer.errors import VerificationError
from indexer.faults import failpoint
from indexer.models import SourceSpec
from indexer.pipeline import Indexer, IndexSummary, Progress
from indexer.store import IndexHome, Store, home_at

logger = logging.getLogger(__name__)

PROBE_MIN_SCORE = 0.99
"""A stored chunk's own vector must find a chunk at least this similar."""


def reindex(
    home: IndexHome | Path,
    specs: Sequence[SourceSpec],
    embedder: Embedder,
    *,
    chunk_tokens: int = 256,
    chunk_overlap: int = 32,
    progress: Progress | None = None,
    max_errors: int | None = None,
    wait: bool = False,
    keep: int = generations.KEEP,
) -> IndexSummary:
    """Build a new generation of the index in ``home`` (or a data directory) and serve it.

    Raises:
        IndexLockedError: another run holds the lock (and ``wait`` is false).
        TooManyRejectedError: more than ``max_errors`` records were rejected.
        VerificationError: the new generation failed its checks.
    """
    home = _home(home)
    with home.lock(wait=wait):
        generation = home.begin()
        try:
            store = generation.open()
            try:
                indexer = Indexer(
                    store,
                    embedder,
                    chunk_tokens=chunk_tokens,
                    chunk_overlap=chunk_overlap,
                    progress=progress,
                    max_errors=max_errors,
                )
                summary = indexer.run(specs)
                failpoint("vectors")
                info = verify(store, embedder)
            finally:
                store.close()
            summary.generation = generation.publish(info, keep=keep)
        except BaseException:
            generation.discard()
            raise
    logger.info("now serving generation %s", summary.generation)
    return summary


def plan(
    home: IndexHome | Path, specs: Sequence[SourceSpec], embedder: Embedder, **options: Any
) -> IndexSummary:
    """What a run would change: every source is read and compared with the served index.

    Nothing is written and no lock is taken.
    """
    home = _home(home)
    if home.current() is None:
        with home.scratch() as store:
            return Indexer(store, embedder, **options).plan(specs)
    store = home.open_current()
    try:
        return Indexer(store, embedder, **options).plan(specs)
    finally:
        store.close()


def _home(home: IndexHome | Path) -> IndexHome:
    return home_at(home) if isinstance(home, Path | str) else home


def verify(store: Store, embedder: Embedder) -> dict[str, Any]:
    """Check a built generation before it is served; return what to record about it.

    Checks: the vectors fit the model and the manifest, every chunk has a vector,
    and probe queries find a stored chunk by its vector and by its words.
    """
    store.check_ready(embedder.model_id, embedder.dim)
    stats = store.stats()
    if stats.vectors != stats.chunks:
        raise VerificationError(
            f"the new index has {stats.chunks} chunks but {stats.vectors} vectors; "
            "the served index is kept"
        )
    sample = store.sample_chunk()
    if sample is not None:
        chunk_id, text, text_hash = sample
        vector = store.embedding_of(embedder.model_id, text_hash)
        hits = store.search_dense(vector, 1) if vector is not None else []
        if not hits or hits[0][1] < PROBE_MIN_SCORE:
            raise VerificationError(
                f"probe: the vector of chunk {chunk_id} does not find itself in the new "
                "index; the served index is kept"
            )
        if not store.search_lexical(text, 1):
            raise VerificationError(
                f"probe: the words of chunk {chunk_id} find nothing in the new full-text "
                "index; the served index is kept"
            )
    return {
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "built_at": store.built_at(),
        "stats": asdict(stats),
    }
