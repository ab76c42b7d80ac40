"""Indexing end to end on a tiny organisation: real model, real SQLite file, real FAISS index."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.config import SourceConfig, source_specs
from indexer.errors import IndexMismatchError, IndexNotFoundError
from indexer.models import Rejected
from indexer.store.base import IndexStats
from search_api.schemas import EvidenceOut
from search_api.service import SearchService
from tests.helpers import (
    ANA_ID,
    EXPENSES_DOC,
    HELM_DOC,
    PAGES,
    VACUUM_DOC,
    build_index,
    open_index,
    run_index,
    specs,
    write_org,
)

FULL = IndexStats(documents=6, chunks=6, people=4, contributions=6, vectors=6)
BRUNO_ID = "bruno-diaz-b94282"
CHLOE_ID = "chloe-martin-b93ed5"


def by_source(summary) -> dict[str, tuple[int, int, int, int]]:
    """``(added, changed, deleted, unchanged)`` of every source in a run."""
    return {s.name: (s.added, s.changed, s.deleted, s.unchanged) for s in summary.sources}


def chunk_ids_of(data: Path, embedder, document_id: str) -> list[int]:
    """Ids of one document's chunks, among all the vector index holds (every chunk, here)."""
    store = open_index(data)
    try:
        store.check_ready(embedder.model_id, embedder.dim)
        anything = embedder.encode_queries(["anything"])[0]
        every = [chunk_id for chunk_id, _ in store.search_dense(anything, 1_000)]
        found = store.chunks(every)
        return sorted(i for i, chunk in found.items() if chunk.document_id == document_id)
    finally:
        store.close()


# ---------------------------------------------------------------- indexing


def test_first_run_indexes_pages_bios_and_merged_people(tmp_path: Path, embedder) -> None:
    data, summary = build_index(tmp_path, embedder)

    assert summary.stats == FULL
    assert summary.embedded == 6
    assert by_source(summary) == {"wiki": (3, 0, 0, 0), "team": (3, 0, 0, 0)}
    assert [s.people for s in summary.sources] == [3, 3]
    assert summary.ambiguities == []
    assert summary.removed_sources == []
    assert not summary.failed
    store = open_index(data)
    try:
        assert sorted(
            store.people([ANA_ID, BRUNO_ID, CHLOE_ID, "dana-wu-8b75ad"], groups=None)
        ) == [
            ANA_ID,
            BRUNO_ID,
            CHLOE_ID,
            "dana-wu-8b75ad",
        ]
    finally:
        store.close()


def test_second_run_on_unchanged_sources_embeds_nothing(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)

    again = run_index(data, embedder, specs(tmp_path / "wiki", tmp_path / "team.yml"))

    assert again.embedded == 0
    assert by_source(again) == {"wiki": (0, 0, 0, 3), "team": (0, 0, 0, 3)}
    assert again.totals() == {"added": 0, "changed": 0, "deleted": 0, "unchanged": 6, "rejected": 0}
    assert again.stats == FULL


