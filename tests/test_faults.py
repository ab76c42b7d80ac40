"""Fault injection: the real `whoknows index` killed with SIGKILL at each stage.

Afterwards the served generation is the previous one and answers; the next run
completes the index and reuses the vectors the killed run had cached.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.faults import FAILPOINT_ENV, POINTS
from indexer.generations import current_name, generations
from search_api.service import SearchService
from tests.helpers import ANA_ID, HELM_DOC, write_org

SCRIPT = Path(sys.executable).with_name("whoknows")
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "search_api.cli"]

EXTRA_PAGES = 6
"""Pages added before the killed run (one batch of vectors: "embed" dies once it is cached)."""


def index(
    root: Path, failpoint: str | None = None, settings: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `whoknows index` of the tiny organisation under ``root`` (``settings``: env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    env.update(settings or {})
    if failpoint:
        env[FAILPOINT_ENV] = failpoint
    return subprocess.run(
        [*COMMAND, "index", f"wiki:{root / 'wiki'}", f"bios:{root / 'team.yml'}", "--json",
         "--data-dir", str(root / "data")],
        cwd=root, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def served_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny organisation indexed once (generation A), to copy for each failpoint."""
    root = tmp_path_factory.mktemp("served")
    write_org(root)
    first = index(root)
    assert first.returncode == 0, first.stderr
    return root


def add_pages(wiki: Path) -> None:
    for n in range(EXTRA_PAGES):
        (wiki / f"runbook-{n}.md").write_text(
            f"---\ntitle: Runbook {n} for the payment queue\nauthors:\n"
            f"  - Dana Wu <dana.wu@example.com>\n---\nStep {n}: drain the payment queue "
            f"consumer number {n}, then restart it and watch the lag graph fall.\n",
            encoding="utf-8",
        )


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_any_stage_leaves_the_served_generation_intact(
    point: str, served_once: Path, tmp_path: Path, embedder
) -> None:
    root = tmp_path / "org"
    shutil.copytree(served_once, root)
    data = root / "data"
    served = current_name(data)
    add_pages(root / "wiki")

    killed = index(root, failpoint=point)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert current_name(data) == served
    assert generations(data)[-1] == served or point == "switch"
    service = SearchService.open(Settings(data_dir=data, reload_interval=0), embedder)
    try:
        answer = service.search("helm rollback", people_limit=1, documents_limit=1)
        assert service.store.generation == served
        assert service.store.stats().documents == 6
    finally:
        service.close()
    assert (answer.people[0].id, answer.documents[0].id) == (ANA_ID, HELM_DOC)

    again = index(root)

    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert current_name(data) == summary["generation"] != served
    assert summary["stats"]["documents"] == 6 + EXTRA_PAGES
    assert summary["stats"]["vectors"] == summary["stats"]["chunks"]
    assert summary["totals"]["added"] == EXTRA_PAGES
    # the vectors a killed run had cached are reused
    assert summary["embedded"] == (EXTRA_PAGES if point == "read" else 0)
    assert not list((data / "generations").glob("*.partial"))
