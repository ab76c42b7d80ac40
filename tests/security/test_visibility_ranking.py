"""Attack 11: restricted contributions must not move an outsider's ranking.

Two indexes of the same public Q&A site (tests/evaluation/tiny_site.py: Kai
answers Kubernetes, Pia answers Postgres, in January 2024); the second also
holds a copy of the site restricted to ``security`` whose answers are two years
newer. The ranking's "now" and every person's recent activity must come from
what the caller may see, so an outsider's answer is the same from both indexes.
Dense retrieval only (``alpha=0``): BM25's corpus statistics are the residual
signal docs/security.md describes, and are kept out of this comparison.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.models import SourceSpec
from indexer.store.sqlite import SQLiteStore
from search_api.app import create_app
from search_api.keys import KeyStore
from search_api.ranking import RankingConfig
from search_api.service import SearchService
from tests.evaluation.tiny_site import write_tiny_site
from tests.helpers import run_index

QUERIES = ("helm rollback after an upgrade", "postgres table bloat and vacuum")


def newer_copy(site: Path, folder: Path) -> Path:
    """The site with every date moved two years on (2024 -> 2026)."""
    folder.mkdir()
    for name in ("Posts.xml", "Users.xml"):
        text = (site / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace('"2024-', '"2026-'), encoding="utf-8")
    return folder


def answers(data: Path, embedder, key: str | None) -> dict[str, dict]:
    service = SearchService(SQLiteStore(data), embedder, config=RankingConfig(alpha=0.0))
    settings = Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=1000)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with TestClient(create_app(settings, embedder=embedder, service=service)) as client:
        return {
            q: client.get("/v1/search", params={"q": q, "limit": 10}, headers=headers).json()
            for q in QUERIES
        }


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("side-channels")
    site = root / "site"
    site.mkdir()
    write_tiny_site(site)
    secret = newer_copy(site, root / "secret")
    public_only, with_secret = root / "public", root / "both"
    assert not run_index(
        public_only, embedder, [SourceSpec("stackexchange", str(site), "qa")]
    ).failed
    assert not run_index(
        with_secret,
        embedder,
        [
            SourceSpec("stackexchange", str(site), "qa"),
            SourceSpec("stackexchange", str(secret), "secqa", {"access_groups": "security"}),
        ],
    ).failed
    return public_only, with_secret


def test_the_restricted_copy_is_newer_and_would_move_the_prior(
    indexes: tuple[Path, Path], embedder
) -> None:
    _, with_secret = indexes
    service = SearchService(SQLiteStore(with_secret), embedder)
    try:
        loaded = service._loaded
        assert loaded.now is not None and loaded.now.year == 2026
        outsider_now = loaded.now_for(frozenset())
        assert outsider_now is not None and outsider_now.year == 2024
    finally:
        service.close()


@pytest.mark.parametrize("who", ["anonymous", "outsider key"])
def test_an_outsiders_answer_ignores_restricted_activity(
    indexes: tuple[Path, Path], embedder, who: str
) -> None:
    public_only, with_secret = indexes
    key = None
    if who == "outsider key":
        keys = KeyStore(with_secret)
        key = keys.create("outsider", ["search"])[1]
        keys.close()

    seen = answers(with_secret, embedder, key)

    expected = answers(public_only, embedder, None)
    assert [p["id"] for p in expected[QUERIES[0]]["people"]][:1] != []
    assert seen == expected
