"""Microsoft Teams: the outgoing webhook HMAC, MessageCard answers, and the endpoint end to end."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.errors import ConfigError
from search_api.app import create_app
from search_api.integrations import MalformedRequestError, VerificationError, teams
from tests.integrations import ANSWER, HELM_QUERY, NOBODY, tiny_org_app

KEY = base64.b64encode(bytes(range(32))).decode()
"""A security token as Teams shows it: base64 of 32 bytes."""
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
URL = "/integrations/teams"


def activity(text: str) -> bytes:
    """The JSON an outgoing webhook posts, trimmed to the fields that matter here."""
    return json.dumps(
        {
            "type": "message",
            "id": "1485983408511",
            "text": text,
            "textFormat": "plain",
            "from": {"id": "29:1abc", "name": "Dana Wu"},
            "channelData": {"teamsTeamId": "19:abc@thread.skype"},
        }
    ).encode()


def authorization(body: bytes, key: str = KEY) -> dict[str, str]:
    """``HMAC <base64>`` computed here, not with the code under test."""
    digest = hmac.new(base64.b64decode(key), body, hashlib.sha256).digest()
    return {
        "Authorization": "HMAC " + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


# --- signing (pure) ---------------------------------------------------------------------


def test_sign_matches_an_independent_hmac() -> None:
    body = activity("<at>WhoKnows</at> helm")

    assert "HMAC " + teams.sign(KEY, body) == authorization(body)["Authorization"]


def test_verify_accepts_the_right_signature_in_any_scheme_case() -> None:
    body = activity("helm")
    signature = authorization(body)["Authorization"].split(" ", 1)[1]

    teams.verify(KEY, f"HMAC {signature}", body)
    teams.verify(KEY, f"hmac {signature}", body)


@pytest.mark.parametrize(
    ("header", "body", "reason"),
    [
        (None, activity("helm"), "missing Authorization header"),
        ("", activity("helm"), "missing Authorization header"),
        ("HMAC", activity("helm"), "Authorization header is not 'HMAC <base64 signature>'"),
        ("Bearer abc=", activity("helm"), "Authorization header is not 'HMAC <base64 signature>'"),
        ("HMAC not*base64", activity("helm"), "Authorization header signature is not base64"),
        (
            authorization(activity("helm"), OTHER_KEY)["Authorization"],
            activity("helm"),
            "Authorization HMAC does not match the request body",
        ),
        (
            authorization(activity("helm"))["Authorization"],
            activity("postgres"),
            "Authorization HMAC does not match the request body",
        ),
    ],
    ids=["none", "empty", "no-signature", "bearer", "not-base64", "wrong-key", "tampered"],
)
def test_verify_rejects_with_the_reason(header: str | None, body: bytes, reason: str) -> None:
    with pytest.raises(VerificationError) as error:
        teams.verify(KEY, header, body)

    assert str(error.value) == reason


def test_a_key_that_is_not_base64_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="WHOKNOWS_TEAMS_HMAC_KEY is not base64"):
        teams.verify("not base64!", "HMAC abc=", b"{}")


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("<at>WhoKnows</at> helm rollback", "helm rollback"),
        ("<at>Who Knows</at>&nbsp;helm <b>rollback</b>\n", "helm rollback"),
        ("helm &amp; kubectl <AT>WhoKnows</AT>", "helm & kubectl"),
        ("<at>WhoKnows</at>", ""),
    ],
)
def test_activity_text_strips_the_mention_and_markup(text: str, query: str) -> None:
    assert teams.activity_text(teams.parse_activity(activity(text))) == query


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "the body is not JSON"),
        (b"\xff\xfe", "the body is not JSON"),
        (b"[1, 2]", "the body is not a JSON object"),
        (b'{"type": "message"}', "the activity has no 'text' string"),
        (b'{"text": 42}', "the activity has no 'text' string"),
        (b"[" * 5000, "the body is JSON too big to read"),
        (b'{"text": ' + b"9" * 5000 + b"}", "the body is JSON too big to read"),
    ],
)
def test_parse_activity_rejects_what_teams_does_not_send(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedRequestError) as error:
        teams.parse_activity(body)

    assert str(error.value) == reason


# --- formatting (pure) ------------------------------------------------------------------


def test_answer_message_is_text_plus_an_exact_message_card() -> None:
    assert teams.answer_message(ANSWER) == {
        "type": "message",
        "text": "**Who knows about “helm rollback”?**\n"
        "\n"
        "1. **Ana Kovač** (Platform engineer, Platform): accepted answerer, "
        "[Helm rollback stuck \\<pending\\>](https://qa.example.com/q/1)\n"
        "2. **Bruno Díaz** (Database administrator): author, PostgreSQL vacuum & bloat\n"
        "\n"
        "Documents: [Rolling back a Helm release](https://wiki.example.com/helm)"
        " · Deploy runbook",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.teams.card.o365connector",
                "content": {
                    "@type": "MessageCard",
                    "@context": "https://schema.org/extensions",
                    "summary": "Who knows about helm rollback",
                    "title": "Who knows about “helm rollback”?",
                    "sections": [
                        {
                            "activityTitle": "**Ana Kovač**",
                            "activitySubtitle": "Platform engineer, Platform",
                            "text": "accepted answerer: "
                            "[Helm rollback stuck \\<pending\\>](https://qa.example.com/q/1)\n"
                            "\n"
                            "also: [Rolling back a Helm release](https://wiki.example.com/helm)",
                        },
                        {
                            "activityTitle": "**Bruno Díaz**",
                            "activitySubtitle": "Database administrator",
                            "text": "author: PostgreSQL vacuum & bloat",
                        },
                        {
                            "title": "Documents",
                            "text": "[Rolling back a Helm release](https://wiki.example.com/helm)"
                            " · Deploy runbook",
                        },
                    ],
                },
            }
        ],
    }


def test_answer_message_without_people_says_so() -> None:
    message = teams.answer_message(NOBODY)

    assert message["text"] == (
        "**Who knows about “underwater basket weaving”?**\n"
        "\n"
        "Nobody stands out for this yet. Try other words."
    )
    assert message["attachments"][0]["content"]["sections"] == [
        {"text": "Nobody stands out for this yet. Try other words."}
    ]


# --- end to end -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    app = tiny_org_app(tmp_path_factory.mktemp("org"), embedder, teams_hmac_key=KEY)
    with TestClient(app) as test_client:
        yield test_client


def test_a_signed_mention_gets_the_author_first(client: TestClient) -> None:
    body = activity(f"<at>WhoKnows</at> {HELM_QUERY}")

    response = client.post(URL, content=body, headers=authorization(body))

    assert response.status_code == 200
    message = response.json()
    assert message["type"] == "message"
    assert message["text"].startswith(
        f"**Who knows about “{HELM_QUERY}”?**\n\n"
        "1. **Ana Kovač** (Platform engineer): author, Rolling back a Helm release\n"
    )
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.teams.card.o365connector"
    assert attachment["content"]["sections"][0] == {
        "activityTitle": "**Ana Kovač**",
        "activitySubtitle": "Platform engineer",
        "text": "author: Rolling back a Helm release",
    }


def test_a_mention_without_a_topic_gets_help(client: TestClient) -> None:
    body = activity("<at>WhoKnows</at>&nbsp;")

    response = client.post(URL, content=body, headers=authorization(body))

    assert response.status_code == 200
    assert response.json() == {
        "type": "message",
        "text": "Mention me with a topic, for example **@WhoKnows helm rollback**.",
    }


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (
            authorization(activity(HELM_QUERY), OTHER_KEY),
            "teams request rejected: Authorization HMAC does not match the request body",
        ),
        ({}, "teams request rejected: missing Authorization header"),
        (
            {"Authorization": "Basic dXNlcjpwYXNz"},
            "teams request rejected: Authorization header is not 'HMAC <base64 signature>'",
        ),
        (
            {"Authorization": "HMAC %%%"},
            "teams request rejected: Authorization header signature is not base64",
        ),
        (
            authorization(activity("postgres vacuum")),
            "teams request rejected: Authorization HMAC does not match the request body",
        ),
    ],
    ids=["wrong-key", "missing", "other-scheme", "not-base64", "signs-another-body"],
)
def test_an_unverified_request_is_401_and_logged_without_body_or_key(
    client: TestClient, caplog: pytest.LogCaptureFixture, headers: dict, detail: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="search_api.integrations.routes"):
        response = client.post(URL, content=activity(HELM_QUERY), headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    [record] = caplog.records
    assert record.getMessage() == detail
    assert "helm" not in record.getMessage()
    assert KEY not in record.getMessage()


def test_a_signed_body_that_is_not_an_activity_is_400(client: TestClient) -> None:
    body = b'["not", "an", "activity"]'

    response = client.post(URL, content=body, headers=authorization(body))

    assert response.status_code == 400
    assert response.json() == {"detail": "malformed teams request: the body is not a JSON object"}


def test_a_key_that_is_not_base64_is_500_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(data_dir=tmp_path, teams_hmac_key="pasted wrong!"))
    body = activity(HELM_QUERY)

    with caplog.at_level(logging.ERROR, logger="search_api.integrations.routes"):
        response = TestClient(app).post(URL, content=body, headers=authorization(body))

    assert response.status_code == 500
    assert response.json() == {"detail": "teams integration is misconfigured; see the server log"}
    assert "WHOKNOWS_TEAMS_HMAC_KEY is not base64" in caplog.text
    assert "pasted wrong!" not in caplog.text


def test_without_a_key_the_endpoint_is_404(tmp_path: Path) -> None:
    body = activity(HELM_QUERY)

    response = TestClient(create_app(Settings(data_dir=tmp_path))).post(
        URL, content=body, headers=authorization(body)
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": "teams integration is not configured: set WHOKNOWS_TEAMS_HMAC_KEY"
    }