def test_editing_one_page_re_embeds_only_its_chunks(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    old_chunks = chunk_ids_of(data, embedder, VACUUM_DOC)
    page = tmp_path / "wiki" / "postgres-vacuum.md"
    page.write_text(
        PAGES["postgres-vacuum.md"].replace("VACUUM ANALYZE", "pg_repack"), encoding="utf-8"
    )

    summary = run_index(data, embedder, specs(tmp_path / "wiki", tmp_path / "team.yml"))

    assert summary.embedded == 1
    assert by_source(summary) == {"wiki": (0, 1, 0, 2), "team": (0, 0, 0, 3)}
    assert summary.stats == FULL
    new_chunks = chunk_ids_of(data, embedder, VACUUM_DOC)
    assert len(new_chunks) == 1 and new_chunks != old_chunks
    store = open_index(data)
    try:
        assert [cid for cid, _ in store.search_lexical("pg_repack", 10)] == new_chunks
        assert store.search_lexical("analyze", 10) == []
    finally:
        store.close()


def test_deleting_a_page_removes_its_chunks_from_fts_and_faiss(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    [vacuum_chunk] = chunk_ids_of(data, embedder, VACUUM_DOC)
    (tmp_path / "wiki" / "postgres-vacuum.md").unlink()

    summary = run_index(data, embedder, specs(tmp_path / "wiki", tmp_path / "team.yml"))

    assert by_source(summary) == {"wiki": (0, 0, 1, 2), "team": (0, 0, 0, 3)}
    assert summary.embedded == 0
    assert summary.stats == IndexStats(documents=5, chunks=5, people=4, contributions=5, vectors=5)
    store = open_index(data)
    try:
        store.check_ready(embedder.model_id, embedder.dim)
        assert store.search_lexical("autovacuum", 10) == []
        query = embedder.encode_queries(["autovacuum and table bloat"])[0]
        dense = [cid for cid, _ in store.search_dense(query, 100)]
        assert len(dense) == 5
        assert vacuum_chunk not in dense
        assert VACUUM_DOC not in {c.document_id for c in store.chunks(dense).values()}
    finally:
        store.close()


def test_dropping_a_source_removes_its_documents_and_people(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)

    summary = run_index(data, embedder, specs(tmp_path / "wiki", None))

    assert summary.removed_sources == ["team"]
    assert summary.stats == IndexStats(documents=3, chunks=3, people=3, contributions=3, vectors=3)
    store = open_index(data)
    try:
        assert store.document_hashes("team") == {}
        assert store.people(["dana-wu-8b75ad"], groups=None) == {}
        assert (
            store.people([ANA_ID], groups=None)[ANA_ID].title == ""
        )  # the title came from the bio
    finally:
        store.close()


def test_a_source_that_cannot_be_read_keeps_its_previous_state(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    missing = tmp_path / "moved" / "team.yml"

    summary = run_index(data, embedder, specs(tmp_path / "wiki", missing))

    assert summary.failed
    [wiki, team] = summary.sources
    assert wiki.error is None
    assert team.error == f"bios file {missing} does not exist; check the source path"
    assert summary.removed_sources == []
    assert summary.stats == FULL
    store = open_index(data)
    try:
        assert sorted(store.document_hashes("team")) == [
            "team/bio/email:ana.kovac@example.com",
            "team/bio/email:bruno.diaz@example.com",
            "team/bio/email:dana.wu@example.com",
        ]
        assert store.people([ANA_ID], groups=None)[ANA_ID].title == "Platform engineer"
    finally:
        store.close()


def test_a_bios_file_gone_missing_keeps_its_state_with_names_from_source_specs(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    sources = [
        SourceConfig(kind="wiki", path=str(wiki), options={"git": False}),
        SourceConfig(kind="bios", path=str(bios)),
    ]
    run_index(tmp_path / "data", embedder, source_specs(sources))
    bios.rename(tmp_path / "team.yml.bak")

    summary = run_index(tmp_path / "data", embedder, source_specs(sources))

    assert summary.failed
    assert summary.removed_sources == []
    assert summary.stats == FULL


def test_a_page_with_broken_front_matter_is_rejected_and_the_rest_indexed(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    broken = wiki / "broken.md"
    broken.write_text("---\ntitle: Broken: page: x\nauthors: [ana]\n---\nBody\n", encoding="utf-8")

    summary = run_index(tmp_path / "data", embedder, specs(wiki, bios))

    assert not summary.failed
    assert summary.sources[0].rejected == [
        Rejected(
            file=str(broken),
            location="line 2",
            reason="malformed front matter: mapping values are not allowed here; "
            "fix the YAML between the --- lines",
        )
    ]
    assert str(summary.sources[0].rejected[0]).startswith(f"{broken}:line 2: malformed")
    assert summary.totals()["rejected"] == 1
    assert by_source(summary) == {"wiki": (3, 0, 0, 0), "team": (3, 0, 0, 0)}
    assert summary.stats == FULL


# ---------------------------------------------------------------- searching


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder):
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    service = SearchService(open_index(data), embedder)
    yield service
    service.close()


def test_search_puts_the_helm_author_and_page_first_with_evidence(service) -> None:
    answer = service.search("how do I roll back a failed helm release", documents_limit=3)

    first = answer.people[0]
    assert (first.id, first.name, first.title) == (ANA_ID, "Ana Kovač", "Platform engineer")
    assert first.aliases == ["email:ana.kovac@example.com"]
    assert first.evidence[0] == EvidenceOut(
        document_id=HELM_DOC,
        title="Rolling back a Helm release",
        role="author",
        url="",
        snippet="When a Helm upgrade fails, list the revisions of the release with helm history, "
        "then run helm rollback with the release name and the last good revision number. "
        "Watch the pods come back with kubectl rollout status before closing the…",
    )
    assert first.evidence[1].role == "self_declared"
    assert first.evidence[1].title == "Ana Kovač, Platform engineer"
    assert answer.documents[0].id == HELM_DOC
    assert [d.kind for d in answer.documents] == ["wiki", "wiki", "wiki"]  # bios are not listed


def test_search_puts_the_vacuum_author_and_page_first(service) -> None:
    answer = service.search("postgres table bloat and vacuum", documents_limit=1)

    assert answer.people[0].id == BRUNO_ID
    assert answer.people[0].evidence[0].document_id == VACUUM_DOC
    assert [d.id for d in answer.documents] == [VACUUM_DOC]


def test_search_puts_the_only_author_of_the_relevant_page_first(service) -> None:
    answer = service.search("where do I submit receipts for reimbursement")

    assert answer.documents[0].id == EXPENSES_DOC
    assert answer.people[0].id == CHLOE_ID


# ---------------------------------------------------------------- refusing a bad index


def test_an_index_built_for_another_model_or_dimension_is_refused(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    store = open_index(data)
    try:
        with pytest.raises(IndexMismatchError) as other_model:
            store.check_ready("other-model", embedder.dim)
        with pytest.raises(IndexMismatchError) as other_dim:
            store.check_ready(embedder.model_id, 768)
    finally:
        store.close()

    assert str(other_model.value) == (
        "the index was built with model 'all-MiniLM-L6-v2', configured 'other-model': "
        "rebuild it with `whoknows index` or configure the model it was built with"
    )
    assert str(other_dim.value) == (
        "the index was built with dimension 384, model gives 768: "
        "rebuild it with `whoknows index` or configure the model it was built with"
    )


def test_a_data_dir_without_an_index_is_index_not_found(tmp_path: Path, embedder) -> None:
    with pytest.raises(IndexNotFoundError) as no_database:
        open_index(tmp_path / "empty")
    store = open_index(tmp_path / "fresh", create=True)
    try:
        with pytest.raises(IndexNotFoundError) as no_vectors:
            SearchService(store, embedder)
    finally:
        store.close()

    assert str(no_database.value) == (
        f"no index in {tmp_path / 'empty'}: run `whoknows index` with sources first"
    )
    assert str(no_vectors.value) == (
        f"no vector index in {tmp_path / 'fresh' / 'vectors'}: run `whoknows index` first"
    )
    assert not (tmp_path / "empty").exists()
