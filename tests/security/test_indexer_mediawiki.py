"""The MediaWiki connector on hostile exports: unsafe base urls, huge revisions, entities."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from indexer.connectors.mediawiki import read
from indexer.models import Document, Record, Rejected, SourceSpec
from tests.security.indexer_helpers import within

PAGE = (
    "  <page>\n    <title>Key rotation</title>\n    <ns>0</ns>\n    <id>1</id>\n"
    "    <revision>\n      <timestamp>2021-03-01T10:00:00Z</timestamp>\n"
    "      <contributor><username>Ann</username><id>7</id></contributor>\n"
    "      <text>Rotate the keys.</text>\n    </revision>\n  </page>\n"
)


def export(tmp_path: Path, base: str, pages: str = PAGE, doctype: str = "") -> Path:
    path = tmp_path / "export.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n{doctype}<mediawiki version="0.11">\n'
        f"  <siteinfo>\n    <base>{base}</base>\n  </siteinfo>\n{pages}</mediawiki>\n",
        encoding="utf-8",
    )
    return path


def records(path: Path, **options: object) -> list[Record]:
    spec = SourceSpec(kind="mediawiki", path=str(path), name="wiki", options=options)
    return within(10, lambda: list(read(spec)))


def documents(items: list[Record]) -> list[tuple[str, str, str]]:
    return [(d.title, d.text, d.url) for d in items if isinstance(d, Document)]


def test_an_https_base_gives_page_urls(tmp_path: Path) -> None:
    items = records(export(tmp_path, "https://wiki.example.com/wiki/Main_Page"))

    assert documents(items) == [
        ("Key rotation", "Rotate the keys.", "https://wiki.example.com/wiki/Key_rotation")
    ]


def test_a_javascript_base_in_the_export_gives_no_urls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = export(tmp_path, "javascript:alert(1)//wiki/Main_Page")

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.text"):
        items = records(path)

    assert documents(items) == [("Key rotation", "Rotate the keys.", "")]
    assert caplog.messages == [
        f"{path}:line 3: <base> 'javascript:alert(1)//wiki/Main_Page' is not an http(s) or "
        "mailto url; dropped"
    ]


@pytest.mark.parametrize("base_url", ["javascript:alert(1)//", "data:text/html,x", "vbscript:x"])
def test_an_unsafe_base_url_option_gives_no_urls(
    tmp_path: Path, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = export(tmp_path, "javascript:alert(2)//wiki/Main_Page")

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.text"):
        items = records(path, base_url=base_url)

    assert documents(items) == [("Key rotation", "Rotate the keys.", "")]
    assert caplog.messages[0] == (
        f"source 'wiki': base_url {base_url!r} is not an http(s) or mailto url; dropped"
    )


def test_a_revision_over_max_bytes_is_rejected_naming_its_line(tmp_path: Path) -> None:
    big = PAGE.replace("<id>1</id>", "<id>2</id>").replace("Key rotation", "Big")
    big = big.replace("Rotate the keys.", "x" * 150)
    path = export(tmp_path, "https://wiki.example.com/wiki/Main_Page", PAGE + big)

    items = records(path, max_bytes=100)

    assert [item for item in items if isinstance(item, Rejected)] == [
        Rejected(
            file=str(path),
            location="line 20",
            reason="revision skipped: its text has 150 bytes, over the limit of 100; "
            "split it or raise max_bytes",
        ),
        Rejected(file=str(path), location="line 16", reason="page without a readable revision"),
    ]
    assert [title for title, _, _ in documents(items)] == ["Key rotation"]


def test_an_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root daemon nologin", encoding="utf-8")
    doctype = f'<!DOCTYPE mediawiki [<!ENTITY s SYSTEM "file://{secret}">]>\n'
    path = export(
        tmp_path, "https://w.example/wiki/Main", PAGE.replace("Rotate", "&s; Rotate"), doctype
    )

    items = records(path)

    # the entity stays an unresolved node: the text before it (none) is the page's text
    assert documents(items) == [("Key rotation", "", "https://w.example/wiki/Key_rotation")]
