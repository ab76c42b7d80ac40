"""The MediaWiki connector on tiny literal exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import pytest

from indexer.connectors.mediawiki import read, wikitext_to_text
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

T = TypeVar("T")
SITE = "https://wiki.acme.test/wiki"

ROTATION_WIKITEXT = """{{Infobox|name={{lang|x}}}}
'''KES keys''' must be rotated<ref name="a">{{cite web|url=x}}</ref> every 90 days.<ref name="b"/>
== How to rotate ==
* Run [[Node operations|the rotate script]] on the [[block producer]].
# Restart &nbsp;the node.
See [https://docs.example.com the docs].
[[File:Rotation.png|thumb|Diagram of [[key rotation]]]]
<!-- hidden note -->
[[Category:Operations]]"""
ROTATION_TEXT = (
    "KES keys must be rotated every 90 days.\n\nHow to rotate\n\n"
    "Run the rotate script on the block producer.\nRestart the node.\nSee the docs."
)


def revision(time: str, text: str, user: str | None = None, ip: str = "10.0.0.1") -> str:
    who = f"<username>{escape(user)}</username><id>7</id>" if user else f"<ip>{ip}</ip>"
    return (
        "    <revision>\n"
        f"      <timestamp>{time}</timestamp>\n"
        f"      <contributor>{who}</contributor>\n"
        f'      <text xml:space="preserve">{escape(text)}</text>\n'
        "    </revision>\n"
    )


def page(title: str, page_id: int, *revisions: str, ns: int | None = 0, extra: str = "") -> str:
    ns_line = f"    <ns>{ns}</ns>\n" if ns is not None else ""
    return (
        f"  <page>\n    <title>{title}</title>\n{ns_line}    <id>{page_id}</id>\n"
        f"{extra}{''.join(revisions)}  </page>\n"
    )


ROTATION = page(
    "Key rotation",
    10,
    revision("2021-03-01T10:00:00Z", "first draft", "Ann"),
    revision("2021-03-02T10:00:00Z", "second"),
    revision("2021-03-03T10:00:00Z", "third", "Bob Smith"),
    revision("2021-03-04T10:00:00Z", ROTATION_WIKITEXT, "Ann"),
)
REDIRECT = page(
    "KES",
    11,
    revision("2021-03-05T10:00:00Z", "#REDIRECT [[Key rotation]]", "Cem"),
    extra='    <redirect title="Key rotation" />\n',
)
USER_PAGE = page("User:Ann", 12, revision("2021-03-06T10:00:00Z", "I run a pool.", "Ann"), ns=2)
WALLETS = page(
    "Wallets",
    13,
    revision("2021-04-01T10:00:00Z", "Use '''Daedalus'''.", "Bob Smith"),
    revision("2021-04-02T10:00:00Z", "Use '''Daedalus''' or ''Yoroi''.", "Ann"),
)
TEXT_REDIRECT = page(
    "Old wallets", 14, revision("2021-04-03T10:00:00Z", "#redirect [[Wallets]]", "Cem")
)
PAGES = [ROTATION, REDIRECT, USER_PAGE, WALLETS, TEXT_REDIRECT]


def export(pages: list[str], version: str = "0.11") -> str:
    return (
        f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-{version}/" version="{version}">\n'
        "  <siteinfo>\n"
        "    <sitename>Acme Wiki</sitename>\n"
        f"    <base>{SITE}/Main_Page</base>\n"
        "    <namespaces>\n"
        '      <namespace key="0" case="first-letter" />\n'
        '      <namespace key="2" case="first-letter">User</namespace>\n'
        "    </namespaces>\n"
        "  </siteinfo>\n" + "".join(pages) + "</mediawiki>\n"
    )


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "acme.xml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def read_all(path: Path, **options: object) -> list[Record]:
    return list(read(SourceSpec("mediawiki", str(path), "wiki", dict(options))))


def of_type(records: list[Record], kind: type[T]) -> list[T]:
    return [r for r in records if isinstance(r, kind)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


ANN = PersonRecord(key="mediawiki:Ann", name="Ann", aliases=("username:ann",))
BOB = PersonRecord(key="mediawiki:Bob Smith", name="Bob Smith", aliases=("username:bob smith",))
ROTATION_DOC = Document(
    id="page10",
    kind=DocumentKind.WIKI,
    title="Key rotation",
    text=ROTATION_TEXT,
    url=f"{SITE}/Key_rotation",
    created=at("2021-03-01T10:00:00"),
    updated=at("2021-03-04T10:00:00"),
)
WALLETS_DOC = Document(
    id="page13",
    kind=DocumentKind.WIKI,
    title="Wallets",
    text="Use Daedalus or Yoroi.",
    url=f"{SITE}/Wallets",
    created=at("2021-04-01T10:00:00"),
    updated=at("2021-04-02T10:00:00"),
)
ROTATION_CONTRIBUTIONS = [
    Contribution("mediawiki:Ann", "page10", Role.AUTHOR, count=2, time=at("2021-03-04T10:00:00")),
    Contribution("mediawiki:Bob Smith", "page10", Role.EDITOR, time=at("2021-03-03T10:00:00")),
]
WALLETS_CONTRIBUTIONS = [
    Contribution("mediawiki:Bob Smith", "page13", Role.AUTHOR, time=at("2021-04-01T10:00:00")),
    Contribution("mediawiki:Ann", "page13", Role.EDITOR, time=at("2021-04-02T10:00:00")),
]


def test_records_page_by_page_people_first(tmp_path: Path) -> None:
    records = read_all(write(tmp_path, export(PAGES)))
    assert records == [
        ANN,
        BOB,
        ROTATION_DOC,
        *ROTATION_CONTRIBUTIONS,
        WALLETS_DOC,
        *WALLETS_CONTRIBUTIONS,
    ]


def test_namespaces_and_base_url_options(tmp_path: Path) -> None:
    records = read_all(
        write(tmp_path, export(PAGES)), namespaces=[0, 2], base_url="https://w.example/x/"
    )
    docs = of_type(records, Document)
    assert [(d.id, d.title, d.url) for d in docs] == [
        ("page10", "Key rotation", "https://w.example/x/Key_rotation"),
        ("page12", "User:Ann", "https://w.example/x/User:Ann"),
        ("page13", "Wallets", "https://w.example/x/Wallets"),
    ]
    assert docs[1].text == "I run a pool."
    assert of_type(records, PersonRecord) == [ANN, BOB]


def test_old_schema_without_ns_uses_title_prefix(tmp_path: Path) -> None:
    pages = [
        page("Key rotation", 10, revision("2021-03-01T10:00:00Z", "text", "Ann"), ns=None),
        page("User:Ann", 12, revision("2021-03-06T10:00:00Z", "I run a pool.", "Ann"), ns=None),
    ]
    path = write(tmp_path, export(pages, version="0.3"))
    assert [d.id for d in of_type(read_all(path), Document)] == ["page10"]
    assert [d.id for d in of_type(read_all(path, namespaces=[2]), Document)] == ["page12"]


def test_export_without_xml_namespace_or_siteinfo(tmp_path: Path) -> None:
    records = read_all(write(tmp_path, "<mediawiki>\n" + WALLETS + "</mediawiki>\n"))
    assert records == [BOB, ANN, replace(WALLETS_DOC, url=""), *WALLETS_CONTRIBUTIONS]


def test_only_ip_contributors_give_a_document_and_no_people(tmp_path: Path) -> None:
    pages = [page("Anon", 20, revision("2021-05-01T10:00:00Z", "hello"))]
    records = read_all(write(tmp_path, export(pages)))
    assert [type(r).__name__ for r in records] == ["Document"]


def test_truncated_export_keeps_the_pages_before(tmp_path: Path) -> None:
    content = export(PAGES)
    cut = content[: content.index("<title>Wallets") + 20]
    path = write(tmp_path, cut)
    records = read_all(path)
    rejected = of_type(records, Rejected)
    assert [(r.file, r.location) for r in rejected] == [
        (str(path), f"line {cut.count(chr(10)) + 1}")
    ]
    assert rejected[0].reason.startswith("malformed XML (")
    assert records[:-1] == [ANN, BOB, ROTATION_DOC, *ROTATION_CONTRIBUTIONS]


def test_invalid_utf8_keeps_the_pages_before(tmp_path: Path) -> None:
    content = export(PAGES)
    data = content.encode().replace(b"Use '''Daedalus'''.", b"Use \xff.")
    path = write(tmp_path, data)
    records = read_all(path)
    line = line_of(content, "Use '''Daedalus'''.")
    assert [(r.file, r.location) for r in of_type(records, Rejected)] == [
        (str(path), f"line {line}")
    ]
    assert "Invalid bytes" in of_type(records, Rejected)[0].reason
    assert of_type(records, Document) == [ROTATION_DOC]


@pytest.mark.parametrize(
    ("bad_page", "reason"),
    [
        (page("", 30, revision("2021-05-01T10:00:00Z", "x", "Ann")), "page without title"),
        (
            page("No id", 30, revision("2021-05-01T10:00:00Z", "x", "Ann")).replace(
                "<id>30</id>", ""
            ),
            "page without id",
        ),
        (
            page("Bad id", 30, revision("2021-05-01T10:00:00Z", "x", "Ann")).replace(
                "<id>30</id>", "<id>thirty</id>"
            ),
            "page id 'thirty' is not an integer",
        ),
        (
            page("Odd id", 30, revision("2021-05-01T10:00:00Z", "x", "Ann")).replace(
                "<id>30</id>", "<id>\u00b2</id>"
            ),
            "page id '\u00b2' is not an integer",
        ),
        (page("Empty", 30), "page without a readable revision"),
    ],
)
def test_a_bad_page_is_rejected_and_the_rest_indexed(
    tmp_path: Path, bad_page: str, reason: str
) -> None:
    content = export([ROTATION, bad_page, WALLETS])
    path = write(tmp_path, content)
    records = read_all(path)
    line = line_of(content, "<page>\n    <title>" + bad_page.split("<title>")[1][:3])
    assert of_type(records, Rejected) == [Rejected(str(path), f"line {line}", reason)]
    assert of_type(records, Document) == [ROTATION_DOC, WALLETS_DOC]


def test_a_repeated_page_id_is_rejected_with_its_contributors(tmp_path: Path) -> None:
    impostor = page("Impostor", 10, revision("2021-05-01T10:00:00Z", "Other text.", "Eve"))
    content = export([ROTATION, impostor, WALLETS])
    path = write(tmp_path, content)
    records = read_all(path)
    line = line_of(content, "<page>\n    <title>Impostor")
    assert records == [
        ANN,
        BOB,
        ROTATION_DOC,
        *ROTATION_CONTRIBUTIONS,
        Rejected(str(path), f"line {line}", "duplicate page id 10; the first is kept"),
        WALLETS_DOC,
        *WALLETS_CONTRIBUTIONS,
    ]


def test_a_revision_with_a_bad_timestamp_is_skipped(tmp_path: Path) -> None:
    wallets = page(
        "Wallets",
        13,
        revision("2021-04-01T10:00:00Z", "Use '''Daedalus'''.", "Bob Smith"),
        revision("last tuesday", "lost edit", "Cem"),
        revision("2021-04-02T10:00:00Z", "Use '''Daedalus''' or ''Yoroi''.", "Ann"),
    )
    content = export([wallets])
    path = write(tmp_path, content)
    records = read_all(path)
    line = line_of(content, "<revision>\n      <timestamp>last")
    reason = "revision skipped: revision timestamp 'last tuesday' is not an ISO time"
    assert records == [
        Rejected(str(path), f"line {line}", reason),
        BOB,
        ANN,
        WALLETS_DOC,
        *WALLETS_CONTRIBUTIONS,
    ]


def test_missing_and_empty_files_are_source_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nothere\.xml not found"):
        read_all(tmp_path / "nothere.xml")
    path = write(tmp_path, b"")
    with pytest.raises(SourceError) as error:
        read_all(path)
    assert str(error.value) == f"{path} is empty; export the wiki again or remove the source"


def test_bad_namespaces_option_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"namespaces must be a list of namespace numbers"):
        read_all(write(tmp_path, export(PAGES)), namespaces="0")


@pytest.mark.parametrize(
    ("wikitext", "text"),
    [
        ("{{a|{{b|{{c}}}}}} kept", "kept"),
        ("unclosed {{template", "unclosed {{template"),
        ("a}} b", "a}} b"),
        (
            "[[Target]] and [[Target|label]] and [[:Category:Ops]]",
            "Target and label and Category:Ops",
        ),
        ("[[Image:x.png|thumb|cap]][[category:Ops|sort]]end", "end"),
        ("[http://x.example label here] and [http://y.example]", "label here and"),
        ("'''''both''''' ''it'' '''b'''", "both it b"),
        ("=Top=\ntext\n=== Deep ===", "Top\n\ntext\n\nDeep"),
        ("* one\n** two\n# three\n: indented", "one\ntwo\nthree\nindented"),
        ("line<br/>next <span style='x'>in</span> <references />", "line\nnext in"),
        ("x &lt; y &amp; z&mdash;w", "x < y & z\u2014w"),
        (
            '{|\n|+ Caption\n|-\n! Name !! Role\n|-\n| style="a" | Ann || Ops\n|}',
            "Caption\nName Role\nAnn Ops",
        ),
        ("__NOTOC__\nBody<!-- gone -->", "Body"),
    ],
)
def test_wikitext_to_text(wikitext: str, text: str) -> None:
    assert wikitext_to_text(wikitext) == text
