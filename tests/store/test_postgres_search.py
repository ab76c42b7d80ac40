"""The tiny organisation indexed into PostgreSQL answers as the embedded backend does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.models import SourceSpec
from indexer.pipeline import Indexer, IndexSummary
from indexer.store.base import IndexStats
from indexer.store.postgres import PostgresStore
from indexer.store.sqlite import SQLiteStore
from search_api.service import SearchService
from tests.helpers import ANA_ID, HELM_DOC, VACUUM_DOC, build_index, specs, write_org

pytest_plugins = ["tests.store.postgres_server"]

QUERIES = [
    "how do I roll back a failed helm release",
    "postgres table bloat after bulk delete",
    "who approves expense reports",
    "kubernetes",
    "office desks",
    "vacuum",
]


def run_index_postgres(url: str, embedder, sources: list[SourceSpec]) -> IndexSummary:
    """One indexing run of ``sources`` into the PostgreSQL database at ``url``."""
    store = PostgresStore(url, create=True)
    try:
        return Indexer(store, embedder).run(sources)
    finally:
        store.close()


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory, postgres_url: str, embedder
) -> Iterator[tuple[SearchService, SearchService]]:
    """The same organisation served by SQLite and by PostgreSQL."""
    from tests.store.postgres_server import fresh_database

    root = tmp_path_factory.mktemp("org")
    data, _ = build_index(root, embedder)
    with fresh_database(postgres_url) as url:
        summary = run_index_postgres(url, embedder, specs(root / "wiki", root / "team.yml"))
        assert summary.stats == IndexStats(
            documents=6, chunks=6, people=4, contributions=6, vectors=6
        )
        embedded = SearchService(SQLiteStore(data), embedder)
        server = SearchService(PostgresStore(url), embedder)
        yield embedded, server
        server.close()
        embedded.close()


@pytest.mark.parametrize("query", QUERIES)
def test_same_people_and_documents_in_the_same_order(services, query: str) -> None:
    embedded, server = services

    expected = embedded.search(query, documents_limit=5)
    got = server.search(query, documents_limit=5)

    assert [p.id for p in got.people] == [p.id for p in expected.people]
    assert [d.id for d in got.documents] == [d.id for d in expected.documents]
    assert [[e.document_id for e in p.evidence] for p in got.people] == [
        [e.document_id for e in p.evidence] for p in expected.people
    ]


def test_the_helm_question_finds_ana_and_her_page(services) -> None:
    _, server = services
    answer = server.search("how do I roll back a failed helm release", documents_limit=3)
    assert answer.people[0].id == ANA_ID
    assert answer.documents[0].id == HELM_DOC
    assert VACUUM_DOC not in [e.document_id for e in answer.people[0].evidence]


def test_a_second_run_embeds_nothing_and_keeps_the_counts(
    tmp_path: Path, postgres_database: str, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    first = run_index_postgres(postgres_database, embedder, specs(wiki, bios))
    again = run_index_postgres(postgres_database, embedder, specs(wiki, bios))
    assert (first.embedded, again.embedded) == (6, 0)
    assert again.stats == first.stats
