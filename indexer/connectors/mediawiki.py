"""MediaWiki XML export connector (``Special:Export`` or ``dumpBackup.php``, any schema version).

Each page in the chosen namespaces becomes one :class:`~indexer.models.Document`
holding the plain text of its latest revision. Registered contributors become
``mediawiki:<username>`` :class:`~indexer.models.PersonRecord` values with a
``username:`` alias; IP contributors are ignored. The first revision's author
gets :attr:`~indexer.models.Role.AUTHOR`, everybody else
:attr:`~indexer.models.Role.EDITOR`.

The file is streamed: only the current page's revision list (times and
usernames) and its latest text are held in memory. Records come out page by
page: the person records of contributors not seen before, then the page's
document, then its contributions; a person record therefore always precedes
the contributions that point at it.

Options (``SourceSpec.options``):

- ``namespaces``: namespace numbers to index (default ``[0]``, the articles).
- ``base_url``: page URL prefix such as ``https://wiki.example.com/wiki``
  (default: derived from ``<siteinfo><base>``). Either must be an http(s) url, else pages
  get no url (logged).
- ``max_bytes``: the most bytes of one revision's text; a longer revision is rejected
  (default 5,000,000, as wiki pages).

Entities are never resolved (``resolve_entities=False``, no DTD is loaded), so an export
cannot read local files; libxml2 refuses entity expansion bombs.

Example:
    >>> wikitext_to_text("== Setup ==\\n* Install [[Helm|helm]]{{citation needed}}")
    'Setup\\n\\nInstall helm'
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from indexer.connectors.files import FileTooBigError, max_bytes_option, utf8_size
from indexer.connectors.text import checked_url, normalise_space, parse_time
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

_STREAMED_TAGS = ("{*}siteinfo", "{*}revision", "{*}page")
_URL_SAFE = ";@$!*(),/~:"
_DROPPED_LINK_NAMESPACES = frozenset({"file", "image", "media", "category"})

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_REF = re.compile(
    r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>|<references\b[^>]*>.*?</references\s*>",
    re.DOTALL | re.IGNORECASE,
)
_BRACES = re.compile(r"\{\{|\}\}")
_INTERNAL_LINK = re.compile(r"\[\[([^\[\]]*)\]\]")
_EXTERNAL_LINK = re.compile(r"\[(?:https?://|ftp://|mailto:|//)[^\s\]]*(?:\s+([^\]]*))?\]")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_HEADING = re.compile(r"^(={1,6})\s*(.+?)\s*\1\s*$")
_LIST_MARKER = re.compile(r"^[*#:;]+\s*")
_TABLE_CELL_SEPARATOR = re.compile(r"\|\||!!")
_EMPHASIS = re.compile(r"'{2,}")
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_INTEGER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class _Options:
    namespaces: frozenset[int]
    base_url: str
    max_bytes: int


@dataclass
class _Site:
    """What ``<siteinfo>`` says: the page URL prefix and namespace names (casefolded)."""

    url_prefix: str = ""
    namespaces: dict[str, int] = field(default_factory=dict)


@dataclass
class _Seen:
    """The person keys and page ids emitted so far."""

    people: set[str] = field(default_factory=set)
    pages: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Revision:
    time: datetime
    username: str


@dataclass
class _History:
    """The revisions of the page being read; only the latest revision's text is kept."""

    revisions: list[_Revision] = field(default_factory=list)
    latest_text: str = ""
    latest_time: datetime | None = None

    def add(self, revision: _Revision, text: str) -> None:
        """Record a revision; on equal times the later one in the file wins."""
        if self.latest_time is None or revision.time >= self.latest_time:
            self.latest_text = text
            self.latest_time = revision.time
        self.revisions.append(revision)


def read(spec: SourceSpec) -> Iterator[Record]:
    """Read a MediaWiki XML export into wiki documents, people and contributions.

    Args:
        spec: ``spec.path`` is the ``.xml`` export; see the module docstring for options.

    Returns:
        An iterator of records in the order described in the module docstring.

    Raises:
        SourceError: the file is missing or empty, or an option is invalid.
    """
    path = Path(spec.path)
    if not path.is_file():
        raise SourceError(f"MediaWiki export {path} not found; point the source at the .xml file")
    if path.stat().st_size == 0:
        raise SourceError(f"{path} is empty; export the wiki again or remove the source")
    return _records(path, _parse_options(spec))


