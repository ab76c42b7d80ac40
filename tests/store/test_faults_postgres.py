"""Fault injection on PostgreSQL: the real `whoknows index` killed with SIGKILL at each stage.

As on the embedded backend (tests/test_faults.py): the served generation stays and answers,
the next run completes and reuses the vectors the killed run had cached, and the killed
run's schema is dropped once a later generation is published.
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.faults import POINTS
from indexer.store.postgres import generations
from search_api.service import SearchService
from tests.helpers import ANA_ID, HELM_DOC, write_org
from tests.test_faults import EXTRA_PAGES, add_pages
from tests.test_faults import index as run_index


def index(root: Path, url: str, failpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_index(root, failpoint, {"WHOKNOWS_DATABASE_URL": url})


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_run_leaves_the_served_generation_answering(
    point: str, tmp_path: Path, postgres_database: str, embedder
) -> None:
    write_org(tmp_path)
    first = index(tmp_path, postgres_database)
    assert first.returncode == 0, first.stderr
    served = json.loads(first.stdout)["generation"]
    add_pages(tmp_path / "wiki")

    killed = index(tmp_path, postgres_database, failpoint=point)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert generations.current(postgres_database) == served
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_database)
    service = SearchService.open(settings.model_copy(update={"reload_interval": 0}), embedder)
    try:
        answer = service.search("helm rollback", people_limit=1, documents_limit=1)
        assert service.store.generation == served
        assert service.store.stats().documents == 6
    finally:
        service.close()
    assert (answer.people[0].id, answer.documents[0].id) == (ANA_ID, HELM_DOC)

    again = index(tmp_path, postgres_database)

    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert generations.current(postgres_database) == summary["generation"] != served
    assert summary["stats"]["documents"] == 6 + EXTRA_PAGES
    assert summary["stats"]["vectors"] == summary["stats"]["chunks"]
    # the vectors a killed run had cached are reused
    assert summary["embedded"] == (EXTRA_PAGES if point == "read" else 0)
    assert generations.names(postgres_database) == [served, summary["generation"]]
