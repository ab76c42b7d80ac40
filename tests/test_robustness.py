"""Index runs that must not lose data, and a service that follows re-indexes and access rules."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from embeddings.sentence import resolve_model
from indexer.config import Settings
from indexer.models import SourceSpec
from indexer.pipeline import Indexer, IndexSummary
from search_api.app import create_app
from search_api.keys import KeyStore
from search_api.service import SearchService
from tests.helpers import HELM_DOC, open_index, run_index, specs, write_org

PAGES = "".join(
    f"<page><title>P{i}</title><id>{i}</id><revision><id>{i}</id>"
    f"<timestamp>2024-01-0{i + 1}T00:00:00Z</timestamp>"
    f"<contributor><username>u{i}</username><id>{i}</id></contributor>"
    f"<text>Page {i} explains topic number {i}.</text></revision></page>"
    for i in range(6)
)
EXPORT = f"<mediawiki>{PAGES}</mediawiki>"


def test_a_cut_short_export_deletes_nothing_and_fails_the_run(tmp_path: Path, embedder) -> None:
    export = tmp_path / "mw.xml"
    export.write_text(EXPORT, encoding="utf-8")
    spec = [SourceSpec("mediawiki", str(export), "mw")]
    assert run_index(tmp_path / "data", embedder, spec).sources[0].added == 6

    export.write_text(EXPORT[: len(EXPORT) // 2], encoding="utf-8")
    summary = run_index(tmp_path / "data", embedder, spec)

    [source] = summary.sources
    assert (source.deleted, source.incomplete, summary.failed) == (0, True, True)
    assert summary.stats is not None and summary.stats.documents == 6
    assert source.rejected[-1].truncated


def test_a_new_model_embeds_every_kept_chunk(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    first = run_index(tmp_path / "data", embedder, specs(wiki, bios))
    assert first.stats is not None

    class SameWeightsOtherId:
        """The packaged model under another id, as if the model setting had changed."""

        model_id = resolve_model("all-MiniLM-L6-v2")[1]
        dim = embedder.dim
        max_tokens = embedder.max_tokens
        token_spans = staticmethod(embedder.token_spans)
        encode_queries = staticmethod(embedder.encode_queries)
        encode_passages = staticmethod(embedder.encode_passages)

    store = open_index(tmp_path / "data")
    try:
        second = Indexer(store, SameWeightsOtherId()).run(specs(wiki, bios))
    finally:
        store.close()
    assert second.stats is not None
    assert second.embedded == first.stats.chunks
    assert second.stats.vectors == second.stats.chunks == first.stats.chunks


def test_people_keep_their_contributions_while_a_source_is_rewritten(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    first = run_index(tmp_path / "data", embedder, specs(wiki, bios))
    assert first.stats is not None
    store = open_index(tmp_path / "data")
    try:
        # apply one source again, as a run does long before it resolves people at its end
        Indexer(store, embedder)._index_source(specs(wiki, bios)[0], IndexSummary())
        resolved = store.stats().contributions  # counts the contributions that have a person
    finally:
        store.close()
    assert resolved == first.stats.contributions == 6


def test_a_running_service_follows_a_reindex(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    run_index(tmp_path / "data", embedder, specs(wiki, bios))
    service = SearchService(open_index(tmp_path / "data"), embedder)
    try:
        query = "helm rollback"
        assert service.search(query, people_limit=1).documents[0].id == HELM_DOC
        page = wiki / Path(HELM_DOC).name
        page.write_text(page.read_text(encoding="utf-8") + "\nAlso check helm history.\n")
        run_index(tmp_path / "data", embedder, specs(wiki, bios))
        # the page's chunks got new ids: a stale FAISS index would no longer find it
        assert service.search(query, people_limit=1).documents[0].id == HELM_DOC
    finally:
        service.close()


def test_hidden_work_does_not_lift_a_person(tmp_path: Path, embedder) -> None:
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "helm.md").write_text(
        "---\ntitle: Helm rollbacks\nupdated: 2020-01-01\nauthors:\n  - Ana <ana@x.com>\n"
        "  - Bruno <bruno@x.com>\n---\nRun helm rollback with the last good revision.\n",
        encoding="utf-8",
    )
    for i in range(5):
        (wiki / f"hr{i}.md").write_text(
            f"---\ntitle: Salary review {i}\nupdated: 2024-06-0{i + 1}\naccess_groups: [hr]\n"
            f"authors:\n  - Bruno <bruno@x.com>\n---\nConfidential salary band notes {i}.\n",
            encoding="utf-8",
        )
    run_index(tmp_path / "data", embedder, [SourceSpec("wiki", str(wiki), "wiki", {"git": False})])
    service = SearchService(open_index(tmp_path / "data"), embedder)
    try:
        outsider = service.search("helm rollback", groups=frozenset())
        insider = service.search("helm rollback", groups={"hr"})
    finally:
        service.close()
    assert [p.score for p in outsider.people] == [1.0, 1.0]  # same visible evidence, no prior
    assert insider.people[0].name == "Bruno"  # his recent hr pages count for hr callers
    assert insider.people[0].score > insider.people[1].score


def test_a_string_access_groups_rule_is_one_group(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    spec = [SourceSpec("bios", str(bios), "team", {"access_groups": "hr"})]
    assert not run_index(tmp_path / "data", embedder, spec).failed
    store = open_index(tmp_path / "data")
    try:
        documents = store.documents(list(store.document_hashes("team")))
    finally:
        store.close()
    assert len(documents) == 3
    assert {row.access_groups for row in documents.values()} == {("hr",)}


def test_readyz_and_metrics_follow_a_reindex(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    run_index(tmp_path / "data", embedder, specs(wiki, bios))
    keys = KeyStore(tmp_path / "data")
    admin = {"Authorization": f"Bearer {keys.create('ops', ['admin'])[1]}"}
    keys.close()
    settings = Settings(data_dir=tmp_path / "data", allow_anonymous=True)
    with TestClient(create_app(settings, embedder=embedder), headers=admin) as client:
        assert client.get("/readyz").json()["documents"] == 6
        (wiki / "new-page.md").write_text(
            "---\ntitle: Kafka consumer lag\nauthors: [dana.wu@example.com]\n---\n"
            "Watch consumer lag per partition.\n",
            encoding="utf-8",
        )
        run_index(tmp_path / "data", embedder, specs(wiki, bios))
        assert client.get("/readyz").json()["documents"] == 7
        assert "whoknows_index_documents 7.0" in client.get("/metrics").text
