"""The chat-tool endpoints: read the raw body, verify it, search, answer in the tool's format.

Each integration is off until its secret is set (``WHOKNOWS_SLACK_SIGNING_SECRET``,
``WHOKNOWS_TEAMS_HMAC_KEY``, ``WHOKNOWS_MATTERMOST_TOKEN``); until then it answers 404.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from pydantic import SecretStr

from indexer.config import Settings
from indexer.errors import ConfigError
from search_api.integrations import (
    DOCUMENTS_LIMIT,
    PEOPLE_LIMIT,
    MalformedRequestError,
    VerificationError,
    form_field,
    mattermost,
    parse_form,
    slack,
    teams,
)
from search_api.schemas import AskResponse
from search_api.service import QueryError, SearchService

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/integrations", tags=["integrations"])

SLACK_ACK_SECONDS = 2.5
"""Slack shows an error after 3 s: a search still running then is answered via response_url."""
FOLLOW_UP_TIMEOUT = 10.0

Message = dict[str, Any]


def get_clock() -> Callable[[], float]:
    """The clock Slack timestamps are checked against (Unix seconds); tests replace it."""
    return time.time


def get_slack_ack_seconds() -> float:
    """How long a Slack command waits for its search before acknowledging; tests replace it."""
    return SLACK_ACK_SECONDS


ClockDep = Annotated[Callable[[], float], Depends(get_clock)]
AckSecondsDep = Annotated[float, Depends(get_slack_ack_seconds)]


@router.post("/slack/command")
async def slack_command(
    request: Request, background: BackgroundTasks, clock: ClockDep, ack_seconds: AckSecondsDep
) -> Message:
    """A Slack slash command: Block Kit answer, or "Searching…" and the answer via response_url."""
    secret = _secret(request, "slack", "slack_signing_secret")
    body = await request.body()
    try:
        slack.verify(
            secret,
            timestamp=request.headers.get(slack.TIMESTAMP_HEADER),
            signature=request.headers.get(slack.SIGNATURE_HEADER),
            body=body,
            now=clock(),
        )
    except VerificationError as exc:
        raise _rejected("slack", exc) from None
    with _malformed("slack"):
        form = parse_form(body)
        query = slack.command_text(form_field(form, "text"))
        if not query:
            return slack.help_message(form.get("command") or "/whoknows")
        response_url = _response_url(form)

    search = asyncio.create_task(asyncio.to_thread(_search, request, query))
    if ack_seconds > 0:
        await asyncio.wait({search}, timeout=ack_seconds)
    if search.done():
        return _slack_reply(search)
    logger.info("slack search still running after %.1f s; answering via response_url", ack_seconds)
    background.add_task(_slack_follow_up, search, response_url)
    return slack.searching_message(query)


@router.post("/teams")
async def teams_webhook(request: Request) -> Message:
    """A Microsoft Teams outgoing webhook: a message with a MessageCard attachment."""
    key = _secret(request, "teams", "teams_hmac_key")
    body = await request.body()
    try:
        teams.verify(key, request.headers.get(teams.AUTH_HEADER), body)
    except VerificationError as exc:
        raise _rejected("teams", exc) from None
    except ConfigError as exc:
        logger.error("teams integration is misconfigured: %s", exc)
        raise HTTPException(
            status_code=500, detail="teams integration is misconfigured; see the server log"
        ) from None
    with _malformed("teams"):
        query = teams.activity_text(teams.parse_activity(body))
    if not query:
        return teams.help_message()
    try:
        answer = await asyncio.to_thread(_search, request, query)
    except QueryError as exc:
        return teams.error_message(str(exc))
    return teams.answer_message(answer)


@router.post("/mattermost")
async def mattermost_command(request: Request) -> Message:
    """A Mattermost slash command: an ephemeral Markdown answer."""
    token = _secret(request, "mattermost", "mattermost_token")
    body = await request.body()
    with _malformed("mattermost"):
        form = parse_form(body)
    try:
        mattermost.verify(token, form.get("token"))
    except VerificationError as exc:
        raise _rejected("mattermost", exc) from None
    with _malformed("mattermost"):
        query = form_field(form, "text").strip()
    if not query:
        return mattermost.help_message(form.get("command") or "/whoknows")
    try:
        answer = await asyncio.to_thread(_search, request, query)
    except QueryError as exc:
        return mattermost.error_message(str(exc))
    return mattermost.answer_message(answer)


def _secret(request: Request, integration: str, field: str) -> str:
    settings: Settings = request.app.state.settings
    value: SecretStr | None = getattr(settings, field)
    if value is None or not value.get_secret_value():
        raise HTTPException(
            status_code=404,
            detail=f"{integration} integration is not configured: set WHOKNOWS_{field.upper()}",
        )
    return value.get_secret_value()


def _rejected(integration: str, reason: VerificationError) -> HTTPException:
    logger.warning("%s request rejected: %s", integration, reason)
    return HTTPException(status_code=401, detail=f"{integration} request rejected: {reason}")


@contextmanager
def _malformed(integration: str) -> Iterator[None]:
    """Turn a ``MalformedRequestError`` raised inside the block into a 400."""
    try:
        yield
    except MalformedRequestError as exc:
        raise HTTPException(
            status_code=400, detail=f"malformed {integration} request: {exc}"
        ) from None


def _response_url(form: dict[str, str]) -> str:
    url = form_field(form, "response_url")
    if not url.startswith(("https://", "http://")):
        raise MalformedRequestError("response_url is not an http(s) URL")
    return url


def _service(request: Request) -> SearchService:
    service: SearchService = request.app.state.service
    return service


def _search(request: Request, query: str) -> AskResponse:
    """Search as a chat user: public documents plus those of the configured ``chat_groups``."""
    groups = tuple(request.app.state.settings.chat_groups)
    return _service(request).search(
        query, people_limit=PEOPLE_LIMIT, documents_limit=DOCUMENTS_LIMIT, groups=groups
    )


def _slack_reply(search: asyncio.Task[AskResponse]) -> Message:
    try:
        return slack.answer_message(search.result())
    except QueryError as exc:
        return slack.error_message(str(exc))


async def _slack_follow_up(search: asyncio.Task[AskResponse], response_url: str) -> None:
    await asyncio.wait({search})
    await _post_json(response_url, _slack_reply(search))


async def _post_json(url: str, payload: Message) -> None:
    """POST ``payload`` to the URL Slack gave; a failure is logged, never raised."""
    import httpx  # only the Slack follow-up needs an HTTP client

    try:
        async with httpx.AsyncClient(timeout=FOLLOW_UP_TIMEOUT) as client:
            response = await client.post(url, json=payload)
            response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        logger.warning("slack follow-up answer refused: HTTP %s", exc.response.status_code)
    except httpx.HTTPError as exc:
        logger.warning("slack follow-up answer not delivered: %s", type(exc).__name__)
