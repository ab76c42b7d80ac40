"""Attacks on the chat-tool endpoints: forged, stale and replayed requests; chat groups."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import (
    HR_PROBE,
    MATTERMOST_TOKEN,
    NOW,
    SECURITY_PROBE,
    SECURITY_WORDS,
    SLACK_SECRET,
    TEAMS_KEY,
    ask_chat,
    mattermost_form,
    slack_body,
    slack_headers,
    teams_body,
    teams_headers,
)

SLACK_URL = "/integrations/slack/command"
TEAMS_URL = "/integrations/teams"
MATTERMOST_URL = "/integrations/mattermost"
OTHER_TEAMS_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="
BODY = slack_body("helm rollback")
SIGNED = slack_headers(BODY)
NO_MATCH = "slack request rejected: X-Slack-Signature does not match the request body"


def _away(seconds: int) -> str:
    return (
        f"slack request rejected: X-Slack-Request-Timestamp is {seconds} seconds away from the "
        "server clock; at most 300 are allowed (a replayed request, or a wrong clock)"
    )


def _without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


@pytest.mark.parametrize(
    ("body", "headers", "detail"),
    [
        (
            BODY,
            _without(SIGNED, "X-Slack-Signature"),
            "slack request rejected: missing X-Slack-Signature header",
        ),
        (
            BODY,
            _without(SIGNED, "X-Slack-Request-Timestamp"),
            "slack request rejected: missing X-Slack-Request-Timestamp header",
        ),
        (BODY, slack_headers(BODY, secret=SLACK_SECRET + "!"), NO_MATCH),
        (BODY, SIGNED | {"X-Slack-Signature": "v0=" + "0" * 64}, NO_MATCH),
        (BODY + b"&channel_id=C1", SIGNED, NO_MATCH),
        (BODY, SIGNED | {"X-Slack-Request-Timestamp": str(NOW + 1)}, NO_MATCH),
        (
            BODY,
            SIGNED | {"X-Slack-Request-Timestamp": "yesterday"},
            "slack request rejected: X-Slack-Request-Timestamp is not a Unix time in seconds",
        ),
    ],
    ids=[
        "no signature",
        "no timestamp",
        "wrong secret",
        "zeros",
        "body changed",
        "ts changed",
        "ts",
    ],
)
def test_attack_12_a_forged_slack_request_is_401(
    attack_client: TestClient, body: bytes, headers: dict[str, str], detail: str
) -> None:
    response = attack_client.post(SLACK_URL, content=body, headers=headers)

    assert (response.status_code, response.json()) == (401, {"detail": detail})


@pytest.mark.parametrize("seconds", [301, 600, 86_400, -301])
def test_attack_12_a_replayed_or_stale_slack_request_is_401(
    attack_client: TestClient, seconds: int
) -> None:
    old = slack_headers(BODY, timestamp=NOW - seconds)

    response = attack_client.post(SLACK_URL, content=BODY, headers=old)

    assert (response.status_code, response.json()) == (401, {"detail": _away(abs(seconds))})


@pytest.mark.parametrize("seconds", [0, 300, -300])
def test_attack_12_a_signed_slack_request_within_five_minutes_is_answered(
    attack_client: TestClient, seconds: int
) -> None:
    response = attack_client.post(
        SLACK_URL, content=BODY, headers=slack_headers(BODY, timestamp=NOW - seconds)
    )

    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"


TEAMS = teams_body("helm rollback")


@pytest.mark.parametrize(
    ("body", "headers", "detail"),
    [
        (TEAMS, {"Content-Type": "application/json"}, "missing Authorization header"),
        (
            TEAMS,
            teams_headers(TEAMS, key=OTHER_TEAMS_KEY),
            "Authorization HMAC does not match the request body",
        ),
        (
            teams_body("quokka stipend"),
            teams_headers(TEAMS),
            "Authorization HMAC does not match the request body",
        ),
        (
            TEAMS,
            {"Authorization": "Bearer " + TEAMS_KEY},
            "Authorization header is not 'HMAC <base64 signature>'",
        ),
        (
            TEAMS,
            {"Authorization": "HMAC not*base64"},
            "Authorization header signature is not base64",
        ),
    ],
    ids=["missing", "wrong key", "body changed", "wrong scheme", "not base64"],
)
def test_attack_13_a_forged_teams_request_is_401(
    attack_client: TestClient, body: bytes, headers: dict[str, str], detail: str
) -> None:
    response = attack_client.post(TEAMS_URL, content=body, headers=headers)

    assert (response.status_code, response.json()) == (
        401,
        {"detail": f"teams request rejected: {detail}"},
    )


def test_attack_13_a_signed_teams_request_is_answered(attack_client: TestClient) -> None:
    response = attack_client.post(TEAMS_URL, content=TEAMS, headers=teams_headers(TEAMS))

    assert response.status_code == 200
    assert response.json()["type"] == "message"


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        ({"text": "helm"}, "the form has no token"),
        (mattermost_form("helm", ""), "the form has no token"),
        (
            mattermost_form("helm", MATTERMOST_TOKEN[:-1]),
            "the token does not match the configured command token",
        ),
        (
            mattermost_form("helm", MATTERMOST_TOKEN + " "),
            "the token does not match the configured command token",
        ),
    ],
    ids=["missing", "empty", "prefix", "padded"],
)
def test_attack_14_a_wrong_mattermost_token_is_401(
    attack_client: TestClient, form: dict[str, str], detail: str
) -> None:
    response = attack_client.post(MATTERMOST_URL, data=form)

    assert (response.status_code, response.json()) == (
        401,
        {"detail": f"mattermost request rejected: {detail}"},
    )


@pytest.fixture(scope="module")
def hr_chat(serve_attack_org) -> Iterator[TestClient]:
    with serve_attack_org(chat_groups=["hr"]) as client:
        yield client


@pytest.mark.parametrize("tool", ["slack", "teams", "mattermost"])
def test_attack_24_chat_users_in_hr_see_the_hr_page_and_not_the_security_source(
    hr_chat: TestClient, tool: str
) -> None:
    pay = ask_chat(hr_chat, tool, HR_PROBE)
    vault = ask_chat(hr_chat, tool, SECURITY_PROBE)

    assert ("The quokka stipend ledger" in pay, "Rita Quinn" in pay) == (True, True)
    assert [w for w in (*SECURITY_WORDS, "Sol Vargas") if w in vault] == []
