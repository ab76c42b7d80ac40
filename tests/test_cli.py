"""The real `whoknows` command in a subprocess on a tiny organisation.

Each command that embeds loads the model (about 5 s), so there are few of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ANA_EMAIL, ANA_ID, HELM_DOC, build_index, open_index, write_org

SCRIPT = Path(sys.executable).with_name("whoknows")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "search_api.cli"]


def whoknows(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    env.pop("COLUMNS", None)
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def source_summary(name: str, kind: str, path: Path, **counts: object) -> dict[str, object]:
    out: dict[str, object] = {
        "name": name,
        "kind": kind,
        "path": str(path),
        "added": 0,
        "changed": 0,
        "deleted": 0,
        "unchanged": 0,
        "people": 3,
        "error": None,
        "incomplete": False,
        "rejected": [],
    }
    out.update(counts)
    return out


def test_index_prints_a_json_summary_and_a_second_run_embeds_nothing(tmp_path: Path) -> None:
    wiki, bios = write_org(tmp_path)
    args = ["index", f"wiki:{wiki}", f"bios:{bios}", "--json", "--data-dir", "data"]

    first = whoknows(tmp_path, *args)
    second = whoknows(tmp_path, *args)

    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert isinstance(summary.pop("seconds"), float)
    generation = summary.pop("generation")
    assert summary == {
        "ok": True,
        "dry_run": False,
        "totals": {"added": 6, "changed": 0, "deleted": 0, "unchanged": 0, "rejected": 0},
        "embedded": 6,
        "removed_sources": [],
        "stats": {"documents": 6, "chunks": 6, "people": 4, "contributions": 6, "vectors": 6},
        "ambiguities": [],
        "sources": [
            source_summary("wiki", "wiki", wiki, added=3),
            source_summary("team", "bios", bios, added=3),
        ],
    }
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert (again["embedded"], again["totals"]["unchanged"], again["totals"]["added"]) == (0, 6, 0)
    assert again["generation"] > generation
    assert (tmp_path / "data" / "CURRENT").read_text().strip() == again["generation"]
    assert sorted(p.name for p in (tmp_path / "data" / "generations").iterdir()) == [
        generation,
        again["generation"],
    ]


def test_ask_prints_people_with_evidence_and_documents_as_json(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)

    result = whoknows(
        tmp_path, "ask", "how do I roll back a failed helm release", "--json", "-n", "2",
        "--data-dir", str(data),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"query", "people", "documents"}
    assert answer["query"] == "how do I roll back a failed helm release"
    assert len(answer["people"]) == 2
    first = answer["people"][0]
    assert set(first) == {
        "id",
        "name",
        "aliases",
        "score",
        "title",
        "team",
        "location",
        "why",
        "evidence",
    }
    assert (first["id"], first["name"], first["aliases"]) == (ANA_ID, "Ana Kovač", [ANA_EMAIL])
    assert first["evidence"][0]["document_id"] == HELM_DOC
    assert set(first["evidence"][0]) == {"document_id", "title", "role", "url", "snippet"}
    assert [d["id"] for d in answer["documents"]][:1] == [HELM_DOC]


def test_ask_on_an_empty_data_dir_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    result = whoknows(tmp_path, "ask", "helm", "--data-dir", "nothing")

    assert result.returncode == 1
    assert result.stdout == ""
    assert " ".join(result.stderr.split()) == (
        "error: no index in nothing: run `whoknows index` with sources first"
    )
    assert not (tmp_path / "nothing").exists()


def test_an_error_with_a_long_path_stays_on_one_line(tmp_path: Path) -> None:
    missing = tmp_path / ("a-rather-long-folder-name-for-the-index-data-" * 2)

    result = whoknows(tmp_path, "ask", "helm", "--data-dir", str(missing))

    assert result.returncode == 1
    assert result.stderr == (
        f"error: no index in {missing}: run `whoknows index` with sources first\n"
    )


def test_index_with_a_bad_source_argument_names_it_and_exits_1(tmp_path: Path) -> None:
    result = whoknows(tmp_path, "index", "confluence:/srv/space", "--data-dir", "data")

    assert result.returncode == 1
    assert " ".join(result.stderr.split()) == (
        "error: source 'confluence:/srv/space': Value error, unknown source kind "
        "'confluence'; expected one of stackexchange, wiki, mediawiki, bios"
    )
    assert not (tmp_path / "data").exists()


def test_index_with_a_missing_source_exits_1_and_still_indexes_the_other(tmp_path: Path) -> None:
    wiki, _ = write_org(tmp_path)
    missing = tmp_path / "people.yml"

    result = whoknows(
        tmp_path, "index", f"wiki:{wiki}", f"bios:{missing}", "--json", "--data-dir", "data"
    )

    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["ok"] is False
    failed = summary["sources"][1]
    del failed["name"]  # see test_config: a file source keeps its name while missing
    assert failed == {
        "kind": "bios",
        "path": str(missing),
        "added": 0,
        "changed": 0,
        "deleted": 0,
        "unchanged": 0,
        "people": 0,
        "error": f"bios file {missing} does not exist; check the source path",
        "incomplete": False,
        "rejected": [],
    }
    assert summary["sources"][0] == source_summary("wiki", "wiki", wiki, added=3)
    assert summary["stats"] == {
        "documents": 3,
        "chunks": 3,
        "people": 3,
        "contributions": 3,
        "vectors": 3,
    }
    store = open_index(tmp_path / "data")
    try:
        assert sorted(store.document_hashes("wiki")) == [
            "wiki/expense-reports.md",
            HELM_DOC,
            "wiki/postgres-vacuum.md",
        ]
    finally:
        store.close()
