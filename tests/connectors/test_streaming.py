"""Big exports are streamed: reading one grows the process by far less than the file's size.

Each test writes a ~60 MB export under tmp_path and reads it with the real connector in a
fresh Python process, which reports how much its peak resident memory grew while reading:
``VmHWM`` of /proc/self/status, reset after the imports, less the resident size then. A
connector that held the file or its text would grow by about the file's size or more.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
WORDS = [
    "helm",
    "rollback",
    "release",
    "revision",
    "kubernetes",
    "pod",
    "restart",
    "postgres",
    "vacuum",
    "index",
]
MEASURE = """
import json, sys
from indexer.connectors import get_reader
from indexer.models import SourceSpec

def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field + ":"))

kind, path = sys.argv[1], sys.argv[2]
reader = get_reader(kind)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak resident size (VmHWM) starts again from the current one
before = status("VmRSS")
counts = {}
for record in reader(SourceSpec(kind, path, "big")):
    counts[type(record).__name__] = counts.get(type(record).__name__, 0) + 1
print(json.dumps({"growth": status("VmHWM") - before, "counts": counts}))
"""


def prose(seed: int, words: int) -> str:
    return " ".join(WORDS[(seed * 7 + k * 3) % len(WORDS)] for k in range(words)) + f" {seed}"


def read_in_a_fresh_process(kind: str, path: Path) -> tuple[int, dict[str, int]]:
    """(peak memory growth in bytes, records by type) of reading ``path`` in a new process."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux /proc/self/clear_refs to measure peak memory")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, kind, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    result = json.loads(done.stdout)
    return result["growth"], result["counts"]


def write_stackexchange_dump(folder: Path, questions: int) -> Path:
    """``questions`` threads of one question and two answers, ~2.5 KB of HTML per post."""
    folder.mkdir()
    with (folder / "Posts.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for q in range(1, 3 * questions + 1, 3):
            body = quoteattr(f"<p>{prose(q, 300)}</p><pre><code>helm rollback app {q}</code></pre>")
            out.write(
                f'  <row Id="{q}" PostTypeId="1" CreationDate="2021-01-01T10:00:00.000"'
                f' OwnerUserId="{q % 400 + 1}" Title="Question {q}" Tags="&lt;helm&gt;"'
                f" Body={body} />\n"
            )
            for a in (q + 1, q + 2):
                body = quoteattr(f"<p>{prose(a, 320)}</p>")
                out.write(
                    f'  <row Id="{a}" PostTypeId="2" ParentId="{q}" Score="{a % 9}"'
                    f' CreationDate="2021-01-02T10:00:00.000" OwnerUserId="{a % 400 + 1}"'
                    f" Body={body} />\n"
                )
        out.write("</posts>\n")
    users = "".join(f'  <row Id="{u}" DisplayName="User {u}" />\n' for u in range(1, 401))
    (folder / "Users.xml").write_text(f"<users>\n{users}</users>\n", encoding="utf-8")
    return folder


def write_mediawiki_export(path: Path, pages: int) -> Path:
    """``pages`` pages of three revisions, ~1.3 KB of wikitext each."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/">\n')
        for p in range(1, pages + 1):
            out.write(f"<page><title>Page {p}</title><ns>0</ns><id>{p}</id>\n")
            for r in range(3):
                text = escape(f"== Setup ==\n{prose(p + r, 180)} [[Page {p + 1}|next]]")
                out.write(
                    f"<revision><timestamp>2021-01-0{r + 1}T10:00:00Z</timestamp><contributor>"
                    f"<username>user{(p + r) % 300}</username></contributor>"
                    f"<text>{text}</text></revision>\n"
                )
            out.write("</page>\n")
        out.write("</mediawiki>\n")
    return path


def test_a_big_stackexchange_dump_is_streamed(tmp_path: Path) -> None:
    dump = write_stackexchange_dump(tmp_path / "se", questions=8_000)
    size = (dump / "Posts.xml").stat().st_size
    assert size > 55 * MB

    growth, counts = read_in_a_fresh_process("stackexchange", dump)

    assert counts == {"PersonRecord": 400, "Document": 8_000, "Contribution": 24_000}
    assert growth < size / 2, f"reading {size / MB:.0f} MB grew memory by {growth / MB:.0f} MB"


def test_a_big_mediawiki_export_is_streamed(tmp_path: Path) -> None:
    export = write_mediawiki_export(tmp_path / "wiki.xml", pages=16_000)
    size = export.stat().st_size
    assert size > 55 * MB

    growth, counts = read_in_a_fresh_process("mediawiki", export)

    assert counts["Document"] == 16_000
    assert growth < size / 4, f"reading {size / MB:.0f} MB grew memory by {growth / MB:.0f} MB"
