"""From scored chunks to scored documents and people with evidence. Pure: no I/O.

The first ranking is a document model: a person's score sums, over the
documents they contributed to, the document's retrieval score times a weight
for how they contributed (an accepted answer counts more than a comment).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from indexer.models import Role
from indexer.store.base import ContributionRow

ROLE_WEIGHTS: Mapping[str, float] = {
    Role.ACCEPTED_ANSWERER: 3.0,
    Role.ANSWERER: 1.5,
    Role.AUTHOR: 2.0,
    Role.EDITOR: 0.8,
    Role.SELF_DECLARED: 1.5,
    Role.ASKER: 0.3,
    Role.COMMENTER: 0.2,
}
"""How much one contribution of each role says about the contributor's expertise."""

EVIDENCE_PER_PERSON = 3


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its fused score."""

    chunk_id: int
    document_id: str
    score: float


@dataclass(frozen=True)
class ScoredDocument:
    """A document's score (its best chunk's) and that chunk."""

    document_id: str
    score: float
    best_chunk: int


@dataclass(frozen=True)
class Evidence:
    """One document that speaks for a person, and how."""

    document_id: str
    role: str
    score: float


@dataclass(frozen=True)
class RankedPerson:
    """A person's score and the evidence behind it, strongest first."""

    person_id: str
    score: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def score_documents(chunks: Iterable[ScoredChunk]) -> list[ScoredDocument]:
    """Score each document by its best chunk, best first (ties by document id)."""
    best: dict[str, ScoredChunk] = {}
    for chunk in chunks:
        current = best.get(chunk.document_id)
        if current is None or chunk.score > current.score:
            best[chunk.document_id] = chunk
    ranked = [ScoredDocument(c.document_id, c.score, c.chunk_id) for c in best.values()]
    ranked.sort(key=lambda d: (-d.score, d.document_id))
    return ranked


def contribution_weight(row: ContributionRow) -> float:
    """Weight of one contribution: its role, more for many commits/edits or a high vote score."""
    weight = ROLE_WEIGHTS.get(row.role, 0.5)
    if row.role in (Role.AUTHOR, Role.EDITOR) and row.count > 1:
        weight *= 1.0 + 0.25 * math.log(row.count)
    if row.role in (Role.ANSWERER, Role.ACCEPTED_ANSWERER) and row.score > 0:
        weight *= 1.0 + 0.2 * math.log1p(row.score)
    return weight


def rank_people(
    documents: Sequence[ScoredDocument],
    contributions: Iterable[ContributionRow],
    *,
    exclude: Iterable[str] = (),
    evidence_per_person: int = EVIDENCE_PER_PERSON,
) -> list[RankedPerson]:
    """Aggregate document scores into people, best first (ties by person id).

    A person who contributed to one document in several roles counts the
    strongest role only, so asking and then answering is not double-counted.
    """
    doc_score = {d.document_id: d.score for d in documents}
    skip = set(exclude)
    best: dict[tuple[str, str], Evidence] = {}
    for row in contributions:
        if row.person_id in skip or row.document_id not in doc_score:
            continue
        value = doc_score[row.document_id] * contribution_weight(row)
        key = (row.person_id, row.document_id)
        if key not in best or value > best[key].score:
            best[key] = Evidence(row.document_id, row.role, value)
    per_person: dict[str, list[Evidence]] = defaultdict(list)
    for (person_id, _), evidence in best.items():
        per_person[person_id].append(evidence)
    ranked = []
    for person_id, items in per_person.items():
        items.sort(key=lambda e: (-e.score, e.document_id))
        ranked.append(
            RankedPerson(person_id, sum(e.score for e in items), tuple(items[:evidence_per_person]))
        )
    ranked.sort(key=lambda p: (-p.score, p.person_id))
    return ranked


_WORD = re.compile(r"\w+", re.UNICODE)


def snippet(text: str, query: str, *, width: int = 240) -> str:
    """A window of ``text`` around the first query word it contains, cut at word boundaries.

    >>> snippet("alpha beta gamma delta epsilon zeta eta theta", "delta", width=20)
    '…delta epsilon…'
    """
    clean = " ".join(text.split())
    if len(clean) <= width:
        return clean
    lowered = clean.casefold()
    positions = [lowered.find(w.casefold()) for w in _WORD.findall(query) if len(w) > 2]
    hits = [p for p in positions if p >= 0]
    centre = min(hits) if hits else 0
    start = max(0, min(centre - width // 3, len(clean) - width))
    end = min(len(clean), start + width)
    if start > 0:
        start = clean.find(" ", start, centre + 1) + 1 or start
    if end < len(clean):
        cut = clean.rfind(" ", start, end)
        end = cut if cut > start else end
    piece = clean[start:end].strip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(clean) else "")
