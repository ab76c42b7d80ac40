"""Access control over the HTTP API: a matrix of callers against a page restricted to ``hr``.

The tiny organisation of tests/helpers.py gets two pages restricted to the ``hr`` group:
one whose only author (Rita Quinn) appears nowhere else, and one co-written by Ana, who
also has public evidence. Callers outside ``hr`` must see neither page, nothing of their
text or urls, and never Rita; Ana's profile shows them only her public page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.requests import Request

from indexer.config import Settings
from indexer.models import SourceSpec
from search_api.app import create_app
from search_api.auth import identify
from search_api.keys import KeyStore
from search_api.profiles import person_profile
from tests.helpers import ANA_ID, HELM_DOC, open_index, run_index, write_org

GATEWAY_SECRET = "gateway-secret-for-tests"
PAY_DOC = "wiki/pay-review.md"
ONCALL_DOC = "wiki/hr-oncall.md"
PAY_QUERY = "salary bands pay review"
HR_PAGES = {
    "pay-review.md": """---
title: Pay bands and the annual salary review
access_groups: [hr]
authors:
  - Rita Quinn <rita.quinn@example.com>
---
Salary bands are reviewed every March by the compensation committee. Each pay band
has a floor and a ceiling; raises above the ceiling need the committee's written approval.
""",
    "hr-oncall.md": """---
title: Helm rollback of the payroll service
access_groups: [hr]
authors:
  - Ana Kovač <ana.kovac@example.com>
---
The payroll service is rolled back with helm rollback during the salary run only with
the approval of the compensation committee; list revisions with helm history first.
""",
}
SECRET_TEXT = "compensation committee"
"""Words found only in the restricted pages' text (and so in their snippets)."""


@dataclass(frozen=True)
class Org:
    data: Path
    rita_id: str
    pay_url: str
    keys: dict[str, str]


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory, embedder) -> Org:
    root = tmp_path_factory.mktemp("access")
    wiki, bios = write_org(root)
    for name, text in HR_PAGES.items():
        (wiki / name).write_text(text, encoding="utf-8")
    data = root / "data"
    specs = [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False, "base_url": "https://wiki.example"}),
        SourceSpec("bios", str(bios), "team"),
    ]
    assert not run_index(data, embedder, specs).failed
    store = open_index(data)
    try:
        [rita] = store.contributions_to([PAY_DOC])
        rita_id = rita.person_id
        pay_url = store.documents([PAY_DOC])[PAY_DOC].url
        assert pay_url == "https://wiki.example/pay-review"
    finally:
        store.close()
    keys = KeyStore(data)
    made = {
        "no groups": keys.create("plain", ["search"])[1],
        "hr": keys.create("hr tool", ["search"], ["hr"])[1],
        "admin": keys.create("ops", ["admin"])[1],
        "no scope": keys.create("nothing", [])[1],
        "revoked": keys.create("old", ["search"], ["hr"])[1],
    }
    keys.revoke(made["revoked"].split("_")[1])
    keys.close()
    return Org(data, rita_id, pay_url, made)


@pytest.fixture(scope="module")
def client(org: Org, embedder) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=org.data,
        allow_anonymous=True,
        gateway_secret=GATEWAY_SECRET,
        rate_limit_burst=1000,
        auth_failures_per_minute=1000,  # every test here calls from the same address
    )
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# caller -> (headers, status, sees the hr pages)
CALLERS: dict[str, tuple[dict[str, str] | str, int, bool]] = {
    "anonymous": ({}, 200, False),
    "key with no groups": ("no groups", 200, False),
    "key with hr": ("hr", 200, True),
    "admin key": ("admin", 200, True),
    "gateway with hr": (
        {"X-WhoKnows-Gateway": GATEWAY_SECRET, "X-WhoKnows-Groups": "eng, hr"},
        200,
        True,
    ),
    "gateway with a wrong secret": (
        {"X-WhoKnows-Gateway": "guess", "X-WhoKnows-Groups": "hr"},
        401,
        False,
    ),
    "revoked key": ("revoked", 401, False),
    "key without search scope": ("no scope", 403, False),
}
DETAILS = {
    401: {
        "gateway with a wrong secret": (
            "the X-WhoKnows-Gateway header does not match the configured gateway secret"
        ),
        "revoked key": "the API key is invalid or revoked",
    },
    403: {"key without search scope": "this API key lacks the 'search' scope"},
}


