"""The evaluation protocols: exact splits on the real data, and a whole run on a tiny dump."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from search_api.evaluation.runner import METHODS, evaluate_stackexchange, prepare_wiki
from search_api.evaluation.stackexchange import routing_split
from tests.evaluation.tiny_site import write_tiny_site


def test_tiny_dump_split_is_the_last_fifth(tmp_path: Path) -> None:
    write_tiny_site(tmp_path)
    split = routing_split(tmp_path)
    assert sorted(split.queries) == ["10", "9"]
    assert split.relevant == {"9": {"stackexchange:1": 2}, "10": {"stackexchange:2": 2}}
    assert split.answer_counts == {"stackexchange:1": 4, "stackexchange:2": 4}
    assert split.cutoff == datetime.fromisoformat("2024-01-09T00:00:00+00:00")


def test_older_blocks_roll_back_a_fifth_each_with_their_own_cut(tmp_path: Path) -> None:
    write_tiny_site(tmp_path)
    blocks = {b: routing_split(tmp_path, b) for b in ("validation", "validation-2", "validation-3")}
    assert {b: sorted(s.queries, key=int) for b, s in blocks.items()} == {
        "validation": ["7", "8"],
        "validation-2": ["5", "6"],
        "validation-3": ["3", "4"],
    }
    # each block indexes only what came before its first question
    assert blocks["validation-2"].cutoff == datetime.fromisoformat("2024-01-05T00:00:00+00:00")
    assert blocks["validation-3"].answer_counts == {"stackexchange:1": 1, "stackexchange:2": 1}
    with pytest.raises(ValueError, match="block must be one of"):
        routing_split(tmp_path, "training")


def test_whole_run_on_a_tiny_dump(tmp_path: Path, embedder) -> None:
    write_tiny_site(tmp_path)
    report = evaluate_stackexchange(tmp_path, embedder, work_dir=tmp_path)
    assert report.queries == 2
    assert list(report.methods) == list(METHODS)
    # popularity ties (4 answers each) break by person key: Kai first, right for q9 only
    assert report.methods["popularity"]["mrr"] == 0.75
    for method in ("bm25", "dense", "default"):
        assert report.methods[method]["mrr"] == 1.0, method
    assert report.as_json()["methods"]["default"] == {
        "mrr": 1.0,
        "p@1": 1.0,
        "ndcg@10": 1.0,
        "recall@10": 1.0,
    }


@pytest.mark.parametrize(("site", "questions"), [("cardano", 124), ("ai", 27), ("iot", 45)])
def test_real_sites_give_the_protocol_counts(shared_data: Path, site: str, questions: int) -> None:
    split = routing_split(shared_data / "stackexchange" / site)
    assert len(split.queries) == questions


def test_handbook_holdout_never_indexes_a_test_page(shared_data: Path) -> None:
    folder = shared_data / "wiki" / "sourcegraph-handbook"
    specs, task = prepare_wiki(folder)
    excluded = set(specs[0].options["exclude"])
    assert set(task.queries) <= excluded
    assert len(task.queries) == 88
    val_specs, val_task = prepare_wiki(folder, "validation")
    assert not set(val_task.queries) & set(task.queries)
    assert excluded <= set(val_specs[0].options["exclude"])
    other_specs, other_task = prepare_wiki(folder, "validation-2")
    assert len(other_task.queries) > 80
    assert not set(other_task.queries) & set(task.queries)
    assert set(other_task.queries) != set(val_task.queries)
    assert excluded <= set(other_specs[0].options["exclude"])
