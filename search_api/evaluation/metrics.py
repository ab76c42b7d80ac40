"""Ranking metrics for people search. Pure functions over ranked ids and graded relevance.

Shape follows sentence-transformers' IR evaluator: per query a ranked list of
ids and ``relevant`` mapping id -> grade (1 or 2 here; absent means 0).
nDCG uses linear gains (``grade / log2(rank + 1)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

METRICS = ("mrr", "p@1", "ndcg@10", "recall@10")


@dataclass(frozen=True)
class QueryResult:
    """One query's ranking and its relevance judgements."""

    query_id: str
    ranking: Sequence[str]
    relevant: Mapping[str, int]


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, int]) -> float:
    """1 / rank of the first relevant id, 0 when none is ranked.

    >>> reciprocal_rank(["a", "b", "c"], {"c": 1})
    0.3333333333333333
    """
    for rank, item in enumerate(ranking, start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / rank
    return 0.0


def precision_at_1(ranking: Sequence[str], relevant: Mapping[str, int]) -> float:
    """1 when the first id is relevant."""
    return 1.0 if ranking and relevant.get(ranking[0], 0) > 0 else 0.0


def ndcg_at_k(ranking: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top ``k`` with graded relevance.

    >>> round(ndcg_at_k(["b", "a"], {"a": 2, "b": 1}), 4)
    0.8597
    """
    gains = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    if ideal == 0:
        return 0.0
    dcg = sum(relevant.get(item, 0) / math.log2(i + 2) for i, item in enumerate(ranking[:k]))
    return dcg / ideal


def recall_at_k(ranking: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant ids found in the top ``k``."""
    wanted = {item for item, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranking[:k])) / len(wanted)


def pooled(values: Sequence[tuple[int, Mapping[str, float]]]) -> dict[str, float]:
    """The mean over all queries of several sets' means, given as ``(queries, metrics)``.

    >>> pooled([(1, {"mrr": 1.0}), (3, {"mrr": 0.5})])
    {'mrr': 0.625}
    """
    total = sum(n for n, _ in values)
    return {m: sum(n * v[m] for n, v in values) / total for m in values[0][1]}


def distance_closed(value: float, baseline: float) -> float:
    """The share of the distance from ``baseline`` to a perfect 1 that ``value`` covers.

    >>> round(distance_closed(0.55, 0.5), 6)
    0.1
    """
    return (value - baseline) / (1 - baseline)


def evaluate(results: Sequence[QueryResult]) -> dict[str, float]:
    """Mean of every metric over the queries (0.0 for no queries)."""
    if not results:
        return dict.fromkeys(METRICS, 0.0)
    n = len(results)
    return {
        "mrr": sum(reciprocal_rank(r.ranking, r.relevant) for r in results) / n,
        "p@1": sum(precision_at_1(r.ranking, r.relevant) for r in results) / n,
        "ndcg@10": sum(ndcg_at_k(r.ranking, r.relevant) for r in results) / n,
        "recall@10": sum(recall_at_k(r.ranking, r.relevant) for r in results) / n,
    }
