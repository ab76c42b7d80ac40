"""One query end to end: embed, retrieve, fuse, rank, attach evidence. Used by CLI and HTTP."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection
from dataclasses import dataclass, replace

from embeddings.base import Embedder
from indexer.config import Settings
from indexer.errors import WhoKnowsError
from indexer.models import DocumentKind
from indexer.store import open_store
from indexer.store.base import ChunkRow, Store
from search_api.ranking import (
    ACTIVITY_ROLES,
    RankedPerson,
    RankingConfig,
    ScoredChunk,
    ScoredDocument,
    activity_prior,
    apply_priors,
    combine_documents,
    explain,
    rank_people,
    score_documents,
    snippet,
)
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
        config: RankingConfig | None = None,
        max_query_chars: int = MAX_QUERY_CHARS,
        max_parallel: int | None = None,
    ) -> None:
        store.check_ready(embedder.model_id, embedder.dim)
        self.store = store
        self.embedder = embedder
        self.config = config or RankingConfig()
        self.max_query_chars = max_query_chars
        self._now = store.latest_activity(ACTIVITY_ROLES)
        # More searches at once than cores only trade the GIL back and forth: on 2 cores, 8
        # parallel requests gave 65 req/s unbounded and 104 req/s with 2 slots.
        self._slots = threading.BoundedSemaphore(max_parallel or os.cpu_count() or 1)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SearchService:
        """Load the model (unless given) and the index in ``settings.data_dir``."""
        store = open_store(settings.data_dir)
        if embedder is None:
            from embeddings.factory import load_embedder

            embedder = load_embedder(settings, query_cache=True)
        return cls(store, embedder, config=ranking_config(settings))

    def search(
        self,
        query: str,
        *,
        people_limit: int = 10,
        documents_limit: int = 10,
        include_inactive: bool = False,
        groups: Collection[str] | None = None,
    ) -> AskResponse:
        """Ranked people (with evidence) and documents for ``query``; a limit of 0 skips a list.

        ``groups`` are the caller's access groups: documents restricted to other
        groups are left out before anything is ranked, so they never show and
        never count as evidence. ``None`` means no restriction (trusted callers).
        """
        query = check_query(query, self.max_query_chars)
        check_limit("limit", people_limit, minimum=0)
        check_limit("limit", documents_limit, minimum=0)
        with self._slots:
            if self.store.refresh():  # a re-index replaced the vectors: pick them up
                self._now = self.store.latest_activity(ACTIVITY_ROLES)
            retrieved = self._retrieve(query, groups)
            people = (
                self._people(query, retrieved, people_limit, include_inactive, groups)
                if people_limit
                else []
            )
            documents = (
                self._documents(query, retrieved, documents_limit) if documents_limit else []
            )
        return AskResponse(query=query, people=people, documents=documents)

    def _retrieve(self, query: str, groups: Collection[str] | None) -> _Retrieved:
        config = self.config
        vector = self.embedder.encode_queries([query])[0]
        dense = self.store.search_dense(vector, config.dense_chunks)
        chunks = self.store.chunks([chunk_id for chunk_id, _ in dense])
        dense_docs = score_documents(
            ScoredChunk(chunk_id, chunks[chunk_id].document_id, score)
            for chunk_id, score in dense
            if chunk_id in chunks
        )
        # restricted documents are dropped below: fetch more so outsiders still get top_k
        lexical_limit = config.top_k if groups is None else config.top_k * 3
        lexical = self.store.search_documents_lexical(query, lexical_limit)
        if groups is not None:
            hidden = self._hidden(
                {d.document_id for d in dense_docs} | {d for d, _ in lexical}, groups
            )
            dense_docs = [d for d in dense_docs if d.document_id not in hidden]
            lexical = [(d, s) for d, s in lexical if d not in hidden]
        return _Retrieved(chunks, combine_documents(dense_docs, lexical, config))

    def _hidden(self, document_ids: set[str], groups: Collection[str]) -> set[str]:
        """The documents restricted to groups the caller is in none of."""
        allowed = set(groups)
        restricted = self.store.access_groups(sorted(document_ids))
        return {d for d, needed in restricted.items() if not allowed.intersection(needed)}

    def _people(
        self,
        query: str,
        retrieved: _Retrieved,
        limit: int,
        include_inactive: bool,
        groups: Collection[str] | None,
    ) -> list[PersonOut]:
        doc_ids = [d.document_id for d in retrieved.documents]
        contributions = self.store.contributions_to(doc_ids)
        people = self.store.people(sorted({c.person_id for c in contributions}))
        exclude = [] if include_inactive else [p.id for p in people.values() if not p.active]
        ranked = rank_people(
            retrieved.documents, contributions, exclude=exclude, config=self.config, now=self._now
        )
        # a re-index may delete rows between these reads: drop what vanished
        ranked = [p for p in self._with_activity(ranked, groups) if p.person_id in people][:limit]
        shown = sorted({e.document_id for p in ranked for e in p.evidence})
        docs = self.store.documents(shown)
        titles = {doc_id: doc.title for doc_id, doc in docs.items()}
        snippets = self._snippets(query, retrieved, shown)
        out = []
        for person in ranked:
            row = people[person.person_id]
            evidence = [
                EvidenceOut(
                    document_id=e.document_id,
                    title=docs[e.document_id].title,
                    role=e.role,
                    url=docs[e.document_id].url,
                    snippet=snippets[e.document_id],
                )
                for e in person.evidence
                if e.document_id in docs
            ]
            out.append(
                PersonOut(
                    id=row.id,
                    name=row.name,
                    aliases=list(row.aliases),
                    score=round(person.score, 6),
                    title=row.title,
                    team=row.team,
                    location=row.location,
                    why=explain(person, titles),
                    evidence=evidence,
                )
            )
        return out

    def _with_activity(
        self, ranked: list[RankedPerson], groups: Collection[str] | None
    ) -> list[RankedPerson]:
        """Apply the recent-activity prior (see ``ranking.activity_prior``).

        Only activity on documents the caller may see counts, so hidden work
        neither lifts a person nor shows through their score.
        """
        if self.config.activity_weight == 0 or self._now is None or not ranked:
            return ranked
        times = self.store.activity_times([p.person_id for p in ranked], ACTIVITY_ROLES, groups)
        priors = {
            person_id: activity_prior(stamps, self._now, self.config)
            for person_id, stamps in times.items()
        }
        return apply_priors(ranked, priors)

    def _snippets(self, query: str, retrieved: _Retrieved, doc_ids: list[str]) -> dict[str, str]:
        """A snippet per document from its best dense chunk, else its best lexical chunk."""
        best = {d.document_id: d.best_chunk for d in retrieved.documents}
        bodies = {
            doc_id: retrieved.chunks[best[doc_id]].body  # type: ignore[index]
            for doc_id in doc_ids
            if best.get(doc_id) in retrieved.chunks
        }
        missing = [doc_id for doc_id in doc_ids if doc_id not in bodies]
        for doc_id, chunk in self.store.best_chunks(query, missing).items():
            bodies[doc_id] = chunk.body
        return {doc_id: snippet(bodies.get(doc_id, ""), query) for doc_id in doc_ids}

    def _documents(self, query: str, retrieved: _Retrieved, limit: int) -> list[DocumentOut]:
        candidates = retrieved.documents[: limit * 4 + 20]
        rows = self.store.documents([d.document_id for d in candidates])
        chosen = [
            d
            for d in candidates
            if d.document_id in rows and rows[d.document_id].kind != DocumentKind.BIO
        ][:limit]
        snippets = self._snippets(query, retrieved, [d.document_id for d in chosen])
        return [
            DocumentOut(
                id=d.document_id,
                title=rows[d.document_id].title,
                kind=rows[d.document_id].kind,
                url=rows[d.document_id].url,
                score=round(d.score, 6),
                snippet=snippets[d.document_id],
            )
            for d in chosen
        ]

    def close(self) -> None:
        self.store.close()


def ranking_config(settings: Settings) -> RankingConfig:
    """The ranking's defaults with the half-lives the settings override."""
    overrides = {
        name: value
        for name in ("evidence_half_life_days", "activity_half_life_days")
        if (value := getattr(settings, name)) is not None
    }
    return replace(RankingConfig(), **overrides)


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
