"""Sources -> documents, people and contributions -> chunks -> embeddings -> store and vectors.

A run is incremental: documents whose content hash is unchanged are left
alone, changed and new ones are chunked again, and only chunk texts with no
cached vector for the model are embedded. After the run the index holds
exactly the sources given; a source that fails to read keeps its previous
state and makes the run fail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Protocol

from embeddings.base import Embedder
from indexer.access import record_groups
from indexer.chunking import chunk_document
from indexer.connectors import get_reader
from indexer.errors import SourceError, TooManyRejectedError
from indexer.faults import failpoint
from indexer.identity import resolve
from indexer.models import (
    Contribution,
    Document,
    DocumentKind,
    PersonRecord,
    Rejected,
    Role,
    SourceSpec,
)
from indexer.store.base import IndexStats, SourceUpdate, Store, StoredChunk

logger = logging.getLogger(__name__)

EMBED_BATCH = 256
DOCUMENT_BATCH = 500
"""Documents chunked, embedded and written together while a source streams."""
CHUNKING_KEY = "chunking"
"""Meta key of the model and chunk settings the stored chunks were made with."""


class ProgressTask(Protocol):
    """One progress bar."""

    def advance(self, amount: int = 1) -> None: ...


class Progress(Protocol):
    """Where the pipeline reports long work; the CLI draws bars, tests pass nothing."""

    def task(self, description: str, total: int | None) -> AbstractContextManager[ProgressTask]: ...


class _NoTask:
    def advance(self, amount: int = 1) -> None:
        return None


class NoProgress:
    """A :class:`Progress` that shows nothing."""

    def task(self, description: str, total: int | None) -> AbstractContextManager[ProgressTask]:
        return nullcontext(_NoTask())


@dataclass
class SourceSummary:
    """What one run did to one source."""

    name: str
    kind: str
    path: str
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    people: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    error: str | None = None
    incomplete: bool = False
    """A file of the source was cut short: nothing was deleted, and the run fails."""


@dataclass
class IndexSummary:
    """What one run did, for the CLI's report and its exit code."""

    sources: list[SourceSummary] = field(default_factory=list)
    removed_sources: list[str] = field(default_factory=list)
    embedded: int = 0
    ambiguities: list[str] = field(default_factory=list)
    stats: IndexStats | None = None
    seconds: float = 0.0
    generation: str | None = None
    """The generation the run built and switched to (``None``: built in place, or a dry run)."""
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(s.error or s.incomplete for s in self.sources)

    def totals(self) -> dict[str, int]:
        keys = ("added", "changed", "deleted", "unchanged")
        out = {key: sum(getattr(s, key) for s in self.sources) for key in keys}
        out["rejected"] = sum(len(s.rejected) for s in self.sources)
        return out


@dataclass
class _SourceStream:
    """What one source's stream keeps between documents."""

    spec: SourceSpec
    default_groups: tuple[str, ...]
    previous: dict[str, str]
    """Content hash of every stored document of the source, by document id."""
    seen: set[str] = field(default_factory=set)
    """Local ids of the documents read so far."""
    restricted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Access groups of the restricted documents read so far, by local id."""
    people: dict[str, PersonRecord] = field(default_factory=dict)
    contributions: list[Contribution] = field(default_factory=list)
    batch: dict[str, tuple[Document, str, list[StoredChunk]]] = field(default_factory=dict)


def content_hash(doc: Document) -> str:
    """A hash of everything stored for a document; equal hashes mean nothing to redo."""
    payload = json.dumps(
        [
            str(doc.kind),
            doc.title,
            doc.text,
            doc.url,
            doc.created.isoformat() if doc.created else None,
            doc.updated.isoformat() if doc.updated else None,
            sorted(doc.access_groups),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    """The key of a chunk text in the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def access_groups_option(spec: SourceSpec) -> tuple[str, ...]:
    """The source's ``access_groups`` rule: a group name or a list of them."""
    value = spec.options.get("access_groups", ())
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple) and all(isinstance(g, str) for g in value):
        return tuple(value)
    raise SourceError(
        f"source {spec.name}: option access_groups must be a group name or a list of names, "
        f"got {value!r}"
    )


def bio_document(record: PersonRecord, default_groups: tuple[str, ...] = ()) -> Document | None:
    """The searchable self-description of a person, or ``None`` when they wrote none."""
    parts = [record.bio.strip()]
    if record.skills:
        parts.append("Skills: " + ", ".join(record.skills))
    text = "\n\n".join(p for p in parts if p)
    if not text:
        return None
    title = record.name + (f", {record.title}" if record.title else "")
    return Document(
        id=f"bio/{record.key}",
        kind=DocumentKind.BIO,
        title=title,
        text=text,
        url=record.url,
        access_groups=record.groups or default_groups,
    )


