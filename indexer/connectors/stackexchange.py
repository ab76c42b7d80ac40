"""Stack Exchange data dump connector (also the Stack Overflow for Teams export format).

A source is a folder holding ``Posts.xml`` and ``Users.xml`` and, optionally,
``Comments.xml``. Every question becomes one :class:`~indexer.models.Document`
(the whole thread: question, answers, comments); askers, answerers, editors and
commenters become :class:`~indexer.models.Contribution` values pointing at the
``stackexchange:<Id>`` :class:`~indexer.models.PersonRecord` of ``Users.xml``.

The files are streamed (:mod:`indexer.connectors.xmlstream`, each row freed once read)
and the texts of posts and comments wait in a temporary file until their thread is written
out, so memory holds only a few numbers and the title per post, however big the dump. A
row whose ``Id`` repeats an earlier one is rejected; the first is kept.

Records come out in this order: :class:`~indexer.models.Rejected` notes for bad
posts and comments, then every person record, then for each thread (in question
id order) its document followed by its contributions. A person record therefore
always precedes the contributions that point at it.

Options (``SourceSpec.options``):

- ``base_url``: site URL for links (default: the site named in ``PROVENANCE.txt``).
- ``include_comments``: read ``Comments.xml`` (default ``True``).
- ``before``: an ISO time or ``datetime``; only posts and comments created
  strictly before it are read (for time-split evaluations).
- ``max_bytes``: the most bytes of one text (a post's ``Body`` or ``Title``, a comment's
  ``Text``, a user's ``AboutMe``); a row over it is rejected (default 5,000,000).

The files of the folder must be regular files inside it: a symlink out of it, a FIFO or a
device is refused (see :mod:`indexer.connectors.files`). Entities are never resolved, so an
export cannot read local files or expand entity bombs; ``huge_tree`` lets a text pass
libxml2's 10 MB limit so that ``max_bytes`` decides, with a clear rejection.

Example:
    >>> from indexer.models import SourceSpec
    >>> spec = SourceSpec("stackexchange", "data/cardano", "cardano")
    >>> records = list(read(spec))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from indexer.connectors.files import (
    FileTooBigError,
    UnsafeFileError,
    max_bytes_option,
    open_inside,
    read_inside,
    utf8_size,
)
from indexer.connectors.text import checked_url, html_to_text, normalise_space, parse_time
from indexer.connectors.xmlstream import end_elements
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

logger = logging.getLogger(__name__)

QUESTION = "1"
ANSWER = "2"
_SITE_HOST = re.compile(
    r"\b(?:[a-z0-9-]+\.)*(?:stackexchange|stackoverflow|serverfault|superuser|askubuntu"
    r"|mathoverflow|stackapps)\.(?:com|net)\b",
    re.IGNORECASE,
)
_ANGLE_TAGS = re.compile(r"<([^<>]+)>")
PROVENANCE_MAX_BYTES = 1_000_000


class _BadRow(ValueError):
    """A row has a missing or malformed field; the message says which."""


class _TextSpool:
    """Texts kept in an anonymous temporary file; memory holds only where each one is."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._end = 0

    def add(self, text: str) -> tuple[int, int]:
        """Store ``text``; return its (offset, length) for :meth:`get`."""
        data = text.encode("utf-8")
        if not data:
            return (0, 0)
        self._file.seek(self._end)
        self._file.write(data)
        self._end += len(data)
        return (self._end - len(data), len(data))

    def get(self, span: tuple[int, int]) -> str:
        offset, length = span
        if not length:
            return ""
        self._file.seek(offset)
        return self._file.read(length).decode("utf-8")

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class _Options:
    base_url: str
    include_comments: bool
    before: datetime | None
    max_bytes: int


@dataclass(frozen=True, slots=True)
class _Answer:
    id: int
    parent: int
    owner: int | None
    score: int
    created: datetime
    text: tuple[int, int]
    line: int


@dataclass(frozen=True, slots=True)
class _Comment:
    id: int
    post: int
    user: int | None
    created: datetime
    text: tuple[int, int]


