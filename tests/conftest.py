"""Shared fixtures: the real data beside the project and the packaged model, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("WHOKNOWS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SAMPLE_ORG = ROOT / "sample_org"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ../shared/data; tests that need it skip when it is absent."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set WHOKNOWS_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def embedder():
    """The packaged default model (all-MiniLM-L6-v2), loaded once per test session."""
    from embeddings.sentence import SentenceEmbedder

    return SentenceEmbedder()