def headers_for(org: Org, caller: str) -> dict[str, str]:
    given = CALLERS[caller][0]
    return bearer(org.keys[given]) if isinstance(given, str) else given


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("path", ["/v1/search", "/v1/experts", "/v1/documents"])
def test_search_routes_show_restricted_pages_only_to_their_group(
    client: TestClient, org: Org, caller: str, path: str
) -> None:
    _, status, sees = CALLERS[caller]

    response = client.get(
        path, params={"q": PAY_QUERY, "limit": 10}, headers=headers_for(org, caller)
    )

    assert response.status_code == status
    if status != 200:
        assert response.json() == {"detail": DETAILS[status][caller]}
        return
    body = response.json()
    text = response.text
    document_ids = [d["id"] for d in body.get("documents", [])]
    people_ids = [p["id"] for p in body.get("people", [])]
    evidence_ids = {e["document_id"] for p in body.get("people", []) for e in p["evidence"]}
    if path != "/v1/experts":
        assert (PAY_DOC in document_ids) is sees
    if path != "/v1/documents":
        assert (org.rita_id in people_ids) is sees
        assert (PAY_DOC in evidence_ids) is sees
    if not sees:
        for secret in (PAY_DOC, ONCALL_DOC, org.pay_url, "Rita Quinn", org.rita_id, SECRET_TEXT):
            assert secret not in text


@pytest.mark.parametrize("caller", list(CALLERS))
def test_profile_of_the_restricted_author_exists_only_for_insiders(
    client: TestClient, org: Org, caller: str
) -> None:
    _, status, sees = CALLERS[caller]

    response = client.get(f"/v1/people/{org.rita_id}", headers=headers_for(org, caller))

    if status != 200:
        assert (response.status_code, response.json()) == (
            status,
            {"detail": DETAILS[status][caller]},
        )
    elif sees:
        assert response.status_code == 200
        body = response.json()
        assert (body["name"], [e["document_id"] for e in body["evidence"]]) == (
            "Rita Quinn",
            [PAY_DOC],
        )
    else:
        assert (response.status_code, response.json()) == (
            404,
            {"detail": f"no person with id {org.rita_id!r}"},
        )


@pytest.mark.parametrize("caller", [c for c, (_, status, _) in CALLERS.items() if status == 200])
def test_a_profile_shows_only_the_evidence_the_caller_may_see(
    client: TestClient, org: Org, caller: str
) -> None:
    sees = CALLERS[caller][2]

    response = client.get(f"/v1/people/{ANA_ID}", headers=headers_for(org, caller))

    assert response.status_code == 200
    evidence = {e["document_id"] for e in response.json()["evidence"]}
    assert evidence == ({HELM_DOC, ONCALL_DOC} if sees else {HELM_DOC})
    assert (SECRET_TEXT in response.text) is False


def test_without_anonymous_access_a_key_is_required(org: Org, embedder) -> None:
    with TestClient(create_app(Settings(data_dir=org.data), embedder=embedder)) as closed:
        response = closed.get("/v1/search", params={"q": PAY_QUERY})
        public = closed.get("/healthz")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
    }
    assert public.status_code == 200


def test_the_key_may_come_in_x_api_key(client: TestClient, org: Org) -> None:
    response = client.get(
        "/v1/documents", params={"q": PAY_QUERY, "limit": 1}, headers={"X-API-Key": org.keys["hr"]}
    )

    assert response.status_code == 200
    assert [d["id"] for d in response.json()["documents"]] == [PAY_DOC]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"Authorization": "Bearer wk_nope_nope"}, "the API key is invalid or revoked"),
        ({"Authorization": "Bearer not-a-key"}, "the API key is invalid or revoked"),
        (
            {"Authorization": "Basic dXNlcjpwYXNz"},
            "the Authorization header must read 'Bearer <key>'",
        ),
    ],
)
def test_bad_credentials_are_401_even_when_anonymous_access_is_on(
    client: TestClient, headers: dict[str, str], detail: str
) -> None:
    response = client.get("/v1/search", params={"q": PAY_QUERY}, headers=headers)

    assert (response.status_code, response.json()) == (401, {"detail": detail})
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_tampered_key_with_a_real_prefix_is_refused(client: TestClient, org: Org) -> None:
    key = org.keys["admin"]

    response = client.get("/v1/search", params={"q": PAY_QUERY}, headers=bearer(key[:-1] + "x"))

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "the API key is invalid or revoked"},
    )


def test_openapi_documents_both_key_schemes_on_v1_routes_only(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    assert schema["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Bearer wk_..._...`.",
        },
        "APIKeyHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "The same API key, in its own header.",
        },
    }
    secured = {
        path
        for path, operations in schema["paths"].items()
        if any("security" in operation for operation in operations.values())
    }
    assert secured == {
        "/v1/experts",
        "/v1/documents",
        "/v1/search",
        "/v1/people/{person_id}",
        "/v1/admin/hidden-people",
        "/v1/admin/hidden-people/{person_id}",
    }


