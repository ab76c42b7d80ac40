"""End to end: the real `whoknows index` in a subprocess on a hostile wiki and bios file.

The wiki holds symlinks to /etc/passwd, /proc/self/environ and /dev/zero, a FIFO nobody
writes, a YAML alias bomb and a page with a javascript: url; the bios file is an alias bomb.
The run must finish (a timeout fails the test instead of hanging), report each refused file,
and the real index, searched through the real API, must hold none of their contents.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from tests.helpers import open_index
from tests.security.indexer_helpers import BILLION_LAUGHS, write_page
from tests.test_cli import whoknows

ROOT = Path(__file__).resolve().parents[2]
CANARY = "canary-3f9c1d7e-indexer-secret"
"""A secret in the indexer's environment: /proc/self/environ must not carry it into the index."""


def hostile_wiki(root: Path) -> Path:
    wiki = root / "wiki"
    write_page(wiki, "helm.md", "---\ntitle: Helm\n---\nRoll back a release with helm rollback.\n")
    write_page(
        wiki, "js.md", "---\ntitle: Links\nurl: javascript:alert(1)\n---\nSee the runbook.\n"
    )
    write_page(wiki, "bomb.md", f"---\n{BILLION_LAUGHS}\ntitle: *i\n---\nlol\n")
    (wiki / "passwd.md").symlink_to("/etc/passwd")
    (wiki / "environ.md").symlink_to("/proc/self/environ")
    (wiki / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(wiki / "pipe.md")
    return wiki


def index(root: Path, *sources: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``whoknows index`` (tests.test_cli: 120 s timeout) with the canary in its environment."""
    started = time.monotonic()
    result = whoknows(root, "index", *sources, "--json", "--data-dir", str(root / "data"))
    return result, time.monotonic() - started


def test_whoknows_index_refuses_hostile_files_and_indexes_the_rest(
    tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INDEXER_CANARY", CANARY)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's code, whatever the cwd
    wiki = hostile_wiki(tmp_path)
    bios = write_page(tmp_path, "team.yml", f"{BILLION_LAUGHS}\nann:\n  name: Ann\n  bio: *i\n")

    result, seconds = index(tmp_path, f"wiki:{wiki}", f"bios:{bios}")

    assert result.returncode == 1, result.stderr  # the bios source failed; the wiki is served
    summary = json.loads(result.stdout)
    wiki_summary, bios_summary = summary["sources"]
    assert bios_summary["error"] == (
        f"bios file {bios} is not valid YAML: line 2: aliases such as *a are not allowed, "
        "write the value out; fix the YAML"
    )
    outside = "outside the source's folder; not read"
    assert [
        (Path(r["file"]).name, r["location"], re.sub(r"/proc/\d+/", "/proc/PID/", r["reason"]))
        for r in wiki_summary["rejected"]
    ] == [
        ("bomb.md", "line 3", "front matter uses the YAML alias *a; aliases are not allowed, "
         "write the value out"),
        ("environ.md", "", f"a symlink to /proc/PID/environ, {outside}"),
        ("passwd.md", "", f"a symlink to /etc/passwd, {outside}"),
        ("pipe.md", "", "a FIFO, not a regular file; not read"),
        ("zero.md", "", f"a symlink to /dev/zero, {outside}"),
    ]  # fmt: skip
    assert (wiki_summary["added"], wiki_summary["error"]) == (2, None)
    assert seconds < 120
    assert_index_holds_only_the_real_pages(tmp_path / "data", embedder)


def assert_index_holds_only_the_real_pages(data: Path, embedder) -> None:
    store = open_index(data)
    try:
        assert sorted(store.document_hashes("wiki")) == ["wiki/helm.md", "wiki/js.md"]
        assert store.documents(["wiki/js.md"])["wiki/js.md"].url == ""
        assert store.search_documents_lexical("root daemon nologin", 10) == []
        assert store.search_documents_lexical(CANARY, 10) == []
    finally:
        store.close()
    settings = Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=1000)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        response = client.get("/v1/documents", params={"q": "root daemon nologin", "limit": 10})
    assert response.status_code == 200
    found = response.json()["documents"]
    assert {d["id"] for d in found} <= {"wiki/helm.md", "wiki/js.md"}
    assert all(d["url"] in ("", None) for d in found if d["id"] == "wiki/js.md")