@dataclass(slots=True)
class _Thread:
    id: int
    title: str
    tags: tuple[str, ...]
    text: tuple[int, int]
    owner: int | None
    created: datetime
    last_activity: datetime | None
    last_editor: int | None
    last_edit: datetime | None
    accepted: int | None
    answers: list[_Answer] = field(default_factory=list)
    comments: list[_Comment] = field(default_factory=list)


def read(spec: SourceSpec) -> Iterator[Record]:
    """Read a Stack Exchange dump folder into documents, people and contributions.

    Args:
        spec: ``spec.path`` is the dump folder; see the module docstring for options.

    Returns:
        An iterator of records in the order described in the module docstring.

    Raises:
        SourceError: the folder, ``Posts.xml`` or ``Users.xml`` is missing or empty,
            or an option is invalid.
    """
    folder = Path(spec.path)
    if not folder.is_dir():
        raise SourceError(
            f"Stack Exchange source {folder} is not a folder; point it at the folder "
            "holding Posts.xml and Users.xml"
        )
    _require_file(folder / "Posts.xml")
    _require_file(folder / "Users.xml")
    return _records(folder, _parse_options(spec, folder))


def _require_file(path: Path) -> None:
    if not os.path.lexists(path):
        raise SourceError(f"{path} not found; a Stack Exchange dump folder needs {path.name}")
    try:
        with open_inside(path, path.parent) as handle:
            empty = os.fstat(handle.fileno()).st_size == 0
    except UnsafeFileError as error:
        raise SourceError(f"{path}: {error}; a Stack Exchange dump needs the file itself") from None
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror}") from error
    if empty:
        raise SourceError(f"{path} is empty; export the dump again or remove the source")


def _parse_options(spec: SourceSpec, folder: Path) -> _Options:
    include_comments = spec.options.get("include_comments", True)
    if not isinstance(include_comments, bool):
        raise SourceError(
            f"source {spec.name!r}: include_comments must be true or false, "
            f"not {include_comments!r}"
        )
    base_url = str(spec.options.get("base_url") or _provenance_url(folder))
    return _Options(
        base_url=checked_url(base_url, f"source {spec.name!r}", "base_url").rstrip("/"),
        include_comments=include_comments,
        before=_parse_before(spec.name, spec.options.get("before")),
        max_bytes=max_bytes_option(spec.options),
    )


def _parse_before(source: str, value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return parse_time(str(value))
    except ValueError as error:
        raise SourceError(
            f"source {source!r}: before={value!r} is not an ISO time such as 2021-10-01T00:00:00"
        ) from error


def _provenance_url(folder: Path) -> str:
    """The ``https://`` URL of the first Stack Exchange site named in PROVENANCE.txt, or ""."""
    path = folder / "PROVENANCE.txt"
    if not os.path.lexists(path):
        return ""
    try:
        text = read_inside(path, folder, PROVENANCE_MAX_BYTES).decode("utf-8", "replace")
    except (UnsafeFileError, OSError) as error:  # FileTooBigError is an UnsafeFileError
        logger.warning("%s not read (%s); no base url from it", path, error)
        return ""
    match = _SITE_HOST.search(text)
    return f"https://{match.group(0).lower()}" if match else ""


def _records(folder: Path, options: _Options) -> Iterator[Record]:
    spool = _TextSpool()
    try:
        yield from _spooled_records(folder, options, spool)
    finally:
        spool.close()


def _spooled_records(folder: Path, options: _Options, spool: _TextSpool) -> Iterator[Record]:
    threads: dict[int, _Thread] = {}
    yield from _load_threads(folder, options, threads, spool)
    # contributions are made again per thread below: keeping them all would cost memory per post
    wanted = {
        c.person_key for t in threads.values() for c in _thread_contributions(t, options.before)
    }
    emitted: set[str] = set()
    users_file = folder / "Users.xml"
    for record in _read_users(users_file, wanted, options):
        if isinstance(record, PersonRecord):
            emitted.add(record.key)
        yield record
    yield from _missing_users(users_file, wanted - emitted)
    for thread_id in sorted(threads):
        thread = threads.pop(thread_id)
        yield _document(thread, options, spool)
        contributions = _thread_contributions(thread, options.before)
        yield from (c for c in contributions if c.person_key in emitted)


def _load_threads(
    folder: Path, options: _Options, threads: dict[int, _Thread], spool: _TextSpool
) -> Iterator[Rejected]:
    """Fill ``threads`` with the questions, answers and comments read; yield what was rejected."""
    answers: list[_Answer] = []
    excluded: set[int] = set()
    posts_file = folder / "Posts.xml"
    for item in _read_posts(posts_file, options, excluded, spool):
        if isinstance(item, _Thread):
            threads[item.id] = item
        elif isinstance(item, _Answer):
            answers.append(item)
        else:
            yield item
    yield from _attach_answers(threads, answers, excluded, posts_file)
    comments_file = folder / "Comments.xml"
    if options.include_comments and os.path.lexists(comments_file):
        yield from _attach_comments(threads, comments_file, options, spool)


def _rows(path: Path) -> Iterator[etree._Element | Rejected]:
    """Stream the ``<row>`` elements of a dump file, clearing each one after use.

    Ends with a :class:`Rejected` naming the line when the XML is malformed or
    not valid UTF-8; the rows before that point have been yielded already. A file that
    is not a regular file inside its folder is one :class:`Rejected` (nothing read).
    """
    try:
        with open_inside(path, path.parent) as handle:
            yield from _parsed_rows(handle)
    except UnsafeFileError as error:
        yield Rejected(str(path), "", str(error), truncated=True)
    except etree.XMLSyntaxError as error:
        location = f"line {error.lineno}" if error.lineno else ""
        yield Rejected(
            str(path),
            location,
            f"malformed XML ({error.msg}); the rest of the file was not read",
            truncated=True,
        )
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error}; check the file's permissions") from error


