"""One query end to end: embed, retrieve, fuse, rank, attach evidence. Used by CLI and HTTP."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from embeddings.base import Embedder
from indexer.config import Settings
from indexer.errors import WhoKnowsError
from indexer.models import DocumentKind
from indexer.store import open_store
from indexer.store.base import ChunkRow, DocumentRow, Store
from search_api.ranking import (
    RankedPerson,
    ScoredChunk,
    ScoredDocument,
    rank_people,
    score_documents,
    snippet,
)
from search_api.retrieval import reciprocal_rank_fusion
from search_api.schemas import AskResponse, DocumentOut, EvidenceOut, PersonOut

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100


class QueryError(WhoKnowsError):
    """The query or its parameters are not acceptable."""


@dataclass(frozen=True)
class _Retrieved:
    chunks: dict[int, ChunkRow]
    documents: list[ScoredDocument]


class SearchService:
    """Answers queries over one loaded index. Create once per process; it holds the model."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        candidates: int = 200,
        max_query_chars: int = MAX_QUERY_CHARS,
    ) -> None:
        store.check_ready(embedder.model_id, embedder.dim)
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.max_query_chars = max_query_chars

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SearchService:
        """Load the model (unless given) and the index in ``settings.data_dir``."""
        store = open_store(settings.data_dir)
        if embedder is None:
            from embeddings.sentence import SentenceEmbedder

            embedder = SentenceEmbedder(settings.model, batch_size=settings.embed_batch_size)
        return cls(store, embedder)

    def search(
        self,
        query: str,
        *,
        people_limit: int = 10,
        documents_limit: int = 10,
        include_inactive: bool = False,
    ) -> AskResponse:
        """Ranked people (with evidence) and documents for ``query``; a limit of 0 skips a list."""
        query = check_query(query, self.max_query_chars)
        check_limit("limit", people_limit, minimum=0)
        check_limit("limit", documents_limit, minimum=0)
        retrieved = self._retrieve(query)
        people = (
            self._people(query, retrieved, people_limit, include_inactive) if people_limit else []
        )
        documents = self._documents(query, retrieved, documents_limit) if documents_limit else []
        return AskResponse(query=query, people=people, documents=documents)

    def _retrieve(self, query: str) -> _Retrieved:
        vector = self.embedder.encode_queries([query])[0]
        dense = self.store.search_dense(vector, self.candidates)
        lexical = self.store.search_lexical(query, self.candidates)
        fused = reciprocal_rank_fusion([dense, lexical])
        chunks = self.store.chunks([chunk_id for chunk_id, _ in fused])
        scored = [
            ScoredChunk(chunk_id, chunks[chunk_id].document_id, score)
            for chunk_id, score in fused
            if chunk_id in chunks
        ]
        return _Retrieved(chunks, score_documents(scored))

    def _people(
        self, query: str, retrieved: _Retrieved, limit: int, include_inactive: bool
    ) -> list[PersonOut]:
        doc_ids = [d.document_id for d in retrieved.documents]
        contributions = self.store.contributions_to(doc_ids)
        people = self.store.people(sorted({c.person_id for c in contributions}))
        exclude = [] if include_inactive else [p.id for p in people.values() if not p.active]
        ranked = rank_people(retrieved.documents, contributions, exclude=exclude)[:limit]
        best_chunk = {d.document_id: d.best_chunk for d in retrieved.documents}
        docs = self.store.documents(sorted({e.document_id for p in ranked for e in p.evidence}))
        return [
            self._person_out(query, person, people, docs, best_chunk, retrieved.chunks)
            for person in ranked
        ]

    @staticmethod
    def _person_out(
        query: str,
        ranked: RankedPerson,
        people: dict,
        docs: dict[str, DocumentRow],
        best_chunk: dict[str, int],
        chunks: dict[int, ChunkRow],
    ) -> PersonOut:
        row = people[ranked.person_id]
        evidence = [
            EvidenceOut(
                document_id=e.document_id,
                title=docs[e.document_id].title,
                role=e.role,
                url=docs[e.document_id].url,
                snippet=snippet(chunks[best_chunk[e.document_id]].body, query),
            )
            for e in ranked.evidence
        ]
        return PersonOut(
            id=row.id,
            name=row.name,
            aliases=list(row.aliases),
            score=round(ranked.score, 6),
            title=row.title,
            team=row.team,
            location=row.location,
            evidence=evidence,
        )

    def _documents(self, query: str, retrieved: _Retrieved, limit: int) -> list[DocumentOut]:
        candidates = retrieved.documents[: limit * 4 + 20]
        rows = self.store.documents([d.document_id for d in candidates])
        out: list[DocumentOut] = []
        for scored in candidates:
            row = rows.get(scored.document_id)
            if row is None or row.kind == DocumentKind.BIO:
                continue
            out.append(
                DocumentOut(
                    id=row.id,
                    title=row.title,
                    kind=row.kind,
                    url=row.url,
                    score=round(scored.score, 6),
                    snippet=snippet(retrieved.chunks[scored.best_chunk].body, query),
                )
            )
            if len(out) == limit:
                break
        return out

    def close(self) -> None:
        self.store.close()


def check_query(query: str, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Strip ``query`` and refuse an empty or over-long one."""
    query = (query or "").strip()
    if not query:
        raise QueryError("q must not be empty")
    if len(query) > max_chars:
        raise QueryError(f"q is {len(query)} characters long; at most {max_chars} are allowed")
    return query


def check_limit(name: str, value: int, *, minimum: int = 1) -> int:
    """Refuse a limit outside ``minimum``..MAX_LIMIT."""
    if not minimum <= value <= MAX_LIMIT:
        raise QueryError(f"{name} must be between {minimum} and {MAX_LIMIT}, got {value}")
    return value