class Indexer:
    """Runs indexing over a store with one embedding model."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        progress: Progress | None = None,
        max_errors: int | None = None,
    ) -> None:
        self.store = store
        self.max_errors = max_errors
        self.embedder = embedder
        self.chunk_tokens = min(chunk_tokens, embedder.max_tokens)
        self.chunk_overlap = chunk_overlap
        self.progress: Progress = progress or NoProgress()
        self._rechunk = False

    def run(self, specs: Sequence[SourceSpec]) -> IndexSummary:
        """Index exactly ``specs``; return what changed."""
        started = time.monotonic()
        summary = IndexSummary()
        chunking = self._chunking_key()
        self._rechunk = self.store.get_meta(CHUNKING_KEY) not in (None, chunking)
        if self._rechunk:
            logger.info("chunking settings changed: every document is chunked again")
        for spec in specs:
            summary.sources.append(self._index_source(spec, summary))
            self._check_rejected(summary)
        # chunks kept from earlier runs may lack vectors for this model (a model switch)
        summary.embedded += self._embed(self.store.unembedded_chunks(self.embedder.model_id))
        if not summary.failed:
            self.store.set_meta(CHUNKING_KEY, chunking)
        summary.removed_sources = self.store.remove_sources_except(s.name for s in specs)
        resolution = resolve(self.store.person_records())
        summary.ambiguities = resolution.ambiguities
        self.store.replace_people(resolution.people)
        with self.progress.task("Building vector index", None):
            self.store.build_vectors(self.embedder.model_id, self.embedder.dim)
        summary.stats = self.store.stats()
        summary.seconds = time.monotonic() - started
        return summary

    def _chunking_key(self) -> str:
        """What the stored chunks depend on: a change re-chunks every document."""
        return json.dumps(
            [self.embedder.model_id, self.chunk_tokens, self.chunk_overlap], ensure_ascii=False
        )

    def plan(self, specs: Sequence[SourceSpec]) -> IndexSummary:
        """What :meth:`run` would change: sources are read and compared, nothing is written."""
        started = time.monotonic()
        summary = IndexSummary(dry_run=True)
        chunking = self._chunking_key()
        self._rechunk = self.store.get_meta(CHUNKING_KEY) not in (None, chunking)
        for spec in specs:
            summary.sources.append(self._index_source(spec, summary, dry_run=True))
        names = {s.name for s in specs}
        summary.removed_sources = sorted(n for n in self.store.source_names() if n not in names)
        summary.stats = self.store.stats()
        summary.seconds = time.monotonic() - started
        return summary

    def _check_rejected(self, summary: IndexSummary) -> None:
        if self.max_errors is None:
            return
        rejected = [r for s in summary.sources for r in s.rejected]
        if len(rejected) > self.max_errors:
            raise TooManyRejectedError(
                f"{len(rejected)} records rejected, more than --max-errors {self.max_errors} "
                f"allows (first: {rejected[0]}); nothing was switched"
            )

    def _index_source(
        self, spec: SourceSpec, summary: IndexSummary, *, dry_run: bool = False
    ) -> SourceSummary:
        """Stream one source into the store in one transaction: all of it lands, or none."""
        result = SourceSummary(spec.name, spec.kind, spec.path)
        try:
            with self.store.source_transaction():
                self._stream(spec, result, summary, dry_run)
        except SourceError as exc:
            error = str(exc)
        except (OSError, ValueError, TypeError, KeyError, UnicodeError) as exc:
            error = f"the {spec.kind} connector failed on {spec.path}: {exc!r}"
        else:
            logger.info(
                "source %s: %d added, %d changed, %d deleted, %d unchanged, %d rejected",
                spec.name,
                result.added,
                result.changed,
                result.deleted,
                result.unchanged,
                len(result.rejected),
            )
            return result
        logger.info(
            "source %s (%s) failed: %s; its previous state is kept", spec.name, spec.kind, error
        )
        failed = SourceSummary(spec.name, spec.kind, spec.path, error=error)
        return failed

    def _stream(
        self, spec: SourceSpec, result: SourceSummary, summary: IndexSummary, dry_run: bool
    ) -> None:
        """Read, diff, chunk, embed and write a source in batches of documents.

        Memory holds one batch of documents, the ids seen, the people and the
        contributions: never the whole source, however big its export.
        """
        reader = get_reader(spec.kind)
        stream = _SourceStream(
            spec, access_groups_option(spec), self.store.document_hashes(spec.name)
        )
        with self.progress.task(f"Reading {spec.kind}:{spec.name}", None) as task:
            for record in reader(spec):
                if isinstance(record, Document):
                    self._document(stream, record, result, dry_run)
                elif isinstance(record, PersonRecord):
                    stream.people.setdefault(record.key, record)
                elif isinstance(record, Contribution):
                    stream.contributions.append(record)
                elif isinstance(record, Rejected):
                    result.rejected.append(record)
                task.advance()
                failpoint("read")
                if len(stream.batch) >= DOCUMENT_BATCH:
                    self._flush(stream, summary)
        for person in stream.people.values():
            bio = bio_document(person, stream.default_groups)
            if bio is not None and bio.id not in stream.seen:
                self._document(stream, bio, result, dry_run)
                stream.contributions.append(
                    Contribution(person.key, bio.id, Role.SELF_DECLARED, time=None)
                )
        people = self._people_with_groups(stream)
        result.people = len(people)
        result.incomplete = any(r.truncated for r in result.rejected)
        current = {f"{spec.name}/{local_id}" for local_id in stream.seen}
        deleted = [] if result.incomplete else [d for d in stream.previous if d not in current]
        result.deleted = len(deleted)
        if dry_run:
            return
        self._flush(stream, summary)
        contributions = [
            Contribution(
                c.person_key, f"{spec.name}/{c.document_id}", c.role, c.count, c.score, c.time
            )
            for c in stream.contributions
            if c.document_id in stream.seen and c.person_key in stream.people
        ]
        dropped = len(stream.contributions) - len(contributions)
        if dropped:
            logger.info(
                "source %s: %d contributions point at unknown people or documents",
                spec.name,
                dropped,
            )
        self.store.apply_source(
            SourceUpdate(
                name=spec.name,
                kind=spec.kind,
                path=spec.path,
                documents={},
                deleted=deleted,
                people=people,
                contributions=contributions,
            )
        )
        failpoint("write")

    @staticmethod
    def _people_with_groups(stream: _SourceStream) -> list[PersonRecord]:
        """The source's person records, each with the access groups it is visible to.

        A record is as visible as the documents it was found on (see
        :func:`indexer.access.record_groups`), so the author of a restricted page
        only is a restricted record, and every field merged from it stays hidden
        from callers outside those groups.
        """
        found_on: dict[str, list[tuple[str, ...]]] = {}
        for c in stream.contributions:
            if c.document_id in stream.seen:
                found_on.setdefault(c.person_key, []).append(
                    stream.restricted.get(c.document_id, ())
                )
        return [
            replace(
                person,
                groups=record_groups(
                    person.groups, found_on.get(person.key, ()), stream.default_groups
                ),
            )
            for person in stream.people.values()
        ]

    def _document(
        self, stream: _SourceStream, doc: Document, result: SourceSummary, dry_run: bool
    ) -> None:
        if doc.id in stream.seen:
            result.rejected.append(
                Rejected(stream.spec.path, f"id {doc.id}", "duplicate document id; first kept")
            )
            return
        stream.seen.add(doc.id)
        if stream.default_groups and not doc.access_groups:
            doc = replace(doc, access_groups=stream.default_groups)
        if doc.access_groups:
            stream.restricted[doc.id] = doc.access_groups
        doc_id = f"{stream.spec.name}/{doc.id}"
        digest = content_hash(doc)
        old = stream.previous.get(doc_id)
        if old == digest and not self._rechunk:
            result.unchanged += 1
            return
        if old is None:
            result.added += 1
        else:
            result.changed += 1
        if not dry_run:
            stream.batch[doc_id] = (doc, digest, self._chunks(doc_id, doc))

    def _flush(self, stream: _SourceStream, summary: IndexSummary) -> None:
        """Embed the batch's missing vectors, then write its documents and chunks."""
        if not stream.batch:
            return
        summary.embedded += self._embed(
            {c.text_hash: c.text for _, _, chunks in stream.batch.values() for c in chunks}
        )
        self.store.write_documents(stream.spec.name, stream.batch)
        stream.batch = {}

    def _chunks(self, doc_id: str, doc: Document) -> list[StoredChunk]:
        pieces = chunk_document(
            doc.title,
            doc.text,
            self.embedder.token_spans,
            max_tokens=self.chunk_tokens,
            overlap=self.chunk_overlap,
        )
        return [StoredChunk(doc_id, p.ordinal, p.text, p.body, text_hash(p.text)) for p in pieces]

    def _embed(self, by_hash: dict[str, str]) -> int:
        """Embed the texts with no cached vector for the model; return how many."""
        missing = sorted(self.store.missing_embeddings(self.embedder.model_id, by_hash))
        if not missing:
            return 0
        with self.progress.task("Embedding chunks", len(missing)) as task:
            for batch in _batched(missing, EMBED_BATCH):
                vectors = self.embedder.encode_passages([by_hash[h] for h in batch])
                self.store.put_embeddings(self.embedder.model_id, batch, vectors)
                task.advance(len(batch))
                failpoint("embed")
        return len(missing)


def _batched(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
