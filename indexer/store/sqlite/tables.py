"""What every part of the SQLite store shares: the connections and batched ``IN`` queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from indexer.vectors import VectorIndex

if TYPE_CHECKING:
    pass


class SQLiteTables:
    """The open database, the embedding cache (``_cache``, ``_embeddings``) and the folder."""

    db: sqlite_utils.Database
    _cache: sqlite_utils.Database
    _embeddings: str
    data_dir: Path
    _vectors: VectorIndex | None

    def _rows_in(
        self,
        sql: str,
        ids: Iterable[Any],
        params: Sequence[Any] = (),
        db: sqlite_utils.Database | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Run ``sql`` over ``ids`` in batches: ``{ids}`` in it becomes ``?`` placeholders.

        ``params`` bind the placeholders before ``{ids}``; the ids bind last. ``db``
        defaults to the index database.
        """
        for batch in _batches(list(ids)):
            marks = ",".join("?" * len(batch))
            yield from (db or self.db).execute(sql.format(ids=marks), [*params, *batch])


def _batches(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
