"""The records every connector produces and the rest of the pipeline consumes.

Connectors yield :data:`Record` values: people as one source sees them
(:class:`PersonRecord`), documents, contributions linking the two, and
:class:`Rejected` notes for input they could not read. Identity resolution later
merges person records from all sources into :class:`Person` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class DocumentKind(StrEnum):
    """What a document is; bios are made from people's self-descriptions."""

    WIKI = "wiki"
    QA = "qa"
    BIO = "bio"


class Role(StrEnum):
    """How a person contributed to a document."""

    AUTHOR = "author"
    EDITOR = "editor"
    ASKER = "asker"
    ANSWERER = "answerer"
    ACCEPTED_ANSWERER = "accepted_answerer"
    COMMENTER = "commenter"
    SELF_DECLARED = "self_declared"


@dataclass(frozen=True)
class PersonRecord:
    """A person as one source knows them.

    ``key`` identifies the person inside its source and is what that source's
    contributions point at (``"stackexchange:1234"``, ``"email:ann@example.com"``).
    ``aliases`` are identities that may also appear in other sources and drive
    identity resolution: ``email:...``, ``github:...``, ``username:...``. The key
    is shown to users as an alias too but is never matched across sources.
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    title: str = ""
    team: str = ""
    location: str = ""
    bio: str = ""
    skills: tuple[str, ...] = ()
    active: bool = True
    url: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """A searchable document. ``id`` is unique within its source."""

    id: str
    kind: DocumentKind
    title: str
    text: str
    url: str = ""
    created: datetime | None = None
    updated: datetime | None = None
    access_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contribution:
    """``person_key`` (a :attr:`PersonRecord.key` of the same source) did ``role`` on a document.

    ``count`` carries commit or edit counts, ``score`` an answer's vote score.
    """

    person_key: str
    document_id: str
    role: Role
    count: int = 1
    score: int = 0
    time: datetime | None = None


@dataclass(frozen=True)
class Rejected:
    """A record a connector skipped: where it was and why."""

    file: str
    location: str
    reason: str
    truncated: bool = False
    """The rest of the file was not read: documents missing after this are not deletions."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.location}" if self.location else self.file
        return f"{where}: {self.reason}"


Record = PersonRecord | Document | Contribution | Rejected


@dataclass(frozen=True)
class SourceSpec:
    """One source to index: a connector kind, a path and connector options.

    ``name`` is unique among the sources of one index; document ids are
    prefixed with it so that two sources never collide.
    """

    kind: str
    path: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)