@pytest.mark.parametrize(("chat_groups", "sees"), [([], False), (["hr"], True)])
def test_chat_tools_see_only_public_pages_and_their_configured_groups(
    org: Org, embedder, chat_groups: list[str], sees: bool
) -> None:
    settings = Settings(data_dir=org.data, mattermost_token="mm-token", chat_groups=chat_groups)
    with TestClient(create_app(settings, embedder=embedder)) as chat:
        response = chat.post(
            "/integrations/mattermost", data={"token": "mm-token", "text": PAY_QUERY}
        )
    assert response.status_code == 200
    text = response.json()["text"]
    assert ("Pay bands and the annual salary review" in text) is sees
    assert ("Rita Quinn" in text) is sees


DIRECTORY_BIO = "Platform team member; ask her about deployments."
HR_BIO = "Runs the Kubernetes clusters and maintains the Helm charts of every service."


@pytest.fixture(scope="module")
def hr_bios(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """Ana's team.yml record (bio and skills) restricted to ``hr``; a public directory entry."""
    root = tmp_path_factory.mktemp("hr-bios")
    wiki, bios = write_org(root)
    directory = root / "directory.csv"
    directory.write_text(
        f"name,email,bio\nAna Kovač,ana.kovac@example.com,{DIRECTORY_BIO}\n", encoding="utf-8"
    )
    data = root / "data"
    specs = [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False}),
        SourceSpec("bios", str(bios), "team", {"access_groups": ["hr"]}),
        SourceSpec("bios", str(directory), "directory"),
    ]
    assert not run_index(data, embedder, specs).failed
    return data


@pytest.mark.parametrize(
    ("groups", "bio", "skills", "sources"),
    [
        (None, None, ["kubernetes", "helm"], ["directory", "team", "wiki"]),
        (frozenset({"hr"}), None, ["kubernetes", "helm"], ["directory", "team", "wiki"]),
        (frozenset(), DIRECTORY_BIO, [], ["directory", "wiki"]),
        (frozenset({"eng"}), DIRECTORY_BIO, [], ["directory", "wiki"]),
    ],
)
def test_a_profile_hides_the_bio_skills_and_sources_of_restricted_bio_records(
    hr_bios: Path,
    groups: frozenset[str] | None,
    bio: str | None,
    skills: list[str],
    sources: list[str],
) -> None:
    store = open_index(hr_bios)
    try:
        merged = store.people([ANA_ID], groups=None)[ANA_ID].bio
        profile = person_profile(store, ANA_ID, groups=groups)
    finally:
        store.close()

    assert profile.bio == (merged if bio is None else bio)
    assert profile.skills == skills
    assert [s.name for s in profile.sources] == sources
    if bio is not None:
        assert HR_BIO not in profile.model_dump_json()


def test_a_profile_of_a_person_whose_only_bio_is_restricted_shows_no_bio(
    tmp_path: Path, embedder
) -> None:
    wiki, bios = write_org(tmp_path)
    data = tmp_path / "data"
    specs = [
        SourceSpec("wiki", str(wiki), "wiki", {"git": False}),
        SourceSpec("bios", str(bios), "team", {"access_groups": ["hr"]}),
    ]
    assert not run_index(data, embedder, specs).failed
    settings = Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=1000)
    with TestClient(create_app(settings, embedder=embedder)) as anonymous:
        response = anonymous.get(f"/v1/people/{ANA_ID}")

    assert response.status_code == 200
    body = response.json()
    assert (body["bio"], body["skills"], [s["name"] for s in body["sources"]]) == ("", [], ["wiki"])
    assert [e["document_id"] for e in body["evidence"]] == [HELM_DOC]
    assert "Kubernetes clusters" not in response.text


@pytest.mark.parametrize("secret", ["", "  "])
def test_an_empty_gateway_secret_trusts_no_gateway(org: Org, embedder, secret: str) -> None:
    settings = Settings(data_dir=org.data, allow_anonymous=True, gateway_secret=secret)
    with TestClient(create_app(settings, embedder=embedder)) as app:
        response = app.get(
            "/v1/search",
            params={"q": PAY_QUERY},
            headers={"X-WhoKnows-Gateway": secret, "X-WhoKnows-Groups": "hr"},
        )

    assert settings.gateway_secret is None
    assert (response.status_code, response.json()) == (
        401,
        {"detail": DETAILS[401]["gateway with a wrong secret"]},
    )


@pytest.mark.parametrize(("secret", "header"), [("", ""), (" ", " "), (GATEWAY_SECRET, "")])
def test_identify_refuses_an_empty_gateway_secret_or_header(secret: str, header: str) -> None:
    settings = Settings.model_construct(
        gateway_secret=SecretStr(secret),
        gateway_groups_header="X-WhoKnows-Groups",
        allow_anonymous=True,
    )
    request = Request(
        {
            "type": "http",
            "headers": [
                (b"x-whoknows-gateway", header.encode()),
                (b"x-whoknows-groups", b"hr"),
            ],
        }
    )

    with pytest.raises(HTTPException) as raised:
        identify(request, settings, None)

    assert raised.value.status_code == 401
