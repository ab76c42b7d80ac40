"""Person profiles over a real tiny index, and the pure parts (evidence order, topics, contacts)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from indexer.store.base import ContributionRow, DocumentRow, PersonRow, Store
from search_api.profiles import (
    PersonNotFound,
    contact_links,
    person_profile,
    rank_evidence,
)
from search_api.topics import top_topics
from tests.helpers import ANA_ID, build_index, open_index


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Store]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    opened = open_index(data)
    yield opened
    opened.close()


def test_profile_of_ana(store: Store) -> None:
    profile = person_profile(store, ANA_ID)

    assert profile.model_dump() == {
        "id": ANA_ID,
        "name": "Ana Kovač",
        "aliases": ["email:ana.kovac@example.com"],
        "title": "Platform engineer",
        "team": "",
        "location": "",
        "bio": "Runs the Kubernetes clusters and maintains the Helm charts of every service.",
        "skills": ["kubernetes", "helm"],
        "active": True,
        "url": "",
        "contacts": [
            {
                "kind": "email",
                "label": "ana.kovac@example.com",
                "url": "mailto:ana.kovac@example.com",
            }
        ],
        "sources": [{"name": "team", "kind": "bios"}, {"name": "wiki", "kind": "wiki"}],
        "evidence": [
            {
                "document_id": "wiki/helm-rollbacks.md",
                "title": "Rolling back a Helm release",
                "url": "",
                "role": "author",
                "kind": "wiki",
            }
        ],
        "topics": ["helm", "release", "rolling"],
    }


def test_a_person_with_only_a_bio_has_no_evidence_and_no_topics(store: Store) -> None:
    profile = person_profile(store, "dana-wu-8b75ad")

    assert (profile.name, profile.title, profile.evidence, profile.topics) == (
        "Dana Wu",
        "Office manager",
        [],
        [],
    )
    assert profile.sources[0].model_dump() == {"name": "team", "kind": "bios"}


def test_limits_cut_topics(store: Store) -> None:
    assert person_profile(store, ANA_ID, topics=1).topics == ["helm"]
    assert person_profile(store, ANA_ID, evidence=0).evidence == []


def test_an_unknown_person_is_a_named_error(store: Store) -> None:
    with pytest.raises(PersonNotFound, match=r"^no person with id 'nobody'$"):
        person_profile(store, "nobody")


def _doc(doc_id: str, kind: str = "qa", updated: datetime | None = None) -> DocumentRow:
    url = f"https://x.example/{doc_id}"
    return DocumentRow(doc_id, "src", kind, f"title {doc_id}", url, None, updated, ())


def _at(day: int) -> datetime:
    return datetime(2024, 1, day, tzinfo=UTC)


def test_evidence_order_strong_roles_first_then_recent_first() -> None:
    documents = {
        d.id: d
        for d in [
            _doc("comment-new"),
            _doc("answer"),
            _doc("accepted-old"),
            _doc("wiki-new", "wiki", updated=_at(20)),
            _doc("asked-then-answered"),
            _doc("bio", "bio"),
        ]
    }
    contributions = [
        ContributionRow("p", "comment-new", "commenter", 1, 0, _at(30)),
        ContributionRow("p", "answer", "answerer", 1, 5, _at(25)),
        ContributionRow("p", "accepted-old", "accepted_answerer", 1, 2, _at(1)),
        ContributionRow("p", "wiki-new", "author", 3, 0, None),
        ContributionRow("p", "asked-then-answered", "asker", 1, 0, _at(2)),
        ContributionRow("p", "asked-then-answered", "answerer", 1, 0, _at(3)),
        ContributionRow("p", "bio", "self_declared", 1, 0, None),
        ContributionRow("p", "gone", "author", 1, 0, None),
    ]

    ranked = rank_evidence(contributions, documents)

    assert [(e.document_id, e.role) for e in ranked] == [
        ("wiki-new", "author"),
        ("accepted-old", "accepted_answerer"),
        ("answer", "answerer"),
        ("asked-then-answered", "answerer"),
        ("comment-new", "commenter"),
    ]


def test_top_topics_count_titles_and_skip_stop_words_and_numbers() -> None:
    titles = [
        "How do I roll back a Helm release?",
        "Helm release stuck in 2024",
        "Why is the Helm chart slow",
    ]

    assert top_topics(titles, 3) == ["helm", "release", "chart"]


def test_contact_links_from_aliases_and_url() -> None:
    person = PersonRow(
        "p",
        "P",
        ("stackexchange:7", "email:p@example.com", "github:pdev"),
        "",
        "",
        "",
        "",
        (),
        True,
        "https://qa.example.com/users/7",
    )

    assert [(c.kind, c.label, c.url) for c in contact_links(person)] == [
        ("email", "p@example.com", "mailto:p@example.com"),
        ("github", "@pdev", "https://github.com/pdev"),
        ("profile", "Profile on qa.example.com", "https://qa.example.com/users/7"),
    ]
