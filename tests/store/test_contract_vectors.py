"""The embedding cache, building the dense index, and dense search with exact scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from indexer.errors import IndexMismatchError, IndexNotFoundError
from indexer.models import Document, DocumentKind
from indexer.store.base import Store, StoredChunk
from tests.store import tiny
from tests.store.tiny import DIM, HELM, MODEL, QUESTION, SALARIES, VACUUM, fill, vectors

HELM_0, HELM_1 = f"{HELM}#0", f"{HELM}#1"
VACUUM_0, SALARIES_0, QUESTION_0 = f"{VACUUM}#0", f"{SALARIES}#0", f"{QUESTION}#0"
REBUILD = "rebuild it with `whoknows index` or configure the model it was built with"


def query(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def rounded(results: list[tuple[int, float]]) -> list[tuple[int, float]]:
    return [(chunk_id, round(score, 5)) for chunk_id, score in results]


def ready(store: Store) -> dict[str, int]:
    fill(store)
    store.check_ready(MODEL, DIM)
    return tiny.chunk_ids(store)


def test_dense_search_gives_exact_cosine_scores_best_first(store: Store) -> None:
    ids = ready(store)

    assert rounded(store.search_dense(query(0.8, 0.6, 0, 0), 3)) == [
        (ids[QUESTION_0], 0.96),
        (ids[HELM_0], 0.8),
        (ids[HELM_1], 0.6),
    ]
    assert rounded(store.search_dense(query(0, 0, 0.6, 0.8), 2)) == [
        (ids[SALARIES_0], 0.8),
        (ids[VACUUM_0], 0.6),
    ]
    assert rounded(store.search_dense(query(1, 0, 0, 0), 1)) == [(ids[HELM_0], 1.0)]


def test_dense_search_returns_at_most_every_vector(store: Store) -> None:
    ids = ready(store)

    results = store.search_dense(query(0.8, 0.6, 0, 0), 50)

    assert sorted(chunk_id for chunk_id, _ in results) == sorted(ids.values())
    assert rounded(results)[:3] == [(ids[QUESTION_0], 0.96), (ids[HELM_0], 0.8), (ids[HELM_1], 0.6)]
    assert store.search_dense(query(1, 0, 0, 0), 0) == []


def test_check_ready_refuses_another_model_or_dimension(store: Store) -> None:
    fill(store)

    with pytest.raises(IndexMismatchError) as wrong_model:
        store.check_ready("other-model", DIM)
    with pytest.raises(IndexMismatchError) as wrong_dim:
        store.check_ready(MODEL, 8)
    with pytest.raises(IndexMismatchError) as both:
        store.check_ready("other-model", 8)

    assert str(wrong_model.value) == (
        f"the index was built with model 'tiny-model', configured 'other-model': {REBUILD}"
    )
    assert str(wrong_dim.value) == f"the index was built with dimension 4, model gives 8: {REBUILD}"
    assert str(both.value) == (
        "the index was built with model 'tiny-model', configured 'other-model'; "
        f"dimension 4, model gives 8: {REBUILD}"
    )


def test_check_ready_without_a_built_index_says_to_index(store: Store) -> None:
    fill(store, embed=False)

    with pytest.raises(IndexNotFoundError, match="run `whoknows index`"):
        store.check_ready(MODEL, DIM)


def test_built_at_is_when_the_vectors_were_built(store: Store) -> None:
    assert store.built_at() is None
    before = datetime.now(UTC).replace(microsecond=0)

    fill(store)

    built = datetime.fromisoformat(str(store.built_at()))
    assert before <= built <= datetime.now(UTC) + timedelta(seconds=1)


def test_build_vectors_takes_only_chunks_with_a_cached_vector(store: Store) -> None:
    fill(store, embed=False)
    store.put_embeddings(MODEL, [HELM_0, QUESTION_0], vectors(HELM_0, QUESTION_0))
    store.put_embeddings("other-model", [VACUUM_0], vectors(VACUUM_0))

    assert store.build_vectors(MODEL, DIM) == 2

    store.check_ready(MODEL, DIM)
    ids = tiny.chunk_ids(store)
    results = store.search_dense(query(0.6, 0.8, 0, 0), 5)
    assert rounded(results) == [(ids[QUESTION_0], 1.0), (ids[HELM_0], 0.6)]
    assert store.stats().vectors == 2


def test_chunks_with_one_text_share_one_cached_vector(store: Store) -> None:
    twin = Document("wiki/twin", DocumentKind.WIKI, "Helm releases", "Roll back.")
    body = "Roll back a Helm release with helm rollback."
    fill(store)
    store.write_documents(
        "wiki",
        {twin.id: (twin, "h", [StoredChunk(twin.id, 0, f"Helm releases: {body}", body, HELM_0)])},
    )

    assert store.unembedded_chunks(MODEL) == {}
    assert store.build_vectors(MODEL, DIM) == 6
    store.check_ready(MODEL, DIM)
    [(_, first), (_, second), (_, third)] = store.search_dense(query(1, 0, 0, 0), 3)
    assert (round(first, 5), round(second, 5), round(third, 5)) == (1.0, 1.0, 0.6)


def test_rebuilding_follows_changed_documents(store: Store) -> None:
    ready(store)
    linted = Document(HELM, DocumentKind.WIKI, "Helm charts", "Lint every chart.")
    stored = StoredChunk(HELM, 0, "Helm charts: Lint every chart.", "Lint every chart.", "lint")
    store.apply_source(tiny.update("wiki", documents={HELM: (linted, "new", [stored])}))
    store.put_embeddings(MODEL, ["lint"], query(0, 0, 0.8, 0.6).reshape(1, -1))

    assert store.build_vectors(MODEL, DIM) == 4

    store.check_ready(MODEL, DIM)
    [(lint_id, score)] = store.search_dense(query(0, 0, 0.8, 0.6), 1)
    assert store.chunks([lint_id])[lint_id].body == "Lint every chart."
    assert round(score, 5) == 1.0


def test_missing_embeddings_are_the_hashes_without_a_vector_for_that_model(store: Store) -> None:
    assert store.missing_embeddings(MODEL, [HELM_0, HELM_1]) == {HELM_0, HELM_1}

    store.put_embeddings(MODEL, [HELM_0], vectors(HELM_0))

    assert store.missing_embeddings(MODEL, [HELM_0, HELM_1, HELM_1]) == {HELM_1}
    assert store.missing_embeddings("other-model", [HELM_0]) == {HELM_0}
    assert store.missing_embeddings(MODEL, []) == set()


def test_embedding_of_gives_back_the_cached_vector(store: Store) -> None:
    store.put_embeddings(MODEL, [QUESTION_0, HELM_0], vectors(QUESTION_0, HELM_0))

    cached = store.embedding_of(MODEL, QUESTION_0)

    assert cached is not None
    assert cached.dtype == np.float32
    np.testing.assert_array_equal(cached, vectors(QUESTION_0)[0])
    assert store.embedding_of(MODEL, VACUUM_0) is None
    assert store.embedding_of("other-model", QUESTION_0) is None


def test_putting_a_vector_again_replaces_it(store: Store) -> None:
    store.put_embeddings(MODEL, [HELM_0], vectors(HELM_0))

    store.put_embeddings(MODEL, [HELM_0], vectors(HELM_1))

    np.testing.assert_array_equal(store.embedding_of(MODEL, HELM_0), vectors(HELM_1)[0])


def test_unembedded_chunks_are_the_texts_still_to_embed(store: Store) -> None:
    fill(store, embed=False)
    store.put_embeddings(
        MODEL, [HELM_0, VACUUM_0, SALARIES_0], vectors(HELM_0, VACUUM_0, SALARIES_0)
    )

    assert store.unembedded_chunks(MODEL) == {
        HELM_1: "Helm releases: Check the pods with kubectl.",
        QUESTION_0: "Undo a Helm upgrade: Which revision do I go back to after a failed upgrade?",
    }
    assert len(store.unembedded_chunks("other-model")) == 5


def test_the_cache_keeps_vectors_of_deleted_documents(store: Store) -> None:
    fill(store)

    store.apply_source(tiny.update("wiki", documents={}, deleted=[VACUUM]))

    assert store.missing_embeddings(MODEL, [VACUUM_0]) == set()
    assert store.build_vectors(MODEL, DIM) == 4


def test_stats_of_a_reopened_store_count_its_vectors(make_store) -> None:
    first = make_store(create=True)
    fill(first)
    first.close()

    assert make_store().stats().vectors == 5


@pytest.mark.defect(
    "sqlite-folder",
    reason="a folder store keeps its vector cache in whoknows.db and writes it on the index's "
    "connection: a rolled-back (or killed) source transaction loses the vectors, embedded again",
)
def test_vectors_cached_in_a_failed_source_transaction_stay_cached(store: Store) -> None:
    with pytest.raises(RuntimeError, match="connector broke"), store.source_transaction():
        store.write_documents("wiki", tiny.WIKI_DOCUMENTS)
        store.put_embeddings(MODEL, [HELM_0], vectors(HELM_0))
        raise RuntimeError("connector broke")

    assert store.document_hashes("wiki") == {}
    assert store.missing_embeddings(MODEL, [HELM_0]) == set()


def test_a_query_of_another_dimension_is_a_value_error(store: Store) -> None:
    ready(store)

    with pytest.raises(ValueError, match="8"):
        store.search_dense(np.ones(8, dtype=np.float32) / np.sqrt(8), 3)


def test_an_index_built_without_vectors_answers_nothing(store: Store) -> None:
    fill(store, embed=False)

    assert store.build_vectors(MODEL, DIM) == 0

    store.check_ready(MODEL, DIM)
    assert store.search_dense(query(1, 0, 0, 0), 3) == []
    assert store.stats().vectors == 0
