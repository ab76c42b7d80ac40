"""A big export goes through the whole pipeline in batches: memory grows far less than the file.

The pipeline runs in a fresh process over a ~58 MB Stack Exchange dump, with a hashing
stand-in for the model (embedding 40,000 chunks with the real one would take half an hour;
the real model is covered everywhere else). Before documents were streamed in batches the
same run grew by about four times the file's size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.connectors.test_streaming import MB, write_stackexchange_dump

ROOT = Path(__file__).resolve().parents[1]
RUN = """
import hashlib, json, re, sys
from pathlib import Path
import numpy as np
from indexer.models import SourceSpec
from indexer.pipeline import Indexer
from indexer.store.sqlite import SQLiteStore

class HashEmbedder:
    model_id, dim, max_tokens = "hash-16", 16, 256
    def token_spans(self, text):
        return [(m.start(), m.end()) for m in re.finditer(r"\\S+", text)]
    def encode_passages(self, texts):
        out = np.array([list(hashlib.sha256(t.encode()).digest()[:16]) for t in texts], "float32")
        return (out + 1) / np.linalg.norm(out + 1, axis=1, keepdims=True)
    encode_queries = encode_passages

def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field + ":"))

store = SQLiteStore(Path(sys.argv[2]), create=True)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak resident size (VmHWM) starts again from the current one
before = status("VmRSS")
summary = Indexer(store, HashEmbedder()).run([SourceSpec("stackexchange", sys.argv[1], "big")])
print(json.dumps({"growth": status("VmHWM") - before, "stats": summary.stats.__dict__}))
"""


def test_indexing_a_big_dump_streams_documents_in_batches(tmp_path: Path) -> None:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc/self/clear_refs to measure peak memory")
    dump = write_stackexchange_dump(tmp_path / "se", questions=8_000)
    size = (dump / "Posts.xml").stat().st_size

    done = subprocess.run(
        [sys.executable, "-c", RUN, str(dump), str(tmp_path / "data")],
        capture_output=True, text=True, timeout=300, check=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    result = json.loads(done.stdout)
    assert result["stats"] == {
        "documents": 8_000,
        "chunks": 40_000,
        "people": 400,
        "contributions": 24_000,
        "vectors": 40_000,
    }
    growth = result["growth"]
    assert growth < size, f"indexing {size / MB:.0f} MB grew memory by {growth / MB:.0f} MB"
