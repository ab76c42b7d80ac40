"""A tiny index written through the store's own writing methods, with hand-made unit vectors.

Three sources: ``wiki`` (three pages, one restricted to ``hr``), ``qa`` (one
question) and ``hr`` (two restricted person records, no documents). Ana is
``wiki:ana`` + ``qa:7`` (one email), Rita is the public ``wiki:rita`` + the
restricted ``hr:rita``, Sam only the restricted ``hr:sam``. Each chunk has a
word no other chunk has (``rollback``, ``kubectl``, ``autovacuum``, ``bands``,
``revision``) and a vector of dimension 4 picked so that inner products are exact.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from indexer.identity import resolve
from indexer.models import Contribution, Document, DocumentKind, PersonRecord, Role
from indexer.store.base import SourceUpdate, Store, StoredChunk

MODEL = "tiny-model"
DIM = 4

HELM = "wiki/helm"
VACUUM = "wiki/vacuum"
SALARIES = "wiki/salaries"
QUESTION = "qa/1"

ANA = "ana-f958c7"
RITA = "rita-a09126"
SAM = "sam-1707da"


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def chunk(document_id: str, ordinal: int, title: str, body: str) -> StoredChunk:
    """A chunk whose text is its document title and body; its hash names it (``wiki/helm#0``)."""
    return StoredChunk(document_id, ordinal, f"{title}: {body}", body, f"{document_id}#{ordinal}")


def document(doc: Document, *bodies: str) -> tuple[Document, str, list[StoredChunk]]:
    chunks = [chunk(doc.id, i, doc.title, body) for i, body in enumerate(bodies)]
    return doc, f"hash of {doc.id}", chunks


WIKI_DOCUMENTS = {
    HELM: document(
        Document(
            HELM,
            DocumentKind.WIKI,
            "Helm releases",
            "Roll back a Helm release with helm rollback. Check the pods with kubectl.",
            url="https://wiki.example/helm",
            created=at(1, 2, 9),
            updated=at(3, 4, 10),
        ),
        "Roll back a Helm release with helm rollback.",
        "Check the pods with kubectl.",
    ),
    VACUUM: document(
        Document(
            VACUUM,
            DocumentKind.WIKI,
            "Postgres vacuum",
            "Autovacuum removes dead tuples; vacuum by hand after a bulk delete.",
            url="https://wiki.example/vacuum",
        ),
        "Autovacuum removes dead tuples; vacuum by hand after a bulk delete.",
    ),
    SALARIES: document(
        Document(
            SALARIES,
            DocumentKind.WIKI,
            "Salary bands",
            "The bands of every level are reviewed each spring.",
            access_groups=("hr",),
        ),
        "The bands of every level are reviewed each spring.",
    ),
}

QA_DOCUMENTS = {
    QUESTION: document(
        Document(
            QUESTION,
            DocumentKind.QA,
            "Undo a Helm upgrade",
            "Which revision do I go back to after a failed upgrade?",
            url="https://qa.example/1",
        ),
        "Which revision do I go back to after a failed upgrade?",
    ),
}

WIKI_PEOPLE = [
    PersonRecord("wiki:ana", "Ana Kovač", ("email:ana@example.com",)),
    PersonRecord("wiki:rita", "Rita Ray", ("email:rita@example.com",)),
]
QA_PEOPLE = [PersonRecord("qa:7", "Ana Kovač", ("email:ana@example.com",), title="SRE")]
HR_PEOPLE = [
    PersonRecord(
        "hr:rita",
        "Rita Ray",
        ("email:rita@example.com",),
        title="HR partner",
        bio="Runs the salary reviews.",
        skills=("payroll",),
        groups=("hr",),
    ),
    PersonRecord(
        "hr:sam", "Sam Stone", ("email:sam@example.com",), title="Recruiter", groups=("hr",)
    ),
]

WIKI_CONTRIBUTIONS = [
    Contribution("wiki:ana", HELM, Role.AUTHOR, count=3, time=at(3, 4, 10)),
    Contribution("wiki:ana", VACUUM, Role.EDITOR),
    Contribution("wiki:ana", SALARIES, Role.EDITOR, count=2, time=at(6, 1)),
    Contribution("wiki:rita", SALARIES, Role.AUTHOR, time=at(5, 1, 8)),
]
QA_CONTRIBUTIONS = [Contribution("qa:7", QUESTION, Role.ANSWERER, score=5, time=at(4, 1, 12))]


SOURCES: dict[str, dict[str, object]] = {
    "wiki": {
        "kind": "wiki",
        "path": "/srv/wiki",
        "documents": WIKI_DOCUMENTS,
        "people": WIKI_PEOPLE,
        "contributions": WIKI_CONTRIBUTIONS,
    },
    "qa": {
        "kind": "stackexchange",
        "path": "/srv/qa.xml",
        "documents": QA_DOCUMENTS,
        "people": QA_PEOPLE,
        "contributions": QA_CONTRIBUTIONS,
    },
    "hr": {"kind": "bios", "path": "/srv/hr.yml", "documents": {}, "people": HR_PEOPLE},
}


SOURCES_DOCUMENTS = [*WIKI_DOCUMENTS.values(), *QA_DOCUMENTS.values()]
"""Every ``(document, content hash, chunks)`` of the tiny index."""


def update(name: str, **changes: object) -> SourceUpdate:
    """The tiny index's update of source ``name``, with ``changes`` to its fields."""
    fields: dict[str, object] = {"deleted": [], "contributions": [], **SOURCES[name], **changes}
    return SourceUpdate(name=name, **fields)  # type: ignore[arg-type]


VECTORS = {
    f"{HELM}#0": [1.0, 0.0, 0.0, 0.0],
    f"{HELM}#1": [0.0, 1.0, 0.0, 0.0],
    f"{VACUUM}#0": [0.0, 0.0, 1.0, 0.0],
    f"{SALARIES}#0": [0.0, 0.0, 0.0, 1.0],
    f"{QUESTION}#0": [0.6, 0.8, 0.0, 0.0],
}
"""The unit vector of every chunk, by text hash."""

WORDS = {
    f"{HELM}#0": (HELM, "rollback"),
    f"{HELM}#1": (HELM, "kubectl"),
    f"{VACUUM}#0": (VACUUM, "autovacuum"),
    f"{SALARIES}#0": (SALARIES, "bands"),
    f"{QUESTION}#0": (QUESTION, "revision"),
}
"""The document and the word only it has, of every chunk, by text hash."""


def vectors(*hashes: str) -> np.ndarray:
    return np.array([VECTORS[h] for h in hashes], dtype=np.float32)


def resolve_people(store: Store) -> None:
    """Resolve the stored person records into people, as the indexer does after its sources."""
    store.replace_people(resolve(store.person_records()).people)


def fill(store: Store, *, embed: bool = True) -> None:
    """Write the three sources, resolve people, and (with ``embed``) cache vectors and build."""
    for name in SOURCES:
        store.apply_source(update(name))
    resolve_people(store)
    if embed:
        store.put_embeddings(MODEL, list(VECTORS), vectors(*VECTORS))
        store.build_vectors(MODEL, DIM)


def chunk_ids(store: Store) -> dict[str, int]:
    """The stored id of every chunk of the tiny index, by text hash (found by its own word)."""
    out = {}
    for text_hash, (document_id, word) in WORDS.items():
        out[text_hash] = store.best_chunks(word, [document_id])[document_id].id
    return out
