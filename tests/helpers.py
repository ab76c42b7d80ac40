"""A tiny organisation on disk (three wiki pages, four bios) and an index built from it."""

from __future__ import annotations

from pathlib import Path

from indexer.models import SourceSpec
from indexer.pipeline import Indexer, IndexSummary
from indexer.store import folder_store
from indexer.store.base import DocumentRow, Store

PAGES = {
    "helm-rollbacks.md": """---
title: Rolling back a Helm release
authors:
  - Ana Kovač <ana.kovac@example.com>
---
When a Helm upgrade fails, list the revisions of the release with `helm history`,
then run `helm rollback` with the release name and the last good revision number.
Watch the pods come back with `kubectl rollout status` before closing the incident.
""",
    "postgres-vacuum.md": """---
title: PostgreSQL vacuum and table bloat
authors:
  - Bruno Díaz <bruno.diaz@example.com>
---
Autovacuum removes dead tuples left by updates and deletes. When a table bloats,
lower autovacuum_vacuum_scale_factor for that table and check pg_stat_user_tables
for the last autovacuum time. Run VACUUM ANALYZE by hand after a bulk delete.
""",
    "expense-reports.md": """---
title: Submitting expense reports
authors:
  - Chloé Martin <chloe.martin@example.com>
---
Submit travel and meal receipts in the finance portal within thirty days.
Your manager approves the expense report and finance reimburses you with the next salary.
""",
}

BIOS = """\
ana:
  name: Ana Kovač
  email: ana.kovac@example.com
  title: Platform engineer
  bio: Runs the Kubernetes clusters and maintains the Helm charts of every service.
  skills: [kubernetes, helm]
bruno:
  name: Bruno Díaz
  email: bruno.diaz@example.com
  title: Database administrator
  bio: Looks after the PostgreSQL servers, replication and backups.
  skills: [postgresql]
dana:
  name: Dana Wu
  email: dana.wu@example.com
  title: Office manager
  bio: Organises the office, the desks and the team offsites.
"""

ANA_ID = "ana-kovac-eb5404"
ANA_EMAIL = "email:ana.kovac@example.com"
HELM_DOC = "wiki/helm-rollbacks.md"
VACUUM_DOC = "wiki/postgres-vacuum.md"
EXPENSES_DOC = "wiki/expense-reports.md"


def write_org(root: Path) -> tuple[Path, Path]:
    """Write the wiki folder and the bios file under ``root``; return their paths."""
    wiki = root / "wiki"
    wiki.mkdir(parents=True)
    for name, text in PAGES.items():
        (wiki / name).write_text(text, encoding="utf-8")
    bios = root / "team.yml"
    bios.write_text(BIOS, encoding="utf-8")
    return wiki, bios


def specs(wiki: Path | None, bios: Path | None) -> list[SourceSpec]:
    """Source specs named ``wiki`` and ``team`` (git history off: the pages are not in git)."""
    out = []
    if wiki is not None:
        out.append(SourceSpec("wiki", str(wiki), "wiki", {"git": False}))
    if bios is not None:
        out.append(SourceSpec("bios", str(bios), "team"))
    return out


def open_index(data: Path, *, create: bool = False) -> Store:
    """The store of the index in ``data`` (``create``: build one there).

    The one place tests outside ``tests/store/`` name a backend.
    """
    return folder_store(data, create=create)


def stored_documents(store: Store) -> dict[str, DocumentRow]:
    """Every document of every stored source, by id."""
    ids = [doc_id for source in store.source_names() for doc_id in store.document_hashes(source)]
    return store.documents(ids)


def run_index(data: Path, embedder, sources: list[SourceSpec]) -> IndexSummary:
    """One indexing run of ``sources`` into the data directory ``data``."""
    store = open_index(data, create=True)
    try:
        return Indexer(store, embedder).run(sources)
    finally:
        store.close()


def build_index(root: Path, embedder) -> tuple[Path, IndexSummary]:
    """Write the organisation under ``root`` and index it into ``root / "data"``."""
    wiki, bios = write_org(root)
    data = root / "data"
    return data, run_index(data, embedder, specs(wiki, bios))
