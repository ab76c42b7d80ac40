"""Identity resolution on the real handbook: page authors and team.yml members become one person."""

from __future__ import annotations

from pathlib import Path

from indexer.connectors import get_reader
from indexer.identity import resolve
from indexer.models import PersonRecord, SourceSpec


def _people(shared_data: Path) -> list[tuple[str, PersonRecord]]:
    root = shared_data / "wiki" / "sourcegraph-handbook"
    specs = [
        SourceSpec("wiki", str(root), "handbook"),
        SourceSpec("bios", str(root / "data" / "team.yml"), "team"),
    ]
    return [
        (spec.name, record)
        for spec in specs
        for record in get_reader(spec.kind)(spec)
        if isinstance(record, PersonRecord)
    ]


def test_page_authors_and_team_members_merge_by_email_or_github(shared_data: Path) -> None:
    resolution = resolve(_people(shared_data))
    merged = [p for p in resolution.people if {s for s, _ in p.members} == {"handbook", "team"}]
    # the data README: "about 90 of them match page authors by email or GitHub handle"
    assert len(merged) == 92
    beyang = next(p for p in merged if p.name == "Beyang Liu")
    assert beyang.members == (
        ("handbook", "email:beyang@sourcegraph.com"),
        ("team", "email:beyang@sourcegraph.com"),
    )
    assert beyang.title == "CTO, co-founder, Board of Directors"


def test_a_name_with_several_emails_is_reported_not_guessed(shared_data: Path) -> None:
    resolution = resolve(_people(shared_data))
    quinns = [p for p in resolution.people if p.name == "Quinn Slack"]
    assert len(quinns) == 5  # three addresses and two role placeholders in team.yml
    assert any(m.startswith("name 'quinn slack' is shared by") for m in resolution.ambiguities)
