"""Tuning re-ranks cached retrieval exactly as the service ranks (search_api/evaluation/tuning)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.identity import resolve
from indexer.store.base import Store
from search_api.evaluation.runner import prepare_stackexchange, prepare_wiki
from search_api.evaluation.tuning import (
    TuningError,
    check_against_eval,
    check_config,
    load_block,
    metrics,
    rank,
    score,
)
from search_api.ranking import RankingConfig
from search_api.service import SearchService
from tests.evaluation.tiny_site import write_tiny_site
from tests.helpers import open_index

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = [
    RankingConfig(),
    RankingConfig(activity_weight=0),
    RankingConfig(top_k=1),
    RankingConfig(alpha=1.0, tau=0.5),
    RankingConfig(activity_weight=30, activity_half_life_days=0.5),
    RankingConfig(evidence_half_life_days=1, evidence_floor=0),
]


def _orders(store: Store, block, embedder) -> set[tuple[str, ...]]:
    """Compare the cache's ranking with the service's for every setting and query."""
    orders = set()
    for config in SETTINGS:
        service = SearchService(store, embedder, config=config)
        for query in block.queries:
            expected = [p.id for p in service.search(query.text, people_limit=100).people]
            assert rank(block, query, config) == expected, config
            orders.add(tuple(expected))
    return orders


def test_cached_ranking_equals_the_service_query_by_query(tmp_path: Path, embedder) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_tiny_site(site)
    specs, task = prepare_stackexchange(site, "validation")
    cache = tmp_path / "cache"
    block = load_block(cache, embedder, "tiny", "stackexchange", specs, task, "validation")
    store = open_index(cache / "tiny-validation")
    ids = store.person_ids("se")
    kai, pia = ids["stackexchange:1"], ids["stackexchange:2"]

    assert [q.text for q in block.queries] == list(task.queries.values())
    orders = _orders(store, block, embedder)
    # Kubernetes questions go to Kai, unless a steep prior favours Pia, who answered last
    assert {order[:2] for order in orders} >= {(kai, pia), (pia, kai)}

    # Pia has left: both the cache and the service leave her out
    people = resolve(store.person_records()).people
    store.replace_people([replace(p, active=False) if p.id == pia else p for p in people])
    block = load_block(cache, embedder, "tiny", "stackexchange", specs, task, "validation")
    assert block.inactive == {pia}
    assert pia not in {p for order in _orders(store, block, embedder) for p in order}
    store.close()


def test_the_check_against_eval_catches_a_different_ranking(tmp_path: Path, embedder) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_tiny_site(site)
    specs, task = prepare_stackexchange(site, "validation-2")
    block = load_block(
        tmp_path / "cache", embedder, "tiny", "stackexchange", specs, task, "validation-2"
    )

    check_against_eval([block])  # the cache agrees with whoknows eval's default
    assert metrics(block, RankingConfig()) == block.baselines["default"]
    wrong = replace(block, baselines={**block.baselines, "default": {"mrr": 0.5, "ndcg@10": 0.5}})
    with pytest.raises(TuningError, match="re-ranking gives"):
        check_against_eval([wrong])
    result = score([block], RankingConfig())
    assert result.figures["stackexchange mrr"] == block.baselines["default"]["mrr"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (RankingConfig(dense_chunks=1000), "dense_chunks"),
        (RankingConfig(fusion="rrf"), "fusion"),
        (RankingConfig(top_k=101), "top_k"),
    ],
)
def test_settings_the_cache_cannot_honour_are_refused(config: RankingConfig, message: str) -> None:
    with pytest.raises(TuningError, match=message):
        check_config(config)


def test_unknown_blocks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="block must be one of"):
        prepare_wiki(tmp_path, "training")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--blocks", "test"], "tuning blocks only"),
        (["--grid", '{"prior_roles": [1]}'], "cannot tune prior_roles"),
    ],
)
def test_the_script_refuses_the_test_block_and_untunable_settings(
    args: list[str], message: str
) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "tune_ranking.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert message in run.stderr
