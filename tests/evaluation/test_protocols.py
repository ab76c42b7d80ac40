"""The evaluation protocols: exact splits on the real data, and a whole run on a tiny dump."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from search_api.evaluation.runner import METHODS, evaluate_stackexchange, prepare_wiki
from search_api.evaluation.stackexchange import routing_split

K8S = [
    ("Helm rollback fails after a kubernetes upgrade", "helm rollback kubernetes deployment"),
    ("Pod stuck in CrashLoopBackOff on kubernetes", "kubectl logs for a crashlooping pod"),
    ("Kubernetes ingress returns 502 after deploy", "ingress controller and service ports"),
    ("How to drain a kubernetes node safely", "kubectl drain with pod disruption budgets"),
    ("Helm chart values per environment in kubernetes", "helm values files per cluster"),
]
PG = [
    ("Postgres query ignores my index", "explain analyze shows a sequential scan in postgres"),
    ("Vacuum does not shrink the postgres table", "autovacuum and table bloat in postgresql"),
    ("Postgres replication lag keeps growing", "streaming replication wal sender postgresql"),
    ("Tune work_mem for a slow postgres sort", "postgres sort spills to disk, work_mem"),
    ("Postgres connection pool exhausted", "pgbouncer pool size for postgresql"),
]


def _write_dump(folder: Path) -> None:
    """Ten questions alternating topics; Kai answers Kubernetes, Pia answers Postgres."""
    start = datetime(2024, 1, 1)
    posts, next_id = [], 100
    for i in range(10):
        title, body = (K8S if i % 2 == 0 else PG)[i // 2]
        owner, answerer = (3, 1) if i % 2 == 0 else (3, 2)
        when = start + timedelta(days=i)
        qid, aid = i + 1, next_id + i
        posts.append(
            f'<row Id="{qid}" PostTypeId="1" CreationDate="{when.isoformat()}" Score="1" '
            f'Body={quoteattr("<p>" + body + "</p>")} OwnerUserId="{owner}" '
            f'Title={quoteattr(title)} AcceptedAnswerId="{aid}" />'
        )
        answer = f"<p>{body}: here is how I fixed it.</p>"
        posts.append(
            f'<row Id="{aid}" PostTypeId="2" ParentId="{qid}" Score="2" '
            f'CreationDate="{(when + timedelta(hours=1)).isoformat()}" '
            f'Body={quoteattr(answer)} OwnerUserId="{answerer}" />'
        )
    (folder / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + "\n".join(posts) + "\n</posts>\n",
        encoding="utf-8",
    )
    users = [(1, "Kai"), (2, "Pia"), (3, "Asker")]
    (folder / "Users.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<users>\n'
        + "\n".join(
            f'<row Id="{uid}" DisplayName="{name}" CreationDate="2023-01-01T00:00:00" />'
            for uid, name in users
        )
        + "\n</users>\n",
        encoding="utf-8",
    )


def test_tiny_dump_split_is_the_last_fifth(tmp_path: Path) -> None:
    _write_dump(tmp_path)
    split = routing_split(tmp_path)
    assert sorted(split.queries) == ["10", "9"]
    assert split.relevant == {"9": {"stackexchange:1": 2}, "10": {"stackexchange:2": 2}}
    assert split.answer_counts == {"stackexchange:1": 4, "stackexchange:2": 4}
    assert split.cutoff == datetime.fromisoformat("2024-01-09T00:00:00+00:00")


def test_older_blocks_roll_back_a_fifth_each_with_their_own_cut(tmp_path: Path) -> None:
    _write_dump(tmp_path)
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
    _write_dump(tmp_path)
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