def _parsed_rows(handle: BinaryIO) -> Iterator[etree._Element]:
    for row in end_elements(handle, "row"):
        yield row
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]


def _read_posts(
    path: Path, options: _Options, excluded: set[int], spool: _TextSpool
) -> Iterator[_Thread | _Answer | Rejected]:
    """Yield questions and answers created before ``options.before``; add later post ids to
    ``excluded``."""
    before = options.before
    seen: set[int] = set()
    for row in _rows(path):
        if isinstance(row, Rejected):
            yield row
            continue
        kind = row.get("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            continue
        try:
            if kind == QUESTION:
                post: _Thread | _Answer = _question(row, spool, options.max_bytes)
            else:
                post = _answer(row, spool, options.max_bytes)
        except _BadRow as error:
            yield Rejected(str(path), f"line {row.sourceline}", str(error))
            continue
        if post.id in seen:
            yield _duplicate(path, row, "post", post.id)
            continue
        seen.add(post.id)
        if before is not None and post.created >= before:
            excluded.add(post.id)
        else:
            yield post


def _duplicate(path: Path, row: etree._Element, what: str, row_id: int) -> Rejected:
    return Rejected(
        str(path), f"line {row.sourceline}", f"duplicate {what} Id {row_id}; the first is kept"
    )


def _question(row: etree._Element, spool: _TextSpool, max_bytes: int) -> _Thread:
    return _Thread(
        id=_required_int(row, "Id"),
        title=normalise_space(_text(row, "Title", max_bytes)),
        tags=_tags(_text(row, "Tags", max_bytes)),
        text=spool.add(html_to_text(_text(row, "Body", max_bytes))),
        owner=_optional_int(row, "OwnerUserId"),
        created=_required_time(row, "CreationDate"),
        last_activity=_optional_time(row, "LastActivityDate"),
        last_editor=_optional_int(row, "LastEditorUserId"),
        last_edit=_optional_time(row, "LastEditDate"),
        accepted=_optional_int(row, "AcceptedAnswerId"),
    )


def _answer(row: etree._Element, spool: _TextSpool, max_bytes: int) -> _Answer:
    return _Answer(
        id=_required_int(row, "Id"),
        parent=_required_int(row, "ParentId"),
        owner=_optional_int(row, "OwnerUserId"),
        score=_optional_int(row, "Score") or 0,
        created=_required_time(row, "CreationDate"),
        text=spool.add(html_to_text(_text(row, "Body", max_bytes))),
        line=row.sourceline or 0,
    )


def _text(row: etree._Element, name: str, max_bytes: int) -> str:
    """The text attribute ``name`` (``""`` when absent), when at most ``max_bytes`` long.

    Raises:
        _BadRow: the text is longer, naming the row's Id.
    """
    value = row.get(name, "")
    if len(value) > max_bytes // 4 and utf8_size(value) > max_bytes:
        row_id = row.get("Id", "?")
        reason = FileTooBigError(utf8_size(value), max_bytes)
        raise _BadRow(f"Id {row_id}: {name} has {reason}")
    return value


def _tags(value: str) -> tuple[str, ...]:
    """Split ``<a><b>`` (classic dumps) or ``|a|b|`` (newer dumps) into tag names."""
    found = _ANGLE_TAGS.findall(value) if "<" in value else value.split("|")
    return tuple(tag.strip() for tag in found if tag.strip())


def _optional_int(row: etree._Element, name: str) -> int | None:
    value = row.get(name)
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise _BadRow(f"{name} {value!r} is not an integer") from None


def _required_int(row: etree._Element, name: str) -> int:
    value = _optional_int(row, name)
    if value is None:
        raise _BadRow(f"row without {name}")
    return value


def _optional_time(row: etree._Element, name: str) -> datetime | None:
    value = row.get(name)
    try:
        return parse_time(value)
    except ValueError:
        raise _BadRow(f"{name} {value!r} is not an ISO time") from None


def _required_time(row: etree._Element, name: str) -> datetime:
    value = _optional_time(row, name)
    if value is None:
        raise _BadRow(f"row without {name}")
    return value


def _attach_answers(
    threads: dict[int, _Thread], answers: Iterable[_Answer], excluded: set[int], path: Path
) -> Iterator[Rejected]:
    """Put answers into their threads; drop accepted ids whose answer was not read."""
    for answer in answers:
        thread = threads.get(answer.parent)
        if thread is not None:
            thread.answers.append(answer)
        elif answer.parent not in excluded:
            yield Rejected(
                str(path), f"line {answer.line}", f"answer to missing question {answer.parent}"
            )
    for thread in threads.values():
        if thread.accepted is not None and all(a.id != thread.accepted for a in thread.answers):
            thread.accepted = None


def _attach_comments(
    threads: dict[int, _Thread], path: Path, options: _Options, spool: _TextSpool
) -> Iterator[Rejected]:
    """Add the comments on each thread's question and answers to the thread, in file order."""
    before = options.before
    thread_of = {t.id: t for t in threads.values()}
    thread_of.update({a.id: t for t in threads.values() for a in t.answers})
    seen: set[int] = set()
    for row in _rows(path):
        if isinstance(row, Rejected):
            yield row
            continue
        try:
            comment = _comment(row, spool, options.max_bytes)
        except _BadRow as error:
            yield Rejected(str(path), f"line {row.sourceline}", str(error))
            continue
        if comment.id in seen:
            yield _duplicate(path, row, "comment", comment.id)
            continue
        seen.add(comment.id)
        thread = thread_of.get(comment.post)
        if thread is not None and (before is None or comment.created < before):
            thread.comments.append(comment)


def _comment(row: etree._Element, spool: _TextSpool, max_bytes: int) -> _Comment:
    return _Comment(
        id=_required_int(row, "Id"),
        post=_required_int(row, "PostId"),
        user=_optional_int(row, "UserId"),
        created=_required_time(row, "CreationDate"),
        text=spool.add(normalise_space(_text(row, "Text", max_bytes))),
    )


def _person_key(user_id: int) -> str:
    return f"stackexchange:{user_id}"


def _thread_contributions(thread: _Thread, before: datetime | None) -> list[Contribution]:
    """One contribution per (person, role) of a thread.

    A person with several answers (or comments) gets one contribution with
    ``count`` = how many, ``score`` = the highest of their answer scores and
    ``time`` = their latest post. The question's last editor counts only when
    they are not the asker and, with ``before``, only when the edit is known
    to be earlier.
    """
    merged: dict[tuple[int, Role], Contribution] = {}
    doc_id = f"q{thread.id}"

    def add(user: int | None, role: Role, score: int, time: datetime | None) -> None:
        if user is None or user <= 0:
            return
        new = Contribution(_person_key(user), doc_id, role, score=score, time=time)
        old = merged.get((user, role))
        merged[(user, role)] = new if old is None else _merge(old, new)

    add(thread.owner, Role.ASKER, 0, thread.created)
    if thread.last_editor != thread.owner and (
        before is None or (thread.last_edit is not None and thread.last_edit < before)
    ):
        add(thread.last_editor, Role.EDITOR, 0, thread.last_edit)
    for answer in _ordered_answers(thread):
        accepted = answer.id == thread.accepted
        role = Role.ACCEPTED_ANSWERER if accepted else Role.ANSWERER
        add(answer.owner, role, answer.score, answer.created)
    for comment in thread.comments:
        add(comment.user, Role.COMMENTER, 0, comment.created)
    return list(merged.values())


def _merge(old: Contribution, new: Contribution) -> Contribution:
    times = [t for t in (old.time, new.time) if t is not None]
    return replace(
        old,
        count=old.count + new.count,
        score=max(old.score, new.score),
        time=max(times) if times else None,
    )


def _ordered_answers(thread: _Thread) -> list[_Answer]:
    """The accepted answer first, then by score (highest first), then oldest first."""
    return sorted(thread.answers, key=lambda a: (a.id != thread.accepted, -a.score, a.created))


def _document(thread: _Thread, options: _Options, spool: _TextSpool) -> Document:
    spans = [thread.text, *(a.text for a in _ordered_answers(thread))]
    spans.extend(c.text for c in thread.comments)
    parts = [spool.get(span) for span in spans]
    text = "\n\n".join(part for part in parts if part)
    if thread.tags:
        text = f"Tags: {', '.join(thread.tags)}\n{text}".rstrip("\n")
    return Document(
        id=f"q{thread.id}",
        kind=DocumentKind.QA,
        title=thread.title,
        text=text,
        url=_url(options.base_url, f"/questions/{thread.id}"),
        created=thread.created,
        updated=_updated(thread, options.before),
    )


def _updated(thread: _Thread, before: datetime | None) -> datetime | None:
    """LastActivityDate, or with ``before`` and a later activity, the latest post read."""
    if before is None or (thread.last_activity is not None and thread.last_activity < before):
        return thread.last_activity
    times = [thread.created, *(a.created for a in thread.answers)]
    times.extend(c.created for c in thread.comments)
    return max(times)


def _read_users(
    path: Path, wanted: set[str], options: _Options
) -> Iterator[PersonRecord | Rejected]:
    """Person records of users in ``wanted`` or with an AboutMe; skips Id <= 0 (Community)."""
    seen: set[int] = set()
    for row in _rows(path):
        if isinstance(row, Rejected):
            yield row
            continue
        try:
            user_id = _required_int(row, "Id")
        except _BadRow as error:
            yield Rejected(str(path), f"line {row.sourceline}", str(error))
            continue
        if user_id in seen:
            yield _duplicate(path, row, "user", user_id)
            continue
        seen.add(user_id)
        try:
            bio = html_to_text(_text(row, "AboutMe", options.max_bytes))
            name = normalise_space(_text(row, "DisplayName", options.max_bytes))
            location = normalise_space(_text(row, "Location", options.max_bytes))
        except _BadRow as error:
            yield Rejected(str(path), f"line {row.sourceline}", str(error))
            continue
        if user_id > 0 and (_person_key(user_id) in wanted or bio):
            yield PersonRecord(
                key=_person_key(user_id),
                name=name or f"user{user_id}",
                location=location,
                bio=bio,
                url=_url(options.base_url, f"/users/{user_id}"),
            )


def _url(base_url: str, path: str) -> str:
    """``base_url + path`` (``base_url`` was checked by :func:`checked_url`), or ``""``."""
    return checked_url(base_url + path, base_url, "url") if base_url else ""


def _missing_users(path: Path, missing: set[str]) -> Iterator[Rejected]:
    for key in sorted(missing, key=lambda k: int(k.partition(":")[2])):
        yield Rejected(
            str(path),
            f"id {key.partition(':')[2]}",
            "user has posts or comments but is not in Users.xml; their contributions are skipped",
        )
