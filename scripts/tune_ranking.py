#!/usr/bin/env python3
"""Grid-search the ranking's knobs on the validation blocks of every dataset at once.

For each dataset in ../shared/data and each tuning block, the training part is
indexed once (kept under ``--cache``), every query is retrieved once, and then
each setting of the grid re-ranks the cached candidates with the same pure
functions the service uses (``search_api.ranking``). Queries are pooled over
blocks: all Stack Exchange sites and blocks together, the handbook's blocks
together. A setting's figure of merit is the smallest of its four relative
gains over b (the better of bm25 and popularity): pooled Stack Exchange MRR and
nDCG@10, handbook MRR and nDCG@10. The test block is never read.

Before the grid, the re-implementation is checked against the real
``default`` method of ``whoknows eval`` on every block (same metrics, or the
script stops).

Example::

    .venv/bin/python scripts/tune_ranking.py --data ../shared/data \\
        --blocks validation,validation-2,validation-3 --top 15
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path

from embeddings.base import Embedder
from embeddings.factory import load_embedder
from indexer.config import Settings
from indexer.store.base import ContributionRow
from indexer.store.sqlite import SQLiteStore
from search_api.evaluation.metrics import QueryResult, evaluate
from search_api.evaluation.runner import (
    Task,
    build_index,
    prepare_stackexchange,
    prepare_wiki,
    score_methods,
)
from search_api.evaluation.stackexchange import BLOCKS
from search_api.ranking import (
    ACTIVITY_ROLES,
    RankingConfig,
    ScoredChunk,
    activity_prior,
    apply_priors,
    combine_documents,
    rank_people,
    score_documents,
)

GRID = {
    "alpha": (0.1, 0.2, 0.3),
    "tau": (0.07, 0.1, 0.15, 0.2),
    "top_k": (20, 25, 30, 40),
    "activity_weight": (2.0, 3.0, 4.0, 5.0, 6.0),
    "activity_half_life_days": (7.0, 10.0, 14.0, 30.0),
}
MAX_LEXICAL = 100
PEOPLE_LIMIT = 100
"""As many people as ``whoknows eval`` asks the service for."""
METRICS = ("mrr", "ndcg@10")


@dataclass
class Query:
    """One query's cached retrieval and judgements."""

    dense: list[ScoredChunk]
    lexical: list[tuple[str, float]]
    relevant: dict[str, int]


@dataclass
class Block:
    """One dataset's block: its queries and what ranking them needs from the index."""

    name: str
    group: str
    queries: list[Query]
    contributions: dict[str, list[ContributionRow]]
    inactive: set[str]
    candidates: set[str]
    prior_times: dict[frozenset[str], dict[str, list[datetime]]]
    now: datetime | None
    baselines: dict[str, dict[str, float]]


def datasets(data: Path, block: str) -> Iterator[tuple[str, str, list, Task]]:
    for site in sorted(p for p in (data / "stackexchange").iterdir() if p.is_dir()):
        specs, task = prepare_stackexchange(site, block)
        yield site.name, "stackexchange", specs, task
    specs, task = prepare_wiki(data / "wiki" / "sourcegraph-handbook", block)
    yield "handbook", "handbook", specs, task


def load_block(
    cache: Path, embedder: Embedder, name: str, group: str, specs: list, task: Task, block: str
) -> Block:
    folder = cache / f"{name}-{block}"
    if not (folder / "vectors" / "manifest.json").exists():  # built by an earlier run
        print(f"indexing {name} {block} into {folder}", file=sys.stderr, flush=True)
        store = SQLiteStore(folder, create=True)
        build_index(store, embedder, specs, None)
        store.close()
    store = SQLiteStore(folder)
    try:
        store.check_ready(embedder.model_id, embedder.dim)
        baselines = score_methods(store, embedder, task, ("popularity", "bm25", "dense", "default"))
        ids = store.person_ids(task.source)
        config = RankingConfig()
        qids = list(task.queries)
        vectors = embedder.encode_queries([task.queries[q] for q in qids])
        queries, doc_ids = [], set()
        for qid, vector in zip(qids, vectors, strict=True):
            hits = store.search_dense(vector, config.dense_chunks)
            chunks = store.chunks([c for c, _ in hits])
            dense = [ScoredChunk(c, chunks[c].document_id, s) for c, s in hits if c in chunks]
            lexical = store.search_documents_lexical(task.queries[qid], MAX_LEXICAL)
            relevant = {ids[k]: g for k, g in task.relevant[qid].items() if k in ids}
            queries.append(Query(dense, lexical, relevant))
            doc_ids |= {c.document_id for c in dense} | {d for d, _ in lexical}
        contributions: dict[str, list[ContributionRow]] = {}
        for row in store.contributions_to(sorted(doc_ids)):
            contributions.setdefault(row.document_id, []).append(row)
        people = store.people(
            sorted({r.person_id for rows in contributions.values() for r in rows})
        )
        prior_roles = config.prior_roles
        return Block(
            name=f"{name}:{block}",
            group=group,
            queries=queries,
            contributions=contributions,
            inactive={p for p, row in people.items() if not row.active},
            candidates={ids[k] for k in task.candidates if k in ids},
            prior_times={prior_roles: store.activity_times(sorted(people), prior_roles)},
            now=store.latest_activity(ACTIVITY_ROLES),
            baselines=baselines,
        )
    finally:
        store.close()


