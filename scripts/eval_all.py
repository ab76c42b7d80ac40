#!/usr/bin/env python3
"""Evaluate every dataset in ../shared/data and print the table of docs/evaluation.md.

Runs `whoknows eval` for each Stack Exchange site and the handbook, pools the
Stack Exchange sites (a mean over all their test questions) and checks the
targets of the ranking issue: the default must close at least 10% (pooled Stack
Exchange) or 15% (handbook) of the distance from b, the better of bm25 and
popularity, to a perfect score, on MRR and nDCG@10.

Example::

    .venv/bin/python scripts/eval_all.py --data ../shared/data [--block validation] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from embeddings.factory import load_embedder
from indexer.config import load_settings
from search_api.evaluation.metrics import distance_closed
from search_api.evaluation.metrics import pooled as pool_means
from search_api.evaluation.runner import EvalReport, evaluate_stackexchange, evaluate_wiki
from search_api.evaluation.stackexchange import BLOCKS
from search_api.service import ranking_config

TARGET_METRICS = ("mrr", "ndcg@10")


def pooled(reports: list[EvalReport], name: str) -> EvalReport:
    """Mean over all queries of several reports (each report's means weighted by its queries)."""
    methods = {
        method: pool_means([(r.queries, r.methods[method]) for r in reports])
        for method in reports[0].methods
    }
    return EvalReport(dataset=name, queries=sum(r.queries for r in reports), methods=methods)


def target_check(report: EvalReport, share: float) -> dict[str, dict[str, float | bool]]:
    """For each target metric: b, the target, the default's value and whether it holds."""
    out: dict[str, dict[str, float | bool]] = {}
    for metric in TARGET_METRICS:
        b = max(report.methods["bm25"][metric], report.methods["popularity"][metric])
        target = b + share * (1 - b)
        value = report.methods["default"][metric]
        holds = distance_closed(value, b) >= share
        out[metric] = {"b": b, "target": target, "default": value, "holds": holds}
    return out


def markdown(reports: list[EvalReport]) -> str:
    lines = [
        "| dataset | queries | method | MRR | P@1 | nDCG@10 | Recall@10 |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for report in reports:
        for method, m in report.methods.items():
            lines.append(
                f"| {report.dataset} | {report.queries} | {method} | {m['mrr']:.3f} | "
                f"{m['p@1']:.3f} | {m['ndcg@10']:.3f} | {m['recall@10']:.3f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    parser.add_argument("--block", choices=BLOCKS, default="test")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    settings = load_settings()
    embedder = load_embedder(settings)  # the model and backend `whoknows eval` uses
    ranking = ranking_config(settings)
    sites = sorted(p for p in (args.data / "stackexchange").iterdir() if p.is_dir())
    se = [
        evaluate_stackexchange(site, embedder, block=args.block, config=ranking) for site in sites
    ]
    handbook = evaluate_wiki(
        args.data / "wiki" / "sourcegraph-handbook", embedder, block=args.block, config=ranking
    )
    pool = pooled(se, "stackexchange (pooled)")
    checks = {
        "stackexchange (pooled)": target_check(pool, 0.10),
        "handbook": target_check(handbook, 0.15),
    }
    beats = {
        r.dataset: all(
            r.methods["default"][metric] >= r.methods[other][metric]
            for metric in TARGET_METRICS
            for other in ("popularity", "bm25", "dense")
        )
        for r in [*se, handbook]
    }
    if args.json:
        print(
            json.dumps(
                {
                    "block": args.block,
                    "datasets": [r.as_json() for r in [*se, handbook, pool]],
                    "seconds": {r.dataset: round(r.seconds) for r in [*se, handbook]},
                    "targets": checks,
                    "default_beats_every_baseline": beats,
                }
            )
        )
        return 0
    print(markdown([*se, pool, handbook]))
    print()
    for dataset, check in checks.items():
        for metric, c in check.items():
            print(
                f"{dataset} {metric}: b={c['b']:.3f} target={c['target']:.3f} "
                f"default={c['default']:.3f} {'holds' if c['holds'] else 'misses'}"
            )
    for dataset, ok in beats.items():
        print(f"{dataset}: default >= popularity, bm25, dense on MRR and nDCG@10: {ok}")
    for report in [*se, handbook]:
        print(f"{report.dataset}: {report.seconds:.0f} s (index + all queries, four methods)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