def _parse_options(spec: SourceSpec) -> _Options:
    namespaces = spec.options.get("namespaces", [0])
    valid = isinstance(namespaces, list | tuple | set | frozenset) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in namespaces
    )
    if not valid:
        raise SourceError(
            f"source {spec.name!r}: namespaces must be a list of namespace numbers such as [0], "
            f"not {namespaces!r}"
        )
    base_url = str(spec.options.get("base_url") or "")
    return _Options(
        frozenset(namespaces),
        checked_url(base_url, f"source {spec.name!r}", "base_url"),
        max_bytes_option(spec.options),
    )


def _records(path: Path, options: _Options) -> Iterator[Record]:
    site = _Site(url_prefix=_prefix_from_base_url(options.base_url))
    history = _History()
    seen = _Seen()
    try:
        with path.open("rb") as handle:
            for element in end_elements(handle, _STREAMED_TAGS):
                name = etree.QName(element).localname
                if name == "revision":
                    yield from _add_revision(element, history, path, options.max_bytes)
                    element.clear()
                elif name == "page":
                    yield from _page_records(element, history, site, options, seen, path)
                    history = _History()
                    _discard(element)
                elif name == "siteinfo":
                    site = _site(element, site.url_prefix, path)
                    _discard(element)
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


def _discard(element: etree._Element) -> None:
    """Free a finished element and the finished siblings before it."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    """The first direct child with local name ``name``, whatever its namespace."""
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _child_text(element: etree._Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _site(element: etree._Element, url_prefix: str, path: Path) -> _Site:
    """Read ``<base>`` (unless a base_url option gave a prefix) and the namespace names."""
    if not url_prefix:
        where = f"{path}:line {element.sourceline}"
        url_prefix = _prefix_from_base(checked_url(_child_text(element, "base"), where, "<base>"))
    site = _Site(url_prefix)
    names = _child(element, "namespaces")
    for namespace in names if names is not None else ():
        key = _integer(namespace.get("key", ""))
        if namespace.text and key is not None:
            site.namespaces[namespace.text.strip().casefold()] = key
    return site


def _prefix_from_base(base: str) -> str:
    """``https://host/wiki/Main_Page`` -> ``https://host/wiki/`` (also ``...?title=`` bases)."""
    if "title=" in base:
        return base[: base.index("title=") + len("title=")]
    return base.rsplit("/", 1)[0] + "/" if "/" in base else ""


def _prefix_from_base_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/" if base_url else ""


def _add_revision(
    element: etree._Element, history: _History, path: Path, max_bytes: int
) -> Iterator[Rejected]:
    value = _child_text(element, "timestamp")
    try:
        time = parse_time(value)
    except ValueError:
        time = None
    if time is None:
        reason = f"revision timestamp {value!r} is not an ISO time" if value else "no timestamp"
        yield Rejected(str(path), f"line {element.sourceline}", f"revision skipped: {reason}")
        return
    text = _child_text(element, "text")
    if len(text) > max_bytes // 4 and utf8_size(text) > max_bytes:
        reason = f"revision skipped: its text has {FileTooBigError(utf8_size(text), max_bytes)}"
        yield Rejected(str(path), f"line {element.sourceline}", reason)
        return
    contributor = _child(element, "contributor")
    username = _child_text(contributor, "username") if contributor is not None else ""
    history.add(_Revision(time, username), text)


def _page_records(
    element: etree._Element,
    history: _History,
    site: _Site,
    options: _Options,
    seen: _Seen,
    path: Path,
) -> Iterator[Record]:
    """The records of one finished ``<page>``: new people, the document, its contributions."""
    title = _child_text(element, "title")
    page_id = _child_text(element, "id")
    problem = _page_problem(title, page_id, history)
    if not problem and int(page_id) in seen.pages:
        problem = f"duplicate page id {page_id}; the first is kept"
    if problem:
        yield Rejected(str(path), f"line {element.sourceline}", problem)
        return
    seen.pages.add(int(page_id))
    namespace = _namespace(element, title, site)
    if namespace not in options.namespaces or _is_redirect(element, history.latest_text):
        return
    document = _document(int(page_id), title, history, site)
    contributions = _contributions(document.id, history.revisions)
    for contribution in contributions:
        if contribution.person_key not in seen.people:
            seen.people.add(contribution.person_key)
            yield _person(contribution.person_key.removeprefix("mediawiki:"))
    yield document
    yield from contributions


def _page_problem(title: str, page_id: str, history: _History) -> str:
    if not title:
        return "page without title"
    if not page_id:
        return "page without id"
    if _integer(page_id) is None or page_id.startswith("-"):
        return f"page id {page_id!r} is not an integer"
    if not history.revisions:
        return "page without a readable revision"
    return ""


