"""Attacks through the files being indexed: entity expansion, external entities, YAML tags, size.

One index run (module-scoped) reads every hostile source at once: a MediaWiki export and a
Stack Exchange dump with a billion-laughs DTD, the same two with external entities pointing at
a canary file and /etc/passwd, a wiki folder with a python-tagged front matter and an
oversized page, and a bios file with python-tagged records.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.models import SourceSpec
from indexer.pipeline import IndexSummary, SourceSummary
from indexer.store.sqlite import SQLiteStore
from tests.helpers import run_index

CANARY_TEXT = "xxe-canary-secret-4471"
PAGE_LIMIT = 2_000
LEVELS = 9
"""Billion laughs: nine levels of ten references to a 30-character entity, 30 GB expanded."""


def _billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, LEVELS + 1)]
    return f"<!DOCTYPE lolz [{''.join(entities)}]>"


def _external(canary: Path) -> str:
    return (
        f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{canary}">'
        '<!ENTITY pw SYSTEM "file:///etc/passwd">]>'
    )


def _mediawiki(doctype: str, text: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
{doctype}
<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">
  <page><title>Helm notes</title><ns>0</ns><id>1</id>
    <revision><id>2</id><timestamp>2023-02-23T12:51:19Z</timestamp>
      <contributor><username>eve</username><id>9</id></contributor>
      <text xml:space="preserve">Helm rollback notes {text} end.</text></revision></page>
</mediawiki>
"""


