"""Settings precedence, config file errors and source arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.config import (
    Settings,
    SourceConfig,
    load_settings,
    parse_source_argument,
    source_specs,
)
from indexer.errors import ConfigError
from indexer.models import SourceSpec

KINDS = "stackexchange, wiki, mediawiki, bios"
SETTING_NAMES = ("DATA_DIR", "MODEL", "CHUNK_TOKENS", "CHUNK_OVERLAP", "EMBED_BATCH_SIZE")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_NAMES:
        monkeypatch.delenv(f"WHOKNOWS_{name}", raising=False)


def write_toml(folder: Path, text: str) -> Path:
    path = folder / "whoknows.toml"
    path.write_text(text, encoding="utf-8")
    return path


CONFIG = """
data_dir = "index-data"
model = "model-from-toml"
chunk_tokens = 128
chunk_overlap = 16

[[sources]]
kind = "wiki"
path = "pages"
options = { base_url = "https://wiki.example.com" }

[[sources]]
kind = "bios"
path = "/srv/people.yml"
name = "team"
"""


def test_defaults_without_file_environment_or_overrides() -> None:
    settings = load_settings()

    assert settings == Settings(
        data_dir=Path("whoknows-data"),
        model="all-MiniLM-L6-v2",
        chunk_tokens=256,
        chunk_overlap=32,
        embed_batch_size=32,
        sources=[],
        config_dir=None,
    )


def test_toml_values_with_paths_resolved_against_the_files_folder(tmp_path: Path) -> None:
    folder = tmp_path.resolve()
    settings = load_settings(write_toml(tmp_path, CONFIG))

    assert settings.data_dir == folder / "index-data"
    assert settings.config_dir == folder
    assert (settings.model, settings.chunk_tokens, settings.chunk_overlap) == (
        "model-from-toml",
        128,
        16,
    )
    assert settings.embed_batch_size == 32  # not in the file: the default
    assert settings.sources == [
        SourceConfig(
            kind="wiki",
            path=str(folder / "pages"),
            options={"base_url": "https://wiki.example.com"},
        ),
        SourceConfig(kind="bios", path="/srv/people.yml", name="team"),
    ]


def test_environment_beats_toml_and_overrides_beat_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_toml(tmp_path, CONFIG)
    monkeypatch.setenv("WHOKNOWS_MODEL", "model-from-env")
    monkeypatch.setenv("WHOKNOWS_CHUNK_TOKENS", "64")
    monkeypatch.setenv("WHOKNOWS_DATA_DIR", "/var/lib/whoknows")

    settings = load_settings(config, model="model-from-option", data_dir=None)

    assert settings.model == "model-from-option"
    assert settings.chunk_tokens == 64
    assert settings.chunk_overlap == 16  # only in the file
    assert settings.data_dir == Path("/var/lib/whoknows")  # None override is ignored


def test_environment_alone_beats_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHOKNOWS_EMBED_BATCH_SIZE", "8")

    assert load_settings().embed_batch_size == 8


def test_bad_toml_is_a_config_error_naming_the_file_and_line(tmp_path: Path) -> None:
    config = write_toml(tmp_path, 'model = "m"\nchunk_tokens = \n')

    with pytest.raises(ConfigError) as caught:
        load_settings(config)

    assert str(caught.value) == f"{config}: Invalid value (at line 2, column 16)"


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_settings(tmp_path / "nope.toml")

    assert str(caught.value) == f"config file {tmp_path / 'nope.toml'} does not exist"


def test_unknown_source_kind_in_the_file_is_a_config_error(tmp_path: Path) -> None:
    config = write_toml(tmp_path, '[[sources]]\nkind = "confluence"\npath = "x"\n')

    with pytest.raises(ConfigError) as caught:
        load_settings(config)

    assert str(caught.value) == (
        f"{config}: sources.0.kind: Value error, unknown source kind 'confluence'; "
        f"expected one of {KINDS}"
    )


def test_bad_environment_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHOKNOWS_CHUNK_TOKENS", "many")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value) == (
        "settings: chunk_tokens: Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_parse_source_argument_splits_at_the_first_colon() -> None:
    assert parse_source_argument("wiki:docs/handbook") == SourceConfig(
        kind="wiki", path="docs/handbook"
    )
    assert parse_source_argument("bios:C:/people.csv").path == "C:/people.csv"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("wiki", f"source 'wiki' must look like KIND:PATH with KIND one of {KINDS}"),
        ("wiki:", f"source 'wiki:' must look like KIND:PATH with KIND one of {KINDS}"),
        (
            "confluence:space",
            "source 'confluence:space': Value error, unknown source kind 'confluence'; "
            f"expected one of {KINDS}",
        ),
    ],
)
def test_parse_source_argument_errors(argument: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_source_argument(argument)

    assert str(caught.value) == message


def test_source_specs_names_come_from_paths_and_are_made_unique(tmp_path: Path) -> None:
    people = tmp_path / "people list.yml"
    people.write_text("a: {name: A}\n", encoding="utf-8")
    sources = [
        SourceConfig(kind="wiki", path="/srv/a/wiki"),
        SourceConfig(kind="wiki", path="/srv/b/wiki", options={"git": False}),
        SourceConfig(kind="bios", path=str(people)),
        SourceConfig(kind="bios", path="/srv/team.yml", name="staff"),
    ]

    assert source_specs(sources) == [
        SourceSpec("wiki", "/srv/a/wiki", "wiki"),
        SourceSpec("wiki", "/srv/b/wiki", "wiki-2", {"git": False}),
        SourceSpec("bios", str(people), "people-list"),
        SourceSpec("bios", "/srv/team.yml", "staff"),
    ]


def test_source_specs_refuse_two_sources_given_the_same_name() -> None:
    sources = [
        SourceConfig(kind="wiki", path="/srv/a", name="docs"),
        SourceConfig(kind="wiki", path="/srv/b", name="docs"),
    ]

    with pytest.raises(ConfigError) as caught:
        source_specs(sources)

    assert str(caught.value) == "two sources are named 'docs'; names must be unique"


def test_a_missing_file_source_gets_the_name_it_has_when_present(tmp_path: Path) -> None:
    team = tmp_path / "team.yml"
    [missing] = source_specs([SourceConfig(kind="bios", path=str(team))])
    team.write_text("a: {name: A}\n", encoding="utf-8")
    [present] = source_specs([SourceConfig(kind="bios", path=str(team))])

    assert (missing.name, present.name) == ("team", "team")
