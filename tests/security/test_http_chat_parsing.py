"""Hostile signature headers on the chat routes are rejected like any bad signature, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.helpers import build_index
from tests.security.http_helpers import (
    CHAT_SECRETS,
    MATTERMOST_TOKEN,
    client_for,
)

MATTERMOST_MISMATCH = "the token does not match the configured command token"
NOT_UNIX_TIME = "slack request rejected: X-Slack-Request-Timestamp is not a Unix time in seconds"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    with client_for(data, embedder, **CHAT_SECRETS) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "timestamp",
    ["1" + "0" * 400, "9" * 4000, "+1700000000", " 1700000000", "1_700_000_000", "1e9", "-1"],
    ids=["401-digits", "4000-digits", "plus", "space", "underscores", "exponent", "negative"],
)
def test_a_slack_timestamp_that_is_not_plain_digits_is_401(
    client: TestClient, timestamp: str
) -> None:
    body = urlencode({"text": "helm", "response_url": "https://hooks.slack.com/x"}).encode()
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
        "Content-Type": "application/x-www-form-urlencoded",
    }

    response = client.post("/integrations/slack/command", content=body, headers=headers)

    assert (response.status_code, response.json()) == (401, {"detail": NOT_UNIX_TIME})


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        ("HMAC " + "A" * 6000, "Authorization HMAC does not match the request body"),
        ("HMAC \xe9\xe9\xe9\xe9", "Authorization header signature is not base64"),
        ("HMAC ====", "Authorization header signature is not base64"),
        ("\xe9 abc", "Authorization header is not 'HMAC <base64 signature>'"),
    ],
    ids=["long", "latin-1", "padding-only", "latin-1-scheme"],
)
def test_a_hostile_teams_authorization_is_401(
    client: TestClient, authorization: str, reason: str
) -> None:
    response = client.post(
        "/integrations/teams",
        content=b'{"type": "message", "text": "helm"}',
        headers={
            "Authorization": authorization.encode("latin-1"),
            "Content-Type": "application/json",
        },
    )

    assert (response.status_code, response.json()) == (
        401,
        {"detail": f"teams request rejected: {reason}"},
    )


@pytest.mark.parametrize("token", ["tökén", MATTERMOST_TOKEN + "\x00", MATTERMOST_TOKEN * 500])
def test_a_hostile_mattermost_token_is_401(client: TestClient, token: str) -> None:
    body = urlencode({"token": token, "text": "helm"}).encode()

    response = client.post(
        "/integrations/mattermost",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert (response.status_code, response.json()) == (
        401,
        {"detail": f"mattermost request rejected: {MATTERMOST_MISMATCH}"},
    )
