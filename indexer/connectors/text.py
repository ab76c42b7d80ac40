"""Small normalisation helpers shared by connectors: HTML to text, times, identities."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "pre",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "hr",
        "section",
        "article",
    ]
)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
logger = logging.getLogger(__name__)

SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""The only schemes a url of a person or document may have: chat tools turn urls into links."""
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_NOREPLY = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """Turn an HTML fragment into plain text, keeping paragraph breaks.

    >>> html_to_text("<p>Use <code>kubectl</code> &amp; helm</p><p>Then wait</p>")
    'Use kubectl & helm\\n\\nThen wait'
    """
    if not markup or not markup.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalise_space(markup)
    return _text_with_breaks(root)


def _text_with_breaks(root: lxml_html.HtmlElement) -> str:
    out: list[str] = []

    def walk(element: lxml_html.HtmlElement) -> None:
        if not isinstance(element.tag, str):
            return  # comments and processing instructions; their tails are added by the parent
        tag = element.tag
        block = tag in _BLOCK_TAGS
        if block:
            out.append("\n\n" if tag != "br" else "\n")
        if element.text and tag not in ("script", "style"):
            out.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if block and tag != "br":
            out.append("\n\n")

    walk(root)
    return normalise_space("".join(out))


def normalise_space(text: str) -> str:
    """Collapse runs of spaces, keep single line breaks and at most one blank line."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_time(value: str | None) -> datetime | None:
    """Parse an ISO-8601 time (``2021-04-01T10:00:00.123`` or with offset) as aware UTC.

    Returns ``None`` for empty values; raises ``ValueError`` for malformed ones and for
    times that cannot be expressed in UTC (``0001-01-01T00:00:00+05:00``).
    """
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return as_utc(parsed)


def as_utc(moment: datetime) -> datetime:
    """An aware time converted to UTC; raises ``ValueError`` when UTC cannot express it.

    >>> from datetime import timedelta, timezone
    >>> as_utc(datetime(1, 1, 1, 3, tzinfo=timezone(timedelta(hours=5))))
    Traceback (most recent call last):
    ...
    ValueError: 0001-01-01 03:00:00+05:00 is out of the range of dates in UTC
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment} is out of the range of dates in UTC") from None


def beyond_limits(error: ValueError | RecursionError) -> str:
    """Why a JSON or YAML parser refused a well-formed text: too deep, or a number too long.

    Python refuses integers of more than 4,300 digits (``ValueError``) and nesting deeper
    than its recursion limit (``RecursionError``); both are read as malformed input.
    """
    if isinstance(error, RecursionError):
        return "values nested too deeply"
    return "a number too long to read (over 4300 digits)"


def normalise_name(name: str) -> str:
    """Fold case, accents and spacing so that equal names compare equal."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def email_aliases(email: str) -> tuple[str, ...]:
    """Aliases for an email address: ``email:...``, plus ``github:...`` for GitHub noreply mail.

    >>> email_aliases("123+Ann@users.noreply.github.com")
    ('email:123+ann@users.noreply.github.com', 'github:ann')
    """
    address = email.strip().casefold()
    if not address or "@" not in address:
        return ()
    aliases = [f"email:{address}"]
    match = _NOREPLY.match(address)
    if match:
        aliases.append(f"github:{match.group(1).casefold()}")
    return tuple(aliases)


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def strip_markdown_links(text: str) -> str:
    """Replace Markdown links and images by their label text.

    >>> strip_markdown_links("[CEO](../../ceo/index.md), co-founder")
    'CEO, co-founder'
    """
    return _MARKDOWN_LINK.sub(r"\1", text)


def markdown_to_html(source: str) -> str:
    """Render CommonMark (with tables and strikethrough) to HTML.

    >>> markdown_to_html("# Hi")
    '<h1>Hi</h1>\\n'
    """
    return _markdown_parser().render(source)


def markdown_to_text(source: str) -> str:
    """Turn Markdown into plain text, keeping paragraph breaks and dropping HTML comments.

    >>> markdown_to_text("# Setup\\n\\nRun `make` and [ask](https://x.example) us.<!-- todo -->")
    'Setup\\n\\nRun make and ask us.'
    """
    return html_to_text(_HTML_COMMENT.sub("", markdown_to_html(source)))


@lru_cache(maxsize=1)
def _markdown_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def safe_url(value: str) -> str:
    """``value`` when it is an absolute http(s) or mailto url, else ``""``.

    Surrounding spaces are dropped; a url holding other spaces or control characters
    (``java\\tscript:`` is ``javascript:`` to a browser) is refused.

    >>> safe_url(" https://wiki.example.com/team "), safe_url("javascript:alert(1)")
    ('https://wiki.example.com/team', '')
    """
    url = value.strip()
    if not url or _CONTROL.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return ""
    if parts.scheme.lower() not in SAFE_URL_SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return url


def checked_url(value: str, where: str, field: str) -> str:
    """:func:`safe_url` of a url a connector emits; a refused one is logged with its place.

    ``where`` names the file (and record), ``field`` the field the url came from.
    """
    url = safe_url(value)
    if value.strip() and not url:
        logger.warning(
            "%s: %s %r is not an http(s) or mailto url; dropped", where, field, value[:200]
        )
    return url
