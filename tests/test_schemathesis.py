"""The API fuzzed from its own OpenAPI schema (schemathesis), and the chat tools on signed garbage.

Both run against the real app over a real index of the tiny organisation, built with the
packaged model. The property: no request gets a 5xx.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error

from indexer.config import Settings
from search_api.app import create_app
from tests.helpers import build_index

SLACK_SECRET = "fuzz-signing-secret"
TEAMS_KEY = base64.b64encode(b"fuzz-teams-key-32-bytes-long!!!!").decode()
MATTERMOST_TOKEN = "fuzz-token"
EXAMPLES = 40


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """The tiny organisation's index; anonymous, unlimited, with every chat tool on."""
    data, _ = build_index(tmp_path_factory.mktemp("schemathesis"), embedder)
    return Settings(
        data_dir=data,
        allow_anonymous=True,
        rate_limit_per_minute=1_000_000,
        rate_limit_burst=1_000_000,
        slack_signing_secret=SecretStr(SLACK_SECRET),
        teams_hmac_key=SecretStr(TEAMS_KEY),
        mattermost_token=SecretStr(MATTERMOST_TOKEN),
    )


@pytest.fixture(scope="module")
def api_schema(app_settings: Settings, embedder) -> schemathesis.BaseSchema:
    """The schema of an app of its own: schemathesis runs its lifespan until the process ends."""
    return schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(app_settings, embedder=embedder)
    )


OPERATIONS = [
    "DELETE /v1/admin/hidden-people/{person_id}",
    "GET /healthz",
    "GET /metrics",
    "GET /readyz",
    "GET /v1/admin/hidden-people",
    "GET /v1/documents",
    "GET /v1/experts",
    "GET /v1/people/{person_id}",
    "GET /v1/search",
    "POST /integrations/mattermost",
    "POST /integrations/slack/command",
    "POST /integrations/teams",
    "PUT /v1/admin/hidden-people/{person_id}",
]


def test_no_operation_answers_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    # One hypothesis run per operation, in a loop: schemathesis' lazy pytest fixture loader
    # (schemathesis.pytest.from_fixture) fails under pytest 9 (it sets Function._nodeid).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert sorted(op.label for op in operations) == OPERATIONS

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # a fixed example set: landings never depend on luck
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        no_server_error()


@pytest.fixture(scope="module")
def client(app_settings: Settings, embedder) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, embedder=embedder)) as test_client:
        yield test_client


def slack_headers(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(SLACK_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def teams_headers(body: bytes) -> dict[str, str]:
    digest = hmac.new(base64.b64decode(TEAMS_KEY), body, hashlib.sha256).digest()
    return {"Authorization": f"HMAC {base64.b64encode(digest).decode()}"}


# Bodies that pass the signature check, so that parsing and searching are what is fuzzed.
FORM_VALUE = st.text(max_size=40) | st.sampled_from(["", " ", "%zz", "&", "=", "help", "a" * 2000])
FORM = st.dictionaries(
    st.sampled_from(["text", "command", "token", "response_url", "user_id", "x"]), FORM_VALUE
).map(lambda fields: "&".join(f"{k}={v}" for k, v in fields.items()).encode())
JSON_BODY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["text", "type", "from", "x"]), children, max_size=3)
    ),
    max_leaves=6,
).map(lambda value: json.dumps(value).encode())
GARBAGE = (
    FORM
    | JSON_BODY
    | st.binary(max_size=300)
    | st.sampled_from([b"[" * 5000, b'{"text": ' + b"9" * 5000 + b"}", b"\xff\xfe{", b"text=%ff"])
)


@settings(
    max_examples=EXAMPLES * 2,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(
    tool=st.sampled_from(["slack", "teams", "mattermost"]),
    body=GARBAGE,
    mattermost_token=st.booleans(),
)
def test_chat_tools_answer_signed_garbage_without_a_server_error(
    client: TestClient, tool: str, body: bytes, mattermost_token: bool
) -> None:
    if tool == "slack":
        response = client.post(
            "/integrations/slack/command", content=body, headers=slack_headers(body)
        )
    elif tool == "teams":
        response = client.post("/integrations/teams", content=body, headers=teams_headers(body))
    else:
        # Mattermost's token travels in the form: add it so that the body past it is parsed
        if mattermost_token:
            body = f"token={MATTERMOST_TOKEN}&".encode() + body
        response = client.post("/integrations/mattermost", content=body)
    assert response.status_code < 500, (response.status_code, response.text)
    assert response.status_code in (200, 400, 401), (response.status_code, response.text)