def rank(block: Block, query: Query, config: RankingConfig) -> list[str]:
    """What ``SearchService.search`` returns for people, from the cached retrieval."""
    dense = score_documents(query.dense)
    documents = combine_documents(dense, query.lexical[: config.top_k], config)
    rows = [r for d in documents for r in block.contributions.get(d.document_id, ())]
    ranked = rank_people(documents, rows, exclude=block.inactive, config=config, now=block.now)
    if config.activity_weight and block.now is not None:
        times = block.prior_times[config.prior_roles]
        priors = {
            p.person_id: activity_prior(times[p.person_id], block.now, config)
            for p in ranked
            if p.person_id in times
        }
        ranked = apply_priors(ranked, priors)
    return [p.person_id for p in ranked][:PEOPLE_LIMIT]


def metrics(block: Block, config: RankingConfig) -> dict[str, float]:
    return evaluate(
        [
            QueryResult(
                str(i), [p for p in rank(block, q, config) if p in block.candidates], q.relevant
            )
            for i, q in enumerate(block.queries)
        ]
    )


def pooled(values: Sequence[tuple[int, dict[str, float]]]) -> dict[str, float]:
    total = sum(n for n, _ in values)
    return {m: sum(n * v[m] for n, v in values) / total for m in values[0][1]}


def gains(blocks: list[Block], config: RankingConfig) -> tuple[float, dict[str, float]]:
    """The smallest relative gain over b, each group's metrics, and the worst margin.

    The margin is the smallest difference, over datasets (pooled over blocks),
    metrics and baselines (popularity, bm25, dense), between default and a baseline:
    negative when some baseline beats the default somewhere.
    """
    out: dict[str, float] = {}
    smallest = math.inf
    mine = {b.name: metrics(b, config) for b in blocks}
    margin = math.inf
    for dataset in sorted({b.name.split(":")[0] for b in blocks}):
        members = [b for b in blocks if b.name.split(":")[0] == dataset]
        default = pooled([(len(b.queries), mine[b.name]) for b in members])
        for baseline in ("popularity", "bm25", "dense"):
            other = pooled([(len(b.queries), b.baselines[baseline]) for b in members])
            margin = min(margin, *(default[m] - other[m] for m in METRICS))
    out["margin"] = margin
    for group in ("stackexchange", "handbook"):
        members = [b for b in blocks if b.group == group]
        default = pooled([(len(b.queries), mine[b.name]) for b in members])
        for metric in METRICS:
            base = max(
                pooled([(len(b.queries), b.baselines[m]) for b in members])[metric]
                for m in ("popularity", "bm25")
            )
            gain = (default[metric] - base) / (1 - base)
            smallest = min(smallest, gain)
            out[f"{group} {metric}"] = default[metric]
            out[f"{group} {metric} gain"] = gain
    return smallest, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--blocks", default="validation,validation-2,validation-3")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "whoknows" / "tune")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--grid",
        type=json.loads,
        default={},
        help="values that replace the built-in grid's, e.g. '{\"activity_weight\": [4, 5]}'",
    )
    args = parser.parse_args()
    grid = {**GRID, **{k: tuple(v) for k, v in args.grid.items()}}
    unknown = set(grid) - {f.name for f in fields(RankingConfig)}
    if unknown:
        parser.error(f"--grid: no ranking setting named {', '.join(sorted(unknown))}")
    chosen = args.blocks.split(",")
    if "test" in chosen or not set(chosen) <= set(BLOCKS):
        parser.error(f"--blocks takes tuning blocks only: {', '.join(BLOCKS[1:])}")
    embedder = load_embedder(Settings())
    blocks = [
        load_block(args.cache, embedder, name, group, specs, task, block)
        for block in chosen
        for name, group, specs, task in datasets(args.data, block)
    ]
    for b in blocks:
        mine = metrics(b, RankingConfig())
        real = b.baselines["default"]
        if any(abs(mine[m] - real[m]) > 1e-9 for m in METRICS):
            print(f"{b.name}: re-ranking {mine} differs from whoknows eval {real}")
            return 1
    names = list(grid)
    results = []
    for values in itertools.product(*grid.values()):
        config = replace(RankingConfig(), **dict(zip(names, values, strict=True)))
        results.append((*gains(blocks, config), values))
    results.sort(key=lambda r: -r[0])
    current = gains(blocks, RankingConfig())
    header = [*names, "min gain", "SE MRR", "SE nDCG", "HB MRR", "HB nDCG", "margin"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    defaults = tuple(getattr(RankingConfig(), n) for n in names)
    for smallest, out, values in [*results[: args.top], (*current, defaults)]:
        cells = [f"{v:g}" for v in values] + [f"{smallest:.3f}"]
        cells += [f"{out[f'{g} {m}']:.3f}" for g in ("stackexchange", "handbook") for m in METRICS]
        cells.append(f"{out['margin']:+.3f}")
        print("| " + " | ".join(cells) + " |")
    print(f"\nlast row: the current defaults; {len(results)} settings, {len(blocks)} blocks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
