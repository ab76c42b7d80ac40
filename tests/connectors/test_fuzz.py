"""Every connector on random and mutated input: records or a named SourceError, never a crash.

Each test writes real files (small valid samples, then mutated: cut short, bytes flipped or
deleted, invalid UTF-8 or markup inserted, slices repeated so ids repeat) into a fresh folder
and reads them with the real connector. The property: reading yields only records
(:data:`~indexer.models.Record`) or raises :class:`~indexer.errors.SourceError`; every
rejected record names its file; documents and people are never emitted twice.

CI runs a fixed set of examples (``derandomize``) so that a landing never depends on luck;
``WHOKNOWS_FUZZ_EXPLORE=1 pytest tests/connectors/test_fuzz.py`` draws new ones each run
(with ``--hypothesis-seed=N`` to replay one) to look for crashes nobody has seen yet.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.connectors import get_reader
from indexer.errors import SourceError
from indexer.models import Contribution, Document, PersonRecord, Record, Rejected, SourceSpec

EXPLORE = os.environ.get("WHOKNOWS_FUZZ_EXPLORE") == "1"
FUZZ = settings(
    max_examples=300 if EXPLORE else 60,
    derandomize=not EXPLORE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SE_POSTS = b"""<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2021-01-01T10:00:00.000" \
Score="5" Body="&lt;p&gt;How do I rotate &lt;code&gt;KES&lt;/code&gt; keys?&lt;/p&gt;" \
OwnerUserId="10" LastEditorUserId="11" LastEditDate="2021-01-01T11:00:00.000" \
LastActivityDate="2021-01-03T09:00:00.000" Title="Rotating KES keys" Tags="&lt;kes&gt;" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2021-01-01T12:00:00.000" Score="7" \
Body="&lt;p&gt;Use the CLI.&lt;/p&gt;" OwnerUserId="11" />
  <row Id="3" PostTypeId="1" CreationDate="2021-02-01T10:00:00.000" Score="1" \
Body="Which wallet?" OwnerUserId="11" Title="Choosing a wallet" Tags="|wallets|" />
  <row Id="4" PostTypeId="2" ParentId="3" CreationDate="2021-02-02T10:00:00.000" Score="3" \
Body="Try Daedalus." OwnerUserId="10" />
</posts>
"""
SE_USERS = b"""<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="-1" DisplayName="Community" />
  <row Id="10" DisplayName="Ann" Location="Oslo" AboutMe="&lt;p&gt;Pool operator.&lt;/p&gt;" />
  <row Id="11" DisplayName="Bob" />
</users>
"""
SE_COMMENTS = b"""<?xml version="1.0" encoding="utf-8"?>
<comments>
  <row Id="1" PostId="1" Text="Which version?" CreationDate="2021-01-01T10:30:00.000" \
UserId="11" />
  <row Id="2" PostId="2" Text="Thanks!" CreationDate="2021-01-02T13:00:00.000" UserId="10" />
</comments>
"""
MEDIAWIKI = b"""<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11">
  <siteinfo>
    <base>https://wiki.acme.test/wiki/Main_Page</base>
    <namespaces><namespace key="0" /><namespace key="2">User</namespace></namespaces>
  </siteinfo>
  <page>
    <title>Key rotation</title>
    <ns>0</ns>
    <id>10</id>
    <revision>
      <timestamp>2021-03-01T10:00:00Z</timestamp>
      <contributor><username>Ann</username><id>7</id></contributor>
      <text xml:space="preserve">'''KES''' keys{{cite|x}} rotate, see [[Key rotation|here]].</text>
    </revision>
    <revision>
      <timestamp>2021-03-02T10:00:00Z</timestamp>
      <contributor><username>Bob</username><id>8</id></contributor>
      <text xml:space="preserve">== Steps ==
* Run the [[script]]&lt;ref&gt;x&lt;/ref&gt;.</text>
    </revision>
  </page>
  <page>
    <title>User:Ann</title>
    <ns>2</ns>
    <id>11</id>
    <revision>
      <timestamp>2021-03-03T10:00:00Z</timestamp>
      <contributor><ip>10.0.0.1</ip></contributor>
      <text>I run a pool.</text>
    </revision>
  </page>
</mediawiki>
"""
WIKI_PAGE = b"""---
title: Deploying with Helm
authors:
  - ann@example.com
  - Bob Stone <bob@example.com>
  - "@caroldev"
  - {name: Eve Moss, email: eve@example.com, commits: 4}
