"""Documents, chunks and sources: what goes in through the writing methods comes back exactly."""

from __future__ import annotations

import pytest

from indexer.models import Document, DocumentKind
from indexer.store.base import ChunkRow, DocumentRow, IndexStats, Store
from tests.store import tiny
from tests.store.tiny import HELM, QUESTION, SALARIES, VACUUM, at, fill


def test_documents_come_back_without_their_text(store: Store) -> None:
    fill(store)

    assert store.documents([HELM, SALARIES, "wiki/absent"]) == {
        HELM: DocumentRow(
            id=HELM,
            source="wiki",
            kind="wiki",
            title="Helm releases",
            url="https://wiki.example/helm",
            created=at(1, 2, 9),
            updated=at(3, 4, 10),
            access_groups=(),
        ),
        SALARIES: DocumentRow(SALARIES, "wiki", "wiki", "Salary bands", "", None, None, ("hr",)),
    }
    assert store.documents([]) == {}


def test_access_groups_name_only_restricted_documents(store: Store) -> None:
    fill(store)

    assert store.access_groups([HELM, SALARIES, QUESTION, "wiki/absent"]) == {SALARIES: ("hr",)}
    assert store.access_groups([HELM]) == {}


def test_chunks_by_id_carry_their_body(store: Store) -> None:
    fill(store)
    ids = tiny.chunk_ids(store)

    assert store.chunks([ids[f"{HELM}#1"], ids[f"{QUESTION}#0"], 10_000]) == {
        ids[f"{HELM}#1"]: ChunkRow(ids[f"{HELM}#1"], HELM, 1, "Check the pods with kubectl."),
        ids[f"{QUESTION}#0"]: ChunkRow(
            ids[f"{QUESTION}#0"],
            QUESTION,
            0,
            "Which revision do I go back to after a failed upgrade?",
        ),
    }
    assert len(set(ids.values())) == 5


def test_sources_and_document_hashes(store: Store) -> None:
    fill(store)

    assert store.source_names() == ["hr", "qa", "wiki"]
    assert store.document_hashes("wiki") == {
        HELM: "hash of wiki/helm",
        VACUUM: "hash of wiki/vacuum",
        SALARIES: "hash of wiki/salaries",
    }
    assert store.document_hashes("qa") == {QUESTION: "hash of qa/1"}
    assert store.document_hashes("hr") == {}
    assert store.document_hashes("absent") == {}


def test_stats_count_what_is_stored(store: Store) -> None:
    assert store.stats() == IndexStats(documents=0, chunks=0, people=0, contributions=0, vectors=0)

    fill(store)

    assert store.stats() == IndexStats(documents=4, chunks=5, people=3, contributions=5, vectors=5)


def test_stats_count_only_resolved_contributions(store: Store) -> None:
    store.apply_source(tiny.update("wiki"))

    assert store.stats() == IndexStats(documents=3, chunks=4, people=0, contributions=0, vectors=0)


def test_apply_source_replaces_changed_and_deletes_gone_documents(store: Store) -> None:
    fill(store)
    old = tiny.chunk_ids(store)
    renamed = Document(HELM, DocumentKind.WIKI, "Helm charts", "Lint every chart.")
    update = tiny.update(
        "wiki",
        documents={HELM: tiny.document(renamed, "Lint every chart.")},
        deleted=[VACUUM],
        contributions=[],
    )

    store.apply_source(update)

    assert store.document_hashes("wiki") == {
        HELM: "hash of wiki/helm",
        SALARIES: "hash of wiki/salaries",
    }
    assert store.documents([HELM, VACUUM])[HELM].title == "Helm charts"
    assert VACUUM not in store.documents([VACUUM])
    assert store.chunks([old[f"{HELM}#0"], old[f"{HELM}#1"], old[f"{VACUUM}#0"]]) == {}
    [new] = store.best_chunks("", [HELM]).values()
    assert (new.document_id, new.ordinal, new.body) == (HELM, 0, "Lint every chart.")
    assert store.stats().documents == 3
    assert store.stats().chunks == 3


def test_apply_source_leaves_other_sources_alone(store: Store) -> None:
    fill(store)

    store.apply_source(tiny.update("wiki", documents={}, deleted=[HELM, VACUUM, SALARIES]))

    assert store.document_hashes("wiki") == {}
    assert store.document_hashes("qa") == {QUESTION: "hash of qa/1"}
    assert store.stats().chunks == 1


