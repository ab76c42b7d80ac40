"""Chat-tool integrations: Slack, Microsoft Teams and Mattermost.

Each platform module is pure: it checks a request's signature or token and turns an
``AskResponse`` into the platform's message format. ``routes.py`` does the I/O.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from indexer.errors import WhoKnowsError
from search_api.links import safe_link
from search_api.schemas import EvidenceOut, PersonOut

PEOPLE_LIMIT = 5
DOCUMENTS_LIMIT = 3
EXTRA_LINKS = 2
"""Evidence links shown after the top one, per person."""


class VerificationError(WhoKnowsError):
    """A chat-tool request failed its signature or token check; the message says why."""


def role_label(role: str) -> str:
    """``accepted_answerer`` -> ``accepted answerer``."""
    return role.replace("_", " ")


def title_and_team(person: PersonOut) -> str:
    """``Platform engineer, Platform`` (either part may be missing)."""
    return ", ".join(part for part in (person.title, person.team) if part)


def top_evidence(person: PersonOut) -> EvidenceOut | None:
    """The evidence the ranking put first: the one-line reason a person is shown."""
    return person.evidence[0] if person.evidence else None


def more_evidence(person: PersonOut) -> list[EvidenceOut]:
    """Up to ``EXTRA_LINKS`` further evidence documents that have a URL fit to link."""
    return [e for e in person.evidence[1:] if safe_link(e.url)][:EXTRA_LINKS]


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~<>"})


def markdown_escape(text: str) -> str:
    """Backslash-escape the characters that Markdown (and a table cell) would interpret."""
    return text.translate(_MARKDOWN_SPECIAL)


def markdown_link(title: str, url: str) -> str:
    """``[title](url)``, or the escaped title alone when there is no URL fit to link."""
    url = safe_link(url)
    if not url:
        return markdown_escape(title)
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{markdown_escape(title)}]({safe_url})"


class MalformedRequestError(WhoKnowsError):
    """A chat-tool request body is not the form or JSON the platform sends."""


MAX_FORM_FIELDS = 100


def parse_form(body: bytes) -> dict[str, str]:
    """Decode an ``application/x-www-form-urlencoded`` body; the last value of a field wins.

    >>> parse_form(b"token=abc&text=helm+rollback%3F")
    {'token': 'abc', 'text': 'helm rollback?'}
    """
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except UnicodeDecodeError:
        raise MalformedRequestError("the form is not UTF-8 text") from None
    except ValueError:
        raise MalformedRequestError("the body is not a URL-encoded form") from None
    return dict(pairs)


def form_field(form: dict[str, str], name: str) -> str:
    """A required form field; a missing one is a malformed request."""
    if name not in form:
        raise MalformedRequestError(f"the form has no {name!r} field")
    return form[name]
