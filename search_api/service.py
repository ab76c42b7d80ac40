"""One query end to end: embed, retrieve, fuse, rank, attach evidence. Used by CLI and HTTP."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime

from embeddings.base import Embedder
from indexer.access import may_see
from indexer.config import Settings
from indexer.errors import WhoKnowsError
from indexer.models import DocumentKind
from indexer.state import HiddenPerson, current_ids
from indexer.store import IndexHome, open_home
from indexer.store.backend import HiddenList
from indexer.store.base import ChunkRow, Store
from search_api.ranking import (
    ACTIVITY_ROLES,
    RankedPerson,
    RankingConfig,
    ScoredChunk,
    ScoredDocument,
    combine_documents,
    explain,
    rank_people,
    score_documents,
    snippet,
    with_activity_prior,
)
from search_api.schemas import AskResponse, DocumentOut, EvidenceOut, PersonOut

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 100


class QueryError(WhoKnowsError):
    """The query or its parameters are not acceptable."""


MAX_CACHED_NOWS = 256
"""Group sets whose "now" is kept per generation (callers choose groups: bound the cache)."""


@dataclass(frozen=True)
class _Loaded:
    """One generation of the index, as loaded: requests pin one for their whole run."""

    store: Store
    now: datetime | None
    _nows: dict[frozenset[str], datetime | None] = field(default_factory=dict)

    def now_for(self, groups: Collection[str] | None) -> datetime | None:
        """The index's "now" as a caller in ``groups`` may know it (their newest visible work).

        Computed from visible contributions only, so restricted activity never
        moves the recency an outsider's ranking is measured from.
        """
        if groups is None:
            return self.now
        key = frozenset(groups)
        if key in self._nows:
            return self._nows[key]
        now = self.store.latest_activity(ACTIVITY_ROLES, key)
        if len(self._nows) >= MAX_CACHED_NOWS:
            self._nows.clear()
        self._nows[key] = now
        return now


@dataclass(frozen=True)
class _Retrieved:
    loaded: _Loaded
    chunks: dict[int, ChunkRow]
    documents: list[ScoredDocument]

    @property
    def store(self) -> Store:
        return self.loaded.store


class SearchService:
    """Answers queries over one loaded index. Create once per process; it holds the model.

    Given the ``home`` it was opened from, it follows re-indexes: :meth:`reload`
    (called by the watcher thread :meth:`watch` starts) loads a new generation
    beside the served one and switches when it is ready, so no request waits.
    ``state`` holds the people hidden from results (opted out or left); the service
    closes it with itself.
    """

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        config: RankingConfig | None = None,
        max_query_chars: int = MAX_QUERY_CHARS,
        home: IndexHome | None = None,
        state: HiddenList | None = None,
        max_parallel: int | None = None,
    ) -> None:
        self.embedder = embedder
        self.config = config or RankingConfig()
        self.max_query_chars = max_query_chars
        self._loaded = self._load(store)
        self._home = home
        self.state = state
        self._reload_lock = threading.Lock()
        self._skipped: str | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        # More searches at once than cores only trade the GIL back and forth: on 2 cores, 8
        # parallel requests gave 65 req/s unbounded and 104 req/s with 2 slots.
        self._slots = threading.BoundedSemaphore(max_parallel or os.cpu_count() or 1)
        self._hidden: tuple[tuple[int, str, tuple[HiddenPerson, ...]], frozenset[str]] | None = None

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SearchService:
        """Load the model (unless given) and the live index of the settings' index home.

        People hidden in the data directory's ``state.db`` are left out of every answer.
        """
        home = open_home(settings)
        store = home.open_current()
        if embedder is None:
            from embeddings.factory import load_embedder

            embedder = load_embedder(settings, query_cache=True)
        return cls(
            store,
            embedder,
            config=ranking_config(settings),
            home=home,
            state=home.open_hidden(),
        )

    def hidden_people(self, store: Store | None = None) -> frozenset[str]:
        """Ids of the people left out of every answer, in ``store`` (default: the served one).

        A hidden person is found by the id they were hidden under and by every
        identity they were hidden with, so a re-index that changes their id does
        not bring them back. Cached until the list or the generation changes.
        """
        if self.state is None:
            return frozenset()
        store = store or self.store
        entries = self.state.entries()
        key = (id(store), store.generation, entries)  # the entries themselves: no stale race
        cached = self._hidden
        if cached is not None and cached[0] == key:
            return cached[1]
        covered = current_ids(entries, store)
        self._remember_identities(entries, covered, store)
        hidden = frozenset(e.person_id for e in entries).union(*covered.values())
        self._hidden = (key, hidden)
        return hidden

    def _remember_identities(
        self, entries: tuple[HiddenPerson, ...], covered: dict[str, set[str]], store: Store
    ) -> None:
        """Add to each entry the identities its people carry now.

        The set grows with every generation the person is still found in, so hiding
        follows them even when the records they were hidden by go (they leave, and only
        a record added after the hiding remains). Entries hidden by id alone get theirs.
        """
        assert self.state is not None
        for entry in entries:
            people = covered.get(entry.person_id, set()) or {entry.person_id}
            identities = {i for person in people for i in store.person_identities(person)}
            if not identities.issubset(entry.identities):
                self.state.hide(entry.person_id, identities=identities)

    @property
    def store(self) -> Store:
        """The generation being served now."""
        return self._loaded.store

    def _load(self, store: Store) -> _Loaded:
        store.check_ready(self.embedder.model_id, self.embedder.dim)
        return _Loaded(store, store.latest_activity(ACTIVITY_ROLES))

    def reload(self) -> bool:
        """Switch to the data directory's current generation if it changed; True when it did.

        The new generation is opened, checked and warmed by a query before the
        switch; requests keep using the one they started with. One that fails to
        load is logged once and skipped; the served one stays.
        """
        if self._home is None:
            return False
        with self._reload_lock:
            try:
                name = self._home.current()
            except WhoKnowsError as exc:
                logger.warning("kept generation %r: %s", self.store.generation, exc)
                return False
            if name is None or name == self.store.generation or name == self._skipped:
                return False
            store: Store | None = None
            try:
                store = self._home.open_current()
                loaded = self._load(store)
                self._run(loaded, "warm up", 1, 1, False, None)
            except (WhoKnowsError, OSError, RuntimeError) as exc:
                logger.warning(
                    "kept generation %r: generation %r is unusable (%s)",
                    self.store.generation,
                    name,
                    exc,
                )
                self._skipped = name
                if store is not None:
                    store.close()
                return False
            self._loaded = loaded  # the old one closes when its last request lets go
            logger.info("now serving generation %s", store.generation)
            return True

    def watch(self, interval: float) -> None:
        """Check for a new generation every ``interval`` seconds in a background thread."""
        if self._home is None or interval <= 0 or self._watcher is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.reload()
                except Exception:  # noqa: BLE001 - the watcher must outlive any one failure
                    logger.exception("checking for a new generation failed; retrying")

        self._watcher = threading.Thread(target=loop, name="whoknows-reload", daemon=True)
        self._watcher.start()

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
        loaded = self._loaded  # pinned: a switch mid-request does not mix generations
        with self._slots:
            return self._run(loaded, query, people_limit, documents_limit, include_inactive, groups)

    def _run(
        self,
        loaded: _Loaded,
        query: str,
        people_limit: int,
        documents_limit: int,
        include_inactive: bool,
        groups: Collection[str] | None,
    ) -> AskResponse:
        retrieved = self._retrieve(loaded, query, groups)
        people = (
            self._people(query, retrieved, people_limit, include_inactive, groups)
            if people_limit
            else []
        )
        documents = self._documents(query, retrieved, documents_limit) if documents_limit else []
        return AskResponse(query=query, people=people, documents=documents)

    def _retrieve(self, loaded: _Loaded, query: str, groups: Collection[str] | None) -> _Retrieved:
        config = self.config
        store = loaded.store
        vector = self.embedder.encode_queries([query])[0]
        dense = store.search_dense(vector, config.dense_chunks)
        chunks = store.chunks([chunk_id for chunk_id, _ in dense])
        dense_docs = score_documents(
            ScoredChunk(chunk_id, chunks[chunk_id].document_id, score)
            for chunk_id, score in dense
            if chunk_id in chunks
        )
        # restricted documents are dropped below: fetch more so outsiders still get top_k
        lexical_limit = config.top_k if groups is None else config.top_k * 3
        lexical = store.search_documents_lexical(query, lexical_limit)
        if groups is not None:
            hidden = _restricted(
                store, {d.document_id for d in dense_docs} | {d for d, _ in lexical}, groups
            )
            dense_docs = [d for d in dense_docs if d.document_id not in hidden]
            lexical = [(d, s) for d, s in lexical if d not in hidden]
        return _Retrieved(loaded, chunks, combine_documents(dense_docs, lexical, config))

    def _people(
        self,
        query: str,
        retrieved: _Retrieved,
        limit: int,
        include_inactive: bool,
        groups: Collection[str] | None,
    ) -> list[PersonOut]:
        store = retrieved.store
        doc_ids = [d.document_id for d in retrieved.documents]
        hidden = self.hidden_people(store)
        contributions = [c for c in store.contributions_to(doc_ids) if c.person_id not in hidden]
        # as the caller may see them: a person with no visible record does not exist for them
        people = store.people(sorted({c.person_id for c in contributions}), groups=groups)
        contributions = [c for c in contributions if c.person_id in people]
        exclude = [] if include_inactive else [p.id for p in people.values() if not p.active]
        ranked = rank_people(
            retrieved.documents,
            contributions,
            exclude=exclude,
            config=self.config,
            now=retrieved.loaded.now_for(groups),
        )
        ranked = [
            p for p in self._with_activity(retrieved, ranked, groups) if p.person_id in people
        ][:limit]
        shown = sorted({e.document_id for p in ranked for e in p.evidence})
        docs = store.documents(shown)
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
                    why=explain(person, titles, query),
                    evidence=evidence,
                )
            )
        return out

    def _with_activity(
        self, retrieved: _Retrieved, ranked: list[RankedPerson], groups: Collection[str] | None
    ) -> list[RankedPerson]:
        """Apply the recent-activity prior (see ``ranking.activity_prior``).

        Only activity on documents the caller may see counts, so hidden work
        neither lifts a person nor shows through their score.
        """
        now = retrieved.loaded.now_for(groups)
        if self.config.activity_weight == 0 or now is None or not ranked:
            return ranked
        times = retrieved.store.activity_times(
            [p.person_id for p in ranked], self.config.prior_roles, groups
        )
        return with_activity_prior(ranked, times, now, self.config)

    def _snippets(self, query: str, retrieved: _Retrieved, doc_ids: list[str]) -> dict[str, str]:
        """A snippet per document from its best dense chunk, else its best lexical chunk."""
        best = {d.document_id: d.best_chunk for d in retrieved.documents}
        bodies = {
            doc_id: retrieved.chunks[best[doc_id]].body  # type: ignore[index]
            for doc_id in doc_ids
            if best.get(doc_id) in retrieved.chunks
        }
        missing = [doc_id for doc_id in doc_ids if doc_id not in bodies]
        for doc_id, chunk in retrieved.store.best_chunks(query, missing).items():
            bodies[doc_id] = chunk.body
        return {doc_id: snippet(bodies.get(doc_id, ""), query) for doc_id in doc_ids}

    def _documents(self, query: str, retrieved: _Retrieved, limit: int) -> list[DocumentOut]:
        candidates = retrieved.documents[: limit * 4 + 20]
        rows = retrieved.store.documents([d.document_id for d in candidates])
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
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.store.close()
        if self.state is not None:
            self.state.close()


def _restricted(store: Store, document_ids: set[str], groups: Collection[str]) -> set[str]:
    """The documents restricted to groups the caller is in none of."""
    restricted = store.access_groups(sorted(document_ids))
    return {d for d, needed in restricted.items() if not may_see(needed, groups)}


def ranking_config(settings: Settings) -> RankingConfig:
    """The ranking's defaults with the half-lives and prior weight the settings override."""
    overrides = {
        name: value
        for name in ("evidence_half_life_days", "activity_half_life_days", "activity_weight")
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
