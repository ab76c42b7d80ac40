"""The bios connector on tiny literal files in every format and on the real team.yml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.connectors.bios import read
from indexer.errors import SourceError
from indexer.models import PersonRecord, Record, Rejected, SourceSpec


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def records(path: Path, **options: object) -> list[Record]:
    return list(read(SourceSpec(kind="bios", path=str(path), name="bios", options=options)))


def people(items: list[Record]) -> list[PersonRecord]:
    return [item for item in items if isinstance(item, PersonRecord)]


def rejected(items: list[Record]) -> list[tuple[str, str]]:
    return [(item.file, item.location) for item in items if isinstance(item, Rejected)]


TEAM_YML = """\
# people
ann_lee:
  name: Ann Lee
  role: '[CTO](../../cto/index.md), co-founder'
  email: Ann@Example.com
  github: '@AnnL'
  location: Berlin
  description: Ann built [the indexer](https://x.example/idx).
  links: '[@ann](https://twitter.com/ann)'
  skills: Go, Kubernetes; go
  reports_to: ceo
bob:
  role: Engineer
  email: bob@example.com
carl:
  name: Carl Diaz
  github: carld
  team: Search
  inactive: true
ann_again:
  name: Ann L.
  email: ann@example.com
dee:
  name: Dee Ray
  username: DeeR
  active: "no"
  tags: [rust, wasm]
"""


def test_yaml_mapping_gives_people_and_rejects_nameless_and_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path / "team.yml", TEAM_YML)

    items = records(path, profile_url="https://team.example.com/{id}")

    assert people(items) == [
        PersonRecord(
            key="email:ann@example.com",
            name="Ann Lee",
            aliases=("email:ann@example.com", "github:annl"),
            title="CTO, co-founder",
            location="Berlin",
            bio="Ann built the indexer.",
            skills=("Go", "Kubernetes", "go"),
            url="https://team.example.com/ann_lee",
        ),
        PersonRecord(
            key="github:carld",
            name="Carl Diaz",
            aliases=("github:carld",),
            team="Search",
            active=False,
            url="https://team.example.com/carl",
        ),
        PersonRecord(
            key="bios:dee",
            name="Dee Ray",
            aliases=("username:deer",),
            skills=("rust", "wasm"),
            active=False,
            url="https://team.example.com/dee",
        ),
    ]
    assert rejected(items) == [(str(path), "line 12"), (str(path), "line 20")]
    reasons = [item.reason for item in items if isinstance(item, Rejected)]
    assert reasons[0].startswith("no name;")
    assert reasons[1] == "duplicate email 'ann@example.com'; the first is kept"


def test_yaml_duplicate_mapping_key_rejects_the_second(tmp_path: Path) -> None:
    path = write(tmp_path / "team.yaml", "a:\n  name: A One\na:\n  name: A Two\n")

    items = records(path)

    assert [p.name for p in people(items)] == ["A One"]
    assert rejected(items) == [(str(path), "line 3")]


def test_yaml_list_and_field_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path / "staff.yaml",
        "- {Full Name: Eve Moss, Mail: eve@example.com, Squad: Infra, Slack: '@eve'}\n"
        "- {Full Name: Fay Wu, Squad: Data}\n",
    )

    items = records(path, fields={"name": "Full Name", "team": ["squad"]})

    assert people(items) == [
        PersonRecord(
            key="email:eve@example.com",
            name="Eve Moss",
            aliases=("email:eve@example.com", "username:eve"),
            team="Infra",
        ),
        PersonRecord(key="bios:fay wu", name="Fay Wu", team="Data"),
    ]


def test_csv_rows_with_wrong_columns_or_no_name_are_rejected_by_physical_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "people.csv",
        "id,name,email,title,skills,bio\n"
        'g1,Gus Hale,gus@example.com,SRE,"terraform; aws","Runs\n[on-call](x.md)."\n'
        "g2,Hana Ito,hana@example.com,PM\n"
        "\n"
        "g3,,ivy@example.com,QA,,\n"
        "g4,Jon Kay,jon@example.com,Dev,,\n"
        "g4,Jon Again,jon2@example.com,Dev,,\n",
    )

    items = records(path)

    assert people(items) == [
        PersonRecord(
            key="email:gus@example.com",
            name="Gus Hale",
            aliases=("email:gus@example.com",),
            title="SRE",
            bio="Runs\non-call.",
            skills=("terraform", "aws"),
        ),
        PersonRecord(
            key="email:jon@example.com",
            name="Jon Kay",
            aliases=("email:jon@example.com",),
            title="Dev",
        ),
    ]
    assert rejected(items) == [(str(path), "line 4"), (str(path), "line 6"), (str(path), "line 8")]
    reasons = [item.reason for item in items if isinstance(item, Rejected)]
    assert reasons[0] == "expected 6 columns, found 4; quote values that contain the delimiter"
    assert reasons[2] == "duplicate id 'g4'; the first record is kept"


def test_json_object_and_list(tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "team.json",
        '{"k1": {"name": "Kim Lo", "github": "https://github.com/KimLo/"},\n'
        ' "k2": {"email": "x@example.com"}, "k1": {"name": "Kim Dup"}}',
    )
    listing = write(tmp_path / "list.json", json.dumps([{"id": "m", "name": "Max"}, {"bio": "?"}]))

    items = records(mapping)

    assert people(items) == [
        PersonRecord(key="github:kimlo", name="Kim Lo", aliases=("github:kimlo",))
    ]
    assert rejected(items) == [(str(mapping), "id k2"), (str(mapping), "id k1")]
    items = records(listing)
    assert people(items) == [PersonRecord(key="bios:m", name="Max")]
    assert rejected(items) == [(str(listing), "record 2")]


def test_jsonl_bad_lines_are_rejected_and_good_lines_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.jsonl",
        b'{"name": "Nia Obi", "email": "nia@example.com", "left": true}\n'
        b"{oops\n"
        b'{"name": "Caf\xe9"}\n'
        b"\n"
        b'{"name": "Oli Park", "department": "Sales", "expertise": "CRM"}\n'
        b"[1, 2]\n",
    )

    items = records(path)

    assert people(items) == [
        PersonRecord(
            key="email:nia@example.com",
            name="Nia Obi",
            aliases=("email:nia@example.com",),
            active=False,
        ),
        PersonRecord(key="bios:oli park", name="Oli Park", team="Sales", skills=("CRM",)),
    ]
    assert rejected(items) == [
        (str(path), "line 2"),
        (str(path), "line 3"),
        (str(path), "line 6"),
    ]
    reasons = [item.reason for item in items if isinstance(item, Rejected)]
    assert reasons[1] == "invalid UTF-8 at byte 13 of the line; re-save the file as UTF-8"


def test_jsonl_lines_beyond_the_parser_limits_are_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.jsonl",
        '{"name": "Nia Obi"}\n' + "[" * 50_000 + "\n" + '{"n": ' + "9" * 5000 + "}\n",
    )

    items = records(path)

    assert people(items) == [PersonRecord(key="bios:nia obi", name="Nia Obi")]
    assert [item for item in items if isinstance(item, Rejected)] == [
        Rejected(str(path), "line 2", "values nested too deeply"),
        Rejected(str(path), "line 3", "a number too long to read (over 4300 digits)"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yml", "a:\n  name: A\n b: [\n", r"bad\.yml is not valid YAML: line 3: "),
        (
            "bad.json",
            '[{"name": "A"},\n {"name": }]',
            r"bad\.json is not valid JSON: line 2 column 11",
        ),
        ("empty.csv", " \n\n", r"empty\.csv is empty"),
        ("latin1.csv", b"name\nJos\xe9\n", r"latin1\.csv is not valid UTF-8 \(byte 8\)"),
        ("latin1.yml", b"a:\n  name: Jos\xe9\n", r"latin1\.yml is not valid UTF-8 \(byte 14\)"),
        ("scalar.yml", "just text\n", r"scalar\.yml must hold a mapping of id -> person"),
        (
            "bell.yml",
            "a:\n  name: A\x07\n",
            r"bell\.yml is not valid YAML: line 2: character #x0007 is not allowed; remove it$",
        ),
        (
            "deep.yml",
            "a: " + "[" * 50_000,
            r"deep\.yml is not usable YAML: values nested too deeply$",
        ),
        ("deep.json", "[" * 50_000, r"deep\.json is not usable JSON: values nested too deeply$"),
        (
            "long.json",
            '[{"name": ' + "9" * 5000 + "}]",
            r"long\.json is not usable JSON: a number too long to read \(over 4300 digits\)$",
        ),
        ("people.txt", "name\nA\n", r"cannot tell the format of bios file .*people\.txt"),
    ],
)
def test_unreadable_files_are_source_errors(
    tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = write(tmp_path / name, content)

    with pytest.raises(SourceError, match=message):
        records(path)


def test_missing_file_and_bad_options_are_source_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "people.txt", "name\tteam\nAnn\tOps\n")

    assert people(records(path, format="tsv")) == [
        PersonRecord(key="bios:ann", name="Ann", team="Ops")
    ]
    with pytest.raises(SourceError, match=r"bios file .*nope\.yml does not exist"):
        records(tmp_path / "nope.yml")
    with pytest.raises(SourceError, match=r"unknown field 'nick' in the fields option"):
        records(path, format="tsv", fields={"nick": "n"})
    with pytest.raises(SourceError, match=r"profile_url 'https://x/\{login\}' is not a valid"):
        records(path, format="tsv", profile_url="https://x/{login}")


@pytest.mark.shared_data
def test_sourcegraph_team_yml(shared_data: Path) -> None:
    path = shared_data / "wiki" / "sourcegraph-handbook" / "data" / "team.yml"

    items = records(path)

    # 175 records, none rejected: each has a name and no id or email repeats.
    assert rejected(items) == []
    found = people(items)
    assert len(found) == 175
    assert len({p.key for p in found}) == 175
    beyang = next(p for p in found if p.name == "Beyang Liu")
    assert beyang.key == "email:beyang@sourcegraph.com"
    assert beyang.aliases == ("email:beyang@sourcegraph.com", "github:beyang")
    assert beyang.title == "CTO, co-founder, Board of Directors"
    assert beyang.location == "San Francisco, CA, USA 🇺🇸"
    assert beyang.bio.startswith("Beyang Liu is CTO and cofounder of Sourcegraph.")
    quinn = found[0]
    assert (quinn.key, quinn.title) == (
        "email:sqs@sourcegraph.com",
        "CEO, co-founder, Board of Directors",
    )
    assert "Blend (IPO in 2021)" in quinn.bio
    interim = next(p for p in found if p.key == "bios:interim_delivery_lead")
    assert (interim.name, interim.aliases) == ("Quinn Slack", ())
