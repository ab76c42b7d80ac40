"""Bios connector: people's self-descriptions from CSV, JSON, JSONL or YAML.

Each record becomes one :class:`PersonRecord`; the pipeline turns bios into
bio documents itself, so this connector emits no documents or contributions.
Source field names are configurable through ``options["fields"]``; the defaults
accept common names, and a YAML mapping of ``record_id -> person`` (the shape of
the Sourcegraph handbook's ``team.yml``) loads as it is.

Example:
    >>> from indexer.models import SourceSpec
    >>> people = read(SourceSpec("bios", "data/team.yml", "team"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from indexer.connectors.files import (
    FileTooBigError,
    UnsafeFileError,
    max_bytes_option,
    read_regular,
    utf8_size,
)
from indexer.connectors.text import (
    beyond_limits,
    checked_url,
    email_aliases,
    normalise_name,
    normalise_space,
    strip_markdown_links,
)
from indexer.errors import SourceError
from indexer.models import PersonRecord, Record, Rejected, SourceSpec

logger = logging.getLogger(__name__)

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "username"),
    "name": ("name", "display_name", "full_name"),
    "email": ("email", "mail"),
    "github": ("github",),
    "handles": ("username", "slack", "handle"),
    "title": ("title", "role", "job_title"),
    "team": ("team", "department"),
    "location": ("location",),
    "bio": ("bio", "description", "about"),
    "skills": ("skills", "expertise", "tags"),
    "groups": ("access_groups", "groups"),
    "active": ("active",),
    "inactive": ("inactive", "left"),
}
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yml": "yaml",
    ".yaml": "yaml",
}
DEFAULT_MAX_FILE_BYTES = 50_000_000
"""The size limit of a whole bios file (the ``max_file_bytes`` option): it is read at once."""
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_GITHUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/", re.IGNORECASE)
_SKILL_SEPARATORS = re.compile(r"[,;\n]")
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off", ""})


class BioError(ValueError):
    """One record cannot be turned into a person; the message says why."""


@dataclass(frozen=True)
class RawRecord:
    """A record as read from the file, before field mapping.

    ``location`` is ``"line N"`` where the format has lines, else ``"id X"`` or
    ``"record N"``; ``record_id`` is the key of a ``record_id -> person`` mapping.
    """

    location: str
    record_id: str | None
    fields: Any


@dataclass
class _Seen:
    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


def read(spec: SourceSpec) -> Iterator[Record]:
    """Read the bios file ``spec.path`` into person records.

    Options: ``format`` (``csv``, ``tsv``, ``json``, ``jsonl``, ``yaml``; default
    from the suffix), ``fields`` (our field -> source field name or list of
    names), ``delimiter`` (CSV), ``profile_url`` (a template such as
    ``https://team.example.com/{id}``; also ``{email}``, ``{github}``, ``{name}``; a url
    that is not http(s) or mailto is dropped), ``max_bytes`` (the text of one record,
    default 5,000,000) and ``max_file_bytes`` (the file, default 50,000,000).

    Raises:
        SourceError: the file is missing, not a regular file, over ``max_file_bytes``,
            empty, not UTF-8, not valid YAML/JSON (aliases refused), or the options are invalid.
    """
    path = Path(spec.path)
    kind = _format(path, spec.options)
    mapping = field_mapping(spec.options.get("fields"))
    template = _profile_template(spec.options.get("profile_url"))
    max_bytes = max_bytes_option(spec.options)
    data = _read_bytes(
        path, max_bytes_option(spec.options, "max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    )
    seen = _Seen()
    people = 0
    for raw in raw_records(path, kind, data, spec.options):
        if isinstance(raw, Rejected):
            yield raw
            continue
        try:
            _check_size(raw, max_bytes)
            person, record_id = to_person(raw, mapping, template)
            person = replace(
                person, url=checked_url(person.url, f"{path}:{raw.location}", "profile_url")
            )
            _check_unique(person, record_id, seen)
        except BioError as error:
            yield Rejected(file=str(path), location=raw.location, reason=str(error))
            continue
        people += 1
        yield person
    logger.info("read %d people from %s", people, path)


def _format(path: Path, options: Mapping[str, Any]) -> str:
    kind = options.get("format") or FORMATS.get(path.suffix.lower())
    if kind not in set(FORMATS.values()):
        raise SourceError(
            f"cannot tell the format of bios file {path}; name it .csv, .json, .jsonl or .yaml "
            f"or set the format option (one of: csv, tsv, json, jsonl, yaml)"
        )
    return str(kind)


def field_mapping(configured: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """Merge ``options["fields"]`` over :data:`DEFAULT_FIELDS`, with normalised names.

    >>> field_mapping({"name": "Full Name", "skills": ["Tags", "topics"]})["skills"]
    ('tags', 'topics')

    Raises:
        SourceError: a key is not one of our fields or a value is not a name or list of names.
    """
    mapping = {
        ours: tuple(_field_key(name) for name in names) for ours, names in DEFAULT_FIELDS.items()
    }
    for ours, names in (configured or {}).items():
        if ours not in DEFAULT_FIELDS:
            known = ", ".join(DEFAULT_FIELDS)
            raise SourceError(f"unknown field {ours!r} in the fields option; use one of: {known}")
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list | tuple) or not all(isinstance(n, str) for n in listed):
            raise SourceError(f"fields option {ours!r} must be a field name or a list of names")
        mapping[ours] = tuple(_field_key(name) for name in listed)
    return mapping


def _field_key(name: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(name).strip().casefold())


def _profile_template(template: Any) -> str:
    if not template:
        return ""
    try:
        str(template).format_map({"id": "", "email": "", "github": "", "name": ""})
    except (KeyError, IndexError, ValueError) as error:
        raise SourceError(
            f"profile_url {template!r} is not a valid template; use {{id}}, {{email}}, "
            f"{{github}} or {{name}}"
        ) from error
    return str(template)


def _read_bytes(path: Path, max_file_bytes: int) -> bytes:
    if not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise SourceError(f"bios file {path} {what}; check the source path")
    try:
        data = read_regular(path, max_file_bytes)
    except FileTooBigError as error:
        raise SourceError(
            f"bios file {path} has {error.size} bytes, over the limit of {max_file_bytes}; "
            "split it or raise the max_file_bytes option"
        ) from None
    except UnsafeFileError as error:
        raise SourceError(f"bios file {path}: {error}") from None
    except OSError as error:
        raise SourceError(f"cannot read bios file {path}: {error.strerror}") from error
    if not data.strip():
        raise SourceError(f"bios file {path} is empty; add people to it or remove the source")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"bios file {path} is not valid UTF-8 (byte {error.start}); re-save it as UTF-8"
        ) from error


def raw_records(
    path: Path, kind: str, data: bytes, options: Mapping[str, Any]
) -> list[RawRecord | Rejected]:
    """Split the file into raw records (or rejected lines) according to its format.

    Raises:
        SourceError: the whole file cannot be parsed.
    """
    if kind == "jsonl":
        return _jsonl_records(path, data)
    text = _decode(path, data)
    if kind == "yaml":
        return _yaml_records(path, text)
    if kind == "json":
        return _json_records(path, text)
    delimiter = str(options.get("delimiter") or ("\t" if kind == "tsv" else ","))
    return _csv_records(path, text, delimiter)


def _yaml_records(path: Path, text: str) -> list[RawRecord | Rejected]:
    try:
        loader = _NoAliasLoader(text)  # refuses control characters at once
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise SourceError(
            f"bios file {path} is not valid YAML: line {line}: character "
            f"#x{error.character:04x} is not allowed; remove it"
        ) from error
    try:
        root = loader.get_single_node()
        if isinstance(root, yaml.MappingNode):
            loader.flatten_mapping(root)
            return [_yaml_record(path, loader, key, value) for key, value in root.value]
        if isinstance(root, yaml.SequenceNode):
            return [_yaml_record(path, loader, None, item) for item in root.value]
    except yaml.YAMLError as error:
        raise SourceError(f"bios file {path} is not valid YAML: {_yaml_message(error)}") from error
    except ValueError as error:  # a well-formed but impossible value, e.g. 2024-13-45
        raise SourceError(f"bios file {path}: {error}") from error
    except RecursionError as error:
        raise SourceError(f"bios file {path} is not usable YAML: {beyond_limits(error)}") from None
    finally:
        loader.dispose()
    raise SourceError(f"bios file {path} must hold a mapping of id -> person or a list of people")


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases (``*name``): nine nested ones expand a few
    hundred bytes into billions of values (and hours of CPU) when the records are read."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases such as *{event.anchor} are not allowed, write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _yaml_record(
    path: Path, loader: yaml.SafeLoader, key: yaml.Node | None, value: yaml.Node
) -> RawRecord | Rejected:
    location = f"line {(key or value).start_mark.line + 1}"
    try:
        record_id = None if key is None else str(loader.construct_object(key, deep=True))
        fields = loader.construct_object(value, deep=True)
    except yaml.YAMLError as error:
        return Rejected(file=str(path), location=location, reason=_yaml_message(error))
    except ValueError as error:  # a well-formed but impossible value, e.g. 2024-13-45
        return Rejected(file=str(path), location=location, reason=str(error))
    except RecursionError as error:
        return Rejected(file=str(path), location=location, reason=beyond_limits(error))
    return RawRecord(location=location, record_id=record_id, fields=fields)


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return f"{where}{problem}; fix the YAML"


class _Pairs(dict[str, Any]):
    """A JSON object that remembers its key/value pairs, duplicates included."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