date: 2024-03-01
updated: 2024-05-02T10:30:00+02:00
access_groups: [eng]
---
# Helm

Use [helm](https://helm.sh) to *deploy*.<!-- note -->

| a | b |
|---|---|
| 1 | 2 |
"""
WIKI_HTML = b"""<html><head><title>Runbook</title><script>x()</script></head>
<body><h1>Runbook</h1><p>Restart the <b>node</b>.</p></body></html>
"""
WIKI_SIDECAR = b"""{"path": "helm.md", "authors": [{"email": "x@y.org", "commits": 3}], \
"first_commit": "2024-01-01T00:00:00Z", "last_commit": "2024-02-01T00:00:00Z"}
{"path": "runbook.html", "authors": [{"name": "Dan Ly"}]}
"""
BIOS: dict[str, bytes] = {
    "team.yml": b"""ann:
  name: Ann Lee
  email: ann@example.com
  github: '@AnnL'
  skills: [go, kubernetes]
  active: true
bob:
  name: Bob Ray
  team: Search
  inactive: "no"
""",
    "people.csv": b"""id,name,email,title,skills,bio
g1,Gus Hale,gus@example.com,SRE,"terraform; aws","Runs
on-call."
g2,Hana Ito,hana@example.com,PM,,
""",
    "people.json": b"""[{"id": "m", "name": "Max", "skills": ["rust"]},
 {"id": "n", "name": "Nia", "email": "nia@example.com", "left": true}]
""",
    "people.jsonl": b"""{"name": "Nia Obi", "email": "nia@example.com"}
{"name": "Oli Park", "department": "Sales", "expertise": "CRM"}
""",
}

# Fragments that tend to break parsers: markup, entities, front matter and YAML syntax, CSV
# quoting, and byte sequences that are not UTF-8 (lone continuation, overlong, surrogate).
TOKENS = [
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&bogus;",
    b"</row>",
    b"<row ",
    b"</page>",
    b"<page>",
    b"<revision>",
    b'"',
    b"'",
    b"<!--",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY e 'ee'>]>",
    b"---\n",
    b"\n...\n",
    b": ",
    b"- ",
    b"[",
    b"{",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ['true']",
    b"0001-01-01T00:00:00+05:00",
    b"9" * 5000,
    b"[" * 3000,
    b"\xc2\xb2",
    b"\t",
    b"\r",
    b"\n",
    b",",
    b"\x00",
    b"\x07",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\x80",
    b"\xc3\x28",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
]


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """``sample`` after one to four random edits."""
    data = sample
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["cut", "flip", "delete", "insert", "repeat"]))
        if edit == "cut":
            data = data[:at]
        elif edit == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif edit == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif edit == "insert":
            token = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
            data = data[:at] + token + data[at:]
        elif edit == "repeat":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data = data[:end] + data[at:end] + data[end:]
    return data


def some_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=2000)


@contextmanager
def folder() -> Iterator[Path]:
    """A fresh real folder per example (pytest's tmp_path is shared by all examples of a test)."""
    with tempfile.TemporaryDirectory(prefix="whoknows-fuzz-") as name:
        yield Path(name)


def read_or_refuse(kind: str, path: Path, **options: Any) -> list[Record] | SourceError:
    """All records of the source, or the SourceError it raised; anything else fails the test."""
    try:
        records = list(get_reader(kind)(SourceSpec(kind, str(path), "fuzz", options)))
    except SourceError as error:
        assert str(path) in str(error) or "source 'fuzz'" in str(error), str(error)
        return error
    assert all(isinstance(r, Document | PersonRecord | Contribution | Rejected) for r in records)
    for rejected in (r for r in records if isinstance(r, Rejected)):
        assert Path(rejected.file).is_relative_to(path), rejected
        assert rejected.reason, rejected
    documents = Counter(r.id for r in records if isinstance(r, Document))
    people = Counter(r.key for r in records if isinstance(r, PersonRecord))
    assert [i for i, n in documents.items() if n > 1] == []
    assert [k for k, n in people.items() if n > 1] == []
    return records


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# Stack Exchange ----------------------------------------------------------------------------


def se_dump(root: Path, posts: bytes, users: bytes, comments: bytes) -> Path:
    dump = root / "se"
    write(dump / "Posts.xml", posts)
    write(dump / "Users.xml", users)
    write(dump / "Comments.xml", comments)
    return dump


@FUZZ
@given(
    which=st.sampled_from(["posts", "users", "comments"]),
    data=st.data(),
)
def test_stackexchange_survives_a_mutated_dump(which: str, data: st.DataObject) -> None:
    files = {"posts": SE_POSTS, "users": SE_USERS, "comments": SE_COMMENTS}
    files[which] = data.draw(mutated(files[which]), label=which)
    with folder() as root:
        read_or_refuse("stackexchange", se_dump(root, **files))


@FUZZ
@given(posts=some_bytes(), users=some_bytes(), comments=some_bytes())
def test_stackexchange_survives_random_bytes(posts: bytes, users: bytes, comments: bytes) -> None:
    with folder() as root:
        read_or_refuse("stackexchange", se_dump(root, posts, users, comments))


POST_ATTRIBUTES = [
    "Id",
    "PostTypeId",
    "ParentId",
    "AcceptedAnswerId",
    "CreationDate",
    "Score",
    "OwnerUserId",
    "LastEditorUserId",
    "LastEditDate",
    "LastActivityDate",
    "Title",
    "Tags",
    "Body",
]
# XML 1.0 allows no control characters but tab, newline and carriage return.
XML_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters=[chr(c) for c in range(32)])
    | st.sampled_from(["\t", "\n"]),
    max_size=30,
)
FIELD_VALUE = (
    st.sampled_from(["1", "2", "10", "-1", "0", "", "  ", "1e3", "1_0", "²", "٣", "9" * 5000])
    | st.sampled_from(
        ["2021-01-01T10:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
    )
    | XML_TEXT
)


def xml_rows(root: str, rows: list[dict[str, str]]) -> bytes:
    body = "".join(
        "<row " + " ".join(f"{k}={quoteattr(v)}" for k, v in row.items()) + " />\n" for row in rows
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n{body}</{root}>\n'.encode()


@FUZZ
@given(
    posts=st.lists(st.dictionaries(st.sampled_from(POST_ATTRIBUTES), FIELD_VALUE), max_size=6),
    users=st.lists(
        st.dictionaries(st.sampled_from(["Id", "DisplayName", "AboutMe", "Location"]), FIELD_VALUE),
        max_size=4,
    ),
    comments=st.lists(
        st.dictionaries(
            st.sampled_from(["Id", "PostId", "UserId", "CreationDate", "Text"]), FIELD_VALUE
        ),
        max_size=4,
    ),
)
def test_stackexchange_survives_odd_field_values(
    posts: list[dict[str, str]], users: list[dict[str, str]], comments: list[dict[str, str]]
) -> None:
    with folder() as root:
        dump = se_dump(
            root, xml_rows("posts", posts), xml_rows("users", users), xml_rows("comments", comments)
        )
        read_or_refuse("stackexchange", dump)
        read_or_refuse("stackexchange", dump, before="2021-06-01")


# MediaWiki ---------------------------------------------------------------------------------


@FUZZ
@given(export=mutated(MEDIAWIKI))
def test_mediawiki_survives_a_mutated_export(export: bytes) -> None:
    with folder() as root:
        read_or_refuse("mediawiki", write(root / "export.xml", export))


@FUZZ
@given(export=some_bytes())
def test_mediawiki_survives_random_bytes(export: bytes) -> None:
    with folder() as root:
        read_or_refuse("mediawiki", write(root / "export.xml", export))


@FUZZ
@given(
    pages=st.lists(
        st.fixed_dictionaries(
            {"title": XML_TEXT, "ns": FIELD_VALUE, "id": FIELD_VALUE},
            optional={
                "revisions": st.lists(
                    st.tuples(FIELD_VALUE, XML_TEXT, XML_TEXT), min_size=1, max_size=3
                )
            },
        ),
        max_size=4,
    ),
    namespace_key=FIELD_VALUE,
)
def test_mediawiki_survives_odd_field_values(
    pages: list[dict[str, Any]], namespace_key: str
) -> None:
    body = "".join(
        f"<page><title>{escape(p['title'])}</title><ns>{escape(p['ns'])}</ns>"
        f"<id>{escape(p['id'])}</id>"
        + "".join(
            f"<revision><timestamp>{escape(time)}</timestamp><contributor><username>"
            f"{escape(user)}</username></contributor><text>{escape(text)}</text></revision>"
            for time, user, text in p.get("revisions", [])
        )
        + "</page>"
        for p in pages
    )
    siteinfo = (
        f"<siteinfo><namespaces><namespace key={quoteattr(namespace_key)}>User</namespace>"
        "</namespaces></siteinfo>"
    )
    with folder() as root:
        export = write(root / "export.xml", f"<mediawiki>{siteinfo}{body}</mediawiki>".encode())
        read_or_refuse("mediawiki", export)


# Wiki --------------------------------------------------------------------------------------


@FUZZ
@given(
    page=mutated(WIKI_PAGE),
    html=mutated(WIKI_HTML),
    sidecar=mutated(WIKI_SIDECAR),
)
def test_wiki_survives_mutated_pages_and_sidecar(page: bytes, html: bytes, sidecar: bytes) -> None:
    with folder() as root:
        wiki = root / "wiki"
        write(wiki / "helm.md", page)
        write(wiki / "runbook.html", html)
        write(wiki / "page_authors.jsonl", sidecar)
        read_or_refuse("wiki", wiki, git=False)


YAML_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes()
    | st.sampled_from(["0001-01-01T00:00:00+05:00", "2024-13-45", "@", "a@b", "x <y@z>", "-1"])
)
YAML_VALUE = st.recursive(
    YAML_SCALAR,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=3)
    ),
    max_leaves=8,
)
FRONT_MATTER_KEYS = [
    "title",
    "author",
    "authors",
    "date",
    "created",
    "updated",
    "url",
    "access_groups",
    "groups",
]


