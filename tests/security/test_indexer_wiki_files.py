"""The wiki connector reads only regular files inside its folder: symlinks out, FIFOs, devices.

Each test builds a real folder under ``tmp_path`` with real symlinks and a real FIFO and
reads it with the real connector.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

import pytest

from indexer.connectors.wiki import read
from indexer.errors import SourceError
from indexer.models import Contribution, Document, DocumentKind, Record, Rejected, SourceSpec
from tests.security.indexer_helpers import BILLION_LAUGHS, within, write_page

PAGE = "---\ntitle: Helm\n---\nDeploy the chart with helm upgrade.\n"


def records(folder: Path, **options: object) -> list[Record]:
    spec = SourceSpec(kind="wiki", path=str(folder), name="wiki", options={"git": False, **options})
    return within(10, lambda: list(read(spec)))


def helm(doc_id: str = "helm.md", url: str = "") -> Document:
    return Document(
        id=doc_id,
        kind=DocumentKind.WIKI,
        title="Helm",
        text="Deploy the chart with helm upgrade.",
        url=url,
    )


def refused(path: Path, reason: str, location: str = "") -> Rejected:
    return Rejected(file=str(path), location=location, reason=reason)


def test_symlinks_to_passwd_and_the_environment_are_rejected_not_indexed(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    (wiki / "passwd.md").symlink_to("/etc/passwd")
    (wiki / "environ.md").symlink_to("/proc/self/environ")

    items = records(wiki)

    assert items == [
        refused(
            wiki / "environ.md",
            f"a symlink to /proc/{os.getpid()}/environ, outside the source's folder; not read",
        ),
        helm(),
        refused(
            wiki / "passwd.md", "a symlink to /etc/passwd, outside the source's folder; not read"
        ),
    ]


def test_a_fifo_nobody_writes_is_rejected_at_once(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    os.mkfifo(wiki / "pipe.md")

    items = records(wiki)

    assert items == [
        helm(),
        refused(wiki / "pipe.md", "a FIFO, not a regular file; not read"),
    ]


def test_a_symlink_to_dev_zero_is_rejected(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    (wiki / "zero.md").symlink_to("/dev/zero")

    assert records(wiki) == [
        helm(),
        refused(wiki / "zero.md", "a symlink to /dev/zero, outside the source's folder; not read"),
    ]


def test_a_symlink_out_through_a_relative_path_is_rejected(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(tmp_path, "secret.md", "# Secret\nThe launch code is 0000.\n")
    write_page(wiki, "team/index.md", PAGE)
    (wiki / "team" / "secret.md").symlink_to("../../secret.md")

    assert records(wiki) == [
        helm("team/index.md"),
        refused(
            wiki / "team" / "secret.md",
            f"a symlink to {tmp_path / 'secret.md'}, outside the source's folder; not read",
        ),
    ]


def test_a_symlink_that_stays_inside_the_folder_is_followed(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "pages/helm.md", PAGE)
    (wiki / "helm-link.md").symlink_to("pages/helm.md")

    assert records(wiki) == [helm("helm-link.md"), helm("pages/helm.md")]


def test_a_symlinked_folder_is_not_descended(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(tmp_path / "outside", "secret.md", "# Secret\nThe launch code is 0000.\n")
    write_page(wiki, "helm.md", PAGE)
    (wiki / "docs").symlink_to(tmp_path / "outside")

    assert records(wiki) == [helm()]


def test_a_page_over_max_bytes_is_rejected_with_its_size(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    write_page(wiki, "big.md", "# Big\n" + "x" * 200)

    assert records(wiki, max_bytes=100) == [
        refused(wiki / "big.md", "page has 206 bytes, over the limit of 100; split it"),
        helm(),
    ]


def test_a_sidecar_symlinked_out_is_rejected_and_the_pages_still_read(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    (wiki / "page_authors.jsonl").symlink_to("/dev/zero")

    assert records(wiki) == [
        refused(
            wiki / "page_authors.jsonl",
            f"not read: cannot read authors file {wiki / 'page_authors.jsonl'}: "
            "a symlink to /dev/zero, outside the source's folder; not read",
        ),
        helm(),
    ]


def test_a_configured_authors_file_that_is_a_fifo_fails_the_source(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    os.mkfifo(tmp_path / "authors.jsonl")

    with pytest.raises(SourceError, match="authors file .*authors.jsonl is not a regular file"):
        records(wiki, authors_file=str(tmp_path / "authors.jsonl"))


def test_a_front_matter_alias_bomb_is_rejected_at_once(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    write_page(wiki, "bomb.md", f"---\n{BILLION_LAUGHS}\ntitle: *i\n---\nlol\n")

    items = within(2, lambda: records(wiki))

    assert items == [
        refused(
            wiki / "bomb.md",
            "front matter uses the YAML alias *a; aliases are not allowed, write the value out",
            "line 3",
        ),
        helm(),
    ]


def test_stars_that_are_not_aliases_still_parse(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", '---\ntitle: "*Helm* **charts**"\n---\nDeploy.\n')

    [page] = records(wiki)

    assert isinstance(page, Document)
    assert page.title == "*Helm* **charts**"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example.com/x",
    ],
)
def test_an_unsafe_front_matter_url_is_dropped_for_the_base_url_one(
    tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    wiki = tmp_path / "wiki"
    write_page(
        wiki,
        "helm.md",
        f"---\ntitle: Helm\nurl: {json.dumps(url)}\n---\nDeploy the chart with helm upgrade.\n",
    )

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.text"):
        items = records(wiki, base_url="https://wiki.example.com")

    assert items == [helm(url="https://wiki.example.com/helm")]
    read_as = url.replace("\t", " ")  # the connector normalises spaces in values
    assert caplog.messages == [
        f"{wiki / 'helm.md'}: front matter url {read_as!r} is not an http(s) or mailto url; dropped"
    ]


def test_an_unsafe_base_url_gives_pages_no_url(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)

    assert records(wiki, base_url="javascript:alert(1)//") == [helm()]


def test_http_https_and_mailto_urls_are_kept(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    for name, url in [
        ("a", "http://a.example"),
        ("b", "https://b.example/x"),
        ("c", "mailto:c@x.org"),
    ]:
        write_page(wiki, f"{name}.md", f"---\nurl: {url}\n---\n# Helm\nDeploy.\n")

    urls = [item.url for item in records(wiki) if isinstance(item, Document)]

    assert urls == ["http://a.example", "https://b.example/x", "mailto:c@x.org"]


def test_a_sidecar_fifo_is_rejected_at_once(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    os.mkfifo(wiki / "page_authors.jsonl")

    assert records(wiki) == [
        refused(
            wiki / "page_authors.jsonl",
            f"not read: cannot read authors file {wiki / 'page_authors.jsonl'}: "
            "a FIFO, not a regular file; not read",
        ),
        helm(),
    ]


def test_an_endless_sidecar_line_is_rejected_and_the_next_lines_read(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    entry = {"path": "helm.md", "authors": [{"email": "ann@x.org", "name": "Ann"}]}
    write_page(wiki, "page_authors.jsonl", "x" * 1_500_000 + "\n" + json.dumps(entry) + "\n")

    items = records(wiki)

    assert items[0] == refused(
        wiki / "page_authors.jsonl", "line over 1000000 bytes; skipped", "line 1"
    )
    assert [(c.person_key, c.document_id) for c in items if isinstance(c, Contribution)] == [
        ("email:ann@x.org", "helm.md")
    ]


def test_a_socket_is_rejected(tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    write_page(wiki, "helm.md", PAGE)
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(wiki / "sock.md"))

        items = records(wiki)

    assert items == [helm(), refused(wiki / "sock.md", "a socket, not a regular file; not read")]