def _json_records(path: Path, text: str) -> list[RawRecord | Rejected]:
    try:
        value = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"bios file {path} is not valid JSON: line {error.lineno} column {error.colno}: "
            f"{error.msg}; fix the file"
        ) from error
    except (ValueError, RecursionError) as error:
        raise SourceError(f"bios file {path} is not usable JSON: {beyond_limits(error)}") from None
    if isinstance(value, _Pairs):
        return [RawRecord(f"id {key}", key, fields) for key, fields in value.pairs]
    if isinstance(value, list):
        return [RawRecord(_json_location(item, n), None, item) for n, item in enumerate(value, 1)]
    raise SourceError(f"bios file {path} must hold an object of id -> person or a list of people")


def _json_location(item: Any, number: int) -> str:
    if isinstance(item, dict):
        for name in DEFAULT_FIELDS["id"]:
            if item.get(name):
                return f"id {item[name]}"
    return f"record {number}"


def _jsonl_records(path: Path, data: bytes) -> list[RawRecord | Rejected]:
    records: list[RawRecord | Rejected] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        location = f"line {number}"
        try:
            records.append(RawRecord(location, None, json.loads(raw.decode("utf-8"))))
        except UnicodeDecodeError as error:
            reason = f"invalid UTF-8 at byte {error.start} of the line; re-save the file as UTF-8"
            records.append(Rejected(file=str(path), location=location, reason=reason))
        except json.JSONDecodeError as error:
            reason = f"malformed JSON: {error.msg} (column {error.colno})"
            records.append(Rejected(file=str(path), location=location, reason=reason))
        except (ValueError, RecursionError) as error:
            records.append(Rejected(file=str(path), location=location, reason=beyond_limits(error)))
    return records


