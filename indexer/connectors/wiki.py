"""Wiki connector: a folder of Markdown and HTML pages, with authorship.

Every ``*.md``, ``*.markdown``, ``*.html`` and ``*.htm`` file under the folder
(hidden folders and ``node_modules`` skipped) becomes one :class:`Document`
whose id is the page path relative to the folder. Authorship comes, per page,
from the first of: the front matter (``authors:`` / ``author:``), a sidecar
``page_authors.jsonl``, or the git history of the folder.

Example:
    >>> from indexer.models import SourceSpec
    >>> records = read(SourceSpec("wiki", "handbook/content", "handbook"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from lxml import etree
from lxml import html as lxml_html

from indexer.connectors.files import (
    FileTooBigError,
    UnsafeFileError,
    bounded_lines,
    max_bytes_option,
    open_inside,
    read_inside,
)
from indexer.connectors.text import (
    as_utc,
    beyond_limits,
    checked_url,
    email_aliases,
    html_to_text,
    markdown_to_html,
    normalise_name,
    normalise_space,
    parse_time,
)
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

PAGE_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SKIPPED_FOLDERS = frozenset({"node_modules"})
SIDECAR_NAME = "page_authors.jsonl"
SIDECAR_LINE_BYTES = 1_000_000
"""The longest line of a sidecar (one page's authors); a longer one is rejected unread."""
GIT_TIMEOUT_SECONDS = 600

_NAME_AND_EMAIL = re.compile(r"^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_RECORD_SEPARATOR = "\x1e"
_FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Author:
    """One author of a page as a source of authorship describes them."""

    name: str = ""
    email: str = ""
    github: str = ""
    commits: int = 1
    last_commit: datetime | None = None


@dataclass(frozen=True)
class Authorship:
    """The authors of one page (most important first) and its commit times."""

    authors: tuple[Author, ...] = ()
    first_commit: datetime | None = None
    last_commit: datetime | None = None


class PageError(Exception):
    """A page cannot be indexed; ``location`` is ``"line N"`` or ``""``."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(reason)
        self.location = location
        self.reason = reason


@dataclass
class _Context:
    root: Path
    options: Mapping[str, Any]
    history: dict[str, Authorship]
    seen_keys: set[str] = field(default_factory=set)


def read(spec: SourceSpec) -> Iterator[Record]:
    """Read every page of the wiki folder ``spec.path``.

    Options: ``base_url`` (page urls), ``access_groups`` (default groups),
    ``authors_file`` (a ``page_authors.jsonl``; relative paths are taken from
    ``spec.path``), ``git`` (``False`` turns git history off), ``max_bytes`` and
    ``exclude`` (page ids, i.e. paths relative to ``spec.path``, to leave out).

    Raises:
        SourceError: the folder or a configured authors file does not exist.
    """
    root = Path(spec.path)
    max_bytes_option(spec.options)  # a bad value fails the source before any page is read
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        raise SourceError(f"wiki folder {root} {what}; point the source path at the pages' folder")
    history: dict[str, Authorship] = {}
    if spec.options.get("git", True) is not False:
        history.update(git_history(root))
    yield from _sidecar_records(root, spec.options, history)
    context = _Context(root=root, options=spec.options, history=history)
    excluded = {str(p) for p in spec.options.get("exclude", ())}
    pages = 0
    for path in iter_pages(root):
        if path.relative_to(root).as_posix() in excluded:
            continue
        pages += 1
        yield from _page_records(path, context)
    logger.info("read %d wiki pages from %s", pages, root)


def iter_pages(root: Path) -> Iterator[Path]:
    """Yield the page files under ``root`` in a stable order, skipping hidden folders."""
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in SKIPPED_FOLDERS
        )
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in PAGE_SUFFIXES:
                yield Path(folder) / name


def _page_records(path: Path, context: _Context) -> Iterator[Record]:
    try:
        document, listed = parse_page(path, context.root, context.options)
    except PageError as error:
        yield Rejected(file=str(path), location=error.location, reason=error.reason)
        return
    authorship = context.history.get(_lookup_key(path), Authorship())
    if listed is not None:
        authorship = replace(authorship, authors=listed)
    document = _with_history_times(document, authorship)
    yield document
    yield from _contributions(document, authorship, context.seen_keys)


def parse_page(
    path: Path, root: Path, options: Mapping[str, Any]
) -> tuple[Document, tuple[Author, ...] | None]:
    """Read one page into a :class:`Document` (without git/sidecar times) and its listed authors.

    The authors are those of the front matter, ``None`` when it lists none.

    Raises:
        PageError: the page is too big, not UTF-8, has malformed front matter or no text.
    """
    text = _read_text(path, root, max_bytes_option(options))
    front_matter, body = split_front_matter(text)
    if path.suffix.lower() in HTML_SUFFIXES:
        heading, plain = html_page_text(body)
    else:
        heading, plain = html_page_text(markdown_to_html(body))
    if not plain:
        raise PageError("", "empty page")
    relative = path.relative_to(root).as_posix()
    document = Document(
        id=relative,
        kind=DocumentKind.WIKI,
        title=_text_value(front_matter.get("title")) or heading or _title_from_path(path, root),
        text=plain,
        url=_page_url(path, relative, front_matter, options),
        created=_front_matter_time(path, front_matter, "created", "date"),
        updated=_front_matter_time(path, front_matter, "updated", "date"),
        access_groups=_access_groups(front_matter, options),
    )
    try:
        listed = front_matter_authors(front_matter)
    except ValueError as error:
        raise PageError("line 2", f"malformed front matter authors: {error}") from error
    return document, listed


def _read_text(path: Path, root: Path, max_bytes: int) -> str:
    """The page's text; only a regular file inside ``root`` is read (see ``files``)."""
    try:
        data = read_inside(path, root, max_bytes)
    except FileTooBigError as error:
        reason = f"page has {error.size} bytes, over the limit of {max_bytes}; split it"
        raise PageError("", reason) from None
    except UnsafeFileError as error:
        raise PageError("", str(error)) from None
    except OSError as error:
        raise PageError("", f"cannot read page: {error.strerror}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PageError(
            f"line {line}", f"invalid UTF-8 at byte {error.start}; re-save the page as UTF-8"
        ) from error
    return text.removeprefix("\ufeff")


def _load_yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when present (10x faster: a re-index parses every
    page); an error is raised again by the pure-Python parser, whose messages we report.

    Aliases are refused first (:func:`refuse_aliases`): nine of them nested make a
    617-byte page expand to gigabytes when its values are read.
    """
    refuse_aliases(text)
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def refuse_aliases(text: str) -> None:
    """Raise :class:`PageError` at the first YAML alias (``*name``) of the front matter ``text``.

    Only a text holding ``*`` can hold an alias, so other pages cost nothing; a text that
    does not parse is left to the loader, which reports the error as before.

    >>> refuse_aliases("a: &x [1]\\nb: *x")
    Traceback (most recent call last):
    ...
    indexer.connectors.wiki.PageError: front matter uses the YAML alias *x; aliases are \
not allowed, write the value out
    """
    if "*" not in text:
        return
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent):
                raise PageError(
                    f"line {event.start_mark.line + 2}",
                    f"front matter uses the YAML alias *{event.anchor}; aliases are not "
                    "allowed, write the value out",
                )
    except yaml.YAMLError:
        return


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a page into its YAML front matter (``{}`` when none) and its body.

    >>> split_front_matter("---\\ntitle: Hi\\n---\\nBody")
    ({'title': 'Hi'}, 'Body')

    Raises:
        PageError: the front matter is not valid YAML or not a mapping.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return {}, text
    try:
        value = _load_yaml("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        location = _yaml_location(error)
        raise PageError(location, f"malformed front matter: {_yaml_problem(error)}") from error
    except (ValueError, RecursionError) as error:  # e.g. 2024-13-45, or [[[[...
        problem = beyond_limits(error) if isinstance(error, RecursionError) else str(error)
        raise PageError("line 2", f"malformed front matter: {problem}") from None
    if value is None:
        value = {}
    if isinstance(value, str):
        return {}, text
    if not isinstance(value, dict):
        raise PageError("line 2", "front matter is not a 'key: value' mapping; fix the YAML")
    return value, "\n".join(lines[end + 1 :])


def _yaml_location(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    # Front matter starts on the page's second line.
    return f"line {mark.line + 2}" if mark is not None else "line 1"


def _yaml_problem(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem}; fix the YAML between the --- lines"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML cannot hold: C0 controls other than tab and newlines, lone surrogates."""


def html_page_text(markup: str) -> tuple[str, str]:
    """Return the title (``<title>`` or first ``<h1>``) and plain text of an HTML page.

    Comments, ``<head>``, scripts and styles are dropped from the text.

    >>> html_page_text("<title>T</title><h1>Hello</h1><p>a<!-- x --> b</p>")
    ('T', 'Hello\\n\\na b')
    """
    markup = _NOT_XML.sub(" ", markup)  # lxml refuses them when it edits the tree
    if not markup.strip():
        return "", ""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return "", html_to_text(markup)
    title = normalise_space(root.findtext(".//title") or "")
    if not title:
        heading = next(root.iter("h1"), None)
        title = normalise_space(heading.text_content()) if heading is not None else ""
    for element in list(root.iter(etree.Comment, "head", "script", "style")):
        element.drop_tree()
    body = root.find("body")
    if body is None:
        return title, ""
    return title, html_to_text(etree.tostring(body, encoding="unicode", method="html"))


def _title_from_path(path: Path, root: Path) -> str:
    stem = path.stem
    if stem.lower() == "index" and path.parent != root:
        stem = path.parent.name
    return " ".join(re.split(r"[-_\s]+", stem)).strip()


def page_url(relative: str, base_url: str | None) -> str:
    """The url of a page from ``base_url``: path without suffix and without a final ``index``.

    >>> page_url("team/index.md", "https://handbook.example.com")
    'https://handbook.example.com/team'
    """
    if not base_url:
        return ""
    path = relative.rsplit(".", 1)[0]
    if path == "index":
        path = ""
    path = path.removesuffix("/index")
    return f"{base_url.rstrip('/')}/{quote(path)}"


def _page_url(
    path: Path, relative: str, front_matter: Mapping[str, Any], options: Mapping[str, Any]
) -> str:
    """The front matter ``url:``, else the url from ``base_url``: only http(s) or mailto ones."""
    listed = _text_value(front_matter.get("url"))
    url = checked_url(listed, str(path), "front matter url") if listed else ""
    return url or checked_url(page_url(relative, options.get("base_url")), str(path), "base_url")


def _text_value(value: Any) -> str:
    return normalise_space(str(value)) if value is not None else ""


def _front_matter_time(path: Path, front_matter: Mapping[str, Any], *names: str) -> datetime | None:
    for name in names:
        value = front_matter.get(name)
        if value is None or value == "":
            continue
        try:
            return to_utc(value)
        except ValueError:
            logger.warning("%s: front matter %s=%r is not a date; ignored", path, name, value)
    return None


def to_utc(value: Any) -> datetime:
    """Turn a YAML date, datetime or ISO-8601 string into an aware UTC datetime.

    >>> to_utc(date(2024, 3, 1))
    datetime.datetime(2024, 3, 1, 0, 0, tzinfo=datetime.timezone.utc)

    Raises:
        ValueError: the value is not a date.
    """
    if isinstance(value, datetime):
        return as_utc(value) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed
    raise ValueError(f"not a date: {value!r}")


def _access_groups(front_matter: Mapping[str, Any], options: Mapping[str, Any]) -> tuple[str, ...]:
    value = front_matter.get("access_groups", front_matter.get("groups"))
    if value is None:
        value = options.get("access_groups", ())
    if isinstance(value, str | int | float):
        value = [value]
    if not isinstance(value, list | tuple):
        raise PageError("", f"access_groups must be a group name or a list, got {value!r}")
    return tuple(str(group).strip() for group in value if str(group).strip())


def _with_history_times(document: Document, authorship: Authorship) -> Document:
    return replace(
        document,
        created=document.created or authorship.first_commit,
        updated=document.updated or authorship.last_commit,
    )


def front_matter_authors(front_matter: Mapping[str, Any]) -> tuple[Author, ...] | None:
    """The authors listed in front matter ``authors:`` or ``author:``; ``None`` when absent.

    >>> front_matter_authors({"authors": ["Ann Lee <Ann@x.org>", "@bob"]})
    (Author(name='Ann Lee', email='Ann@x.org', github='', commits=1, last_commit=None), \
Author(name='', email='', github='bob', commits=1, last_commit=None))
    """
    value = front_matter.get("authors", front_matter.get("author"))
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    authors = (parse_author(item) for item in items)
    return tuple(author for author in authors if author is not None)


def parse_author(value: Any) -> Author | None:
    """Parse an author given as ``email``, ``Name <email>``, ``@handle``, a name or a dict."""
    if isinstance(value, dict):
        return _author_from_dict(value)
    if not isinstance(value, str) or not value.strip():
        logger.warning("ignoring author %r: expected a string or a mapping", value)
        return None
    text = value.strip()
    if text.startswith("@"):
        return Author(github=text[1:])
    match = _NAME_AND_EMAIL.match(text)
    if match:
        return Author(name=match.group(1).strip(), email=match.group(2))
    if _EMAIL.match(text):
        return Author(email=text)
    return Author(name=normalise_space(text))


def _author_from_dict(value: Mapping[str, Any]) -> Author | None:
    author = Author(
        name=_text_value(value.get("name")),
        email=_text_value(value.get("email")),
        github=_text_value(value.get("github")).removeprefix("@"),
        commits=_commit_count(value.get("commits")),
    )
    return author if author.name or author.email or author.github else None


def _commit_count(value: Any) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"commits must be a whole number, not {value!r}")
    count = int(value)
    if count < 0:
        raise ValueError(f"commits must not be negative, not {count}")
    return count


def person_for(author: Author) -> PersonRecord | None:
    """The :class:`PersonRecord` of an author: keyed by email, else GitHub handle, else name.

    >>> person_for(Author(name="Ann", email="Ann@X.org", github="AnnL")).aliases
    ('email:ann@x.org', 'github:annl')
    """
    email_keys = email_aliases(author.email) if _EMAIL.match(author.email) else ()
    github = f"github:{author.github.casefold()}" if author.github else ""
    name = author.name or author.github or author.email
    if email_keys:
        aliases = email_keys + ((github,) if github and github not in email_keys else ())
        return PersonRecord(key=email_keys[0], name=name, aliases=aliases)
    if github:
        return PersonRecord(key=github, name=name, aliases=(github,))
    if author.name:
        return PersonRecord(key=f"name:{normalise_name(author.name)}", name=author.name)
    return None


def _contributions(
    document: Document, authorship: Authorship, seen_keys: set[str]
) -> Iterator[Record]:
    on_page: set[str] = set()
    for author in authorship.authors:
        person = person_for(author)
        if person is None or person.key in on_page:
            continue
        on_page.add(person.key)
        if person.key not in seen_keys:
            seen_keys.add(person.key)
            yield person
        yield Contribution(
            person_key=person.key,
            document_id=document.id,
            role=Role.AUTHOR,
            count=author.commits,
            time=author.last_commit or authorship.last_commit or document.updated,
        )


def _lookup_key(path: Path) -> str:
    return os.path.realpath(path)


def _sidecar_records(
    root: Path, options: Mapping[str, Any], history: dict[str, Authorship]
) -> Iterator[Rejected]:
    """Add the sidecar's authorship to ``history``; yield its rejected lines.

    A configured ``authors_file`` that cannot be read fails the source; a sidecar found
    beside the pages that cannot be read (a symlink out of its folder, a FIFO) is rejected.
    """
    sidecar = _find_sidecar(root, options)
    if sidecar is None:
        return
    try:
        sidecar_history, rejected = load_sidecar(sidecar)
    except SourceError as error:
        if options.get("authors_file"):
            raise
        yield Rejected(file=str(sidecar), location="", reason=f"not read: {error}")
        return
    history.update(sidecar_history)
    yield from rejected


def _find_sidecar(root: Path, options: Mapping[str, Any]) -> Path | None:
    configured = options.get("authors_file")
    if configured:
        path = Path(configured)
        path = path if path.is_absolute() else root / path
        if not path.is_file():
            what = "is not a regular file" if path.exists() else "does not exist"
            raise SourceError(f"authors file {path} {what}; fix the authors_file option")
        return Path(os.path.realpath(path))  # named by the operator: a symlink is trusted
    folder = root.resolve()
    for candidate in (folder, *folder.parents[:2]):
        if os.path.lexists(candidate / SIDECAR_NAME):  # a FIFO or symlink is then rejected
            return candidate / SIDECAR_NAME
    return None


def load_sidecar(path: Path) -> tuple[dict[str, Authorship], list[Rejected]]:
    """Load a ``page_authors.jsonl`` file: authorship by real page path, and rejected lines.

    Each line is ``{"path", "authors": [{"email", "name", "commits"}], "first_commit",
    "last_commit"}`` with ``path`` relative to the file's folder.

    The file must be a regular file in its folder (not a symlink out of it, nor a FIFO).

    Raises:
        SourceError: the file cannot be read.
    """
    history: dict[str, Authorship] = {}
    rejected: list[Rejected] = []
    try:
        with open_inside(path, path.parent) as lines:  # line by line: the file may be big
            for number, raw in enumerate(bounded_lines(lines, SIDECAR_LINE_BYTES), start=1):
                if raw is None:
                    reason = f"line over {SIDECAR_LINE_BYTES} bytes; skipped"
                    rejected.append(
                        Rejected(file=str(path), location=f"line {number}", reason=reason)
                    )
                    continue
                if not raw.strip():
                    continue
                try:
                    page, authorship = _sidecar_entry(raw)
                except ValueError as error:
                    location = f"line {number}"
                    rejected.append(Rejected(file=str(path), location=location, reason=str(error)))
                    continue
                history[_lookup_key(path.parent / page)] = authorship
    except UnsafeFileError as error:
        raise SourceError(f"cannot read authors file {path}: {error}") from None
    except OSError as error:
        raise SourceError(f"cannot read authors file {path}: {error.strerror}") from error
    return history, rejected


def _sidecar_entry(raw: bytes) -> tuple[str, Authorship]:
    """Parse one sidecar line; raises ``ValueError`` (also for bad JSON and UTF-8)."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"invalid UTF-8 at byte {error.start} of the line") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"malformed JSON: {error.msg} (column {error.colno})") from error
    except (ValueError, RecursionError) as error:
        raise ValueError(beyond_limits(error)) from None
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise ValueError('expected an object with a "path" string')
    authors = entry.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
        raise ValueError('"authors" must be a list of objects')
    parsed = tuple(a for a in (_author_from_dict(item) for item in authors) if a is not None)
    authorship = Authorship(
        authors=parsed,
        first_commit=parse_time(entry.get("first_commit")),
        last_commit=parse_time(entry.get("last_commit")),
    )
    return entry["path"], authorship


def git_history(folder: Path) -> dict[str, Authorship]:
    """Authorship of every file under ``folder`` from one ``git log`` run, by real path.

    Authors are ordered by commit count (most first), ties by earliest commit.
    Returns ``{}`` when the folder is not in a git work tree or git is unavailable.
    """
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return {}
    log = _git(
        folder,
        "-c",
        "core.quotepath=off",
        "log",
        "--no-merges",
        f"--format={_RECORD_SEPARATOR}%aN{_FIELD_SEPARATOR}%aE{_FIELD_SEPARATOR}%aI",
        "--name-only",
        "--",
        ".",
    )
    if log is None:
        return {}
    return _aggregate_log(Path(top.strip()), log)


def _git(folder: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("git %s failed in %s: %s; no git authorship", args[0], folder, error)
        return None
    if result.returncode != 0:
        logger.debug("git %s in %s: %s", " ".join(args), folder, result.stderr.strip())
        return None
    return result.stdout


@dataclass
class _Tally:
    name: str
    commits: int
    first: datetime
    last: datetime


def _aggregate_log(top: Path, log: str) -> dict[str, Authorship]:
    tallies: dict[str, dict[str, _Tally]] = {}
    for chunk in log.split(_RECORD_SEPARATOR)[1:]:
        header, _, names = chunk.partition("\n")
        name, email, when = header.split(_FIELD_SEPARATOR)
        time = to_utc(when)
        for file in filter(None, (line.strip() for line in names.split("\n"))):
            by_email = tallies.setdefault(_lookup_key(top / file), {})
            tally = by_email.get(email.casefold())
            if tally is None:
                by_email[email.casefold()] = _Tally(name, 1, time, time)
            else:
                tally.commits += 1
                tally.first, tally.last = min(tally.first, time), max(tally.last, time)
    return {path: _authorship(by_email) for path, by_email in tallies.items()}


def _authorship(by_email: dict[str, _Tally]) -> Authorship:
    ordered = sorted(by_email.items(), key=lambda item: (-item[1].commits, item[1].first))
    authors = tuple(
        Author(name=t.name, email=email, commits=t.commits, last_commit=t.last)
        for email, t in ordered
    )
    return Authorship(
        authors=authors,
        first_commit=min(t.first for t in by_email.values()),
        last_commit=max(t.last for t in by_email.values()),
    )
