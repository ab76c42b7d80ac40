"""The storage interface, one protocol per seam, and the rows they exchange.

A :class:`Store` is one generation of an index, made of four seams: the
:class:`DocumentStore` (documents, sources, chunks, people, contributions), the
:class:`LexicalIndex`, the :class:`DenseIndex` and the :class:`EmbeddingCache`.
Where indexes live, and how a new generation is built and published, is an
:class:`~indexer.store.backend.IndexHome`. Ranking, the API and the CLI talk
only to these; each backend is a package (:mod:`indexer.store.sqlite`, the
embedded default) implementing them, chosen by :func:`indexer.store.open_home`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from indexer.models import Contribution, Document, PersonRecord

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from indexer.identity import Person


@dataclass(frozen=True)
class StoredChunk:
    """A chunk ready to be written: its document, position, text and text hash."""

    document_id: str
    ordinal: int
    text: str
    body: str
    text_hash: str


@dataclass(frozen=True)
class ChunkRow:
    """A stored chunk as search sees it."""

    id: int
    document_id: str
    ordinal: int
    body: str


@dataclass(frozen=True)
class DocumentRow:
    """A stored document without its full text."""

    id: str
    source: str
    kind: str
    title: str
    url: str
    created: datetime | None
    updated: datetime | None
    access_groups: tuple[str, ...]


@dataclass(frozen=True)
class ContributionRow:
    """A resolved contribution: which person did what on which document."""

    person_id: str
    document_id: str
    role: str
    count: int
    score: int
    time: datetime | None


@dataclass(frozen=True)
class PersonRow:
    """A resolved person as stored."""

    id: str
    name: str
    aliases: tuple[str, ...]
    title: str
    team: str
    location: str
    bio: str
    skills: tuple[str, ...]
    active: bool
    url: str
    records: tuple[tuple[str, PersonRecord], ...] = ()
    """The merged ``(source, record)`` pairs when any is restricted (see ``Person.records``)."""


@dataclass(frozen=True)
class SourceUpdate:
    """Everything one source produced in one run, ready to replace its previous state.

    ``documents`` maps each changed or new document id to the document and its
    chunks; ``deleted`` lists ids that disappeared; unchanged documents are
    left as they are.
    """

    name: str
    kind: str
    path: str
    documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
    deleted: Sequence[str]
    people: Sequence[PersonRecord]
    contributions: Sequence[Contribution]


@dataclass(frozen=True)
class IndexStats:
    """Counts that describe a built index."""

    documents: int
    chunks: int
    people: int
    contributions: int
    vectors: int


class DocumentStore(Protocol):
    """Documents, sources, chunks, people and contributions: what search reads and ranks."""

    # --- writing (the indexer) ---
    def document_hashes(self, source: str) -> dict[str, str]:
        """Content hash of every stored document of ``source``, by document id."""
        ...

    def source_transaction(self) -> AbstractContextManager[object]:
        """A transaction around one source's writes: all of them land, or none (on error)."""
        ...

    def write_documents(
        self, source: str, documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
    ) -> None:
        """Replace or add documents of ``source`` with their chunks (a batch while streaming)."""
        ...

    def apply_source(self, update: SourceUpdate) -> None:
        """Write one source's new state: its documents, deletions, people and contributions."""
        ...

    def remove_sources_except(self, names: Iterable[str]) -> list[str]:
        """Drop every source not named, with its documents; return the dropped names."""
        ...

    def source_names(self) -> list[str]:
        """Names of the stored sources, sorted."""
        ...

    def person_records(self) -> list[tuple[str, PersonRecord]]:
        """All stored person records as ``(source, record)``."""
        ...

    def replace_people(self, people: Sequence[Person]) -> None:
        """Store the resolved people and point every contribution at them."""
        ...

    def get_meta(self, key: str) -> str | None:
        """A value the indexer keeps between runs (e.g. the chunking settings)."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Keep a value between runs."""
        ...

    # --- reading (search) ---
    def access_groups(self, document_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The access groups of those documents that are restricted (others are public)."""
        ...

    def activity_times(
        self,
        person_ids: Sequence[str],
        roles: Iterable[str],
        groups: Collection[str] | None = None,
    ) -> dict[str, list[datetime]]:
        """When each person contributed in one of ``roles`` (to documents ``groups`` may see)."""
        ...

    def latest_activity(
        self, roles: Iterable[str], groups: Collection[str] | None = None
    ) -> datetime | None:
        """The newest contribution time in one of ``roles`` (to documents ``groups`` may see).

        The index's notion of now, as a caller in ``groups`` may know it.
        """
        ...

    def person_ids(self, source: str) -> dict[str, str]:
        """Resolved person id of every person key of ``source``."""
        ...

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        """Chunks by id."""
        ...

    def documents(self, ids: Sequence[str]) -> dict[str, DocumentRow]:
        """Documents by id."""
        ...

    def contributions_to(self, document_ids: Sequence[str]) -> list[ContributionRow]:
        """Resolved contributions to the given documents."""
        ...

    def people(self, ids: Sequence[str], *, groups: Collection[str] | None) -> dict[str, PersonRow]:
        """People by id, as a caller in ``groups`` may see them (``None``: unrestricted).

        Each person's fields come only from the records the caller may see
        (:func:`indexer.identity.visible_person`); a person with none is left out.
        """
        ...

    def person_identities(self, person_id: str) -> list[str]:
        """What identifies a person across re-indexes: their strong aliases and record keys.

        Strong aliases are ``email:``/``github:``/``username:``/``slack:`` ones; record
        keys are ``record:<source>:<key>``. Ids may change when records merge anew;
        these follow the human.
        """
        ...

    def people_with_identities(self, identities: Collection[str]) -> dict[str, set[str]]:
        """The current person ids carrying each of ``identities`` (absent when none)."""
        ...

    def contributions_of(self, person_id: str) -> list[ContributionRow]:
        """Every resolved contribution of one person."""
        ...

    def records_of(self, person_id: str) -> list[tuple[str, PersonRecord]]:
        """The source records merged into one person, as ``(source, record)``."""
        ...

    def sources_of(self, person_id: str) -> list[tuple[str, str]]:
        """``(source name, kind)`` of every source that knows the person."""
        ...

    def sample_chunk(self) -> tuple[int, str, str] | None:
        """One stored chunk as ``(id, text, text hash)``, for probing a built index."""
        ...


class LexicalIndex(Protocol):
    """Full-text search over chunks and whole documents (BM25 or the backend's like)."""

    def search_lexical(self, query: str, limit: int) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores (higher is better) for ``query``, best first."""
        ...

    def search_documents_lexical(
        self, query: str, limit: int, *, kind: str | None = None
    ) -> list[tuple[str, float]]:
        """Document ids and BM25 scores over whole documents, best first."""
        ...

    def best_chunks(self, query: str, document_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """For each document, its chunk that best matches ``query`` lexically (else its first)."""
        ...


class DenseIndex(Protocol):
    """Nearest chunks by cosine, built from the embedding cache for one model."""

    def build_vectors(self, model_id: str, dim: int) -> int:
        """Rebuild the dense index from cached vectors of every chunk; return its size."""
        ...

    def check_ready(self, model_id: str, dim: int) -> None:
        """Raise a clear error unless the stored index was built for this model."""
        ...

    def built_at(self) -> str | None:
        """When the open index was built (ISO 8601), if known."""
        ...

    def search_dense(self, vector: npt.NDArray[np.float32], limit: int) -> list[tuple[int, float]]:
        """Chunk ids and cosine scores nearest to ``vector``, best first."""
        ...


class EmbeddingCache(Protocol):
    """Chunk vectors by ``(model id, text hash)``, kept across runs: nothing is embedded twice."""

    def missing_embeddings(self, model_id: str, hashes: Iterable[str]) -> set[str]:
        """The text hashes that have no cached vector for ``model_id``."""
        ...

    def put_embeddings(
        self, model_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        """Cache vectors by ``(model_id, text hash)``."""
        ...

    def unembedded_chunks(self, model_id: str) -> dict[str, str]:
        """Texts of stored chunks with no cached vector for ``model_id``, by text hash."""
        ...

    def embedding_of(self, model_id: str, text_hash: str) -> npt.NDArray[np.float32] | None:
        """The cached vector of one chunk text, if any."""
        ...


class Store(DocumentStore, LexicalIndex, DenseIndex, EmbeddingCache, Protocol):
    """Persistent state of one index (one generation): every seam, opened together."""

    @property
    def generation(self) -> str:
        """Which build of the index is open (``""`` when the backend has only one)."""
        ...

    def stats(self) -> IndexStats:
        """Counts of what is stored."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
