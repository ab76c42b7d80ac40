"""Fusion of ranked lists. Pure: lists of ``(id, score)`` in, one list out."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[K, float]]],
    *,
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Fuse ranked lists by summing ``weight / (k + rank)`` (ranks from 1), best first.

    Ties are broken by first appearance, so the result is deterministic.

    >>> reciprocal_rank_fusion([[("a", 9.0), ("b", 1.0)], [("b", 0.9)]], k=1)
    [('b', 0.8333333333333333), ('a', 0.5)]
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (item, _) in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])
