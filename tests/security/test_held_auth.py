"""Attacks on who may call what: keys, scopes, the gateway header, CORS, and keys at rest."""

from __future__ import annotations

import hashlib
import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from search_api.auth import BAD_GATEWAY, INVALID, MISSING
from search_api.observability import ACCESS_LOGGER
from tests.helpers import ANA_ID
from tests.security.conftest import (
    ALLOWED_ORIGIN,
    GATEWAY_SECRET,
    HR_QUERY,
    MATTERMOST_TOKEN,
    PAY_DOC,
    SLACK_SECRET,
    AttackOrg,
    bearer,
    mattermost_form,
    slack_body,
    slack_headers,
)

NEEDS_ADMIN = "this route needs an API key with the 'admin' scope"
V1_ROUTES = [
    ("GET", "/v1/experts?q=helm"),
    ("GET", "/v1/documents?q=helm"),
    ("GET", "/v1/search?q=helm"),
    ("GET", f"/v1/people/{ANA_ID}"),
    ("GET", "/v1/admin/hidden-people"),
    ("PUT", f"/v1/admin/hidden-people/{ANA_ID}"),
    ("DELETE", f"/v1/admin/hidden-people/{ANA_ID}"),
]
ADMIN_ROUTES = [route for route in V1_ROUTES if "/admin/" in route[1]]