def to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=None)


@FUZZ
@given(
    front_matter=st.dictionaries(
        st.sampled_from(FRONT_MATTER_KEYS), YAML_VALUE | st.lists(YAML_VALUE), max_size=5
    )
    | YAML_VALUE,
    body=st.text(max_size=200),
)
def test_wiki_survives_odd_front_matter_and_markdown(front_matter: Any, body: str) -> None:
    page = f"---\n{to_yaml(front_matter)}---\n{body}"
    with folder() as root:
        wiki = root / "wiki"
        write(wiki / "page.md", page.encode("utf-8", errors="surrogatepass"))
        read_or_refuse("wiki", wiki, git=False, base_url="https://wiki.example.com")


# Bios --------------------------------------------------------------------------------------


@FUZZ
@given(name=st.sampled_from(sorted(BIOS)), data=st.data())
def test_bios_survive_a_mutated_file(name: str, data: st.DataObject) -> None:
    content = data.draw(mutated(BIOS[name]), label=name)
    with folder() as root:
        read_or_refuse("bios", write(root / name, content))


@FUZZ
@given(name=st.sampled_from(sorted(BIOS)), content=some_bytes())
def test_bios_survive_random_bytes(name: str, content: bytes) -> None:
    with folder() as root:
        read_or_refuse("bios", write(root / name, content))


