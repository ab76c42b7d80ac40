"""Full-text search with FTS5 (bm25 over chunks and whole documents): the lexical seam."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from indexer.store.base import (
    ChunkRow,
)

if TYPE_CHECKING:
    pass

from indexer.store.sqlite.tables import SQLiteTables

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 200


class LexicalTables(SQLiteTables):
    """The :class:`indexer.store.base.LexicalIndex` part of :class:`SQLiteStore`."""

    def search_lexical(self, query: str, limit: int) -> list[tuple[int, float]]:
        expression = fts_query(query)
        if not expression:
            return []
        rows = self.db.execute(
            "SELECT rowid, bm25(chunks_fts) AS rank FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            [expression, limit],
        ).fetchall()
        return [(int(rowid), -float(rank)) for rowid, rank in rows]

    def search_documents_lexical(
        self, query: str, limit: int, *, kind: str | None = None
    ) -> list[tuple[str, float]]:
        """Document ids and BM25 scores over whole documents (title and text), best first."""
        expression = fts_query(query)
        if not expression:
            return []
        kind_filter = "AND d.kind = ?" if kind else ""
        rows = self.db.execute(
            "SELECT d.id, bm25(documents_fts) AS rank FROM documents_fts "
            "JOIN documents d ON d.rowid = documents_fts.rowid "
            f"WHERE documents_fts MATCH ? {kind_filter} ORDER BY rank LIMIT ?",
            [expression, *([kind] if kind else []), limit],
        ).fetchall()
        return [(str(doc_id), -float(rank)) for doc_id, rank in rows]

    def best_chunks(self, query: str, document_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """For each document, its chunk that best matches ``query`` lexically (else its first)."""
        out: dict[str, ChunkRow] = {}
        expression = fts_query(query)
        if expression:
            for row in self._rows_in(
                "SELECT c.id, c.document_id, c.ordinal, c.body FROM chunks_fts "
                "JOIN chunks c ON c.id = chunks_fts.rowid "
                "WHERE chunks_fts MATCH ? AND c.document_id IN ({ids}) ORDER BY bm25(chunks_fts)",
                document_ids,
                [expression],
            ):
                out.setdefault(row[1], ChunkRow(*row))
        missing = [doc_id for doc_id in document_ids if doc_id not in out]
        for row in self._rows_in(
            "SELECT id, document_id, ordinal, body FROM chunks "
            "WHERE document_id IN ({ids}) ORDER BY ordinal",
            missing,
        ):
            out.setdefault(row[1], ChunkRow(*row))
        return out


def fts_query(query: str) -> str:
    """An FTS5 expression matching any word of ``query`` (words quoted, so no syntax leaks).

    >>> fts_query('helm "rollback" OR k8s-pods')
    '"helm" OR "rollback" OR "or" OR "k8s" OR "pods"'
    """
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    return " OR ".join(f'"{w}"' for w in words[:MAX_QUERY_WORDS])
