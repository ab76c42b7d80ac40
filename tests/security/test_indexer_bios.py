"""The bios connector on hostile files: alias bombs, huge records and files, bad urls, FIFOs."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from indexer.connectors.bios import read
from indexer.errors import SourceError
from indexer.models import PersonRecord, Record, Rejected, SourceSpec
from tests.security.indexer_helpers import BILLION_LAUGHS, within, write_page


def records(path: Path, **options: object) -> list[Record]:
    spec = SourceSpec(kind="bios", path=str(path), name="team", options=options)
    return within(10, lambda: list(read(spec)))


ANN = PersonRecord(key="email:ann@x.org", name="Ann", aliases=("email:ann@x.org",), bio="Helm.")


def test_a_yaml_alias_bomb_rejects_the_file_within_a_second(tmp_path: Path) -> None:
    bios = write_page(tmp_path, "team.yml", f"{BILLION_LAUGHS}\nann:\n  name: Ann\n  bio: *i\n")

    with pytest.raises(SourceError) as raised:
        within(1, lambda: records(bios))

    assert str(raised.value) == (
        f"bios file {bios} is not valid YAML: line 2: aliases such as *a are not allowed, "
        "write the value out; fix the YAML"
    )


def test_a_merge_key_with_an_inline_mapping_still_loads(tmp_path: Path) -> None:
    bios = write_page(
        tmp_path, "team.yml", "ann:\n  <<: {email: ann@x.org}\n  name: Ann\n  bio: Helm.\n"
    )

    assert records(bios) == [ANN]


def test_a_record_over_max_bytes_is_rejected_naming_its_line(tmp_path: Path) -> None:
    bios = write_page(
        tmp_path,
        "team.jsonl",
        json.dumps({"name": "Ann", "email": "ann@x.org", "bio": "Helm."})
        + "\n"
        + json.dumps({"name": "Bob", "bio": "é" * 60})
        + "\n",
    )

    assert records(bios, max_bytes=100) == [
        ANN,
        Rejected(
            file=str(bios),
            location="line 2",
            reason="record has over 100 bytes of text, the limit; shorten it or raise the "
            "max_bytes option",
        ),
    ]


def test_a_file_over_max_file_bytes_fails_the_source_before_parsing(tmp_path: Path) -> None:
    bios = write_page(tmp_path, "team.csv", "name,bio\nAnn," + "x" * 300 + "\n")

    with pytest.raises(SourceError) as raised:
        records(bios, max_file_bytes=200)

    assert str(raised.value) == (
        f"bios file {bios} has 314 bytes, over the limit of 200; split it or raise the "
        "max_file_bytes option"
    )


def test_a_bad_max_bytes_option_is_named(tmp_path: Path) -> None:
    bios = write_page(tmp_path, "team.csv", "name\nAnn\n")

    with pytest.raises(SourceError, match=r"^the max_bytes option must be a positive number"):
        records(bios, max_bytes=0)


def test_a_fifo_as_the_bios_file_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "team.yml")

    with pytest.raises(SourceError) as raised:
        records(tmp_path / "team.yml")

    assert (
        str(raised.value)
        == f"bios file {tmp_path / 'team.yml'} is not a file; check the source path"
    )


@pytest.mark.parametrize(
    "template", ["javascript:alert('{name}')", "data:text/html,{name}", "{github}"]
)
def test_an_unsafe_profile_url_is_dropped_and_logged(
    tmp_path: Path, template: str, caplog: pytest.LogCaptureFixture
) -> None:
    bios = write_page(
        tmp_path,
        "team.yml",
        "ann:\n  name: Ann\n  email: ann@x.org\n  github: 'javascript:x'\n  bio: Helm.\n",
    )

    with caplog.at_level(logging.WARNING, logger="indexer.connectors.text"):
        [person] = records(bios, profile_url=template)

    assert isinstance(person, PersonRecord)
    assert person.url == ""
    url = template.format(name="Ann", github="javascript:x")
    assert caplog.messages == [
        f"{bios}:line 1: profile_url {url!r} is not an http(s) or mailto url; dropped"
    ]


def test_an_https_profile_url_is_kept(tmp_path: Path) -> None:
    bios = write_page(tmp_path, "team.yml", "ann:\n  name: Ann\n  email: ann@x.org\n")

    [person] = records(bios, profile_url="https://team.example.com/{id}")

    assert isinstance(person, PersonRecord)
    assert person.url == "https://team.example.com/ann"
