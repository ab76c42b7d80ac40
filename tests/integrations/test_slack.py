"""Slack: v0 request signing, Block Kit answers, and the slash command end to end."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from indexer.config import Settings, load_settings
from search_api.app import create_app
from search_api.integrations import VerificationError, slack
from search_api.integrations.routes import get_clock, get_slack_ack_seconds
from tests.integrations import ANSWER, HELM_QUERY, NOBODY, tiny_org_app

# The worked example of Slack's "Verifying requests from Slack" page, verbatim.
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    b"&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
    b"%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

SECRET = "test-signing-secret"
NOW = 1_700_000_000
URL = "/integrations/slack/command"


def signed(body: bytes, *, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    """Headers as Slack sends them, computed here (not with the code under test)."""
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command(text: str, response_url: str = "https://hooks.slack.com/commands/T1/2/x") -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "command": "/whoknows",
            "text": text,
            "user_id": "U2CERLKJA",
            "response_url": response_url,
        }
    ).encode()


# --- signing (pure) ---------------------------------------------------------------------


def test_sign_reproduces_slacks_documented_example() -> None:
    assert slack.sign(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE


def test_verify_accepts_slacks_documented_example() -> None:
    slack.verify(
        DOC_SECRET,
        timestamp=DOC_TIMESTAMP,
        signature=DOC_SIGNATURE,
        body=DOC_BODY,
        now=int(DOC_TIMESTAMP) + 300,
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"body": DOC_BODY + b"&x=1"}, "X-Slack-Signature does not match the request body"),
        ({"secret": "another-secret"}, "X-Slack-Signature does not match the request body"),
        ({"signature": DOC_SIGNATURE.upper()}, "X-Slack-Signature does not match the request body"),
        ({"signature": None}, "missing X-Slack-Signature header"),
        ({"timestamp": None}, "missing X-Slack-Request-Timestamp header"),
        ({"timestamp": "yesterday"}, "X-Slack-Request-Timestamp is not a Unix time in seconds"),
        (
            {"now": int(DOC_TIMESTAMP) + 301},
            "X-Slack-Request-Timestamp is 301 seconds away from the server clock; at most 300 "
            "are allowed (a replayed request, or a wrong clock)",
        ),
        (
            {"now": int(DOC_TIMESTAMP) - 301},
            "X-Slack-Request-Timestamp is 301 seconds away from the server clock; at most 300 "
            "are allowed (a replayed request, or a wrong clock)",
        ),
    ],
)
def test_verify_rejects_with_the_reason(changes: dict, reason: str) -> None:
    arguments = {
        "secret": DOC_SECRET,
        "timestamp": DOC_TIMESTAMP,
        "signature": DOC_SIGNATURE,
        "body": DOC_BODY,
        "now": int(DOC_TIMESTAMP),
    } | changes
    secret = arguments.pop("secret")

    with pytest.raises(VerificationError) as error:
        slack.verify(secret, **arguments)

    assert str(error.value) == reason


# --- formatting (pure) ------------------------------------------------------------------


def test_answer_message_is_exact_block_kit() -> None:
    assert slack.answer_message(ANSWER) == {
        "response_type": "ephemeral",
        "text": "Who knows about helm rollback: Ana Kovač, Bruno Díaz",
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": "Who knows about “helm rollback”?"},
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Ana Kovač* · Platform engineer, Platform\n"
                    "accepted answerer: "
                    "<https://qa.example.com/q/1|Helm rollback stuck &lt;pending&gt;>\n"
                    "also: <https://wiki.example.com/helm|Rolling back a Helm release>",
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*Bruno Díaz* · Database administrator\n"
                    "author: PostgreSQL vacuum &amp; bloat",
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "<https://wiki.example.com/helm|Rolling back a Helm release>"
                        " · Deploy runbook",
                    }
                ],
            },
        ],
    }


def test_answer_message_without_people_says_so() -> None:
    message = slack.answer_message(NOBODY, response_type="in_channel")

    assert message == {
        "response_type": "in_channel",
        "text": "Who knows about underwater basket weaving: nobody yet",
        "blocks": [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": "Who knows about “underwater basket weaving”?",
                },
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "Nobody stands out for this yet. Try other words.",
                },
            },
        ],
    }


def test_a_long_query_is_clipped_to_the_header_limit() -> None:
    message = slack.answer_message(NOBODY.model_copy(update={"query": "x" * 400}))

    header = message["blocks"][0]["text"]["text"]
    assert len(header) == 150
    assert header.endswith("xx…")


def test_command_text_unescapes_what_slack_escaped() -> None:
    assert slack.command_text("  a &lt;b&gt; &amp;amp; c ") == "a <b> &amp; c"


# --- end to end -------------------------------------------------------------------------


class _ResponseUrl(BaseHTTPRequestHandler):
    """Records each POST; answers 500 on /fail, else 200."""

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers["Content-Length"])
        payload = json.loads(self.rfile.read(length))
        self.server.received.put((self.path, self.headers["Content-Type"], payload))  # type: ignore[attr-defined]
        self.send_response(500 if self.path == "/fail" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def response_url_server() -> Iterator[ThreadingHTTPServer]:
    """A tiny HTTP server on 127.0.0.1 standing in for Slack's response_url."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ResponseUrl)
    server.received = queue.Queue()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embedder) -> FastAPI:
    return tiny_org_app(tmp_path_factory.mktemp("org"), embedder, slack_signing_secret=SECRET)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    app.dependency_overrides[get_clock] = lambda: lambda: NOW
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def slow_search(app: FastAPI) -> Iterator[None]:
    """Acknowledge at once, whatever the search takes: the path Slack's 3 s limit forces."""
    app.dependency_overrides[get_slack_ack_seconds] = lambda: 0.0
    yield
    del app.dependency_overrides[get_slack_ack_seconds]


