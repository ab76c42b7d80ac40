"""Mattermost slash commands: token check and Markdown answers. No I/O.

Mattermost posts a form with the command's ``token`` and the user's ``text`` and shows the
``text`` of the JSON answer; ``response_type: ephemeral`` shows it to the asker only.

Example:
    >>> verify("s3cret", "s3cret")
"""

from __future__ import annotations

import hmac
from typing import Any

from search_api.integrations import (
    VerificationError,
    markdown_escape,
    markdown_link,
    more_evidence,
    role_label,
    title_and_team,
    top_evidence,
)
from search_api.schemas import AskResponse, PersonOut

Message = dict[str, Any]


def verify(expected: str, token: str | None) -> None:
    """Raise ``VerificationError`` unless ``token`` is the configured command token."""
    if not token:
        raise VerificationError("the form has no token")
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise VerificationError("the token does not match the configured command token")


def help_message(command: str = "/whoknows") -> Message:
    """What an empty command answers."""
    return {
        "response_type": "ephemeral",
        "text": f"Ask who knows about a topic, for example `{command} helm rollback`.",
    }


def error_message(problem: str) -> Message:
    """A problem with the query, told to the asker only."""
    return {
        "response_type": "ephemeral",
        "text": f"Sorry, I could not search: {markdown_escape(problem)}",
    }


def answer_message(answer: AskResponse, response_type: str = "ephemeral") -> Message:
    """A heading, a table of people (who, role, why), then the documents."""
    return {"response_type": response_type, "text": answer_markdown(answer)}


def answer_markdown(answer: AskResponse) -> str:
    """The answer as Mattermost Markdown."""
    lines = [f"#### Who knows about “{markdown_escape(answer.query)}”?", ""]
    if answer.people:
        lines += ["| Who | Role | Why |", "| --- | --- | --- |"]
        lines += [_person_row(person) for person in answer.people]
    else:
        lines.append("Nobody stands out for this yet. Try other words.")
    if answer.documents:
        links = " · ".join(markdown_link(d.title, d.url) for d in answer.documents)
        lines += ["", f"**Documents:** {links}"]
    return "\n".join(lines)


def _person_row(person: PersonOut) -> str:
    why = []
    if (top := top_evidence(person)) is not None:
        why.append(f"{role_label(top.role)}: {markdown_link(top.title, top.url)}")
    why += [markdown_link(e.title, e.url) for e in more_evidence(person)]
    cells = [f"**{markdown_escape(person.name)}**", markdown_escape(title_and_team(person))]
    return f"| {cells[0]} | {cells[1]} | {', '.join(why)} |"
