"""The wiki connector on tiny literal folders, a real git work tree and the real handbook."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.connectors.wiki import read
from indexer.errors import SourceError
from indexer.models import (
    Contribution,
    Document,
    DocumentKind,
    PersonRecord,
    Record,
    Rejected,
    Role,
    SourceSpec,
)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def records(folder: Path, **options: object) -> list[Record]:
    return list(read(SourceSpec(kind="wiki", path=str(folder), name="wiki", options=options)))


def of_type(items: list[Record], kind: type) -> list:
    return [item for item in items if isinstance(item, kind)]


def document(items: list[Record], doc_id: str) -> Document:
    return next(d for d in of_type(items, Document) if d.id == doc_id)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


FRONT_MATTER_PAGE = """---
title: Deploying with Helm
authors:
  - ann@example.com
  - Bob Stone <Bob@Example.com>
  - "@CarolDev"
  - Dan Ly
  - {name: Eve Moss, email: eve@example.com, github: evem, commits: 4}
date: 2024-03-01
updated: 2024-05-02T10:30:00+02:00
access_groups: [eng, ops]
url: https://wiki.example.com/helm
---
# Helm

Use [helm](https://helm.sh) to *deploy*.<!-- internal note -->

- one
- two
"""


def test_front_matter_page_gives_document_people_and_ordered_contributions(tmp_path: Path) -> None:
    write(tmp_path / "ops" / "helm.md", FRONT_MATTER_PAGE)

    items = records(tmp_path)

    when = utc(2024, 5, 2, 8, 30)
    assert of_type(items, Document) == [
        Document(
            id="ops/helm.md",
            kind=DocumentKind.WIKI,
            title="Deploying with Helm",
            text="Helm\n\nUse helm to deploy.\n\none\n\ntwo",
            url="https://wiki.example.com/helm",
            created=utc(2024, 3, 1),
            updated=when,
            access_groups=("eng", "ops"),
        )
    ]
    assert of_type(items, PersonRecord) == [
        PersonRecord(key="email:ann@example.com", name="ann@example.com",
                     aliases=("email:ann@example.com",)),
        PersonRecord(key="email:bob@example.com", name="Bob Stone",
                     aliases=("email:bob@example.com",)),
        PersonRecord(key="github:caroldev", name="CarolDev", aliases=("github:caroldev",)),
        PersonRecord(key="name:dan ly", name="Dan Ly"),
        PersonRecord(key="email:eve@example.com", name="Eve Moss",
                     aliases=("email:eve@example.com", "github:evem")),
    ]  # fmt: skip
    assert [(c.person_key, c.count, c.role, c.time) for c in of_type(items, Contribution)] == [
        ("email:ann@example.com", 1, Role.AUTHOR, when),
        ("email:bob@example.com", 1, Role.AUTHOR, when),
        ("github:caroldev", 1, Role.AUTHOR, when),
        ("name:dan ly", 1, Role.AUTHOR, when),
        ("email:eve@example.com", 4, Role.AUTHOR, when),
    ]
    assert of_type(items, Rejected) == []


def test_titles_urls_and_groups_fall_back_to_heading_path_and_options(tmp_path: Path) -> None:
    write(tmp_path / "index.md", "Welcome to the wiki.\n")
    write(tmp_path / "guides" / "index.md", "Intro\n===\n\nGuides live here.\n")
    write(tmp_path / "guides" / "on-call_rota.markdown", "## Weekly\n\nAnn, then Bob.\n")
    write(tmp_path / "notes" / "x.md", "Text\n\n# Second-level first\n\n# Later\n")

    items = records(tmp_path, base_url="https://wiki.example.com/", access_groups=["staff"])

    assert [(d.id, d.title, d.url, d.access_groups) for d in of_type(items, Document)] == [
        ("index.md", "index", "https://wiki.example.com/", ("staff",)),
        ("guides/index.md", "Intro", "https://wiki.example.com/guides", ("staff",)),
        (
            "guides/on-call_rota.markdown",
            "on call rota",
            "https://wiki.example.com/guides/on-call_rota",
            ("staff",),
        ),
        ("notes/x.md", "Second-level first", "https://wiki.example.com/notes/x", ("staff",)),
    ]
    assert document(items, "guides/on-call_rota.markdown").text == "Weekly\n\nAnn, then Bob."
    assert document(items, "index.md").created is None


def test_html_page_uses_title_tag_and_drops_head_scripts_and_comments(tmp_path: Path) -> None:
    write(
        tmp_path / "pages" / "vpn.html",
        "<!doctype html><html><head><title>VPN access</title><style>p {}</style></head>"
        "<body><h1>VPN</h1><p>Ask <b>IT</b> first.<!-- secret --></p>"
        "<script>track()</script><p>Then connect.</p></body></html>",
    )
    write(tmp_path / "pages" / "old.htm", "<h1>Old  page</h1><p>Gone.</p>")

    items = records(tmp_path)

    assert [(d.id, d.title, d.text) for d in of_type(items, Document)] == [
        ("pages/old.htm", "Old page", "Old page\n\nGone."),
        ("pages/vpn.html", "VPN access", "VPN\n\nAsk IT first.\n\nThen connect."),
    ]


def test_html_with_control_characters_around_a_dropped_element(tmp_path: Path) -> None:
    # found by the fuzzer: lxml refused the tail text "\x02" when the comment was dropped
    write(tmp_path / "odd.html", "<body><p>Ask<!-- x -->\x02IT\x0cfirst.</p></body>")

    items = records(tmp_path)

    # the characters go, and words they separated stay apart (form feed is HTML whitespace)
    assert [(d.id, d.text) for d in of_type(items, Document)] == [("odd.html", "Ask IT first.")]


def test_hidden_folders_node_modules_and_other_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "# A\n\nText.\n")
    write(tmp_path / ".git" / "b.md", "# B\n")
    write(tmp_path / "node_modules" / "pkg" / "README.md", "# C\n")
    write(tmp_path / ".draft.md", "# D\n")
    write(tmp_path / "data.yml", "a: 1\n")

    assert [d.id for d in of_type(records(tmp_path, git=False), Document)] == ["a.md"]


def test_sidecar_in_parent_folder_gives_authors_counts_and_times(tmp_path: Path) -> None:
    write(tmp_path / "content" / "team" / "a.md", "# A\n\nAbout A.\n")
    write(tmp_path / "content" / "b.md", "---\nauthor: '@zed'\n---\n# B\n\nAbout B.\n")
    lines = [
        {
            "path": "content/team/a.md",
            "authors": [
                {"email": "Ann@Example.com", "name": "Ann", "commits": 5},
                {"email": "7+bobby@users.noreply.github.com", "name": "bobby", "commits": 2},
            ],
            "first_commit": "2022-01-02T03:04:05+02:00",
            "last_commit": "2023-06-07T08:09:10Z",
        },
        {"path": "content/b.md", "authors": [{"email": "ann@example.com", "commits": 1}]},
    ]
    sidecar = write(
        tmp_path / "page_authors.jsonl",
        "\n".join(json.dumps(line) for line in lines[:1]) + "\n{not json\n"
        + json.dumps(lines[1]) + "\n",
    )  # fmt: skip

    items = records(tmp_path / "content")

    a = document(items, "team/a.md")
    assert (a.created, a.updated) == (utc(2022, 1, 2, 1, 4, 5), utc(2023, 6, 7, 8, 9, 10))
    assert of_type(items, PersonRecord) == [
        PersonRecord(key="github:zed", name="zed", aliases=("github:zed",)),
        PersonRecord(key="email:ann@example.com", name="Ann", aliases=("email:ann@example.com",)),
        PersonRecord(
            key="email:7+bobby@users.noreply.github.com",
            name="bobby",
            aliases=("email:7+bobby@users.noreply.github.com", "github:bobby"),
        ),
    ]
    assert [(c.document_id, c.person_key, c.count) for c in of_type(items, Contribution)] == [
        ("b.md", "github:zed", 1),
        ("team/a.md", "email:ann@example.com", 5),
        ("team/a.md", "email:7+bobby@users.noreply.github.com", 2),
    ]
    assert of_type(items, Contribution)[1].time == utc(2023, 6, 7, 8, 9, 10)
    rejected = of_type(items, Rejected)
    assert [(r.file, r.location) for r in rejected] == [(str(sidecar), "line 2")]
    assert rejected[0].reason.startswith("malformed JSON")


def test_authors_file_option_and_missing_authors_file(tmp_path: Path) -> None:
    write(tmp_path / "wiki" / "a.md", "# A\n\nText.\n")
    write(
        tmp_path / "meta" / "who.jsonl",
        json.dumps({"path": "../wiki/a.md", "authors": [{"email": "x@y.org", "commits": 3}]}),
    )

    items = records(tmp_path / "wiki", authors_file=str(tmp_path / "meta" / "who.jsonl"))

    assert [(c.person_key, c.count) for c in of_type(items, Contribution)] == [("email:x@y.org", 3)]
    with pytest.raises(SourceError, match=r"authors file .*nope\.jsonl does not exist"):
        records(tmp_path / "wiki", authors_file="nope.jsonl")


def test_bad_pages_are_rejected_and_good_pages_still_indexed(tmp_path: Path) -> None:
    write(tmp_path / "good.md", "# Good\n\nFine.\n")
    write(tmp_path / "bad-yaml.md", "---\ntitle: ok\nauthors: [ann@x.org\n---\n# Bad\n")
    write(tmp_path / "latin1.md", b"# Caf\n\ncaf\xe9\n")
    write(tmp_path / "empty.md", "  \n\n\t\n")
    write(tmp_path / "huge.md", "# Huge\n\n" + "word " * 40)

    items = records(tmp_path, max_bytes=100)

    assert [d.id for d in of_type(items, Document)] == ["good.md"]
    rejected = {Path(r.file).name: r for r in of_type(items, Rejected)}
    assert {name: r.location for name, r in rejected.items()} == {
        "bad-yaml.md": "line 3",
        "latin1.md": "line 3",
        "empty.md": "",
        "huge.md": "",
    }
    assert rejected["bad-yaml.md"].file == str(tmp_path / "bad-yaml.md")
    assert rejected["bad-yaml.md"].reason.startswith("malformed front matter:")
    assert rejected["latin1.md"].reason == "invalid UTF-8 at byte 10; re-save the page as UTF-8"
    assert rejected["empty.md"].reason == "empty page"
    assert rejected["huge.md"].reason == "page has 208 bytes, over the limit of 100; split it"


def test_front_matter_beyond_the_parser_limits(tmp_path: Path) -> None:
    write(tmp_path / "deep.md", "---\ntags: " + "[" * 50_000 + "\n---\n# Deep\n")
    write(tmp_path / "early.md", "---\nupdated: 0001-01-01T00:00:00+05:00\n---\n# Early\n\nText.\n")

    items = records(tmp_path)

    assert of_type(items, Rejected) == [
        Rejected(
            str(tmp_path / "deep.md"), "line 2", "malformed front matter: values nested too deeply"
        )
    ]
    # a time UTC cannot hold is ignored like any other bad date
    assert [(d.id, d.updated) for d in of_type(items, Document)] == [("early.md", None)]


def test_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"wiki folder .*missing does not exist"):
        records(tmp_path / "missing")


def git(repo: Path, *args: str, author: tuple[str, str] | None = None, when: str = "") -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if author is not None:
        name, email = author
        env |= {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


ANN = ("Ann Lee", "ann@example.com")
BOB = ("Bob Stone", "bob@example.com")


@pytest.fixture
def git_wiki(tmp_path: Path) -> Path:
    """A git work tree whose docs/ folder has two pages written by Ann and Bob."""
    git(tmp_path, "init", "-q")
    write(tmp_path / "docs" / "deploy.md", "# Deploy\n\nStep one.\n")
    write(tmp_path / "outside.md", "# Outside\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "one", author=ANN, when="2024-01-01T10:00:00+00:00")
    write(tmp_path / "docs" / "deploy.md", "# Deploy\n\nStep one.\n\nStep two.\n")
    write(tmp_path / "docs" / "faq.md", "# FAQ\n\nAsk Bob.\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "two", author=BOB, when="2024-02-01T12:00:00+01:00")
    write(tmp_path / "docs" / "deploy.md", "# Deploy\n\nStep one.\n\nStep three.\n")
    git(tmp_path, "commit", "-q", "-am", "three", author=ANN, when="2024-03-01T09:00:00Z")
    write(tmp_path / "docs" / "new.md", "# New\n\nNot committed yet.\n")
    return tmp_path / "docs"


def test_git_history_gives_authors_commit_counts_and_times(git_wiki: Path) -> None:
    items = records(git_wiki)

    deploy = document(items, "deploy.md")
    assert (deploy.created, deploy.updated) == (utc(2024, 1, 1, 10), utc(2024, 3, 1, 9))
    assert document(items, "new.md").updated is None
    assert of_type(items, PersonRecord) == [
        PersonRecord(key="email:ann@example.com", name="Ann Lee",
                     aliases=("email:ann@example.com",)),
        PersonRecord(key="email:bob@example.com", name="Bob Stone",
                     aliases=("email:bob@example.com",)),
    ]  # fmt: skip
    contributions = [
        (c.document_id, c.person_key, c.count, c.time) for c in of_type(items, Contribution)
    ]
    assert contributions == [
        ("deploy.md", "email:ann@example.com", 2, utc(2024, 3, 1, 9)),
        ("deploy.md", "email:bob@example.com", 1, utc(2024, 2, 1, 11)),
        ("faq.md", "email:bob@example.com", 1, utc(2024, 2, 1, 11)),
    ]


def test_git_option_false_turns_git_history_off(git_wiki: Path) -> None:
    items = records(git_wiki, git=False)

    assert len(of_type(items, Document)) == 3
    assert of_type(items, Contribution) == []
    assert document(items, "deploy.md").updated is None


@pytest.mark.shared_data
def test_sourcegraph_handbook(shared_data: Path) -> None:
    root = shared_data / "wiki" / "sourcegraph-handbook"

    items = records(root, base_url="https://handbook.sourcegraph.com")

    documents = of_type(items, Document)
    # 883 pages, of which three are empty (0-byte) files and are rejected.
    assert len(documents) == 880
    assert sorted(r.file for r in of_type(items, Rejected)) == [
        str(root / "content/departments/product/design/documents_templates/index.md"),
        str(root / "content/departments/sales/sales-enablement/contentmanagement.md"),
        str(root / "content/departments/technical-success/ce/process/demo-repo-contribution.md"),
    ]
    msem = document(items, "content/strategy-goals/msem.md")
    assert msem.title == "Mission, Strategy, Exectution, and Metrics (MSEM) Overview"
    assert msem.url == "https://handbook.sourcegraph.com/content/strategy-goals/msem"
    assert (msem.created, msem.updated) == (utc(2023, 1, 26, 6, 28, 21), utc(2023, 2, 7, 14, 27, 5))
    assert [
        (c.person_key, c.count) for c in of_type(items, Contribution) if c.document_id == msem.id
    ] == [("email:ob.connor@gmail.com", 3)]
    keys = [p.key for p in of_type(items, PersonRecord)]
    assert len(keys) == len(set(keys))
