"""Metric code against hand-computed examples."""

from __future__ import annotations

import math

import pytest

from search_api.evaluation.metrics import (
    QueryResult,
    evaluate,
    ndcg_at_k,
    precision_at_1,
    recall_at_k,
    reciprocal_rank,
)


def test_reciprocal_rank_is_one_over_the_first_relevant_rank() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"c": 1, "b": 2}) == 0.5
    assert reciprocal_rank(["a"], {"z": 2}) == 0.0
    assert reciprocal_rank([], {"a": 1}) == 0.0


def test_precision_at_1() -> None:
    assert precision_at_1(["a", "b"], {"a": 1}) == 1.0
    assert precision_at_1(["b", "a"], {"a": 1}) == 0.0


def test_ndcg_with_linear_graded_gains() -> None:
    # ranking: x (0), a (2), b (1); ideal: a (2), b (1)
    dcg = 0 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(["x", "a", "b"], {"a": 2, "b": 1}) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["a", "b"], {"a": 2, "b": 1}) == 1.0
    assert ndcg_at_k(["x"], {}) == 0.0


def test_ndcg_cuts_at_k() -> None:
    ranking = [f"n{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranking, {"a": 1}, k=10) == 0.0


def test_recall_at_10() -> None:
    ranking = ["a", *[f"n{i}" for i in range(9)], "b"]
    assert recall_at_k(ranking, {"a": 2, "b": 1, "c": 1}) == pytest.approx(1 / 3)


def test_evaluate_averages_over_queries() -> None:
    results = [
        QueryResult("q1", ["a", "b"], {"a": 2}),  # rr 1, p@1 1, ndcg 1, recall 1
        QueryResult("q2", ["b", "a"], {"a": 1}),  # rr 0.5, p@1 0, ndcg 1/log2(3), recall 1
    ]
    assert evaluate(results) == pytest.approx(
        {"mrr": 0.75, "p@1": 0.5, "ndcg@10": (1 + 1 / math.log2(3)) / 2, "recall@10": 1.0}
    )
    assert evaluate([]) == {"mrr": 0.0, "p@1": 0.0, "ndcg@10": 0.0, "recall@10": 0.0}
