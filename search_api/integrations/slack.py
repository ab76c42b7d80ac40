"""Slack slash commands: request signing (v0) and Block Kit answers. No I/O.

Slack signs ``v0:{X-Slack-Request-Timestamp}:{raw body}`` with HMAC-SHA256 under the
app's signing secret and sends ``v0=<hex>`` in ``X-Slack-Signature``.

Example:
    >>> sign("secret", "1531420618", b"text=helm")[:10]
    'v0=9e780f5'
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from search_api.integrations import (
    VerificationError,
    more_evidence,
    role_label,
    title_and_team,
    top_evidence,
)
from search_api.links import safe_link
from search_api.schemas import AskResponse, PersonOut

SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
VERSION = "v0"
MAX_CLOCK_SKEW = 300
"""Seconds a request's timestamp may be away from the server clock (Slack's advice: 5 min)."""
HEADER_CHARS = 150
"""A header block's plain text may be at most 150 characters."""
TITLE_CHARS = 150
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")
"""A timestamp Slack sends: plain ASCII digits (12 reach the year 33658)."""

Message = dict[str, Any]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value Slack sends for ``body`` at ``timestamp``."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    max_skew: int = MAX_CLOCK_SKEW,
) -> None:
    """Raise ``VerificationError`` unless the headers sign ``body`` and the timestamp is fresh."""
    if not timestamp:
        raise VerificationError(f"missing {TIMESTAMP_HEADER} header")
    if not signature:
        raise VerificationError(f"missing {SIGNATURE_HEADER} header")
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise VerificationError(f"{TIMESTAMP_HEADER} is not a Unix time in seconds")
    sent_at = int(timestamp)
    skew = abs(now - sent_at)
    if skew > max_skew:
        raise VerificationError(
            f"{TIMESTAMP_HEADER} is {int(skew)} seconds away from the server clock; "
            f"at most {max_skew} are allowed (a replayed request, or a wrong clock)"
        )
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise VerificationError(f"{SIGNATURE_HEADER} does not match the request body")


def command_text(text: str) -> str:
    """The user's words: Slack sends ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def escape(text: str) -> str:
    """Escape the three characters that mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(title: str, url: str) -> str:
    """``<url|title>`` in mrkdwn, or the escaped title alone when there is no URL fit to link."""
    title = escape(_clip(title, TITLE_CHARS)).replace("|", "¦")
    url = safe_link(url)
    return f"<{escape(url).replace('|', '%7C')}|{title}>" if url else title


def help_message(command: str = "/whoknows") -> Message:
    """What an empty command answers: how to use it, for the asker only."""
    return {
        "response_type": "ephemeral",
        "text": (
            f"Ask who knows about a topic, for example `{escape(command)} helm rollback`. "
            "You get the colleagues with the strongest evidence, and a few documents."
        ),
    }


def searching_message(query: str) -> Message:
    """The immediate acknowledgement when the search takes longer than Slack waits."""
    return {"response_type": "ephemeral", "text": f"Searching… who knows about {escape(query)}?"}


def error_message(problem: str) -> Message:
    """A problem with the query, told to the asker only."""
    return {"response_type": "ephemeral", "text": f"Sorry, I could not search: {escape(problem)}"}


def answer_message(answer: AskResponse, response_type: str = "ephemeral") -> Message:
    """Block Kit: a header with the query, a section per person, a context block of documents."""
    blocks: list[Message] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _clip(f"Who knows about “{answer.query}”?", HEADER_CHARS),
            },
        }
    ]
    if not answer.people:
        blocks.append(_section("Nobody stands out for this yet. Try other words."))
    blocks.extend(_section(person_text(person)) for person in answer.people)
    if answer.documents:
        links = " · ".join(link(d.title, d.url) for d in answer.documents)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
    names = ", ".join(p.name for p in answer.people) or "nobody yet"
    return {
        "response_type": response_type,
        "text": escape(f"Who knows about {answer.query}: {names}"),
        "blocks": blocks,
    }


def person_text(person: PersonOut) -> str:
    """``*Name* · Title, Team``, then the top evidence, then a few more links."""
    lines = [f"*{escape(person.name)}*"]
    if role := title_and_team(person):
        lines[0] += f" · {escape(role)}"
    if (top := top_evidence(person)) is not None:
        lines.append(f"{role_label(top.role)}: {link(top.title, top.url)}")
    if more := more_evidence(person):
        lines.append("also: " + ", ".join(link(e.title, e.url) for e in more))
    return "\n".join(lines)


def _section(text: str) -> Message:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
