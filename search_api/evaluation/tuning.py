"""Tune the ranking on validation blocks: retrieve once, re-rank many settings.

Each block's training part is indexed once into a cache folder and every query
is retrieved once (dense chunks, BM25 documents). A setting is then scored by
re-ranking the cached candidates with the same pure functions the service uses
(:mod:`search_api.ranking`), so a grid of hundreds of settings costs seconds per
setting instead of a full evaluation each. ``check_against_eval`` proves the
re-ranking equals ``whoknows eval``'s ``default`` before any figure is trusted.

Only knobs that act after retrieval can be tuned this way (:data:`TUNABLE`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from embeddings.base import Embedder
from indexer.models import SourceSpec
from indexer.store import folder_store
from indexer.store.base import ContributionRow
from search_api.evaluation.metrics import QueryResult, distance_closed, evaluate, pooled
from search_api.evaluation.runner import (
    DOCS_PER_QUERY,
    PEOPLE_PER_QUERY,
    Task,
    build_index,
    prepare_stackexchange,
    prepare_wiki,
    score_methods,
)
from search_api.ranking import (
    ACTIVITY_ROLES,
    RankingConfig,
    ScoredChunk,
    combine_documents,
    rank_people,
    score_documents,
    with_activity_prior,
)

logger = logging.getLogger(__name__)

METRICS = ("mrr", "ndcg@10")
"""The metrics of the issue's targets."""
BASELINES = ("popularity", "bm25", "dense")
TUNABLE = frozenset(
    {
        "alpha",
        "tau",
        "top_k",
        "vote_bonus",
        "commit_bonus",
        "activity_weight",
        "activity_half_life_days",
        "evidence_half_life_days",
        "evidence_floor",
    }
)
"""Settings the cache can honour: everything after retrieval, except the prior's roles."""


class TuningError(ValueError):
    """A grid or a cache that cannot give trustworthy figures."""


@dataclass(frozen=True)
class CachedQuery:
    """One query's retrieval, as the service would get it, and its judgements."""

    text: str
    dense: list[ScoredChunk]
    lexical: list[tuple[str, float]]
    relevant: dict[str, int]


@dataclass(frozen=True)
class Block:
    """One dataset's block: its queries and what ranking them needs from the index."""

    name: str
    dataset: str
    group: str
    queries: list[CachedQuery]
    contributions: dict[str, list[ContributionRow]]
    inactive: frozenset[str]
    candidates: frozenset[str]
    prior_times: dict[str, list[datetime]]
    now: datetime | None
    baselines: dict[str, dict[str, float]]
    """``whoknows eval``'s metrics of popularity, bm25, dense and default on this block."""


def datasets(data: Path, block: str) -> Iterator[tuple[str, str, list[SourceSpec], Task]]:
    """``(name, group, sources, task)`` of every dataset in ``data`` for ``block``."""
    for site in sorted(p for p in (data / "stackexchange").iterdir() if p.is_dir()):
        specs, task = prepare_stackexchange(site, block)
        yield site.name, "stackexchange", specs, task
    specs, task = prepare_wiki(data / "wiki" / "sourcegraph-handbook", block)
    yield "handbook", "handbook", specs, task


def load_block(
    cache: Path,
    embedder: Embedder,
    name: str,
    group: str,
    specs: list[SourceSpec],
    task: Task,
    block: str,
) -> Block:
    """Index the block's training part into ``cache`` (once) and retrieve every query."""
    folder = cache / f"{name}-{block}"
    if not (folder / "vectors" / "manifest.json").exists():  # else built by an earlier run
        logger.info("indexing %s %s into %s", name, block, folder)
        store = folder_store(folder, create=True)
        try:
            build_index(store, embedder, specs, None)
        finally:
            store.close()
    store = folder_store(folder)
    try:
        store.check_ready(embedder.model_id, embedder.dim)
        baselines = score_methods(store, embedder, task, (*BASELINES, "default"))
        ids = store.person_ids(task.source)
        config = RankingConfig()
        queries: list[CachedQuery] = []
        doc_ids: set[str] = set()
        for qid, text in task.queries.items():
            vector = embedder.encode_queries([text])[0]  # one at a time, as the service does
            hits = store.search_dense(vector, config.dense_chunks)
            chunks = store.chunks([c for c, _ in hits])
            dense = [ScoredChunk(c, chunks[c].document_id, s) for c, s in hits if c in chunks]
            lexical = store.search_documents_lexical(text, DOCS_PER_QUERY)
            relevant = {ids[k]: g for k, g in task.relevant[qid].items() if k in ids}
            queries.append(CachedQuery(text, dense, lexical, relevant))
            doc_ids |= {c.document_id for c in dense} | {d for d, _ in lexical}
        contributions: dict[str, list[ContributionRow]] = {}
        for row in store.contributions_to(sorted(doc_ids)):
            contributions.setdefault(row.document_id, []).append(row)
        people = store.people(
            sorted({r.person_id for rs in contributions.values() for r in rs}), groups=None
        )
        return Block(
            name=f"{name}:{block}",
            dataset=name,
            group=group,
            queries=queries,
            contributions=contributions,
            inactive=frozenset(p for p, row in people.items() if not row.active),
            candidates=frozenset(ids[k] for k in task.candidates if k in ids),
            prior_times=store.activity_times(sorted(people), config.prior_roles),
            now=store.latest_activity(ACTIVITY_ROLES),
            baselines=baselines,
        )
    finally:
        store.close()


