"""The Stack Exchange connector on hostile dumps: files symlinked out, FIFOs, huge texts, urls."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.connectors.stackexchange import read
from indexer.errors import SourceError
from indexer.models import Document, PersonRecord, Record, Rejected, SourceSpec
from tests.security.indexer_helpers import within, write_dump

QUESTION = (
    '<row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00" Title="Rotating keys"'
    ' Body="&lt;p&gt;How do I rotate keys?&lt;/p&gt;" OwnerUserId="10" />'
)
ANN = '<row Id="10" DisplayName="Ann" AboutMe="Pool operator." />'


def records(folder: Path, **options: object) -> list[Record]:
    spec = SourceSpec(kind="stackexchange", path=str(folder), name="se", options=options)
    return within(10, lambda: list(read(spec)))


def cut_short(path: Path, location: str, reason: str) -> Rejected:
    """A rejection after which the rest of the file was not read."""
    return Rejected(file=str(path), location=location, reason=reason, truncated=True)


def ids(items: list[Record]) -> list[str]:
    return [item.id for item in items if isinstance(item, Document)]


def link_to_passwd(path: Path) -> None:
    path.symlink_to("/etc/passwd")


@pytest.mark.parametrize(
    ("name", "replace", "problem"),
    [
        ("Posts.xml", link_to_passwd, "a symlink to /etc/passwd, outside the source's folder"),
        ("Users.xml", os.mkfifo, "a FIFO, not a regular file"),
    ],
)
def test_a_required_file_symlinked_out_or_a_fifo_fails_the_source_at_once(
    tmp_path: Path, name: str, replace: Callable[[Path], None], problem: str
) -> None:
    folder = write_dump(tmp_path / "se", [QUESTION], [ANN])
    (folder / name).unlink()
    replace(folder / name)

    with pytest.raises(SourceError) as raised:
        records(folder)

    assert str(raised.value) == (
        f"{folder / name}: {problem}; not read; a Stack Exchange dump needs the file itself"
    )


def test_comments_xml_symlinked_to_dev_zero_is_rejected_unread(tmp_path: Path) -> None:
    folder = write_dump(tmp_path / "se", [QUESTION], [ANN])
    (folder / "Comments.xml").symlink_to("/dev/zero")

    items = records(folder)

    assert items[0] == cut_short(
        folder / "Comments.xml", "", "a symlink to /dev/zero, outside the source's folder; not read"
    )
    assert ids(items) == ["q1"]


def test_provenance_symlinked_out_gives_no_base_url(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_dump(tmp_path / "se", [QUESTION], [ANN])
    outside = tmp_path / "provenance.txt"
    outside.write_text("https://secret.stackexchange.com\n", encoding="utf-8")
    (folder / "PROVENANCE.txt").symlink_to(outside)

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.stackexchange"):
        items = records(folder)

    assert [item.url for item in items if isinstance(item, Document | PersonRecord)] == ["", ""]
    assert caplog.messages == [
        f"{folder / 'PROVENANCE.txt'} not read (a symlink to {outside}, outside the source's "
        "folder; not read); no base url from it"
    ]


def test_a_body_over_max_bytes_rejects_the_post_naming_line_and_id(tmp_path: Path) -> None:
    big = (
        '<row Id="2" PostTypeId="1" CreationDate="2021-01-02T10:00:00" Title="Big"'
        f' Body="{"x" * 150}" OwnerUserId="10" />'
    )
    folder = write_dump(tmp_path / "se", [QUESTION, big], [ANN])

    items = records(folder, max_bytes=100)

    assert items[0] == Rejected(
        file=str(folder / "Posts.xml"),
        location="line 4",
        reason="Id 2: Body has 150 bytes, over the limit of 100; split it or raise max_bytes",
    )
    assert ids(items) == ["q1"]


def test_an_about_me_over_max_bytes_rejects_the_user(tmp_path: Path) -> None:
    folder = write_dump(
        tmp_path / "se", [QUESTION], [f'<row Id="10" DisplayName="Ann" AboutMe="{"é" * 60}" />']
    )

    items = records(folder, max_bytes=100)

    assert [item for item in items if isinstance(item, Rejected)] == [
        Rejected(
            file=str(folder / "Users.xml"),
            location="line 3",
            reason="Id 10: AboutMe has 120 bytes, over the limit of 100; split it or raise "
            "max_bytes",
        ),
        Rejected(
            file=str(folder / "Users.xml"),
            location="id 10",
            reason="user has posts or comments but is not in Users.xml; their contributions "
            "are skipped",
        ),
    ]


def test_an_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root daemon nologin", encoding="utf-8")
    folder = write_dump(tmp_path / "se", [], [ANN])
    (folder / "Posts.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE posts [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        '<posts><row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00" Title="&s;"'
        ' Body="&s;" OwnerUserId="10" /></posts>\n',
        encoding="utf-8",
    )

    items = records(folder)

    assert items[0] == cut_short(
        folder / "Posts.xml",
        "line 3",
        "malformed XML (Attribute references external entity 's', line 3, column 80); "
        "the rest of the file was not read",
    )
    assert ids(items) == []


@pytest.mark.parametrize("base_url", ["javascript:alert(1)//", "data:text/html,x", "vbscript:x"])
def test_an_unsafe_base_url_option_gives_no_urls(
    tmp_path: Path, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_dump(tmp_path / "se", [QUESTION], [ANN])

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.text"):
        items = records(folder, base_url=base_url)

    assert [item.url for item in items if isinstance(item, Document | PersonRecord)] == ["", ""]
    assert caplog.messages == [
        f"source 'se': base_url {base_url!r} is not an http(s) or mailto url; dropped"
    ]


def test_an_xml_entity_bomb_is_refused_by_libxml2(tmp_path: Path) -> None:
    folder = write_dump(tmp_path / "se", [], [ANN])
    nested = "".join(
        f'<!ENTITY {name} "{f"&{inner};" * 10}">'
        for inner, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (folder / "Posts.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE posts [<!ENTITY a "lol">{nested}]>\n'
        '<posts><row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00" Title="t"'
        ' Body="&i;" OwnerUserId="10" /></posts>\n',
        encoding="utf-8",
    )

    items = within(2, lambda: records(folder))

    assert isinstance(items[0], Rejected)
    assert (items[0].location, items[0].truncated) == ("line 3", True)
    assert items[0].reason.startswith("malformed XML (Maximum entity amplification factor")
    assert ids(items) == []