def test_a_signed_command_gets_block_kit_with_the_author_first(client: TestClient) -> None:
    body = command(f"  {HELM_QUERY} ")

    response = client.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200
    message = response.json()
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Who knows about “{HELM_QUERY}”?"},
    }
    assert message["blocks"][1] == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "*Ana Kovač* · Platform engineer\nauthor: Rolling back a Helm release",
        },
    }
    assert message["blocks"][-1]["type"] == "context"
    assert message["blocks"][-1]["elements"][0]["text"].startswith("Rolling back a Helm release")


def test_slacks_documented_request_is_accepted_and_gets_help(tmp_path: Path) -> None:
    documented = create_app(Settings(data_dir=tmp_path, slack_signing_secret=DOC_SECRET))
    documented.dependency_overrides[get_clock] = lambda: lambda: int(DOC_TIMESTAMP) + 60
    headers = {
        "X-Slack-Request-Timestamp": DOC_TIMESTAMP,
        "X-Slack-Signature": DOC_SIGNATURE,
        "Content-Type": "application/x-www-form-urlencoded",
    }

    response = TestClient(documented).post(URL, content=DOC_BODY, headers=headers)

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Ask who knows about a topic, for example `/webhook-collect helm rollback`. "
        "You get the colleagues with the strongest evidence, and a few documents.",
    }


def test_the_slow_path_acknowledges_then_posts_the_answer_to_response_url(
    client: TestClient, slow_search: None, response_url_server: ThreadingHTTPServer
) -> None:
    host, port = response_url_server.server_address[:2]
    body = command(HELM_QUERY, response_url=f"http://{host}:{port}/commands/T1/42/abc")

    response = client.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": f"Searching… who knows about {HELM_QUERY}?",
    }
    path, content_type, payload = response_url_server.received.get(timeout=30)  # type: ignore[attr-defined]
    assert (path, content_type) == ("/commands/T1/42/abc", "application/json")
    assert payload["response_type"] == "ephemeral"
    assert payload["blocks"][1]["text"]["text"].startswith("*Ana Kovač* · Platform engineer\n")


def test_a_refused_follow_up_is_logged_without_the_url(
    client: TestClient,
    slow_search: None,
    response_url_server: ThreadingHTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    host, port = response_url_server.server_address[:2]
    body = command(HELM_QUERY, response_url=f"http://{host}:{port}/fail")

    with caplog.at_level(logging.WARNING, logger="search_api.integrations.routes"):
        response = client.post(URL, content=body, headers=signed(body))
        response_url_server.received.get(timeout=30)  # type: ignore[attr-defined]

    assert response.status_code == 200
    assert [r.getMessage() for r in caplog.records] == ["slack follow-up answer refused: HTTP 500"]


def test_an_empty_command_gets_help(client: TestClient) -> None:
    body = command("   ")

    response = client.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200
    assert response.json()["text"].startswith("Ask who knows about a topic, for example `/whoknows")


def test_an_over_long_query_gets_an_ephemeral_explanation(client: TestClient) -> None:
    body = command("helm " * 201)

    response = client.post(URL, content=body, headers=signed(body))

    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "Sorry, I could not search: q is 1004 characters long; at most 1000 are allowed",
    }