def check_config(config: RankingConfig) -> None:
    """Refuse settings the cache cannot honour (see :data:`TUNABLE`)."""
    defaults = RankingConfig()
    changed = {
        name
        for name in ("fusion", "dense_chunks", "prior_roles", "fresh_roles")
        if getattr(config, name) != getattr(defaults, name)
    }
    if changed:
        raise TuningError(f"cannot tune {', '.join(sorted(changed))} on cached retrieval")
    if not 1 <= config.top_k <= DOCS_PER_QUERY:
        raise TuningError(
            f"top_k must be 1 to {DOCS_PER_QUERY} (what is cached), got {config.top_k}"
        )


def rank(block: Block, query: CachedQuery, config: RankingConfig) -> list[str]:
    """The people ``SearchService.search`` returns (ids, best first) from the cached retrieval."""
    documents = combine_documents(
        score_documents(query.dense), query.lexical[: config.top_k], config
    )
    rows = [r for d in documents for r in block.contributions.get(d.document_id, ())]
    ranked = rank_people(documents, rows, exclude=block.inactive, config=config, now=block.now)
    ranked = with_activity_prior(ranked, block.prior_times, block.now, config)
    return [p.person_id for p in ranked][:PEOPLE_PER_QUERY]


def metrics(block: Block, config: RankingConfig) -> dict[str, float]:
    """The block's metrics of ``config``, ranked among the protocol's candidates."""
    results = []
    for i, query in enumerate(block.queries):
        ranking = [p for p in rank(block, query, config) if p in block.candidates]
        results.append(QueryResult(str(i), ranking, query.relevant))
    return evaluate(results)


def check_against_eval(blocks: Sequence[Block]) -> None:
    """Raise unless re-ranking with the defaults gives ``whoknows eval``'s default metrics."""
    for block in blocks:
        mine = metrics(block, RankingConfig())
        real = block.baselines["default"]
        if any(abs(mine[m] - real[m]) > 1e-9 for m in mine):
            raise TuningError(f"{block.name}: re-ranking gives {mine}, whoknows eval {real}")


@dataclass(frozen=True)
class Score:
    """How one setting does on the pooled blocks."""

    smallest_gain: float
    """The smallest of the relative gains over b (the figure of merit)."""
    figures: dict[str, float]
    """``"<group> <metric>"``: default's value; ``... b``: b; ``... gain``: the gain."""
    margin: float
    """The worst difference between default and a baseline on one dataset (all blocks pooled)."""


def score(blocks: Sequence[Block], config: RankingConfig) -> Score:
    """Relative gains over b, the better of bm25 and popularity, with queries pooled per group.

    Groups: every Stack Exchange site and block together; the handbook's blocks together.
    """
    mine = {b.name: metrics(b, config) for b in blocks}

    def pool(members: Sequence[Block], method: str | None) -> dict[str, float]:
        return pooled(
            [
                (len(b.queries), mine[b.name] if method is None else b.baselines[method])
                for b in members
            ]
        )

    margin = math.inf
    for dataset in sorted({b.dataset for b in blocks}):
        members = [b for b in blocks if b.dataset == dataset]
        default = pool(members, None)
        for baseline in BASELINES:
            other = pool(members, baseline)
            margin = min(margin, *(default[m] - other[m] for m in METRICS))
    figures: dict[str, float] = {}
    smallest = math.inf
    for group in sorted({b.group for b in blocks}):
        members = [b for b in blocks if b.group == group]
        default = pool(members, None)
        baselines = {m: pool(members, m) for m in ("popularity", "bm25")}
        for metric in METRICS:
            b = max(values[metric] for values in baselines.values())
            gain = distance_closed(default[metric], b)
            smallest = min(smallest, gain)
            figures[f"{group} {metric}"] = default[metric]
            figures[f"{group} {metric} b"] = b
            figures[f"{group} {metric} gain"] = gain
    return Score(smallest, figures, margin)
