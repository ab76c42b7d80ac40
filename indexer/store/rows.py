"""How every backend stores rows it shares the shape of: times, person records, people.

Backends differ in SQL, not in these: a time is ISO 8601 text in UTC (so text order is
time order), a person record is the same JSON object, and a person is shown to a
caller through :func:`indexer.identity.visible_person`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from indexer.identity import visible_person
from indexer.models import PersonRecord
from indexer.store.base import PersonRow


def stored_time(value: datetime | None) -> str | None:
    """ISO 8601, in UTC when the time has a zone: stored times then sort as they compare."""
    if value is None:
        return None
    return (value.astimezone(UTC) if value.tzinfo else value).isoformat()


def record_json(record: PersonRecord) -> str:
    """A person record as stored (tuples become lists; non-ASCII escaped, so any text fits)."""
    return json.dumps(_record_dict(record))


def record_from_json(text: str) -> PersonRecord:
    return _record_from_dict(json.loads(text))


def members_json(records: Iterable[tuple[str, PersonRecord]]) -> str:
    """A person's ``(source, record)`` members, as the people table keeps them."""
    return json.dumps([[source, _record_dict(r)] for source, r in records])


def members_from_json(text: str) -> tuple[tuple[str, PersonRecord], ...]:
    return tuple((source, _record_from_dict(record)) for source, record in json.loads(text))


def visible_people(
    rows: Iterable[PersonRow], groups: Collection[str] | None
) -> dict[str, PersonRow]:
    """Each person as a caller in ``groups`` may see them; those with nothing visible left out."""
    out: dict[str, PersonRow] = {}
    for row in rows:
        shown = visible_person(row, groups)
        if shown is not None:
            out[row.id] = shown
    return out


def _record_dict(record: PersonRecord) -> dict[str, Any]:
    return {name: list(v) if isinstance(v, tuple) else v for name, v in asdict(record).items()}


def _record_from_dict(data: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        **{name: tuple(v) if isinstance(v, list) else v for name, v in data.items()}
    )
