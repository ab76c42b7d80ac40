"""The widget's routes over a real tiny index: /v1/search, /v1/people/{id}, static files, CORS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from tests.helpers import ANA_ID, HELM_DOC, VACUUM_DOC, build_index

ALLOWED = "http://intranet.example.com"
HELM_QUERY = "how do I roll back a failed helm release"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    settings = Settings(
        data_dir=data, cors_origins=[ALLOWED], allow_anonymous=True, rate_limit_burst=1000
    )
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


def test_search_answers_people_and_documents_in_one_response(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": HELM_QUERY, "limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "people", "documents"}
    assert body["query"] == HELM_QUERY
    assert [p["name"] for p in body["people"]][:1] == ["Ana Kovač"]
    assert len(body["people"]) == 2
    assert [d["id"] for d in body["documents"]] == [HELM_DOC, VACUUM_DOC]
    ana = body["people"][0]
    assert (ana["id"], ana["title"], ana["evidence"][0]["title"]) == (
        ANA_ID,
        "Platform engineer",
        "Rolling back a Helm release",
    )


def test_search_refuses_a_bad_limit_naming_it(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "helm", "limit": 101})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", "limit"], "less_than_equal")


def test_person_profile_route(client: TestClient) -> None:
    response = client.get(f"/v1/people/{ANA_ID}")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["title"], body["skills"]) == (
        "Ana Kovač",
        "Platform engineer",
        ["kubernetes", "helm"],
    )
    assert body["contacts"] == [
        {"kind": "email", "label": "ana.kovac@example.com", "url": "mailto:ana.kovac@example.com"}
    ]
    assert [e["document_id"] for e in body["evidence"]] == [HELM_DOC]


def test_unknown_person_is_404_with_a_plain_message(client: TestClient) -> None:
    response = client.get("/v1/people/x")

    assert response.status_code == 404
    assert response.json() == {"detail": "no person with id 'x'"}


def test_widget_script_is_served_as_javascript(client: TestClient) -> None:
    response = client.get("/widget.js")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in {
        "application/javascript",
        "text/javascript",
    }
    assert "data-whoknows" in response.text
    assert "/v1/search" in response.text


def test_search_page_is_served_at_the_root(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="widget.js"></script>' in response.text
    assert 'data-profile-url="#/people/{id}"' in response.text


def test_cors_allows_a_configured_origin(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "helm"}, headers={"Origin": ALLOWED})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_cors_preflight_allows_the_api_key_header(client: TestClient) -> None:
    response = client.options(
        "/v1/search",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_leaves_other_origins_out(client: TestClient) -> None:
    response = client.get(
        "/v1/search", params={"q": "helm"}, headers={"Origin": "http://evil.example.net"}
    )

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHOKNOWS_CORS_ORIGINS", '["http://a.example", "http://b.example"]')

    assert Settings().cors_origins == ["http://a.example", "http://b.example"]