def _route_templates(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return {
        (m.upper(), path) for path, ops in paths.items() if path.startswith("/v1/") for m in ops
    }


def _search_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/v1/documents", params={"q": HR_QUERY, "limit": 3}, headers=headers)
    assert response.status_code == 200
    return [d["id"] for d in response.json()["documents"]]


def test_attack_01_the_route_list_covers_every_v1_route(attack_client: TestClient) -> None:
    templates = {(m, p.split("?")[0].replace(ANA_ID, "{person_id}")) for m, p in V1_ROUTES}

    assert _route_templates(attack_client) == templates


@pytest.mark.parametrize(("method", "path"), V1_ROUTES)
@pytest.mark.parametrize(
    ("credential", "detail"),
    [("none", MISSING), ("wrong", INVALID), ("revoked", INVALID), ("tampered", INVALID)],
)
def test_attack_01_no_wrong_or_revoked_key_is_401_on_every_v1_route(
    attack_client: TestClient,
    attack_org: AttackOrg,
    method: str,
    path: str,
    credential: str,
    detail: str,
) -> None:
    headers = {
        "none": {},
        "wrong": bearer("wk_deadbeef_not-a-real-secret"),
        "revoked": bearer(attack_org.keys["revoked"]),
        "tampered": bearer(attack_org.keys["admin"][:-2] + "zz"),
    }[credential]

    response = attack_client.request(method, path, headers=headers)

    assert (response.status_code, response.json()) == (401, {"detail": detail})
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_attack_01_the_refused_admin_calls_changed_nothing(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    for method, path in ADMIN_ROUTES[1:]:
        attack_client.request(method, path, headers=bearer(attack_org.keys["revoked"]))

    listed = attack_client.get("/v1/admin/hidden-people", headers=bearer(attack_org.keys["admin"]))

    assert [h["person_id"] for h in listed.json()] == [attack_org.olga_id]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("key", ["outsider", "hr"])
def test_attack_02_a_search_scope_key_on_admin_routes_is_403(
    attack_client: TestClient, attack_org: AttackOrg, method: str, path: str, key: str
) -> None:
    response = attack_client.request(method, path, headers=bearer(attack_org.keys[key]))

    assert (response.status_code, response.json()) == (403, {"detail": NEEDS_ADMIN})


def test_attack_03_a_groups_header_without_the_gateway_secret_is_ignored(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    groups = {"X-WhoKnows-Groups": "hr, security"}

    alone = attack_client.get("/v1/documents", params={"q": HR_QUERY}, headers=groups)
    with_key = _search_ids(attack_client, bearer(attack_org.keys["outsider"]) | groups)

    assert (alone.status_code, alone.json()) == (401, {"detail": MISSING})
    assert PAY_DOC not in with_key


@pytest.mark.parametrize(
    "secret", ["guess", GATEWAY_SECRET[:-1], GATEWAY_SECRET + " x", GATEWAY_SECRET.upper()]
)
def test_attack_03_a_wrong_gateway_secret_is_refused(
    attack_client: TestClient, attack_org: AttackOrg, secret: str
) -> None:
    headers = {"X-WhoKnows-Gateway": secret, "X-WhoKnows-Groups": "hr"}

    response = attack_client.get("/v1/documents", params={"q": HR_QUERY}, headers=headers)
    with_key = attack_client.get(
        "/v1/documents",
        params={"q": HR_QUERY},
        headers=headers | bearer(attack_org.keys["admin"]),
    )

    assert (response.status_code, response.json()) == (401, {"detail": BAD_GATEWAY})
    assert (with_key.status_code, with_key.json()) == (401, {"detail": BAD_GATEWAY})


def test_attack_03_the_right_gateway_secret_does_grant_its_groups(
    attack_client: TestClient,
) -> None:
    headers = {"X-WhoKnows-Gateway": GATEWAY_SECRET, "X-WhoKnows-Groups": "eng, hr"}

    assert _search_ids(attack_client, headers)[0] == PAY_DOC


@pytest.mark.parametrize("path", ["/v1/search?q=helm", "/healthz"])
def test_attack_11_a_foreign_origin_gets_no_cors_grant(
    attack_client: TestClient, attack_org: AttackOrg, path: str
) -> None:
    headers = bearer(attack_org.keys["outsider"])

    foreign = attack_client.get(path, headers=headers | {"Origin": "https://evil.example"})
    allowed = attack_client.get(path, headers=headers | {"Origin": ALLOWED_ORIGIN})

    assert foreign.status_code == 200
    assert "access-control-allow-origin" not in foreign.headers
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_attack_11_a_preflight_from_a_foreign_origin_is_refused(
    attack_client: TestClient,
) -> None:
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-api-key",
    }

    foreign = attack_client.options(
        "/v1/search", headers=preflight | {"Origin": "https://intranet.example.evil.example"}
    )
    allowed = attack_client.options("/v1/search", headers=preflight | {"Origin": ALLOWED_ORIGIN})

    assert (foreign.status_code, foreign.text) == (400, "Disallowed CORS origin")
    assert "access-control-allow-origin" not in foreign.headers
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_attack_21_state_db_holds_key_hashes_never_the_keys(attack_org: AttackOrg) -> None:
    stored = b"".join(p.read_bytes() for p in attack_org.data.glob("state.db*"))

    for plaintext in attack_org.keys.values():
        prefix = plaintext.split("_")[1]
        secret = plaintext.split("_", 2)[2]
        assert plaintext.encode() not in stored
        assert secret.encode() not in stored
        assert prefix.encode() in stored
        assert hashlib.sha256(plaintext.encode()).hexdigest().encode() in stored


def test_attack_22_keys_never_reach_the_access_log(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    key = attack_org.keys["hr"]
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    access = logging.getLogger(ACCESS_LOGGER)
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        attack_client.get("/v1/search", params={"q": "helm"}, headers=bearer(key))
        attack_client.get("/v1/search", params={"q": "helm"}, headers={"X-API-Key": key})
        attack_client.get("/v1/search", params={"q": "helm", "api_key": key})
        attack_client.get("/v1/search", params={"q": "helm"}, headers=bearer(key + "x"))
    finally:
        access.removeHandler(handler)
        access.setLevel(level)

    lines = written.getvalue().splitlines()
    assert len(lines) == 4
    assert [json.loads(line)["key_prefix"] for line in lines] == [
        key.split("_")[1],
        key.split("_")[1],
        None,
        None,
    ]
    assert [line for line in lines if key.split("_", 2)[2] in line] == []


def test_attack_23_errors_never_echo_the_secrets_or_what_was_sent(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    near_key = attack_org.keys["admin"][:-1] + "q"
    gateway = {"X-WhoKnows-Gateway": GATEWAY_SECRET + "x"}
    body = slack_body("helm")
    wrong_slack = slack_headers(body, secret=SLACK_SECRET + "x")

    responses = [
        attack_client.get("/v1/search", params={"q": "helm"}, headers=bearer(near_key)),
        attack_client.get("/v1/search", params={"q": "helm"}, headers=gateway),
        attack_client.post("/integrations/slack/command", content=body, headers=wrong_slack),
        attack_client.post(
            "/integrations/mattermost", data=mattermost_form("helm", MATTERMOST_TOKEN + "x")
        ),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert [r.json()["detail"] for r in responses] == [
        INVALID,
        BAD_GATEWAY,
        "slack request rejected: X-Slack-Signature does not match the request body",
        "mattermost request rejected: the token does not match the configured command token",
    ]
    for secret in (
        near_key,
        GATEWAY_SECRET,
        SLACK_SECRET,
        MATTERMOST_TOKEN,
        *attack_org.keys.values(),
    ):
        assert not [r for r in responses if secret in r.text or secret in str(r.headers)]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("groups", ["admin", "hr, security, admin"])
def test_attack_25_a_gateway_caller_is_never_admin(
    attack_client: TestClient, method: str, path: str, groups: str
) -> None:
    headers = {"X-WhoKnows-Gateway": GATEWAY_SECRET, "X-WhoKnows-Groups": groups}

    response = attack_client.request(method, path, headers=headers)

    assert (response.status_code, response.json()) == (403, {"detail": NEEDS_ADMIN})


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_attack_25_an_anonymous_caller_is_never_admin(
    anonymous_client: TestClient, method: str, path: str
) -> None:
    response = anonymous_client.request(method, path)

    assert (response.status_code, response.json()) == (403, {"detail": NEEDS_ADMIN})


def test_attack_25_only_the_admin_key_lists_the_hidden_people(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = attack_client.get(
        "/v1/admin/hidden-people", headers=bearer(attack_org.keys["admin"])
    )

    assert response.status_code == 200
    assert [(h["person_id"], h["reason"]) for h in response.json()] == [
        (attack_org.olga_id, "opted out")
    ]
