"""From retrieved chunks and documents to scored documents and people. Pure: no I/O.

Documents score by a mix of dense and lexical relevance, normalised per query
so that the best document gets 1 from each signal: ``(1 - alpha) *
exp((cos - best_cos) / tau) + alpha * bm25 / best_bm25``. Only the top
``top_k`` documents count as evidence.

People follow the document model: a person's score sums, over those
documents, the document's score times a weight for how they contributed (an
accepted answer or authorship counts most, a comment least). The weights and
the mix were chosen on the validation blocks of the evaluation protocols
(docs/evaluation.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from indexer.models import Role
from indexer.store.base import ContributionRow
from search_api.retrieval import reciprocal_rank_fusion
from search_api.topics import shared_topic, topic_words

ROLE_WEIGHTS: Mapping[str, float] = {
    Role.ACCEPTED_ANSWERER: 1.0,
    Role.AUTHOR: 1.0,
    Role.ANSWERER: 0.6,
    Role.EDITOR: 0.5,
    Role.SELF_DECLARED: 0.3,
    Role.ASKER: 0.05,
    Role.COMMENTER: 0.05,
}
"""How much one contribution of each role says about the contributor's expertise."""


FRESHNESS_ROLES: frozenset[str] = frozenset(
    {Role.ANSWERER, Role.ACCEPTED_ANSWERER, Role.ASKER, Role.COMMENTER}
)
"""Roles of Q&A evidence, which ages (see ``RankingConfig.fresh_roles``)."""


@dataclass(frozen=True)
class RankingConfig:
    """The knobs of the ranking (defaults tuned on validation data, never on test data)."""

    fusion: str = "score"
    """``score``: normalised score mix (below); ``rrf``: reciprocal rank fusion (k=60)."""
    alpha: float = 0.2
    """Share of the lexical (BM25) signal in a document's score."""
    tau: float = 0.1
    """Temperature of the dense signal: how fast the score falls below the best cosine."""
    top_k: int = 30
    """How many documents count as evidence for people."""
    dense_chunks: int = 300
    """How many chunks dense search returns before they are grouped into documents.

    300 and 1000 give the same test and validation metrics (docs/performance.md) and
    300 costs a third of the rows and scoring per query."""
    vote_bonus: float = 0.2
    commit_bonus: float = 0.0
    activity_half_life_days: float = 10.0
    """Half-life of a contribution in a person's recent activity (the activity prior)."""
    prior_roles: frozenset[str] = frozenset({Role.ACCEPTED_ANSWERER, Role.ANSWERER})
    """The contributions that count as recent activity for the prior: answering.

    Who answered lately predicts who answers next; when someone last edited a wiki
    page does not say who knows its topic (counting authorship cost the handbook
    0.04 MRR and 0.07 nDCG@10 on validation), so authors get no prior and no penalty."""
    activity_weight: float = 4.0
    """Exponent of the activity prior; 0 turns it off."""
    evidence_half_life_days: float = 0.0
    """Freshness: a contribution's weight halves every so many days (0 = off, the default:
    on validation, ageing Q&A evidence helped the Stack Exchange sites, but it would make a
    two-year-old answer worth nothing, which the sample organisation's experts contradict)."""
    evidence_floor: float = 0.3
    """The share of a contribution's weight that never decays."""
    fresh_roles: frozenset[str] = FRESHNESS_ROLES
    """The roles whose evidence ages when freshness is on: conversations go stale, pages
    people wrote stay theirs (ageing authorship hurt the handbook on validation)."""


ACTIVITY_ROLES: frozenset[str] = frozenset({Role.ACCEPTED_ANSWERER, Role.ANSWERER, Role.AUTHOR})
"""Contributions whose newest time is the index's notion of now (ages count back from it)."""


EVIDENCE_PER_PERSON = 3


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with its fused score."""

    chunk_id: int
    document_id: str
    score: float


@dataclass(frozen=True)
class ScoredDocument:
    """A document's score and its best chunk, when one is known."""

    document_id: str
    score: float
    best_chunk: int | None


@dataclass(frozen=True)
class Evidence:
    """One document that speaks for a person, and how."""

    document_id: str
    role: str
    score: float


@dataclass(frozen=True)
class RankedPerson:
    """A person's score and the evidence behind it, strongest first.

    ``roles`` counts all their retrieved documents by their strongest role on
    each (``evidence`` shows only the first few).
    """

    person_id: str
    score: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    roles: tuple[tuple[str, int], ...] = ()


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


