"""Generations on PostgreSQL: one schema each, switched atomically, the last two kept."""

from __future__ import annotations

import psycopg
import pytest

from indexer.errors import ConfigError, IndexLockedError, IndexNotFoundError
from indexer.models import Document, DocumentKind
from indexer.store.base import StoredChunk
from indexer.store.postgres import PostgresStore, generations

pytest_plugins = ["tests.store.postgres_server"]


def build(url: str, name: str, title: str) -> str:
    """Begin generation ``name`` holding one document titled ``title``; not published."""
    generations.begin(url, name)
    store = PostgresStore(url, create=True, generation=name)
    try:
        doc = Document("wiki/page.md", DocumentKind.WIKI, title, "Some text.")
        chunk = StoredChunk(doc.id, 0, doc.text, doc.text, "h")
        store.write_documents("wiki", {doc.id: (doc, "hash", [chunk])})
    finally:
        store.close()
    return name


def served_title(url: str) -> str:
    store = PostgresStore(url)
    try:
        return store.documents(["wiki/page.md"])["wiki/page.md"].title
    finally:
        store.close()


def test_nothing_is_served_before_a_publish(postgres_database: str) -> None:
    build(postgres_database, "g1", "First")
    assert generations.current(postgres_database) is None
    with pytest.raises(IndexNotFoundError, match="no index in the database"):
        PostgresStore(postgres_database)


def test_publish_switches_readers_and_an_open_store_keeps_its_generation(
    postgres_database: str,
) -> None:
    url = postgres_database
    generations.publish(url, build(url, "g1", "First"))
    reader = PostgresStore(url)
    try:
        build(url, "g2", "Second")
        assert served_title(url) == "First"  # a run in progress is not seen

        assert generations.publish(url, "g2") == []

        assert generations.current(url) == "g2"
        assert served_title(url) == "Second"
        assert reader.generation == "g1"
        assert reader.documents(["wiki/page.md"])["wiki/page.md"].title == "First"
    finally:
        reader.close()


def test_the_last_two_published_generations_are_kept(postgres_database: str) -> None:
    url = postgres_database
    for name in ("g1", "g2"):
        generations.publish(url, build(url, name, name))
    build(url, "killed", "never published")

    assert generations.publish(url, build(url, "g3", "g3")) == ["g1", "killed"]

    assert generations.names(url) == ["g2", "g3"]
    with psycopg.connect(url) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gen\\_%' ORDER BY 1"
            )
        ]
    assert schemas == ["gen_g2", "gen_g3"]


def test_a_generation_still_read_is_dropped_by_a_later_prune(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_database
    monkeypatch.setattr(generations, "DROP_LOCK_TIMEOUT", "100ms")
    generations.publish(url, build(url, "g1", "g1"))
    generations.publish(url, build(url, "g2", "g2"))
    with psycopg.connect(url) as reading:
        reading.execute("SELECT count(*) FROM gen_g1.documents")  # holds its lock

        assert generations.publish(url, build(url, "g3", "g3")) == []

    assert generations.publish(url, "g3") == ["g1"]


def test_publishing_an_unknown_generation_is_refused(postgres_database: str) -> None:
    with pytest.raises(IndexNotFoundError, match="no generation 'nope'"):
        generations.publish(postgres_database, "nope")


def test_one_reindex_at_a_time(postgres_database: str) -> None:
    with (
        generations.reindex_lock(postgres_database),
        pytest.raises(IndexLockedError, match="another re-index"),
        generations.reindex_lock(postgres_database),
    ):
        pass
    with generations.reindex_lock(postgres_database):
        pass


def test_a_bad_generation_name_is_refused(postgres_database: str) -> None:
    with pytest.raises(ConfigError, match="not 1-50 letters, digits or underscores"):
        generations.begin(postgres_database, "x; DROP SCHEMA whoknows")


def test_a_seeded_generation_starts_from_the_served_rows(postgres_database: str) -> None:
    url = postgres_database
    generations.publish(url, build(url, "g1", "First"))
    name = generations.begin(url, "g2", seed=True)
    store = PostgresStore(url, create=True, generation=name)
    try:
        assert store.documents(["wiki/page.md"])["wiki/page.md"].title == "First"
        [(old_id, _)] = store.search_lexical("some text", 5)
        doc = Document("wiki/other.md", DocumentKind.WIKI, "Other", "Other words.")
        store.write_documents(
            "wiki", {doc.id: (doc, "h2", [StoredChunk(doc.id, 0, "x", "x", "x")])}
        )
        assert store.sample_chunk() == (old_id, "Some text.", "h")
        assert max(store.chunks([old_id, old_id + 1])) == old_id + 1  # ids go on
        assert store.search_lexical("some text", 5)[0][0] == old_id
    finally:
        store.close()
    assert served_title(url) == "First"
