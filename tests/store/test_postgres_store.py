"""The PostgreSQL backend on a real server: every read method after writes through the store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import numpy as np
import psycopg
import psycopg_pool
import pytest

from indexer.errors import IndexMismatchError, IndexNotFoundError, StoreError
from indexer.identity import resolve
from indexer.models import Contribution, Document, DocumentKind, PersonRecord, Role
from indexer.store.base import (
    ChunkRow,
    ContributionRow,
    DocumentRow,
    IndexStats,
    SourceUpdate,
    StoredChunk,
)
from indexer.store.postgres import PostgresStore

pytest_plugins = ["tests.store.postgres_server"]

MODEL = "test-model"
T1 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2024, 5, 2, 10, 30, tzinfo=UTC)
T3 = datetime(2024, 6, 3, 11, 45, tzinfo=UTC)

HELM = Document(
    "wiki/helm.md",
    DocumentKind.WIKI,
    "Rolling back a Helm release",
    "Run helm rollback with the release name and the last good revision.",
    url="https://wiki.example.com/helm",
    created=T1,
    updated=T2,
)
VACUUM = Document(
    "wiki/vacuum.md",
    DocumentKind.WIKI,
    "PostgreSQL vacuum",
    "Autovacuum removes dead tuples; run VACUUM ANALYZE after a bulk delete.",
)
SALARIES = Document(
    "wiki/salaries.md",
    DocumentKind.WIKI,
    "Salary bands",
    "The salary bands of every team, reviewed each spring by Chloé.",
    access_groups=("hr",),
)
ANA = PersonRecord(
    "ana",
    "Ana Kovač",
    aliases=("email:ana@example.com",),
    title="Platform engineer",
    skills=("helm", "kubernetes"),
)
BRUNO = PersonRecord("bruno", "Bruno Díaz", aliases=("email:bruno@example.com",))
BRUNO_HR = PersonRecord(
    "b.diaz",
    "Bruno Díaz",
    aliases=("email:bruno@example.com",),
    title="Compensation lead",
    groups=("hr",),
)


def chunk(doc: Document, ordinal: int, text: str) -> StoredChunk:
    return StoredChunk(doc.id, ordinal, text, text, f"hash-{doc.id}-{ordinal}")


CHUNKS = {
    HELM.id: [chunk(HELM, 0, HELM.text), chunk(HELM, 1, "Watch the pods with kubectl rollout.")],
    VACUUM.id: [chunk(VACUUM, 0, VACUUM.text)],
    SALARIES.id: [chunk(SALARIES, 0, SALARIES.text)],
}


def wiki_update() -> SourceUpdate:
    return SourceUpdate(
        name="wiki",
        kind="wiki",
        path="/srv/wiki",
        documents={d.id: (d, f"content-{d.id}", CHUNKS[d.id]) for d in (HELM, VACUUM, SALARIES)},
        deleted=[],
        people=[ANA, BRUNO],
        contributions=[
            Contribution("ana", HELM.id, Role.AUTHOR, time=T1),
            Contribution("ana", HELM.id, Role.EDITOR, count=3, time=T2),
            Contribution("bruno", VACUUM.id, Role.AUTHOR, score=5, time=T2),
            Contribution("bruno", SALARIES.id, Role.AUTHOR, time=T3),
        ],
    )


def hr_update() -> SourceUpdate:
    return SourceUpdate("hr", "team", "/srv/hr.yml", {}, [], [BRUNO_HR], [])


@pytest.fixture
def store(postgres_database: str) -> Iterator[PostgresStore]:
    """A store with the wiki and hr sources written and their people resolved."""
    store = PostgresStore(postgres_database, create=True)
    with store.source_transaction():
        store.apply_source(wiki_update())
    store.apply_source(hr_update())
    store.replace_people(resolve(store.person_records()).people)
    yield store
    store.close()


def person_id(store: PostgresStore, source: str, key: str) -> str:
    return store.person_ids(source)[key]


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


# ---------------------------------------------------------------- documents and people


def test_documents_and_sources_read_back_exactly(store: PostgresStore) -> None:
    assert store.source_names() == ["hr", "wiki"]
    assert store.document_hashes("wiki") == {
        HELM.id: f"content-{HELM.id}",
        VACUUM.id: f"content-{VACUUM.id}",
        SALARIES.id: f"content-{SALARIES.id}",
    }
    assert store.documents([HELM.id, SALARIES.id, "nope"]) == {
        HELM.id: DocumentRow(HELM.id, "wiki", "wiki", HELM.title, HELM.url, T1, T2, ()),
        SALARIES.id: DocumentRow(
            SALARIES.id, "wiki", "wiki", SALARIES.title, "", None, None, ("hr",)
        ),
    }
    assert store.access_groups([HELM.id, SALARIES.id]) == {SALARIES.id: ("hr",)}
    assert store.stats() == IndexStats(documents=3, chunks=4, people=2, contributions=4, vectors=0)


def test_chunks_by_id_and_the_first_chunk_sample(store: PostgresStore) -> None:
    first = store.sample_chunk()
    assert first is not None
    first_id, text, text_hash = first
    assert (text, text_hash) == (HELM.text, f"hash-{HELM.id}-0")
    assert store.chunks([first_id, first_id + 1]) == {
        first_id: ChunkRow(first_id, HELM.id, 0, HELM.text),
        first_id + 1: ChunkRow(first_id + 1, HELM.id, 1, "Watch the pods with kubectl rollout."),
    }


def test_people_are_merged_and_shown_by_groups(store: PostgresStore) -> None:
    ana = person_id(store, "wiki", "ana")
    bruno = person_id(store, "wiki", "bruno")
    assert person_id(store, "hr", "b.diaz") == bruno

    everyone = store.people([ana, bruno], groups=None)
    assert everyone[ana].name == "Ana Kovač"
    assert everyone[ana].skills == ("helm", "kubernetes")
    assert everyone[bruno].title == "Compensation lead"
    outsider = store.people([ana, bruno], groups=set())
    assert outsider[bruno].title == ""
    assert [source for source, _ in outsider[bruno].records] == ["wiki"]
    assert store.people([bruno], groups={"hr"})[bruno].title == "Compensation lead"


def test_person_lookups(store: PostgresStore) -> None:
    bruno = person_id(store, "wiki", "bruno")
    assert store.records_of(bruno) == [("hr", BRUNO_HR), ("wiki", BRUNO)]
    assert store.sources_of(bruno) == [("hr", "team"), ("wiki", "wiki")]
    assert store.person_identities(bruno) == [
        "email:bruno@example.com",
        "record:hr:b.diaz",
        "record:wiki:bruno",
    ]
    assert store.people_with_identities(
        ["email:bruno@example.com", "record:wiki:ana", "email:nobody@example.com"]
    ) == {
        "email:bruno@example.com": {bruno},
        "record:wiki:ana": {person_id(store, "wiki", "ana")},
    }
    assert store.person_records() == [("hr", BRUNO_HR), ("wiki", ANA), ("wiki", BRUNO)]


def test_contributions(store: PostgresStore) -> None:
    ana = person_id(store, "wiki", "ana")
    bruno = person_id(store, "wiki", "bruno")
    assert store.contributions_of(ana) == [
        ContributionRow(ana, HELM.id, "author", 1, 0, T1),
        ContributionRow(ana, HELM.id, "editor", 3, 0, T2),
    ]
    assert store.contributions_to([VACUUM.id, HELM.id]) == [
        ContributionRow(ana, HELM.id, "author", 1, 0, T1),
        ContributionRow(ana, HELM.id, "editor", 3, 0, T2),
        ContributionRow(bruno, VACUUM.id, "author", 1, 5, T2),
    ]


def test_activity_is_filtered_by_access_groups(store: PostgresStore) -> None:
    ana = person_id(store, "wiki", "ana")
    bruno = person_id(store, "wiki", "bruno")
    roles = ["author", "editor"]
    assert store.activity_times([ana, bruno], roles) == {ana: [T1, T2], bruno: [T2, T3]}
    assert store.activity_times([ana, bruno], roles, groups=set()) == {
        ana: [T1, T2],
        bruno: [T2],
    }
    assert store.activity_times([bruno], ["author"], groups={"hr"}) == {bruno: [T2, T3]}
    assert store.activity_times([ana], ["reviewer"]) == {}
    assert store.latest_activity(roles) == T3
    assert store.latest_activity(roles, groups=set()) == T2
    assert store.latest_activity(roles, groups={"hr", "other"}) == T3
    assert store.latest_activity(["reviewer"]) is None


def test_meta_is_kept(store: PostgresStore) -> None:
    assert store.get_meta("chunking") is None
    store.set_meta("chunking", "a")
    store.set_meta("chunking", "b")
    assert store.get_meta("chunking") == "b"


def test_rewriting_and_removing_sources(store: PostgresStore) -> None:
    changed = Document(HELM.id, DocumentKind.WIKI, "Helm", "Helm charts only now.")
    store.write_documents("wiki", {HELM.id: (changed, "new", [chunk(changed, 0, changed.text)])})
    assert store.document_hashes("wiki")[HELM.id] == "new"
    assert store.stats().chunks == 3

    assert store.remove_sources_except(["wiki"]) == ["hr"]
    assert store.source_names() == ["wiki"]
    assert store.person_records() == [("wiki", ANA), ("wiki", BRUNO)]


def test_a_failed_source_transaction_writes_nothing(store: PostgresStore) -> None:
    gone = Document("wiki/new.md", DocumentKind.WIKI, "New", "Fresh page.")
    with pytest.raises(RuntimeError), store.source_transaction():
        store.write_documents("wiki", {gone.id: (gone, "h", [chunk(gone, 0, gone.text)])})
        assert store.document_hashes("wiki")[gone.id] == "h"  # seen inside the transaction
        raise RuntimeError("the connector failed")
    assert gone.id not in store.document_hashes("wiki")


def test_unstorable_characters_are_replaced(store: PostgresStore) -> None:
    odd = Document("wiki/odd.md", DocumentKind.WIKI, "Odd\x00title", "Lone \ud800 surrogate.")
    store.write_documents("wiki", {odd.id: (odd, "h", [chunk(odd, 0, odd.text)])})
    assert store.documents([odd.id])[odd.id].title == "Oddtitle"
    assert store.best_chunks("surrogate", [odd.id])[odd.id].body == "Lone \ufffd surrogate."


# ---------------------------------------------------------------- lexical search


def test_lexical_search_finds_chunks_by_their_words(store: PostgresStore) -> None:
    hits = store.search_lexical("how do I roll back helm?", 10)
    ids = [chunk_id for chunk_id, _ in hits]
    assert store.chunks(ids)[ids[0]].document_id == HELM.id
    assert len(hits) == 1
    assert hits[0][1] > 0
    assert store.search_lexical("( * ) -", 10) == []


def fts5_scores(query: str, texts: list[str] | None = None) -> list[float]:
    """BM25 scores SQLite's FTS5 gives the chunk texts (by default CHUNKS'), best first."""
    if texts is None:
        texts = [c.text for cs in CHUNKS.values() for c in cs]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='porter unicode61')")
    db.executemany("INSERT INTO f (text) VALUES (?)", [(text,) for text in texts])
    rows = db.execute("SELECT -bm25(f) FROM f WHERE f MATCH ? ORDER BY bm25(f)", [query])
    return [score for (score,) in rows]


@pytest.mark.parametrize(
    ("query", "fts5"),
    [
        ("rollout", '"rollout"'),
        ("vacuum salary", '"vacuum" OR "salary"'),
        ("the pods", '"the" OR "pods"'),
        ("Chloe's review", '"chloe" OR "s" OR "review"'),
    ],
)
def test_lexical_scores_are_fts5_bm25(store: PostgresStore, query: str, fts5: str) -> None:
    scores = [score for _, score in store.search_lexical(query, 5)]
    assert scores == pytest.approx(fts5_scores(fts5), rel=1e-9)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_common_words_left_out_of_the_match_change_no_top_result(
    store: PostgresStore, limit: int
) -> None:
    # "the" is in 3 of 4 chunks (idf at FTS5's floor), so only "pods" and "bands" match first
    query = "the pods bands"
    scores = [score for _, score in store.search_lexical(query, limit)]
    assert scores == pytest.approx(fts5_scores('"the" OR "pods" OR "bands"')[:limit], rel=1e-9)


def test_lexical_statistics_follow_replaced_and_removed_rows(store: PostgresStore) -> None:
    changed = Document(HELM.id, DocumentKind.WIKI, "Helm", "Helm pods restart; the pods rollout.")
    store.write_documents("wiki", {HELM.id: (changed, "new", [chunk(changed, 0, changed.text)])})
    texts = [changed.text, VACUUM.text, SALARIES.text]
    assert [s for _, s in store.search_lexical("pods rollout", 5)] == pytest.approx(
        fts5_scores('"pods" OR "rollout"', texts), rel=1e-9
    )
    store.remove_sources_except(["hr"])
    assert store.search_lexical("pods", 5) == []
    assert store.search_documents_lexical("vacuum", 5) == []


def test_document_search_by_title_and_kind(store: PostgresStore) -> None:
    assert [d for d, _ in store.search_documents_lexical("postgresql vacuum", 5)] == [VACUUM.id]
    assert store.search_documents_lexical("vacuum", 5, kind="chat") == []
    assert [d for d, _ in store.search_documents_lexical("salary", 5, kind="wiki")] == [SALARIES.id]


def test_best_chunks_prefers_the_matching_chunk_else_the_first(store: PostgresStore) -> None:
    best = store.best_chunks("kubectl pods", [HELM.id, VACUUM.id])
    assert best[HELM.id].ordinal == 1
    assert best[VACUUM.id].ordinal == 0
    assert best[VACUUM.id].body == VACUUM.text


# ---------------------------------------------------------------- vectors


def test_dense_search_before_check_ready_is_refused(store: PostgresStore) -> None:
    with pytest.raises(IndexNotFoundError, match="call check_ready"):
        store.search_dense(unit(1, 0, 0, 0), 3)
    with pytest.raises(IndexNotFoundError, match="no vector index"):
        store.check_ready(MODEL, 4)


def embed_all(store: PostgresStore) -> dict[str, np.ndarray]:
    texts = store.unembedded_chunks(MODEL)
    rng = np.random.default_rng(7)
    vectors = {h: unit(*rng.normal(size=4)) for h in sorted(texts)}
    store.put_embeddings(MODEL, list(vectors), np.stack(list(vectors.values())))
    return vectors


def test_embeddings_are_cached_by_model_and_hash(store: PostgresStore) -> None:
    hashes = [c.text_hash for chunks in CHUNKS.values() for c in chunks]
    assert store.missing_embeddings(MODEL, hashes) == set(hashes)
    vectors = embed_all(store)
    assert store.missing_embeddings(MODEL, hashes) == set()
    assert store.missing_embeddings("other-model", hashes[:1]) == {hashes[0]}
    assert store.unembedded_chunks(MODEL) == {}
    np.testing.assert_array_equal(store.embedding_of(MODEL, hashes[0]), vectors[hashes[0]])
    assert store.embedding_of(MODEL, "no-such-hash") is None


def test_dense_search_returns_the_exact_nearest_chunks(store: PostgresStore) -> None:
    vectors = embed_all(store)
    assert store.build_vectors(MODEL, 4) == 4
    store.check_ready(MODEL, 4)
    assert store.stats().vectors == 4
    assert store.built_at() is not None

    query = unit(0.3, -1, 0.2, 0.5)
    by_hash = {c.text_hash: c for chunks in CHUNKS.values() for c in chunks}
    hashes = list(vectors)
    scores = np.stack([vectors[h] for h in hashes]) @ query
    expected = [by_hash[hashes[i]] for i in np.argsort(-scores)]

    hits = store.search_dense(query, 3)
    found = store.chunks([i for i, _ in hits])
    assert [(found[i].document_id, found[i].ordinal) for i, _ in hits] == [
        (c.document_id, c.ordinal) for c in expected[:3]
    ]
    assert [s for _, s in hits] == pytest.approx(sorted(scores, reverse=True)[:3], abs=1e-6)


def test_dense_search_returns_more_rows_than_the_default_ef_search(
    postgres_database: str,
) -> None:
    store = PostgresStore(postgres_database, create=True)
    try:
        docs = {}
        for i in range(150):
            doc = Document(f"d{i}", DocumentKind.WIKI, f"Doc {i}", f"text {i}")
            docs[doc.id] = (doc, "h", [chunk(doc, 0, doc.text)])
        store.write_documents("wiki", docs)
        rng = np.random.default_rng(1)
        hashes = sorted(store.unembedded_chunks(MODEL))
        vectors = rng.normal(size=(len(hashes), 8)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.put_embeddings(MODEL, hashes, vectors)
        store.build_vectors(MODEL, 8)
        store.check_ready(MODEL, 8)
        query = unit(*rng.normal(size=8))

        hits = store.search_dense(query, 120)

        assert len(hits) == 120
        exact = np.sort(vectors @ query)[::-1][:120]
        assert [s for _, s in hits] == pytest.approx(list(exact), abs=1e-5)
    finally:
        store.close()


def test_check_ready_refuses_another_model_or_dimension(store: PostgresStore) -> None:
    embed_all(store)
    store.build_vectors(MODEL, 4)
    with pytest.raises(IndexMismatchError, match="model 'test-model', configured 'other'"):
        store.check_ready("other", 4)
    with pytest.raises(IndexMismatchError, match="dimension 4, model gives 384"):
        store.check_ready(MODEL, 384)


def test_opening_an_empty_database_says_to_index_first(postgres_database: str) -> None:
    with pytest.raises(IndexNotFoundError, match="run `whoknows index`"):
        PostgresStore(postgres_database)


def test_a_served_store_reads_what_the_builder_wrote(store: PostgresStore) -> None:
    reader = PostgresStore(store.url)
    try:
        assert reader.generation == store.generation == "main"
        assert reader.source_names() == ["hr", "wiki"]
    finally:
        reader.close()


def test_a_generation_behind_the_migrations_is_refused_not_migrated(store: PostgresStore) -> None:
    with psycopg.connect(store.url) as conn:
        conn.execute("DELETE FROM whoknows.migrations WHERE schema_name = 'gen_main'")
    with pytest.raises(IndexMismatchError, match="gen_main is at version 0, this WhoKnows reads"):
        PostgresStore(store.url)


def test_close_closes_the_pool(postgres_database: str) -> None:
    store = PostgresStore(postgres_database, create=True)
    store.close()
    with pytest.raises(StoreError, match="the pool .* is already closed") as closed:
        store.source_names()
    assert isinstance(closed.value.__cause__, psycopg_pool.PoolClosed)


def test_threads_share_one_store(store: PostgresStore) -> None:
    embed_all(store)
    store.build_vectors(MODEL, 4)
    store.check_ready(MODEL, 4)
    query = unit(1, 2, 3, 4)
    expected = (store.search_lexical("helm pods", 5), store.search_dense(query, 3))

    def both(_: int) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        return store.search_lexical("helm pods", 5), store.search_dense(query, 3)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(both, range(64)))

    assert results == [expected] * 64