def _csv_records(path: Path, text: str, delimiter: str) -> list[RawRecord | Rejected]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[RawRecord | Rejected] = []
    header: list[str] | None = None
    try:
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            records.append(_csv_record(path, header, row, f"line {start}"))
    except csv.Error as error:
        raise SourceError(
            f"bios file {path} is not valid CSV: line {reader.line_num}: {error}; fix the file"
        ) from error
    return records


def _csv_record(
    path: Path, header: list[str], row: list[str], location: str
) -> RawRecord | Rejected:
    if len(row) != len(header):
        reason = (
            f"expected {len(header)} columns, found {len(row)}; "
            "quote values that contain the delimiter"
        )
        return Rejected(file=str(path), location=location, reason=reason)
    return RawRecord(location, None, dict(zip(header, row, strict=True)))


def to_person(
    raw: RawRecord, mapping: Mapping[str, tuple[str, ...]], template: str
) -> tuple[PersonRecord, str | None]:
    """Map one raw record to a :class:`PersonRecord` and its record id.

    Raises:
        BioError: the record is not a mapping, has no name, or has an invalid value.
    """
    if not isinstance(raw.fields, dict):
        raise BioError("expected a mapping of field names to values")
    fields = {_field_key(key): value for key, value in raw.fields.items()}

    def text(ours: str) -> str:
        return _text(_first(fields, mapping[ours]))

    name = text("name")
    if not name:
        names = "/".join(mapping["name"]) or "name"
        raise BioError(f"no name; add a {names} field or map one with the fields option")
    record_id = raw.record_id or text("id") or None
    email = _email(text("email"))
    github = _github(text("github"))
    aliases = _aliases(email, github, _handles(fields, mapping["handles"]))
    key = aliases[0] if (email or github) else f"bios:{record_id or normalise_name(name)}"
    values = {"id": record_id or "", "email": email, "github": github, "name": name}
    person = PersonRecord(
        key=key,
        name=name,
        aliases=aliases,
        title=text("title"),
        team=text("team"),
        location=text("location"),
        bio=text("bio"),
        skills=_list_value(_first(fields, mapping["skills"])),
        active=_active(fields, mapping),
        url=template.format_map(values) if template else "",
        groups=_list_value(_first(fields, mapping["groups"])),
    )
    return person, record_id