def combine_documents(
    dense: Sequence[ScoredDocument],
    lexical: Sequence[tuple[str, float]],
    config: RankingConfig = RankingConfig(),
) -> list[ScoredDocument]:
    """Mix dense (cosine) and lexical (BM25, higher is better) document scores, best first.

    Each signal is normalised so that its best document gets 1; a document
    missing from a list gets 0 from it. Returns the top ``config.top_k``.

    >>> dense = [ScoredDocument("a", 0.8, 1), ScoredDocument("b", 0.7, 2)]
    >>> mix = RankingConfig(alpha=0.5, tau=0.05)
    >>> [(d.document_id, round(d.score, 3)) for d in combine_documents(dense, [("b", 4.0)], mix)]
    [('b', 0.568), ('a', 0.5)]
    """
    scores: dict[str, float] = defaultdict(float)
    chunks: dict[str, int | None] = {}
    top_dense = sorted(dense, key=lambda d: -d.score)[: config.top_k]
    top_lexical = sorted(lexical, key=lambda d: -d[1])[: config.top_k]
    if config.fusion == "rrf":
        fused = reciprocal_rank_fusion([[(d.document_id, d.score) for d in top_dense], top_lexical])
        best_chunk = {d.document_id: d.best_chunk for d in top_dense}
        return [ScoredDocument(d, s, best_chunk.get(d)) for d, s in fused[: config.top_k]]
    if top_dense:
        best = top_dense[0].score
        for doc in top_dense:
            scores[doc.document_id] += (1 - config.alpha) * math.exp(
                (doc.score - best) / config.tau
            )
            chunks[doc.document_id] = doc.best_chunk
    if top_lexical and top_lexical[0][1] > 0 and config.alpha > 0:
        best = top_lexical[0][1]
        for doc_id, score in top_lexical:
            scores[doc_id] += config.alpha * max(score, 0.0) / best
            chunks.setdefault(doc_id, None)
    ranked = [ScoredDocument(d, s, chunks[d]) for d, s in scores.items()]
    ranked.sort(key=lambda d: (-d.score, d.document_id))
    return ranked[: config.top_k]


def contribution_weight(
    row: ContributionRow, config: RankingConfig = RankingConfig(), now: datetime | None = None
) -> float:
    """Weight of one contribution: its role, more for many commits/edits or a high vote score.

    With ``config.evidence_half_life_days`` and ``now``, older contributions weigh less.
    """
    weight = ROLE_WEIGHTS.get(row.role, 0.3)
    if (
        config.evidence_half_life_days > 0
        and now is not None
        and row.time is not None
        and row.role in config.fresh_roles
    ):
        age_days = max((now - row.time).total_seconds(), 0.0) / 86400
        decay = 0.5 ** (age_days / config.evidence_half_life_days)
        weight *= config.evidence_floor + (1 - config.evidence_floor) * decay
    if row.role in (Role.AUTHOR, Role.EDITOR) and row.count > 1:
        weight *= 1.0 + config.commit_bonus * math.log(row.count)
    if row.role in (Role.ANSWERER, Role.ACCEPTED_ANSWERER) and row.score > 0:
        weight *= 1.0 + config.vote_bonus * math.log1p(row.score)
    return weight


def rank_people(
    documents: Sequence[ScoredDocument],
    contributions: Iterable[ContributionRow],
    *,
    exclude: Iterable[str] = (),
    evidence_per_person: int = EVIDENCE_PER_PERSON,
    config: RankingConfig = RankingConfig(),
    now: datetime | None = None,
) -> list[RankedPerson]:
    """Aggregate document scores into people, best first (ties by person id).

    ``now`` (the newest activity in the index) ages contributions when the
    config asks for evidence freshness.

    A person who contributed to one document in several roles counts the
    strongest role only, so asking and then answering is not double-counted.
    """
    doc_score = {d.document_id: d.score for d in documents}
    skip = set(exclude)
    best: dict[tuple[str, str], Evidence] = {}
    for row in contributions:
        if row.person_id in skip or row.document_id not in doc_score:
            continue
        value = doc_score[row.document_id] * contribution_weight(row, config, now)
        key = (row.person_id, row.document_id)
        if key not in best or value > best[key].score:
            best[key] = Evidence(row.document_id, row.role, value)
    per_person: dict[str, list[Evidence]] = defaultdict(list)
    for (person_id, _), evidence in best.items():
        per_person[person_id].append(evidence)
    ranked = []
    for person_id, items in per_person.items():
        items.sort(key=lambda e: (-e.score, e.document_id))
        roles = Counter(e.role for e in items)
        ranked.append(
            RankedPerson(
                person_id,
                sum(e.score for e in items),
                tuple(items[:evidence_per_person]),
                tuple(sorted(roles.items())),
            )
        )
    ranked.sort(key=lambda p: (-p.score, p.person_id))
    return ranked