BIO_FIELDS = ["id", "name", "email", "github", "username", "title", "team", "bio", "skills"]
BIO_FIELDS += ["access_groups", "active", "inactive", "left", "location"]
BIO_RECORD = st.dictionaries(st.sampled_from(BIO_FIELDS), YAML_VALUE, max_size=6) | YAML_VALUE


def json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(value)


ENCODERS: dict[str, Callable[[Any], str]] = {
    "team.yml": to_yaml,
    "team.json": lambda value: json.dumps(value, default=json_default),
}


@FUZZ
@given(
    name=st.sampled_from(["team.yml", "team.json", "people.jsonl"]),
    records=st.lists(BIO_RECORD, max_size=4) | st.dictionaries(st.text(max_size=6), BIO_RECORD),
)
def test_bios_survive_odd_values(name: str, records: Any) -> None:
    if name == "people.jsonl":
        items = records if isinstance(records, list) else list(records.values())
        text = "\n".join(json.dumps(item, default=json_default) for item in items)
    else:
        text = ENCODERS[name](records)
    with folder() as root:
        read_or_refuse("bios", write(root / name, text.encode("utf-8", errors="surrogatepass")))


@FUZZ
@given(
    rows=st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_bios_csv_with_any_column_counts_rejects_only_bad_rows(
    rows: list[list[str]], delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["id", "name", "email", "skills"])
    writer.writerows(rows)
    with folder() as root:
        path = write(root / "people.csv", buffer.getvalue().encode("utf-8", errors="surrogatepass"))
        result = read_or_refuse("bios", path, delimiter=delimiter)
    if isinstance(result, SourceError):
        return
    rejected = [r.reason for r in result if isinstance(r, Rejected)]
    wrong = [r for r in rows if any(c.strip() for c in r) and len(r) != 4]
    assert sum(reason.startswith("expected 4 columns") for reason in rejected) == len(wrong)
