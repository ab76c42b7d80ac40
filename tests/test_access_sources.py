"""Access groups come from the source: a config rule per source, or a column of a bios file."""

from __future__ import annotations

from pathlib import Path

from indexer.models import SourceSpec
from tests.helpers import open_index, run_index, stored_documents, write_org


def _groups(data: Path) -> dict[str, list[str]]:
    store = open_index(data)
    try:
        rows = stored_documents(store)
        assert store.stats().documents == len(rows)
    finally:
        store.close()
    return {doc_id: list(rows[doc_id].access_groups) for doc_id in sorted(rows)}


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