def _posts(doctype: str, text: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
{doctype}
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2023-01-18T18:15:57.990" Score="1"
       Body="&lt;p&gt;How to roll back {text}?&lt;/p&gt;" OwnerUserId="9" Title="Rollback {text}" />
</posts>
"""


USERS = """<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="9" Reputation="1" CreationDate="2022-11-02T09:00:00.000" DisplayName="Eve" />
</users>
"""


def _python_tag(marker: Path) -> str:
    return f"!!python/object/apply:os.system ['touch {marker}']"


@dataclass(frozen=True)
class HostileRun:
    root: Path
    summary: IndexSummary
    seconds: float
    peak_growth_mb: float
    documents: dict[str, str]
    """Stored text (title and text) by document id."""

    def source(self, name: str) -> SourceSummary:
        [found] = [s for s in self.summary.sources if s.name == name]
        return found

    def executed(self, name: str) -> bool:
        return (self.root / f"{name}.executed").exists()


def _write_sources(root: Path) -> list[SourceSpec]:
    canary = root / "canary.txt"
    canary.write_text(CANARY_TEXT + "\n", encoding="utf-8")
    specs = []
    for name, doctype, text in [
        ("laughs", _billion_laughs(), f"&lol{LEVELS};"),
        ("external", _external(canary), "&xxe; &pw;"),
    ]:
        export = root / f"{name}.xml"
        export.write_text(_mediawiki(doctype, text), encoding="utf-8")
        dump = root / f"qa-{name}"
        dump.mkdir()
        (dump / "Posts.xml").write_text(_posts(doctype, text), encoding="utf-8")
        (dump / "Users.xml").write_text(USERS, encoding="utf-8")
        specs += [
            SourceSpec("mediawiki", str(export), f"mw-{name}"),
            SourceSpec("stackexchange", str(dump), f"qa-{name}"),
        ]
    wiki = root / "wiki"
    wiki.mkdir()
    (wiki / "tagged.md").write_text(
        f"---\ntitle: {_python_tag(root / 'wiki.executed')}\n---\nHelm rollback.\n",
        encoding="utf-8",
    )
    (wiki / "huge.md").write_text("# Huge\n\n" + "helm " * PAGE_LIMIT, encoding="utf-8")
    (wiki / "fine.md").write_text("# Fine\n\nA small page about helm.\n", encoding="utf-8")
    bios = root / "team.yml"
    bios.write_text(
        f"eve:\n  name: {_python_tag(root / 'bios.executed')}\n"
        "  email: eve@example.com\n"
        "zed:\n  name: Zed Park\n  email: zed@example.com\n  bio: Runs helm.\n",
        encoding="utf-8",
    )
    return specs + [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False, "max_bytes": PAGE_LIMIT}),
        SourceSpec("bios", str(bios), "team"),
    ]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, embedder) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile-files")
    specs = _write_sources(root)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    summary = run_index(root / "data", embedder, specs)
    seconds = time.monotonic() - started
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    store = SQLiteStore(root / "data")
    try:
        rows = store.db.execute("SELECT id, title, text FROM documents").fetchall()
    finally:
        store.close()
    return HostileRun(root, summary, seconds, growth, {i: f"{t}\n{x}" for i, t, x in rows})


@pytest.mark.parametrize(
    ("source", "where"),
    [("mw-laughs", "laughs.xml:line 1"), ("qa-laughs", "qa-laughs/Posts.xml:line 5")],
)
def test_attack_15_billion_laughs_is_rejected_with_a_clear_error(
    hostile: HostileRun, source: str, where: str
) -> None:
    summary = hostile.source(source)

    assert (summary.added, summary.incomplete) == (0, True)
    [rejected] = summary.rejected
    assert str(rejected).startswith(f"{hostile.root / where}: malformed XML (Maximum entity ")
    assert "amplification factor exceeded" in rejected.reason
    assert rejected.reason.endswith("; the rest of the file was not read")


def test_attack_15_billion_laughs_is_refused_quickly_in_bounded_memory(
    hostile: HostileRun,
) -> None:
    assert hostile.seconds < 30
    assert hostile.peak_growth_mb < 200
    assert [d for d in hostile.documents if d.startswith(("mw-laughs", "qa-laughs"))] == []


def test_attack_16_external_entities_are_not_resolved(hostile: HostileRun) -> None:
    stored = "\n".join(hostile.documents.values())

    assert hostile.documents["mw-external/page1"] == "Helm notes\nHelm rollback notes"
    assert CANARY_TEXT not in stored
    assert "root:" not in stored


def test_attack_16_an_external_entity_in_a_posts_attribute_is_rejected(
    hostile: HostileRun,
) -> None:
    summary = hostile.source("qa-external")

    assert [str(r) for r in summary.rejected] == [
        f"{hostile.root / 'qa-external/Posts.xml'}:line 5: malformed XML (Attribute references "
        "external entity 'xxe', line 5, column 45); the rest of the file was not read"
    ]


def test_attack_17_python_tags_in_front_matter_are_rejected_and_not_run(
    hostile: HostileRun,
) -> None:
    rejected = {Path(r.file).name: r for r in hostile.source("wiki").rejected}

    assert rejected["tagged.md"].reason == (
        "malformed front matter: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'; fix the YAML between the --- lines"
    )
    assert not hostile.executed("wiki")
    assert "wiki/tagged.md" not in hostile.documents


def test_attack_17_python_tags_in_bios_are_rejected_and_not_run(hostile: HostileRun) -> None:
    summary = hostile.source("team")

    assert [(r.location, r.reason) for r in summary.rejected] == [
        (
            "line 1",
            "line 2: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'; fix the YAML",
        )
    ]
    assert not hostile.executed("bios")
    assert [d for d in hostile.documents if d.startswith("team/")] == [
        "team/bio/email:zed@example.com"
    ]


def test_attack_18_a_page_over_the_size_limit_is_rejected_naming_the_file(
    hostile: HostileRun,
) -> None:
    huge = hostile.root / "wiki" / "huge.md"
    rejected = {Path(r.file).name: r for r in hostile.source("wiki").rejected}

    assert str(rejected["huge.md"]) == (
        f"{huge}: page has {huge.stat().st_size} bytes, over the limit of {PAGE_LIMIT}; split it"
    )
    assert sorted(d for d in hostile.documents if d.startswith("wiki/")) == ["wiki/fine.md"]