def _check_size(raw: RawRecord, max_bytes: int) -> None:
    """Refuse a record whose texts (keys and values) hold more than ``max_bytes`` bytes."""
    size = _text_size(raw.fields, max_bytes)
    if size > max_bytes:
        raise BioError(
            f"record has over {max_bytes} bytes of text, the limit; shorten it or raise "
            "the max_bytes option"
        )


def _text_size(value: Any, limit: int) -> int:
    """The UTF-8 bytes of the strings in ``value``, counted until they pass ``limit``."""
    stack = [value]
    size = 0
    while stack and size <= limit:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            size += utf8_size(str(item)) if item is not None else 0
    return size


def _first(fields: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = fields.get(name)
        if value is not None and value != "":
            return value
    return None


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list):
        return ", ".join(filter(None, (_text(item) for item in value)))
    return normalise_space(strip_markdown_links(str(value)))


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise BioError(f"invalid email {value!r}; fix or remove it")
    return value.casefold()


def _github(value: str) -> str:
    return _GITHUB_URL.sub("", value).strip("/").removeprefix("@").casefold()


def _handles(fields: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    values = (_text(fields.get(name)).removeprefix("@").casefold() for name in names)
    return [f"username:{value}" for value in values if value]


def _aliases(email: str, github: str, handles: list[str]) -> tuple[str, ...]:
    found = [*email_aliases(email), *([f"github:{github}"] if github else []), *handles]
    return tuple(dict.fromkeys(found))


def _list_value(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else _SKILL_SEPARATORS.split(str(value))
    skills = (_text(item) for item in items)
    return tuple(dict.fromkeys(skill for skill in skills if skill))


def _active(fields: Mapping[str, Any], mapping: Mapping[str, tuple[str, ...]]) -> bool:
    active = _flag(_first(fields, mapping["active"]), "active", default=True)
    inactive = any(_flag(fields.get(name), name, default=False) for name in mapping["inactive"])
    return active and not inactive


def _flag(value: Any, name: str, *, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BioError(f"{name} must be true or false, not {value!r}")


def _check_unique(person: PersonRecord, record_id: str | None, seen: _Seen) -> None:
    email = next((a for a in person.aliases if a.startswith("email:")), None)
    if record_id is not None and record_id in seen.ids:
        raise BioError(f"duplicate id {record_id!r}; the first record is kept")
    if email is not None and email in seen.emails:
        raise BioError(f"duplicate email {email.removeprefix('email:')!r}; the first is kept")
    if person.key in seen.keys:
        raise BioError(f"duplicate person {person.key!r}; give each record an id or email")
    if record_id is not None:
        seen.ids.add(record_id)
    if email is not None:
        seen.emails.add(email)
    seen.keys.add(person.key)
