"""Mattermost: the command token, Markdown answers, and the slash command end to end."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from search_api.integrations import VerificationError, mattermost
from tests.integrations import ANSWER, HELM_QUERY, NOBODY, tiny_org_app

TOKEN = "xr3j5x3p4pfk7kk6ck7b4e6ghh"
URL = "/integrations/mattermost"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def command(text: str, token: str | None = TOKEN) -> bytes:
    """The form Mattermost posts for ``/whoknows <text>``."""
    fields = {
        "channel_id": "fukg4hqdefgp5qkzn1zzt3fnjc",
        "command": "/whoknows",
        "team_domain": "lumen",
        "text": text,
        "user_name": "dana",
    }
    if token is not None:
        fields["token"] = token
    return urlencode(fields).encode()


# --- token and formatting (pure) --------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (None, "the form has no token"),
        ("", "the form has no token"),
        ("xr3j5x3p4pfk7kk6ck7b4e6ghH", "the token does not match the configured command token"),
        ("ünïcode", "the token does not match the configured command token"),
    ],
)
def test_verify_rejects_with_the_reason(token: str | None, reason: str) -> None:
    with pytest.raises(VerificationError) as error:
        mattermost.verify(TOKEN, token)

    assert str(error.value) == reason


def test_answer_message_is_an_exact_markdown_table() -> None:
    assert mattermost.answer_message(ANSWER) == {
        "response_type": "ephemeral",
        "text": "#### Who knows about “helm rollback”?\n"
        "\n"
        "| Who | Role | Why |\n"
        "| --- | --- | --- |\n"
        "| **Ana Kovač** | Platform engineer, Platform | accepted answerer: "
        "[Helm rollback stuck \\<pending\\>](https://qa.example.com/q/1), "
        "[Rolling back a Helm release](https://wiki.example.com/helm) |\n"
        "| **Bruno Díaz** | Database administrator | author: PostgreSQL vacuum & bloat |\n"
        "\n"
        "**Documents:** [Rolling back a Helm release](https://wiki.example.com/helm)"
        " · Deploy runbook",
    }


def test_a_pipe_in_a_title_does_not_break_the_table() -> None:
    evidence = ANSWER.people[1].evidence[0].model_copy(update={"title": "Vacuum | bloat"})
    person = ANSWER.people[1].model_copy(update={"evidence": [evidence]})
    answer = NOBODY.model_copy(update={"people": [person]})

    row = mattermost.answer_markdown(answer).splitlines()[-1]

    assert row == "| **Bruno Díaz** | Database administrator | author: Vacuum \\| bloat |"


def test_answer_message_without_people_says_so() -> None:
    assert mattermost.answer_message(NOBODY, response_type="in_channel") == {
        "response_type": "in_channel",
        "text": "#### Who knows about “underwater basket weaving”?\n"
        "\n"
        "Nobody stands out for this yet. Try other words.",
    }


# --- end to end -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    app = tiny_org_app(tmp_path_factory.mktemp("org"), embedder, mattermost_token=TOKEN)
    with TestClient(app) as test_client:
        yield test_client


def test_a_command_with_the_token_gets_the_author_first(client: TestClient) -> None:
    response = client.post(URL, content=command(HELM_QUERY), headers=FORM)

    assert response.status_code == 200
    message = response.json()
    assert message["response_type"] == "ephemeral"
    lines = message["text"].splitlines()
    assert lines[:5] == [
        f"#### Who knows about “{HELM_QUERY}”?",
        "",
        "| Who | Role | Why |",
        "| --- | --- | --- |",
        "| **Ana Kovač** | Platform engineer | author: Rolling back a Helm release |",
    ]
    assert lines[-1].startswith("**Documents:** Rolling back a Helm release")


def test_an_empty_command_gets_help(client: TestClient) -> None:
    response = client.post(URL, content=command("  "), headers=FORM)

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Ask who knows about a topic, for example `/whoknows helm rollback`.",
    }


def test_an_over_long_query_gets_an_ephemeral_explanation(client: TestClient) -> None:
    response = client.post(URL, content=command("x" * 1001), headers=FORM)

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Sorry, I could not search: q is 1001 characters long; at most 1000 are allowed",
    }


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (
            "wrong-token",
            "mattermost request rejected: the token does not match the configured command token",
        ),
        (None, "mattermost request rejected: the form has no token"),
    ],
)
def test_a_wrong_or_missing_token_is_401_and_logged_without_it(
    client: TestClient, caplog: pytest.LogCaptureFixture, token: str | None, detail: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="search_api.integrations.routes"):
        response = client.post(URL, content=command(HELM_QUERY, token=token), headers=FORM)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    [record] = caplog.records
    assert record.getMessage() == detail
    assert "wrong-token" not in record.getMessage()
    assert TOKEN not in record.getMessage()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"token", "malformed mattermost request: the body is not a URL-encoded form"),
        (b"text=%C3%28", "malformed mattermost request: the form is not UTF-8 text"),
        (
            urlencode({"token": TOKEN}).encode(),
            "malformed mattermost request: the form has no 'text' field",
        ),
    ],
)
def test_a_malformed_form_is_400(client: TestClient, body: bytes, detail: str) -> None:
    response = client.post(URL, content=body, headers=FORM)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_without_a_token_the_endpoint_is_404(tmp_path: Path) -> None:
    unconfigured = TestClient(create_app(Settings(data_dir=tmp_path)))

    response = unconfigured.post(URL, content=command(HELM_QUERY), headers=FORM)

    assert response.status_code == 404
    assert response.json() == {
        "detail": "mattermost integration is not configured: set WHOKNOWS_MATTERMOST_TOKEN"
    }
