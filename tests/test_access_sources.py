"""Access groups come from the source: a config rule per source, or a column of a bios file."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.models import SourceSpec
from indexer.store.sqlite import SQLiteStore
from tests.helpers import run_index, write_org


def _groups(data: Path) -> dict[str, list[str]]:
    store = SQLiteStore(data)
    try:
        rows = store.db.execute("SELECT id, access_groups FROM documents ORDER BY id").fetchall()
    finally:
        store.close()
    return {doc_id: json.loads(groups) for doc_id, groups in rows}


def test_a_source_rule_restricts_documents_without_groups_of_their_own(
    tmp_path: Path, embedder
) -> None:
    wiki, _ = write_org(tmp_path)
    people = tmp_path / "people.csv"
    people.write_text(
        "name,email,bio,access_groups\n"
        "Hana Ito,hana@example.com,Runs the payroll close every month,finance\n"
        "Omar Said,omar@example.com,Knows the office Wi-Fi set-up,\n",
        encoding="utf-8",
    )
    specs = [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False, "access_groups": ["staff"]}),
        SourceSpec("bios", str(people), "people"),
    ]
    assert not run_index(tmp_path / "data", embedder, specs).failed

    groups = _groups(tmp_path / "data")
    wiki_groups = {doc_id: g for doc_id, g in groups.items() if doc_id.startswith("wiki/")}
    assert wiki_groups and set(map(tuple, wiki_groups.values())) == {("staff",)}
    assert groups["people/bio/email:hana@example.com"] == ["finance"]
    assert groups["people/bio/email:omar@example.com"] == []
