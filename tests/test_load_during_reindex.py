"""Load while re-indexing: 16 connections query a real 2-worker server through a switch.

Runs scripts/load_during_reindex.py (the same script gives the figures in
docs/operations.md) on the tiny organisation, for a shorter time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import write_org

ROOT = Path(__file__).resolve().parents[1]
SWITCH_SECONDS = 5.0
"""Every worker answers from the new generation this soon after CURRENT names it."""


def test_no_errors_and_no_empty_answers_while_a_reindex_switches_generations(
    tmp_path: Path,
) -> None:
    write_org(tmp_path)
    config = tmp_path / "whoknows.toml"
    config.write_text(
        '[[sources]]\nkind = "wiki"\npath = "wiki"\n\n[[sources]]\nkind = "bios"\n'
        'path = "team.yml"\n',
        encoding="utf-8",
    )

    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load_during_reindex.py"), "--config",
         str(config), "--duration", "20", "--concurrency", "16", "--workers", "2", "--json"],
        capture_output=True, text=True, timeout=400, check=False,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["requests"] > 100
    assert (report["errors"], report["empty_answers"], report["reindex_exit_code"]) == (0, 0, 0)
    assert report["switch_window_requests"] > 0
    assert report["new_answers"] > 0
    assert report["new_answer_first_seen_after_switch_s"] >= 0
    last_old = report["old_answer_last_seen_after_switch_s"]
    assert last_old is None or last_old < SWITCH_SECONDS