def _namespace(element: etree._Element, title: str, site: _Site) -> int:
    """The ``<ns>`` number, or (old schemas) the namespace named by the title prefix."""
    number = _integer(_child_text(element, "ns"))
    if number is not None:
        return number
    prefix, colon, _ = title.partition(":")
    return site.namespaces.get(prefix.strip().casefold(), 0) if colon else 0


def _integer(text: str) -> int | None:
    """``text`` as an integer when it is one written in ASCII digits (``"²"`` is not), else None."""
    return int(text) if _INTEGER.fullmatch(text) else None


def _is_redirect(element: etree._Element, text: str) -> bool:
    return _child(element, "redirect") is not None or text.lstrip()[:9].upper() == "#REDIRECT"


def _document(page_id: int, title: str, history: _History, site: _Site) -> Document:
    times = [r.time for r in history.revisions]
    url = ""
    if site.url_prefix:
        url = site.url_prefix + quote(title.replace(" ", "_"), safe=_URL_SAFE)

    return Document(
        id=f"page{page_id}",
        kind=DocumentKind.WIKI,
        title=title,
        text=wikitext_to_text(history.latest_text),
        url=checked_url(url, title, "url") if url else "",
        created=min(times),
        updated=max(times),
    )


def _contributions(document_id: str, revisions: list[_Revision]) -> list[Contribution]:
    """One contribution per registered user, author first.

    ``count`` is the number of the user's revisions of the page and ``time`` the
    latest of them. Only the user who made the first revision is the author.
    """
    ordered = sorted(revisions, key=lambda r: r.time)
    author = ordered[0].username
    times: dict[str, list[datetime]] = {}
    for revision in ordered:
        if revision.username:
            times.setdefault(revision.username, []).append(revision.time)
    return [
        Contribution(
            person_key=f"mediawiki:{username}",
            document_id=document_id,
            role=Role.AUTHOR if username == author else Role.EDITOR,
            count=len(user_times),
            time=max(user_times),
        )
        for username, user_times in times.items()
    ]


def _person(username: str) -> PersonRecord:
    return PersonRecord(
        key=f"mediawiki:{username}",
        name=username,
        aliases=(f"username:{username.casefold()}",),
    )


def wikitext_to_text(wikitext: str) -> str:
    """Turn wikitext into readable plain text.

    Drops comments, ``<ref>`` notes, templates (nested), file and category links
    and HTML tags; keeps link labels, headings (on their own line), list items
    (without markers), table cell texts; unescapes HTML entities.

    >>> wikitext_to_text("'''KES''' keys<ref>{{cite|x}}</ref> rotate, see [[Key rotation|here]].")
    'KES keys rotate, see here.'
    """
    text = _COMMENT.sub("", wikitext)
    text = _REF.sub("", text)
    text = _drop_templates(text)
    text = _replace_internal_links(text)
    text = _EXTERNAL_LINK.sub(lambda m: m.group(1) or "", text)
    text = _TAG.sub("", _BR.sub("\n", text))
    lines = (_plain_line(line) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line is not None)
    text = _MAGIC_WORD.sub("", _EMPHASIS.sub("", text))
    return normalise_space(html.unescape(text).replace("\xa0", " "))


def _drop_templates(text: str) -> str:
    """Remove ``{{...}}`` with nesting; an unclosed ``{{`` is kept as text."""
    out: list[str] = []
    depth = 0
    start = 0
    for match in _BRACES.finditer(text):
        if match.group() == "{{":
            if depth == 0:
                out.append(text[start : match.start()])
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                start = match.end()
    out.append(text[start:])
    return "".join(out)


def _replace_internal_links(text: str) -> str:
    """Replace ``[[...]]`` links from the innermost out (file captions may hold links)."""
    while True:
        replaced = _INTERNAL_LINK.sub(_internal_link_text, text)
        if replaced == text:
            return replaced
        text = replaced


def _internal_link_text(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    prefix, colon, _ = target.partition(":")
    if colon and prefix.strip().casefold() in _DROPPED_LINK_NAMESPACES:
        return ""
    return (label or target).strip().lstrip(":")


def _plain_line(line: str) -> str | None:
    """One line without table, heading, list or rule markup; ``None`` drops table frame lines."""
    stripped = line.strip()
    if stripped.startswith(("{|", "|}", "|-")):
        return None
    if stripped.startswith("----"):
        return ""
    if stripped.startswith("|+"):
        return stripped[2:].strip()
    if stripped.startswith(("|", "!")):
        cells = _TABLE_CELL_SEPARATOR.split(stripped[1:])
        return " ".join(cell.rpartition("|")[2].strip() for cell in cells)
    heading = _HEADING.match(stripped)
    if heading:
        return f"\n{heading.group(2)}\n"
    return _LIST_MARKER.sub("", stripped)
