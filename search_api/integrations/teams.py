"""Microsoft Teams outgoing webhooks: HMAC check and MessageCard answers. No I/O.

Teams sends ``Authorization: HMAC <base64 signature>``, the HMAC-SHA256 of the raw body
under the webhook's security token (itself base64), and waits for a message activity.

Example:
    >>> key = base64.b64encode(b"k" * 32).decode()
    >>> verify(key, "HMAC " + sign(key, b"{}"), b"{}")
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import json
import re
from typing import Any

from indexer.errors import ConfigError
from search_api.integrations import (
    MalformedRequestError,
    VerificationError,
    markdown_escape,
    markdown_link,
    more_evidence,
    role_label,
    title_and_team,
    top_evidence,
)
from search_api.schemas import AskResponse, PersonOut

AUTH_HEADER = "Authorization"
SCHEME = "HMAC"
CARD_CONTENT_TYPE = "application/vnd.microsoft.teams.card.o365connector"

Message = dict[str, Any]

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def decode_key(key: str) -> bytes:
    """The raw HMAC key from the base64 security token Teams shows once, at creation."""
    try:
        return base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            "WHOKNOWS_TEAMS_HMAC_KEY is not base64: paste the security token Teams showed "
            "when the outgoing webhook was created"
        ) from None


def sign(key: str, body: bytes) -> str:
    """The base64 signature Teams puts after ``HMAC `` for ``body``."""
    digest = hmac.new(decode_key(key), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(key: str, authorization: str | None, body: bytes) -> None:
    """Raise ``VerificationError`` unless ``authorization`` is the HMAC of ``body``."""
    raw_key = decode_key(key)
    if not authorization:
        raise VerificationError(f"missing {AUTH_HEADER} header")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.upper() != SCHEME or not value.strip():
        raise VerificationError(f"{AUTH_HEADER} header is not 'HMAC <base64 signature>'")
    try:
        sent = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{AUTH_HEADER} header signature is not base64") from None
    expected = hmac.new(raw_key, body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, sent):
        raise VerificationError(f"{AUTH_HEADER} HMAC does not match the request body")


def parse_activity(body: bytes) -> dict[str, Any]:
    """The JSON activity Teams posts; it must be an object with a string ``text``."""
    try:
        activity = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedRequestError("the body is not JSON") from None
    except (ValueError, RecursionError):  # a number over 4300 digits, or nesting too deep
        raise MalformedRequestError("the body is JSON too big to read") from None
    if not isinstance(activity, dict):
        raise MalformedRequestError("the body is not a JSON object")
    if not isinstance(activity.get("text"), str):
        raise MalformedRequestError("the activity has no 'text' string")
    return activity


def activity_text(activity: dict[str, Any]) -> str:
    """The user's words: the ``<at>Bot</at>`` mention and HTML markup removed.

    >>> activity_text({"text": "<at>WhoKnows</at>&nbsp;helm <b>rollback</b>\\n"})
    'helm rollback'
    """
    text = _TAG.sub(" ", _MENTION.sub(" ", activity["text"]))
    return " ".join(html.unescape(text).split())


def help_message() -> Message:
    """What a mention without a topic answers."""
    return {
        "type": "message",
        "text": "Mention me with a topic, for example **@WhoKnows helm rollback**.",
    }


def error_message(problem: str) -> Message:
    """A problem with the query."""
    return {"type": "message", "text": f"Sorry, I could not search: {markdown_escape(problem)}"}


def answer_message(answer: AskResponse) -> Message:
    """A Markdown text answer plus the same answer as a MessageCard attachment."""
    return {
        "type": "message",
        "text": answer_markdown(answer),
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": message_card(answer)}],
    }


def answer_markdown(answer: AskResponse) -> str:
    """``**Who knows about “q”?**`` and a numbered list of people with their top evidence."""
    lines = [f"**Who knows about “{markdown_escape(answer.query)}”?**", ""]
    if not answer.people:
        lines.append("Nobody stands out for this yet. Try other words.")
    for rank, person in enumerate(answer.people, start=1):
        line = f"{rank}. **{markdown_escape(person.name)}**"
        if role := title_and_team(person):
            line += f" ({markdown_escape(role)})"
        if (top := top_evidence(person)) is not None:
            line += f": {role_label(top.role)}, {markdown_link(top.title, top.url)}"
        lines.append(line)
    if answer.documents:
        links = " · ".join(markdown_link(d.title, d.url) for d in answer.documents)
        lines += ["", f"Documents: {links}"]
    return "\n".join(lines)


def message_card(answer: AskResponse) -> Message:
    """A MessageCard: one section per person, then a section of documents."""
    sections = [_person_section(person) for person in answer.people]
    if not answer.people:
        sections.append({"text": "Nobody stands out for this yet. Try other words."})
    if answer.documents:
        links = " · ".join(markdown_link(d.title, d.url) for d in answer.documents)
        sections.append({"title": "Documents", "text": links})
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": f"Who knows about {answer.query}",
        "title": f"Who knows about “{markdown_escape(answer.query)}”?",
        "sections": sections,
    }


def _person_section(person: PersonOut) -> Message:
    section: Message = {"activityTitle": f"**{markdown_escape(person.name)}**"}
    if role := title_and_team(person):
        section["activitySubtitle"] = markdown_escape(role)
    lines = []
    if (top := top_evidence(person)) is not None:
        lines.append(f"{role_label(top.role)}: {markdown_link(top.title, top.url)}")
    if more := more_evidence(person):
        lines.append("also: " + ", ".join(markdown_link(e.title, e.url) for e in more))
    if lines:
        section["text"] = "\n\n".join(lines)
    return section
