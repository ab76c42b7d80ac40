#!/usr/bin/env python3
"""Grid-search the ranking's knobs on the validation blocks of every dataset at once.

For each dataset in ../shared/data and each tuning block, the training part is
indexed once (kept under ``--cache``) and every query retrieved once; each
setting of the grid then re-ranks the cached candidates with the service's own
ranking functions (search_api/evaluation/tuning.py). Queries are pooled: all
Stack Exchange sites and blocks together, the handbook's blocks together. A
setting's figure of merit is the smallest of its four relative gains over b
(the better of bm25 and popularity): pooled Stack Exchange MRR and nDCG@10,
handbook MRR and nDCG@10. The margin column is the worst difference between
default and any baseline on a single dataset. The test block is never read.

Before the grid, the re-ranking is checked against the real ``default`` method
of ``whoknows eval`` on every block (same metrics, or the script stops).

Example::

    .venv/bin/python scripts/tune_ranking.py --data ../shared/data \\
        --blocks validation,validation-2,validation-3 --top 15 \\
        --grid '{"activity_weight": [2, 4]}'
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from embeddings.factory import load_embedder
from indexer.config import load_settings
from indexer.errors import WhoKnowsError
from search_api.evaluation.stackexchange import BLOCKS
from search_api.evaluation.tuning import (
    METRICS,
    TUNABLE,
    Score,
    TuningError,
    check_against_eval,
    check_config,
    datasets,
    load_block,
    score,
)
from search_api.ranking import RankingConfig

GRID: dict[str, tuple[float, ...]] = {
    "alpha": (0.1, 0.2, 0.3),
    "tau": (0.07, 0.1, 0.15, 0.2),
    "top_k": (20, 25, 30, 40),
    "activity_weight": (2.0, 3.0, 4.0, 5.0, 6.0),
    "activity_half_life_days": (7.0, 10.0, 14.0, 30.0),
}
GROUPS = ("stackexchange", "handbook")


def row(values: tuple[float, ...], result: Score) -> str:
    cells = [f"{v:g}" for v in values] + [f"{result.smallest_gain:.3f}"]
    cells += [f"{result.figures[f'{g} {m}']:.3f}" for g in GROUPS for m in METRICS]
    cells.append(f"{result.margin:+.3f}")
    return "| " + " | ".join(cells) + " |"


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
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    unknown = set(args.grid) - TUNABLE
    if unknown:
        parser.error(f"--grid: cannot tune {', '.join(sorted(unknown))} (only {sorted(TUNABLE)})")
    grid = {**GRID, **{k: tuple(v) for k, v in args.grid.items()}}
    chosen = args.blocks.split(",")
    if "test" in chosen or not set(chosen) <= set(BLOCKS):
        parser.error(f"--blocks takes tuning blocks only: {', '.join(BLOCKS[1:])}")
    names = list(grid)
    configs = [
        (values, replace(RankingConfig(), **dict(zip(names, values, strict=True))))
        for values in itertools.product(*grid.values())
    ]
    try:
        for _, config in configs:
            check_config(config)
        embedder = load_embedder(load_settings())
        blocks = [
            load_block(args.cache, embedder, name, group, specs, task, block)
            for block in chosen
            for name, group, specs, task in datasets(args.data, block)
        ]
        check_against_eval(blocks)
    except (TuningError, WhoKnowsError) as exc:
        print(f"tune_ranking: {exc}", file=sys.stderr)
        return 1
    results = sorted(
        ((values, score(blocks, config)) for values, config in configs),
        key=lambda r: -r[1].smallest_gain,
    )
    current = score(blocks, RankingConfig())
    header = [*names, "min gain", "SE MRR", "SE nDCG", "HB MRR", "HB nDCG", "margin"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for values, result in results[: args.top]:
        print(row(values, result))
    print(row(tuple(getattr(RankingConfig(), n) for n in names), current))
    b = ", ".join(f"{g} {m} {current.figures[f'{g} {m} b']:.3f}" for g in GROUPS for m in METRICS)
    print(f"\nlast row: the current defaults; b: {b}")
    queries = sum(len(x.queries) for x in blocks)
    print(f"{len(results)} settings, {len(blocks)} blocks, {queries} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
