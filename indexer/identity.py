"""Identity resolution: merge one human's person records from all sources. Pure functions.

Records merge by email first, then by username or handle (``github:``,
``username:`` and ``slack:`` are one namespace of handles), then by exact
normalised name. A name shared by several people who are told apart by
their emails or handles, or by two records of one source, is ambiguous: it
is reported and nothing is merged on it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from indexer.access import Groups, may_see
from indexer.connectors.text import normalise_name
from indexer.models import PersonRecord

if TYPE_CHECKING:
    from indexer.store.base import PersonRow

_HANDLE_PREFIXES = ("github:", "username:", "slack:")
STRONG_ALIASES = ("email:", *_HANDLE_PREFIXES)
"""Aliases that identify one human across sources (names and source keys do not)."""
_SLUG = re.compile(r"[^a-z0-9]+")

RecordRef = tuple[str, str]
"""``(source name, person key)``: one person record."""


@dataclass(frozen=True)
class Person:
    """One resolved human, with every source record that belongs to them."""

    id: str
    name: str
    aliases: tuple[str, ...]
    title: str
    team: str
    location: str
    bio: str
    skills: tuple[str, ...]
    active: bool
    url: str
    members: tuple[RecordRef, ...]
    records: tuple[tuple[str, PersonRecord], ...] = ()
    """Every merged ``(source, record)`` when any of them is restricted, else empty.

    The fields above merge all records (what an unrestricted caller sees);
    :func:`visible_person` merges again from the records a caller may see.
    """


@dataclass(frozen=True)
class Resolution:
    """People after resolution and the ambiguous cases left unmerged."""

    people: list[Person]
    ambiguities: list[str]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return out


def _strong_aliases(record: PersonRecord) -> list[str]:
    out = []
    for alias in record.aliases:
        if alias.startswith("email:"):
            out.append(alias)
        elif alias.startswith(_HANDLE_PREFIXES):
            out.append("handle:" + alias.split(":", 1)[1].casefold())
    return out


def record_identity(source: str, key: str) -> str:
    """The identity of one source record, for following a person across re-indexes."""
    return f"record:{source}:{key}"


def is_identity_key(key: str) -> bool:
    """Whether a record key identifies one human: a name (``name:...``) does not."""
    return not key.startswith("name:")


def resolve(records: Sequence[tuple[str, PersonRecord]]) -> Resolution:
    """Group person records into people.

    Args:
        records: ``(source name, record)`` pairs; ``(source, record.key)`` must be unique.

    Returns:
        The people, sorted by id, and one message per ambiguous name.
    """
    uf = _UnionFind(len(records))
    for prefix in ("email:", "handle:"):
        first_with: dict[str, int] = {}
        for i, (_, record) in enumerate(records):
            for alias in _strong_aliases(record):
                if alias.startswith(prefix):
                    uf.union(first_with.setdefault(alias, i), i)
    ambiguities = _merge_by_name(records, uf)
    people = [_person(records, members) for members in uf.groups().values()]
    people.sort(key=lambda p: p.id)
    return Resolution(people, ambiguities)


def _merge_by_name(records: Sequence[tuple[str, PersonRecord]], uf: _UnionFind) -> list[str]:
    clusters_by_name: dict[str, set[int]] = defaultdict(set)
    for i, (_, record) in enumerate(records):
        name = normalise_name(record.name)
        if name:
            clusters_by_name[name].add(uf.find(i))
    members = uf.groups()
    ambiguities: list[str] = []
    for name, roots in sorted(clusters_by_name.items()):
        if len(roots) < 2:
            continue
        strong = sorted(r for r in roots if any(_strong_aliases(records[i][1]) for i in members[r]))
        weak = sorted(r for r in roots if r not in strong)
        weak_sources = [records[i][0] for r in weak for i in members[r]]
        namesakes = len(weak_sources) != len(set(weak_sources))
        if not strong and namesakes and len(set(weak_sources)) == 1:
            continue  # namesakes inside one source are distinct people, nothing to decide
        if len(strong) > 1 or namesakes:
            ambiguities.append(_ambiguity_message(name, records, [*strong, *weak], members))
            continue
        anchor = strong[0] if strong else weak[0]
        for root in weak:
            uf.union(anchor, root)
    return ambiguities


def _ambiguity_message(
    name: str,
    records: Sequence[tuple[str, PersonRecord]],
    roots: list[int],
    members: dict[int, list[int]],
) -> str:
    who = "; ".join(
        ", ".join(f"{records[i][0]}:{records[i][1].key}" for i in members[root]) for root in roots
    )
    return f"name {name!r} is shared by {len(roots)} people ({who}): not merged by name"


def _record_rank(record: PersonRecord) -> tuple[int, int, int, int]:
    return (
        int(bool(record.title)),
        int(bool(record.bio)),
        int(" " in record.name.strip()),
        len(record.aliases),
    )


def _person(records: Sequence[tuple[str, PersonRecord]], indexes: list[int]) -> Person:
    group = [records[i] for i in sorted(indexes)]
    restricted = any(r.groups for _, r in group)
    return Person(
        id=_person_id(group),
        **_merged_fields(group),
        members=tuple((source, r.key) for source, r in group),
        records=tuple(group) if restricted else (),
    )


def _merged_fields(group: Sequence[tuple[str, PersonRecord]]) -> dict[str, Any]:
    """The shown fields of one person from their records, richest record first."""
    ranked = [r for _, r in sorted(group, key=lambda sr: _record_rank(sr[1]), reverse=True)]
    best = ranked[0]

    def first(field: str) -> str:
        return next((str(getattr(r, field)) for r in ranked if getattr(r, field)), "")

    return {
        "name": best.name or first("name"),
        "aliases": tuple(sorted({alias for _, r in group for alias in (r.key, *r.aliases)})),
        "title": first("title"),
        "team": first("team"),
        "location": first("location"),
        "bio": first("bio"),
        "skills": tuple(dict.fromkeys(s for r in ranked for s in r.skills)),
        "active": all(r.active for _, r in group),
        "url": first("url"),
    }


def visible_person(row: PersonRow, groups: Groups) -> PersonRow | None:
    """``row`` as a caller in ``groups`` may see it: merged from their visible records only.

    Every field (name, aliases, title, team, location, bio, skills, active, url)
    comes from records the caller may see, so nothing of a restricted record
    shows, filters or sorts. ``None`` when the caller may see none of them: the
    person does not exist for that caller.
    """
    if groups is None or not row.records:
        return row
    visible = tuple((source, r) for source, r in row.records if may_see(r.groups, groups))
    if not visible:
        return None
    if len(visible) == len(row.records):
        return row
    return replace(row, **_merged_fields(visible), records=visible)


def _person_id(group: list[tuple[str, PersonRecord]]) -> str:
    """A stable id from the strongest identity: email, else handle, else the source key.

    The readable part is the identity's local part (``ana.kovac`` of an email).
    """
    # an identity of a public record first: the id is shown to callers who may not see the
    # restricted ones, and must not spell out (or let them confirm) a restricted email
    public = [(s, r) for s, r in group if not r.groups]
    strong = sorted(alias for _, r in public or group for alias in _strong_aliases(r))
    emails = [a for a in strong if a.startswith("email:")]
    anchor = (emails or strong or sorted(f"{s}:{r.key}" for s, r in public or group))[0]
    local = anchor.split(":", 1)[1].split("@", 1)[0].casefold()
    slug = _SLUG.sub("-", local).strip("-")[:40] or "person"
    return f"{slug}-{hashlib.sha1(anchor.encode()).hexdigest()[:6]}"
