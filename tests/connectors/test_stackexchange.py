"""The Stack Exchange connector on a tiny literal dump and on the real dumps in ../shared/data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from indexer.connectors.stackexchange import read
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

HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'

# Line numbers matter: the header is line 1, <posts> line 2, the first row line 3.
POSTS = [
    '<row Id="1" PostTypeId="1" AcceptedAnswerId="3" CreationDate="2021-01-01T10:00:00.000"'
    ' Score="5" Body="&lt;p&gt;How do I rotate &lt;code&gt;KES&lt;/code&gt; keys?&lt;/p&gt;"'
    ' OwnerUserId="10" LastEditorUserId="12" LastEditDate="2021-01-01T11:00:00.000"'
    ' LastActivityDate="2021-01-03T09:00:00.000" Title="Rotating KES keys"'
    ' Tags="&lt;staking&gt;&lt;kes&gt;" />',
    '<row Id="2" PostTypeId="2" ParentId="1" CreationDate="2021-01-01T12:00:00.000" Score="7"'
    ' Body="&lt;p&gt;Use the CLI.&lt;/p&gt;" OwnerUserId="11" />',
    '<row Id="3" PostTypeId="2" ParentId="1" CreationDate="2021-01-02T12:00:00.000" Score="2"'
    ' Body="&lt;p&gt;Run the rotate script.&lt;/p&gt;" OwnerUserId="12" />',
    '<row Id="4" PostTypeId="1" CreationDate="2021-02-01T10:00:00.000" Score="1"'
    ' Body="&lt;p&gt;Which wallet?&lt;/p&gt;" OwnerUserId="11"'
    ' LastActivityDate="2021-02-03T10:00:00.000" Title="Choosing a wallet" />',
    '<row Id="5" PostTypeId="2" ParentId="4" CreationDate="2021-02-02T10:00:00.000" Score="3"'
    ' Body="&lt;p&gt;Try Daedalus.&lt;/p&gt;" OwnerUserId="10" />',
    '<row Id="6" PostTypeId="2" ParentId="4" CreationDate="2021-02-03T10:00:00.000" Score="1"'
    ' Body="&lt;p&gt;Or Yoroi.&lt;/p&gt;" OwnerUserId="10" />',
    '<row Id="7" PostTypeId="5" CreationDate="2021-02-04T10:00:00.000" Body="A tag wiki" />',
]
COMMENTS = [
    '<row Id="1" PostId="1" Text="Which node version?" CreationDate="2021-01-01T10:30:00.000"'
    ' UserId="11" />',
    '<row Id="2" PostId="3" Text="Thanks, that worked." CreationDate="2021-01-02T13:00:00.000"'
    ' UserId="10" />',
    '<row Id="3" PostId="1" Text="1.35" CreationDate="2021-01-01T10:40:00.000" UserId="11" />',
    '<row Id="4" PostId="5" Text="Daedalus is a full node." CreationDate="2021-02-02T11:00:00.000"'
    ' UserId="13" />',
    '<row Id="5" PostId="7" Text="On the tag wiki" CreationDate="2021-02-05T11:00:00.000"'
    ' UserId="15" />',
]
USERS = [
    '<row Id="-1" DisplayName="Community" AboutMe="&lt;p&gt;Not a person.&lt;/p&gt;" />',
    '<row Id="10" DisplayName="Ann" Location="Oslo"'
    ' AboutMe="&lt;p&gt;Stake pool operator.&lt;/p&gt;" />',
    '<row Id="11" DisplayName="Bob" />',
    '<row Id="12" DisplayName="Cem" AboutMe="" />',
    '<row Id="13" DisplayName="Dee" />',
    '<row Id="14" DisplayName="Eve" AboutMe="&lt;p&gt;Haskell developer.&lt;/p&gt;" />',
    '<row Id="15" DisplayName="Idle" />',
]
SITE = "https://example.stackexchange.com"
T = TypeVar("T")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def xml(root: str, rows: list[str]) -> str:
    return HEADER + f"<{root}>\n" + "".join(f"  {row}\n" for row in rows) + f"</{root}>\n"


def make_dump(
    folder: Path,
    posts: list[str] | bytes = POSTS,
    users: list[str] = USERS,
    comments: list[str] | None = COMMENTS,
) -> Path:
    folder.mkdir(exist_ok=True)
    data = posts if isinstance(posts, bytes) else xml("posts", posts).encode()
    (folder / "Posts.xml").write_bytes(data)
    (folder / "Users.xml").write_text(xml("users", users), encoding="utf-8")
    if comments is not None:
        (folder / "Comments.xml").write_text(xml("comments", comments), encoding="utf-8")
    (folder / "PROVENANCE.txt").write_text(
        "source: github.com/someone/stackexchangeparser. Official dump of"
        " example.stackexchange.com, CC BY-SA 4.0.\n"
    )
    return folder


def read_all(folder: Path, **options: object) -> list[Record]:
    return list(read(SourceSpec("stackexchange", str(folder), "se", dict(options))))


def of_type(records: list[Record], kind: type[T]) -> list[T]:
    return [r for r in records if isinstance(r, kind)]


Q1_TEXT = (
    "Tags: staking, kes\nHow do I rotate KES keys?\n\nRun the rotate script.\n\nUse the CLI."
    "\n\nWhich node version?\n\nThanks, that worked.\n\n1.35"
)


def test_documents_are_whole_threads(tmp_path: Path) -> None:
    docs = of_type(read_all(make_dump(tmp_path / "se")), Document)
    assert docs == [
        Document(
            id="q1",
            kind=DocumentKind.QA,
            title="Rotating KES keys",
            text=Q1_TEXT,
            url=f"{SITE}/questions/1",
            created=at("2021-01-01T10:00:00"),
            updated=at("2021-01-03T09:00:00"),
        ),
        Document(
            id="q4",
            kind=DocumentKind.QA,
            title="Choosing a wallet",
            text="Which wallet?\n\nTry Daedalus.\n\nOr Yoroi.\n\nDaedalus is a full node.",
            url=f"{SITE}/questions/4",
            created=at("2021-02-01T10:00:00"),
            updated=at("2021-02-03T10:00:00"),
        ),
    ]


def test_contributions_roles_scores_and_counts(tmp_path: Path) -> None:
    contributions = of_type(read_all(make_dump(tmp_path / "se")), Contribution)
    assert contributions == [
        Contribution("stackexchange:10", "q1", Role.ASKER, time=at("2021-01-01T10:00:00")),
        Contribution("stackexchange:12", "q1", Role.EDITOR, time=at("2021-01-01T11:00:00")),
        Contribution(
            "stackexchange:12",
            "q1",
            Role.ACCEPTED_ANSWERER,
            score=2,
            time=at("2021-01-02T12:00:00"),
        ),
        Contribution(
            "stackexchange:11", "q1", Role.ANSWERER, score=7, time=at("2021-01-01T12:00:00")
        ),
        Contribution(
            "stackexchange:11", "q1", Role.COMMENTER, count=2, time=at("2021-01-01T10:40:00")
        ),
        Contribution("stackexchange:10", "q1", Role.COMMENTER, time=at("2021-01-02T13:00:00")),
        Contribution("stackexchange:11", "q4", Role.ASKER, time=at("2021-02-01T10:00:00")),
        Contribution(
            "stackexchange:10",
            "q4",
            Role.ANSWERER,
            count=2,
            score=3,
            time=at("2021-02-03T10:00:00"),
        ),
        Contribution("stackexchange:13", "q4", Role.COMMENTER, time=at("2021-02-02T11:00:00")),
    ]


def test_people_are_contributors_or_have_a_bio(tmp_path: Path) -> None:
    people = of_type(read_all(make_dump(tmp_path / "se")), PersonRecord)
    assert people == [
        PersonRecord(
            key="stackexchange:10",
            name="Ann",
            location="Oslo",
            bio="Stake pool operator.",
            url=f"{SITE}/users/10",
        ),
        PersonRecord(key="stackexchange:11", name="Bob", url=f"{SITE}/users/11"),
        PersonRecord(key="stackexchange:12", name="Cem", url=f"{SITE}/users/12"),
        PersonRecord(key="stackexchange:13", name="Dee", url=f"{SITE}/users/13"),
        PersonRecord(
            key="stackexchange:14", name="Eve", bio="Haskell developer.", url=f"{SITE}/users/14"
        ),
    ]


def test_people_come_before_documents_and_contributions(tmp_path: Path) -> None:
    kinds = [type(r).__name__ for r in read_all(make_dump(tmp_path / "se"))]
    assert (
        kinds
        == ["PersonRecord"] * 5
        + ["Document"]
        + ["Contribution"] * 6
        + ["Document"]
        + ["Contribution"] * 3
    )


def test_options_base_url_and_no_comments(tmp_path: Path) -> None:
    records = read_all(
        make_dump(tmp_path / "se"), base_url="https://teams.example.com/", include_comments=False
    )
    docs = of_type(records, Document)
    assert docs[0].url == "https://teams.example.com/questions/1"
    assert docs[0].text == (
        "Tags: staking, kes\nHow do I rotate KES keys?\n\nRun the rotate script.\n\nUse the CLI."
    )
    assert not [c for c in of_type(records, Contribution) if c.role is Role.COMMENTER]
    assert of_type(records, PersonRecord)[1].url == "https://teams.example.com/users/11"


def test_without_provenance_or_comments_file(tmp_path: Path) -> None:
    folder = make_dump(tmp_path / "se", comments=None)
    (folder / "PROVENANCE.txt").unlink()
    records = read_all(folder)
    assert [d.url for d in of_type(records, Document)] == ["", ""]
    assert of_type(records, Document)[1].text == "Which wallet?\n\nTry Daedalus.\n\nOr Yoroi."
    assert of_type(records, Rejected) == []


def test_before_keeps_only_earlier_posts_and_comments(tmp_path: Path) -> None:
    records = read_all(make_dump(tmp_path / "se"), before="2021-01-02T00:00:00")
    assert of_type(records, Document) == [
        Document(
            id="q1",
            kind=DocumentKind.QA,
            title="Rotating KES keys",
            text="Tags: staking, kes\nHow do I rotate KES keys?\n\nUse the CLI.\n\n"
            "Which node version?\n\n1.35",
            url=f"{SITE}/questions/1",
            created=at("2021-01-01T10:00:00"),
            updated=at("2021-01-01T12:00:00"),
        )
    ]
    # Answer 3 (the accepted one) is later, so the answer by 11 is not "accepted".
    assert of_type(records, Contribution) == [
        Contribution("stackexchange:10", "q1", Role.ASKER, time=at("2021-01-01T10:00:00")),
        Contribution("stackexchange:12", "q1", Role.EDITOR, time=at("2021-01-01T11:00:00")),
        Contribution(
            "stackexchange:11", "q1", Role.ANSWERER, score=7, time=at("2021-01-01T12:00:00")
        ),
        Contribution(
            "stackexchange:11", "q1", Role.COMMENTER, count=2, time=at("2021-01-01T10:40:00")
        ),
    ]
    assert [p.key for p in of_type(records, PersonRecord)] == [
        "stackexchange:10",
        "stackexchange:11",
        "stackexchange:12",
        "stackexchange:14",
    ]
    assert of_type(records, Rejected) == []


def test_before_accepts_a_datetime_and_drops_a_later_edit(tmp_path: Path) -> None:
    records = read_all(make_dump(tmp_path / "se"), before=datetime(2021, 1, 1, 10, 50))
    assert [(c.person_key, c.role) for c in of_type(records, Contribution)] == [
        ("stackexchange:10", Role.ASKER),
        ("stackexchange:11", Role.COMMENTER),
    ]


def test_truncated_posts_keep_the_threads_read_before(tmp_path: Path) -> None:
    text = xml("posts", POSTS[:3])
    truncated = text[: text.index("</posts>")] + '  <row Id="4" PostTypeId="1" Body="cut off'
    folder = make_dump(tmp_path / "se", posts=truncated.encode())
    records = read_all(folder)
    rejected = of_type(records, Rejected)
    assert [(r.file, r.location) for r in rejected] == [(str(folder / "Posts.xml"), "line 6")]
    assert rejected[0].reason.startswith("malformed XML (")
    assert [(d.id, d.text) for d in of_type(records, Document)] == [("q1", Q1_TEXT)]


def test_invalid_utf8_keeps_the_rows_before(tmp_path: Path) -> None:
    data = xml("posts", POSTS[:4]).encode().replace(b"Which wallet?", b"Which \xff wallet?")
    folder = make_dump(tmp_path / "se", posts=data)
    records = read_all(folder)
    rejected = of_type(records, Rejected)
    assert [(r.file, r.location) for r in rejected] == [(str(folder / "Posts.xml"), "line 6")]
    assert "Invalid bytes" in rejected[0].reason
    assert [d.id for d in of_type(records, Document)] == ["q1"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            '<row PostTypeId="2" ParentId="1" CreationDate="2021-01-01T12:00:00" Body="x" />',
            "row without Id",
        ),
        (
            '<row Id="8" PostTypeId="2" ParentId="1" CreationDate="yesterday" Body="x" />',
            "CreationDate 'yesterday' is not an ISO time",
        ),
        (
            '<row Id="8" PostTypeId="2" ParentId="1" CreationDate="2021-01-01T12:00:00"'
            ' Score="many" Body="x" />',
            "Score 'many' is not an integer",
        ),
        (
            '<row Id="8" PostTypeId="2" ParentId="1" CreationDate="0001-01-01T00:00:00+05:00"'
            ' Body="x" />',
            "CreationDate '0001-01-01T00:00:00+05:00' is not an ISO time",
        ),
        (
            '<row Id="8" PostTypeId="2" ParentId="99" CreationDate="2021-01-01T12:00:00"'
            ' Body="x" />',
            "answer to missing question 99",
        ),
    ],
)
def test_a_bad_post_is_rejected_and_the_rest_indexed(tmp_path: Path, row: str, reason: str) -> None:
    folder = make_dump(tmp_path / "se", posts=[*POSTS[:3], row, *POSTS[3:]])
    records = read_all(folder)
    assert of_type(records, Rejected) == [Rejected(str(folder / "Posts.xml"), "line 6", reason)]
    assert [d.id for d in of_type(records, Document)] == ["q1", "q4"]
    assert len(of_type(records, Contribution)) == 9


def test_a_bad_comment_and_a_user_missing_from_users_xml(tmp_path: Path) -> None:
    comments = [*COMMENTS, '<row Id="6" PostId="1" Text="x" CreationDate="soon" UserId="11" />']
    folder = make_dump(tmp_path / "se", users=USERS[:4], comments=comments)
    records = read_all(folder)
    assert of_type(records, Rejected) == [
        Rejected(str(folder / "Comments.xml"), "line 8", "CreationDate 'soon' is not an ISO time"),
        Rejected(
            str(folder / "Users.xml"),
            "id 13",
            "user has posts or comments but is not in Users.xml; their contributions are skipped",
        ),
    ]
    keys = {c.person_key for c in of_type(records, Contribution)}
    assert keys == {"stackexchange:10", "stackexchange:11", "stackexchange:12"}


def test_repeated_ids_are_rejected_and_the_first_row_kept(tmp_path: Path) -> None:
    posts = [
        *POSTS,
        '<row Id="1" PostTypeId="1" CreationDate="2021-03-01T10:00:00" Title="Impostor"'
        ' Body="x" OwnerUserId="13" />',
        '<row Id="2" PostTypeId="2" ParentId="4" CreationDate="2021-03-01T10:00:00" Body="y"'
        ' OwnerUserId="13" />',
    ]
    users = [*USERS, '<row Id="10" DisplayName="Ann again" />']
    comments = [
        *COMMENTS,
        '<row Id="1" PostId="4" Text="again" CreationDate="2021-02-02T12:00:00" UserId="13" />',
    ]
    clean = read_all(make_dump(tmp_path / "clean"))
    folder = make_dump(tmp_path / "se", posts=posts, users=users, comments=comments)

    records = read_all(folder)

    assert of_type(records, Rejected) == [
        Rejected(str(folder / "Posts.xml"), "line 10", "duplicate post Id 1; the first is kept"),
        Rejected(str(folder / "Posts.xml"), "line 11", "duplicate post Id 2; the first is kept"),
        Rejected(
            str(folder / "Comments.xml"), "line 8", "duplicate comment Id 1; the first is kept"
        ),
        Rejected(str(folder / "Users.xml"), "line 10", "duplicate user Id 10; the first is kept"),
    ]
    assert [r for r in records if not isinstance(r, Rejected)] == clean


def test_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nothere is not a folder"):
        read_all(tmp_path / "nothere")


def test_missing_posts_is_a_source_error(tmp_path: Path) -> None:
    folder = make_dump(tmp_path / "se")
    (folder / "Posts.xml").unlink()
    with pytest.raises(SourceError, match=r"Posts\.xml not found"):
        read_all(folder)


def test_empty_posts_is_a_source_error(tmp_path: Path) -> None:
    folder = make_dump(tmp_path / "se", posts=b"")
    with pytest.raises(SourceError) as error:
        read_all(folder)
    assert str(error.value) == (
        f"{folder / 'Posts.xml'} is empty; export the dump again or remove the source"
    )


def test_bad_before_option_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"before='last week' is not an ISO time"):
        read_all(make_dump(tmp_path / "se"), before="last week")


# Real dumps -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cardano(shared_data: Path) -> list[Record]:
    return read_all(shared_data / "stackexchange" / "cardano")


@pytest.fixture(scope="module")
def iot(shared_data: Path) -> list[Record]:
    return read_all(shared_data / "stackexchange" / "iot")


@pytest.mark.shared_data
def test_real_cardano(cardano: list[Record]) -> None:
    docs = of_type(cardano, Document)
    assert len(docs) == 1042
    assert of_type(cardano, Rejected) == []
    assert docs[0].url == "https://cardano.stackexchange.com/questions/1"
    accepted = [
        c
        for c in of_type(cardano, Contribution)
        if c.document_id == "q1" and c.role is Role.ACCEPTED_ANSWERER
    ]
    assert [(c.person_key, c.score) for c in accepted] == [("stackexchange:14", 43)]


@pytest.mark.shared_data
def test_real_iot(iot: list[Record]) -> None:
    docs = of_type(iot, Document)
    assert len(docs) == 320
    assert of_type(iot, Rejected) == []
    q7 = next(d for d in docs if d.id == "q7")
    assert q7.title == "Adding Devices to Samsung SmartThings"
    accepted = [
        c
        for c in of_type(iot, Contribution)
        if c.document_id == "q7" and c.role is Role.ACCEPTED_ANSWERER
    ]
    assert [(c.person_key, c.score) for c in accepted] == [("stackexchange:39", 15)]
    assert (
        len({c.document_id for c in of_type(iot, Contribution) if c.role is Role.ACCEPTED_ANSWERER})
        == 185
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("site", ["cardano", "iot"])
def test_real_contributions_point_at_emitted_people(
    site: str, request: pytest.FixtureRequest
) -> None:
    records: list[Record] = request.getfixturevalue(site)
    people = {p.key for p in of_type(records, PersonRecord)}
    contributions = of_type(records, Contribution)
    answers = [c for c in contributions if c.role in (Role.ANSWERER, Role.ACCEPTED_ANSWERER)]
    assert answers
    assert {c.person_key for c in contributions} <= people
    assert "stackexchange:-1" not in people