def test_write_documents_replaces_a_batch_and_keeps_the_rest(store: Store) -> None:
    store.write_documents("wiki", dict(list(tiny.WIKI_DOCUMENTS.items())[:2]))
    again = Document(VACUUM, DocumentKind.WIKI, "Postgres vacuum", "Vacuum full locks.")

    store.write_documents(
        "wiki", {VACUUM: (again, "second hash", [tiny.chunk(VACUUM, 0, "V", "Vacuum full locks.")])}
    )

    assert store.document_hashes("wiki") == {HELM: "hash of wiki/helm", VACUUM: "second hash"}
    [row] = store.best_chunks("", [VACUUM]).values()
    assert (row.ordinal, row.body) == (0, "Vacuum full locks.")
    assert store.stats().chunks == 3
    assert store.source_names() == []  # documents alone do not make a source


def test_remove_sources_except_drops_the_others_with_their_documents(store: Store) -> None:
    fill(store)

    dropped = store.remove_sources_except(["qa", "elsewhere"])

    assert dropped == ["hr", "wiki"]
    assert store.source_names() == ["qa"]
    assert store.document_hashes("wiki") == {}
    assert store.documents([HELM, VACUUM, SALARIES]) == {}
    assert [source for source, _ in store.person_records()] == ["qa"]
    assert store.search_lexical("rollback kubectl autovacuum bands", 10) == []
    assert [c.document_id for c in store.contributions_to([HELM, QUESTION])] == [QUESTION]
    assert store.remove_sources_except(["qa"]) == []


def test_meta_keeps_the_last_value_of_a_key(store: Store) -> None:
    assert store.get_meta("chunking") is None

    store.set_meta("chunking", '["tiny-model", 256, 32]')
    store.set_meta("chunking", '["tiny-model", 128, 16]')
    store.set_meta("other", "")

    assert store.get_meta("chunking") == '["tiny-model", 128, 16]'
    assert store.get_meta("other") == ""
    assert store.get_meta("absent") is None


def test_a_source_transaction_lands_everything_together(store: Store) -> None:
    with store.source_transaction():
        store.write_documents("wiki", tiny.WIKI_DOCUMENTS)
        store.apply_source(tiny.update("wiki", documents={}))

    assert store.source_names() == ["wiki"]
    assert store.stats().documents == 3


def test_a_failed_source_transaction_writes_nothing(store: Store) -> None:
    store.apply_source(tiny.update("qa"))

    with pytest.raises(RuntimeError, match="connector broke"), store.source_transaction():
        store.write_documents("wiki", tiny.WIKI_DOCUMENTS)
        store.apply_source(tiny.update("wiki", documents={}))
        store.apply_source(tiny.update("qa", documents={}, deleted=[QUESTION]))
        raise RuntimeError("connector broke")

    assert store.source_names() == ["qa"]
    assert store.document_hashes("wiki") == {}
    assert store.document_hashes("qa") == {QUESTION: "hash of qa/1"}
    assert [source for source, _ in store.person_records()] == ["qa"]
    assert store.stats() == IndexStats(documents=1, chunks=1, people=0, contributions=0, vectors=0)
    store.apply_source(tiny.update("wiki"))  # the store still works after a rollback
    assert store.source_names() == ["qa", "wiki"]


def test_what_is_written_survives_reopening(make_store) -> None:
    first = make_store(create=True)
    fill(first)
    first.set_meta("chunking", "k")
    first.close()

    again = make_store()

    assert again.source_names() == ["hr", "qa", "wiki"]
    assert again.get_meta("chunking") == "k"
    assert again.stats().documents == 4
    assert again.documents([HELM])[HELM].updated == at(3, 4, 10)


def test_sample_chunk_is_one_stored_chunk_with_its_text_and_hash(store: Store) -> None:
    assert store.sample_chunk() is None
    fill(store)
    ids = tiny.chunk_ids(store)
    texts = {c.text_hash: c.text for _, _, chunks in tiny.SOURCES_DOCUMENTS for c in chunks}

    chunk_id, text, text_hash = store.sample_chunk()

    assert (chunk_id, text) == (ids[text_hash], texts[text_hash])


def test_applying_the_same_sources_again_changes_nothing(store: Store) -> None:
    fill(store)
    before = (store.stats(), store.contributions_of(tiny.ANA), store.person_records())

    fill(store)

    assert (store.stats(), store.contributions_of(tiny.ANA), store.person_records()) == before
