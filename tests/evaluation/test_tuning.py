"""scripts/tune_ranking.py re-ranks cached retrieval exactly as the service does."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from search_api.evaluation.runner import prepare_stackexchange
from search_api.ranking import RankingConfig
from tests.evaluation.test_protocols import _write_dump

ROOT = Path(__file__).resolve().parents[2]


SCRIPT = ROOT / "scripts" / "tune_ranking.py"


def _script():
    spec = importlib.util.spec_from_file_location("tune_ranking", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("block", ["validation", "validation-2"])
def test_cached_re_ranking_gives_the_metrics_of_whoknows_eval(
    tmp_path: Path, embedder, block: str
) -> None:
    tune = _script()
    dump = tmp_path / "site"
    dump.mkdir()
    _write_dump(dump)
    specs, task = prepare_stackexchange(dump, block)

    cached = tune.load_block(
        tmp_path / "cache", embedder, "tiny", "stackexchange", specs, task, block
    )
    # a second load reuses the index built by the first
    again = tune.load_block(
        tmp_path / "cache", embedder, "tiny", "stackexchange", specs, task, block
    )

    assert len(cached.queries) == 2
    assert tune.metrics(cached, RankingConfig()) == cached.baselines["default"]
    assert again.baselines == cached.baselines
    # Kai answers Kubernetes, Pia Postgres: the document model gets both queries right
    assert cached.baselines["default"]["mrr"] == 1.0
    # and a setting that keeps one document finds only that document's answerer
    one = tune.metrics(cached, replace(RankingConfig(), top_k=1))
    assert one["recall@10"] == 1.0


def test_the_grid_refuses_the_test_block() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--blocks", "test"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert "tuning blocks only" in run.stderr
