"""Index generations: build beside the served index, verify, switch, keep two; lock; hot reload."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from indexer import generations
from indexer.errors import IndexLockedError, TooManyRejectedError, VerificationError
from indexer.generations import CURRENT_FILE, IndexLock, current_name
from indexer.reindex import plan, reindex, verify
from indexer.store.sqlite import SQLiteStore
from search_api.service import SearchService
from tests.helpers import ANA_ID, HELM_DOC, build_index, specs, write_org

NEW_PAGE = """---
title: Rotating the TLS certificates of the ingress
authors:
  - Dana Wu <dana.wu@example.com>
---
The ingress certificates expire every ninety days. Renew them with cert-manager and
check the new expiry date with openssl s_client before the old certificate runs out.
"""
TLS_QUERY = "how do I renew the ingress TLS certificates"
TLS_DOC = "wiki/tls-rotation.md"


def _served(data: Path) -> list[str]:
    return generations.generations(data)


def test_each_run_builds_a_new_generation_and_keeps_the_last_two(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"

    names = []
    for _ in range(3):
        summary = reindex(data, specs(wiki, bios), embedder)
        names.append(summary.generation)
        assert current_name(data) == summary.generation

    assert names == sorted(names) and len(set(names)) == 3
    assert _served(data) == names[1:]
    assert summary.embedded == 0  # the shared cache kept every vector
    info = json.loads((data / "generations" / names[2] / "generation.json").read_text())
    assert info["stats"] == {
        "documents": 6,
        "chunks": 6,
        "people": 4,
        "contributions": 6,
        "vectors": 6,
    }
    assert (data / CURRENT_FILE).read_text() == names[2] + "\n"
    assert not list((data / "generations").glob("*.partial"))


def test_a_leftover_partial_generation_is_removed_and_its_embeddings_reused(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    first = reindex(data, specs(wiki, bios), embedder)
    dead = data / "generations" / "20000101T000000000000Z.partial"
    dead.mkdir()
    (dead / "whoknows.db").write_bytes(b"half written")

    second = reindex(data, specs(wiki, bios), embedder)

    assert not dead.exists()
    assert _served(data) == [first.generation, second.generation]


def test_an_index_built_in_place_seeds_the_first_generation(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    assert current_name(data) == ""

    summary = reindex(data, specs(tmp_path / "wiki", tmp_path / "team.yml"), embedder)

    assert (summary.totals()["unchanged"], summary.embedded) == (6, 0)
    assert current_name(data) == summary.generation


def test_too_many_rejected_records_abort_without_switching(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    served = reindex(data, specs(wiki, bios), embedder).generation
    (wiki / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")

    with pytest.raises(TooManyRejectedError, match=r"1 records rejected, more than --max-errors 0"):
        reindex(data, specs(wiki, bios), embedder, max_errors=0)

    assert current_name(data) == served
    assert _served(data) == [served]
    summary = reindex(data, specs(wiki, bios), embedder, max_errors=1)
    assert summary.totals()["rejected"] == 1 and current_name(data) == summary.generation


def test_dry_run_reports_changes_and_writes_nothing(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    served = reindex(data, specs(wiki, bios), embedder).generation
    (wiki / "tls-rotation.md").write_text(NEW_PAGE, encoding="utf-8")
    (wiki / "expense-reports.md").unlink()
    before = sorted(p.name for p in data.rglob("*"))

    summary = plan(data, specs(wiki, bios), embedder)

    assert summary.dry_run and summary.generation is None
    wiki_summary = summary.sources[0]
    assert (wiki_summary.added, wiki_summary.deleted, wiki_summary.unchanged) == (1, 1, 2)
    assert summary.embedded == 0
    assert sorted(p.name for p in data.rglob("*")) == before
    assert current_name(data) == served


def test_dry_run_on_an_empty_data_dir_counts_everything_as_added(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)

    summary = plan(tmp_path / "data", specs(wiki, bios), embedder)

    assert summary.totals()["added"] == 6
    assert not (tmp_path / "data").exists()


def test_verification_refuses_a_generation_with_chunks_missing_vectors(
    tmp_path: Path, embedder
) -> None:
    data, _ = build_index(tmp_path, embedder)
    store = SQLiteStore(data)
    store.db.execute(
        "DELETE FROM embeddings WHERE text_hash = (SELECT min(text_hash) FROM embeddings)"
    )
    store.db.conn.commit()
    store.build_vectors(embedder.model_id, embedder.dim)

    with pytest.raises(VerificationError, match="6 chunks but 5 vectors"):
        verify(store, embedder)
    store.close()


def test_a_second_run_is_refused_while_the_lock_is_held_and_names_the_holder(
    tmp_path: Path,
) -> None:
    with IndexLock(tmp_path), pytest.raises(IndexLockedError) as refused, IndexLock(tmp_path):
        pass
    assert f"pid {os.getpid()}" in str(refused.value)
    assert "pass --wait" in str(refused.value)


def test_wait_takes_the_lock_once_the_holder_releases_it(tmp_path: Path) -> None:
    held = IndexLock(tmp_path).__enter__()
    timer = threading.Timer(0.5, held.__exit__, args=(None, None, None))
    timer.start()
    with IndexLock(tmp_path, wait=True, timeout=10):
        assert not held._file  # released by the timer before we got in
    timer.join()


def test_a_stale_lock_note_from_a_dead_process_is_cleared(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    note = {"pid": 2**22 + 7, "host": socket.gethostname(), "started": "then", "command": "x"}
    (tmp_path / "index.lock").write_text(json.dumps(note))

    with caplog.at_level(logging.WARNING), IndexLock(tmp_path):
        holder = generations.lock_holder(tmp_path)

    assert holder is not None and holder.pid == os.getpid()
    assert f"cleared a stale index lock left by pid {2**22 + 7}" in caplog.text


def _settings(data: Path):
    from indexer.config import Settings

    return Settings(data_dir=data, reload_interval=0)


def test_a_server_switches_to_a_new_generation_without_a_restart(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    first = reindex(data, specs(wiki, bios), embedder).generation
    service = SearchService.open(_settings(data), embedder)
    try:
        before = service.search(TLS_QUERY, people_limit=1, documents_limit=3)
        pinned = service._loaded
        (wiki / "tls-rotation.md").write_text(NEW_PAGE, encoding="utf-8")
        second = reindex(data, specs(wiki, bios), embedder).generation

        assert service.store.generation == first
        assert service.reload() is True
        assert service.reload() is False
        after = service.search(TLS_QUERY, people_limit=1, documents_limit=3)
        # a request that started before the switch finishes on its own generation
        old = service._run(pinned, TLS_QUERY, 1, 3, False, None)
    finally:
        service.close()

    assert service.store.generation == second
    assert TLS_DOC not in [d.id for d in before.documents]
    assert after.documents[0].id == TLS_DOC
    assert after.people[0].name == "Dana Wu"
    assert [d.id for d in old.documents] == [d.id for d in before.documents]


def test_the_watcher_thread_follows_current(tmp_path: Path, embedder) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    reindex(data, specs(wiki, bios), embedder)
    service = SearchService.open(_settings(data), embedder)
    try:
        service.watch(0.05)
        second = reindex(data, specs(wiki, bios), embedder).generation
        switched = threading.Event()
        for _ in range(200):
            if service.store.generation == second:
                switched.set()
                break
            switched.wait(0.05)
    finally:
        service.close()
    assert switched.is_set()


def test_a_broken_new_generation_is_skipped_and_the_served_one_kept(
    tmp_path: Path, embedder, caplog: pytest.LogCaptureFixture
) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    first = reindex(data, specs(wiki, bios), embedder).generation
    service = SearchService.open(_settings(data), embedder)
    broken = data / "generations" / "29990101T000000000000Z"
    (broken / "vectors").mkdir(parents=True)
    sqlite3.connect(broken / "whoknows.db").close()
    (broken / "vectors" / "manifest.json").write_text("{not json")
    (data / CURRENT_FILE).write_text(broken.name + "\n")
    try:
        with caplog.at_level(logging.WARNING):
            assert service.reload() is False
            assert service.reload() is False  # skipped, not retried on every poll
        answer = service.search("helm rollback", people_limit=1, documents_limit=1)
    finally:
        service.close()
    assert service.store.generation == first
    assert answer.people[0].id == ANA_ID and answer.documents[0].id == HELM_DOC
    assert caplog.text.count(f"generation {broken.name!r} is unusable") == 1