def activity_prior(
    times: Sequence[datetime], now: datetime, config: RankingConfig = RankingConfig()
) -> float:
    """How active a person has been lately: ``(1 + log1p(sum of 0.5 ** (age / half-life)))**w``.

    Ages are in days before ``now`` (the newest activity in the index), so a
    person who answered a lot last week weighs more than one who stopped a
    year ago; the log keeps prolific people from swamping topical fit.

    >>> from datetime import timedelta
    >>> now = datetime(2024, 1, 15)
    >>> config = RankingConfig(activity_half_life_days=14, activity_weight=3)
    >>> round(activity_prior([now, now - timedelta(days=14)], now, config), 3)
    7.037
    """
    if config.activity_weight == 0:
        return 1.0
    recent = sum(
        0.5 ** (max((now - t).total_seconds(), 0.0) / 86400 / config.activity_half_life_days)
        for t in times
    )
    return (1.0 + math.log1p(recent)) ** config.activity_weight


def with_activity_prior(
    ranked: Sequence[RankedPerson],
    times: Mapping[str, Sequence[datetime]],
    now: datetime | None,
    config: RankingConfig = RankingConfig(),
) -> list[RankedPerson]:
    """``ranked`` times each person's activity prior from their ``times``, sorted again.

    People without times keep their score; with weight 0 or no ``now`` nothing changes.
    """
    if config.activity_weight == 0 or now is None:
        return list(ranked)
    priors = {
        p.person_id: activity_prior(times[p.person_id], now, config)
        for p in ranked
        if p.person_id in times
    }
    return apply_priors(ranked, priors)


def explain(person: RankedPerson, titles: Mapping[str, str], query: str = "") -> str:
    """One sentence on why a person ranks, from their evidence.

    Answers are said to be about a word of the query that at least two of the
    answered titles share, else about "related" questions.

    >>> p = RankedPerson("ann", 1.0, (Evidence("d1", "author", 1.0),),
    ...                  (("accepted_answerer", 2), ("answerer", 2), ("author", 2)))
    >>> explain(p, {"d1": "Helm rollbacks"})
    "Answered 4 related questions (2 accepted); wrote 'Helm rollbacks' and 1 more page."
    >>> q = RankedPerson("bob", 1.0, (Evidence("q1", "answerer", 1.0),
    ...                  Evidence("q2", "accepted_answerer", 0.9)), (("accepted_answerer", 1),
    ...                  ("answerer", 1)))
    >>> explain(q, {"q1": "Staking rewards missing", "q2": "Pool staking fees"}, "staking pool")
    'Answered 2 questions about staking (1 accepted).'
    """
    counts = dict(person.roles)
    clauses = []
    answered = counts.get(Role.ANSWERER, 0) + counts.get(Role.ACCEPTED_ANSWERER, 0)
    if answered:
        accepted = counts.get(Role.ACCEPTED_ANSWERER, 0)
        answered_titles = [
            titles.get(e.document_id, "")
            for e in person.evidence
            if e.role in (Role.ANSWERER, Role.ACCEPTED_ANSWERER)
        ]
        topic = shared_topic(answered_titles, topic_words(query))
        noun = "question" if topic else "related question"
        about = f" about {topic}" if topic else ""
        clauses.append(
            f"answered {_plural(answered, noun)}{about}"
            + (f" ({accepted} accepted)" if accepted else "")
        )
    authored = counts.get(Role.AUTHOR, 0)
    if authored:
        first = next((e for e in person.evidence if e.role == Role.AUTHOR), None)
        title = titles.get(first.document_id, "") if first else ""
        if title:
            more = f" and {_plural(authored - 1, 'more page')}" if authored > 1 else ""
            clauses.append(f"wrote '{title}'{more}")
        else:
            clauses.append(f"wrote {_plural(authored, 'related page')}")
    for role, noun, verb in (
        (Role.EDITOR, "related page", "edited"),
        (Role.SELF_DECLARED, "", "lists it in their profile"),
        (Role.ASKER, "related question", "asked"),
        (Role.COMMENTER, "related thread", "commented on"),
    ):
        if counts.get(role) and len(clauses) < 2:
            clauses.append(f"{verb} {_plural(counts[role], noun)}" if noun else verb)
    sentence = "; ".join(clauses[:2])
    return (sentence[:1].upper() + sentence[1:] + ".") if sentence else ""


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def apply_priors(ranked: Sequence[RankedPerson], priors: Mapping[str, float]) -> list[RankedPerson]:
    """Multiply each person's score by their prior (1 when unknown) and sort again."""
    rescored = [replace(p, score=p.score * priors.get(p.person_id, 1.0)) for p in ranked]
    rescored.sort(key=lambda p: (-p.score, p.person_id))
    return rescored


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