@pytest.mark.parametrize(
    ("tamper", "detail"),
    [
        (
            lambda body, headers: (body.replace(b"helm", b"HELM"), headers),
            "slack request rejected: X-Slack-Signature does not match the request body",
        ),
        (
            lambda body, headers: (body, signed(body, timestamp=NOW - 301)),
            "slack request rejected: X-Slack-Request-Timestamp is 301 seconds away from the "
            "server clock; at most 300 are allowed (a replayed request, or a wrong clock)",
        ),
        (
            lambda body, headers: (body, signed(body, secret="not-the-secret")),
            "slack request rejected: X-Slack-Signature does not match the request body",
        ),
        (
            lambda body, headers: (body, headers | {"X-Slack-Signature": ""}),
            "slack request rejected: missing X-Slack-Signature header",
        ),
        (
            lambda body, headers: (body, {"X-Slack-Signature": headers["X-Slack-Signature"]}),
            "slack request rejected: missing X-Slack-Request-Timestamp header",
        ),
    ],
    ids=["tampered-body", "old-timestamp", "wrong-secret", "no-signature", "no-timestamp"],
)
def test_an_unverified_request_is_401_and_logged_without_body_or_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture, tamper, detail: str
) -> None:
    body, headers = tamper(command(HELM_QUERY), signed(command(HELM_QUERY)))

    with caplog.at_level(logging.WARNING, logger="search_api.integrations.routes"):
        response = client.post(URL, content=body, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == detail
    assert "helm" not in record.getMessage().lower()
    assert SECRET not in record.getMessage()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"text", "malformed slack request: the body is not a URL-encoded form"),
        (b"text=%FF", "malformed slack request: the form is not UTF-8 text"),
        (b"command=%2Fwhoknows", "malformed slack request: the form has no 'text' field"),
        (b"text=helm", "malformed slack request: the form has no 'response_url' field"),
        (
            b"text=helm&response_url=file%3A%2F%2F%2Fetc%2Fpasswd",
            "malformed slack request: response_url is not an http(s) URL",
        ),
    ],
)
def test_a_signed_but_malformed_form_is_400(client: TestClient, body: bytes, detail: str) -> None:
    response = client.post(URL, content=body, headers=signed(body))

    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_without_a_signing_secret_the_endpoint_is_404(tmp_path: Path) -> None:
    unconfigured = TestClient(create_app(Settings(data_dir=tmp_path)))
    body = command(HELM_QUERY)

    response = unconfigured.post(URL, content=body, headers=signed(body))

    assert response.status_code == 404
    assert response.json() == {
        "detail": "slack integration is not configured: set WHOKNOWS_SLACK_SIGNING_SECRET"
    }


def test_the_secrets_come_from_the_environment_and_are_not_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WHOKNOWS_SLACK_SIGNING_SECRET", "from-env")
    monkeypatch.setenv("WHOKNOWS_TEAMS_HMAC_KEY", "a2V5")
    monkeypatch.setenv("WHOKNOWS_MATTERMOST_TOKEN", "mm-token")

    settings = Settings()

    assert settings.slack_signing_secret is not None
    assert settings.teams_hmac_key is not None
    assert settings.mattermost_token is not None
    assert (
        settings.slack_signing_secret.get_secret_value(),
        settings.teams_hmac_key.get_secret_value(),
        settings.mattermost_token.get_secret_value(),
    ) == ("from-env", "a2V5", "mm-token")
    assert "from-env" not in repr(settings)
    assert "mm-token" not in str(settings)


def test_the_secrets_can_come_from_a_private_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WHOKNOWS_SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.delenv("WHOKNOWS_TEAMS_HMAC_KEY", raising=False)
    config = tmp_path / "whoknows.toml"
    config.write_text('slack_signing_secret = "from-file"\n', encoding="utf-8")

    settings = load_settings(config)

    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "from-file"
    assert settings.teams_hmac_key is None
