"""Lexical search over chunks and whole documents, the best chunk of a document, hostile queries."""

from __future__ import annotations

import pytest

from indexer.models import Document, DocumentKind
from indexer.store.base import ChunkRow, Store
from tests.store import tiny
from tests.store.tiny import HELM, QUESTION, SALARIES, VACUUM, fill

HOSTILE = [
    'kubectl" OR NOT * NEAR( -- ;',
    "kubectl*",
    "^kubectl",
    "-kubectl",
    "text:kubectl",
    "{text}: kubectl",
    "NEAR(kubectl pods, 1)",
    "kubectl'); DROP TABLE chunks; --",
]


def hits(store: Store, query: str, limit: int = 10) -> list[int]:
    return [chunk_id for chunk_id, _ in store.search_lexical(query, limit)]


def test_a_word_finds_the_chunks_that_hold_it_best_first(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    results = store.search_lexical("helm rollback", 10)

    assert [chunk_id for chunk_id, _ in results][0] == ids[f"{HELM}#0"]
    assert sorted(chunk_id for chunk_id, _ in results) == sorted(
        [ids[f"{HELM}#0"], ids[f"{HELM}#1"], ids[f"{QUESTION}#0"]]
    )
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(score > 0 for score in scores)
    assert scores[0] > scores[1]


def test_lexical_search_keeps_to_the_limit(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    assert hits(store, "helm rollback", 1) == [ids[f"{HELM}#0"]]


def test_words_match_whatever_their_case_and_ending(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    assert hits(store, "KUBECTL") == [ids[f"{HELM}#1"]]
    assert hits(store, "rolled") == [ids[f"{HELM}#0"]]
    assert hits(store, "reviewing") == [ids[f"{SALARIES}#0"]]


def test_a_query_with_no_matching_word_finds_nothing(store: Store) -> None:
    fill(store)

    assert store.search_lexical("terraform", 10) == []
    assert store.search_lexical("", 10) == []
    assert store.search_lexical('"()*:^', 10) == []


@pytest.mark.parametrize("query", HOSTILE)
def test_query_syntax_is_only_words(store: Store, query: str) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    assert hits(store, query) == [ids[f"{HELM}#1"]]
    assert store.search_documents_lexical(query, 10)[0][0] == HELM
    assert store.best_chunks(query, [HELM])[HELM].id == ids[f"{HELM}#1"]


def test_a_very_long_query_still_answers(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)
    query = "kubectl " + " ".join(f"word{i}" for i in range(2_000))

    assert hits(store, query) == [ids[f"{HELM}#1"]]


def test_replaced_and_deleted_documents_are_no_longer_found(store: Store) -> None:
    fill(store)
    linted = Document(HELM, DocumentKind.WIKI, "Helm charts", "Lint every chart.")

    store.apply_source(
        tiny.update(
            "wiki", documents={HELM: tiny.document(linted, "Lint every chart.")}, deleted=[VACUUM]
        )
    )

    assert store.search_lexical("kubectl rollback autovacuum", 10) == []
    assert store.search_documents_lexical("kubectl rollback autovacuum", 10) == []
    [(chunk_id, _)] = store.search_lexical("lint", 10)
    assert store.chunks([chunk_id])[chunk_id].body == "Lint every chart."
    assert [doc for doc, _ in store.search_documents_lexical("lint", 10)] == [HELM]


def test_documents_are_found_by_title_and_text(store: Store) -> None:
    fill(store)

    assert [doc for doc, _ in store.search_documents_lexical("salary", 10)] == [SALARIES]
    assert [doc for doc, _ in store.search_documents_lexical("autovacuum", 10)] == [VACUUM]
    results = store.search_documents_lexical("helm", 10)
    assert [doc for doc, _ in results] == [HELM, QUESTION]
    assert results[0][1] > results[1][1] > 0
    assert [doc for doc, _ in store.search_documents_lexical("helm", 1)] == [HELM]
    assert store.search_documents_lexical("", 10) == []


def test_document_search_keeps_to_one_kind(store: Store) -> None:
    fill(store)

    assert [doc for doc, _ in store.search_documents_lexical("helm", 10, kind="qa")] == [QUESTION]
    assert [doc for doc, _ in store.search_documents_lexical("helm", 10, kind="wiki")] == [HELM]
    assert store.search_documents_lexical("helm", 10, kind="bio") == []


def test_best_chunks_pick_the_matching_chunk_else_the_first(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    best = store.best_chunks("kubectl", [HELM, VACUUM, "wiki/absent"])

    assert best == {
        HELM: ChunkRow(ids[f"{HELM}#1"], HELM, 1, "Check the pods with kubectl."),
        VACUUM: ChunkRow(
            ids[f"{VACUUM}#0"],
            VACUUM,
            0,
            "Autovacuum removes dead tuples; vacuum by hand after a bulk delete.",
        ),
    }
    assert store.best_chunks("helm", [HELM])[HELM].ordinal == 0
    assert store.best_chunks("", [HELM])[HELM].ordinal == 0
    assert store.best_chunks("kubectl", []) == {}


def test_words_match_without_their_accents_and_across_underscores(store: Store) -> None:
    page = Document("wiki/zurich", DocumentKind.WIKI, "Zürich office", "Café hours; run pg_repack.")
    store.write_documents("wiki", {page.id: tiny.document(page, "Café hours; run pg_repack.")})
    [only] = store.best_chunks("", [page.id]).values()

    assert hits(store, "zurich cafe") == [only.id]
    assert hits(store, "pg_repack") == [only.id]
    assert [doc for doc, _ in store.search_documents_lexical("Zurich", 10)] == [page.id]
