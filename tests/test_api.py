"""The HTTP API over a real tiny index, through FastAPI's test client (lifespan included)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from tests.helpers import ANA_EMAIL, ANA_ID, HELM_DOC, build_index

HELM_QUERY = "how do I roll back a failed helm release"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    with TestClient(
        create_app(
            Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=1000), embedder=embedder
        )
    ) as test_client:
        yield test_client


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_experts_returns_the_author_first_with_evidence(client: TestClient) -> None:
    response = client.get("/v1/experts", params={"q": f"  {HELM_QUERY} ", "limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == HELM_QUERY
    assert len(body["people"]) == 2
    first = body["people"][0]
    assert (first["id"], first["name"], first["title"]) == (
        ANA_ID,
        "Ana Kovač",
        "Platform engineer",
    )
    assert ANA_EMAIL in first["aliases"]
    assert set(first) == {
        "id",
        "name",
        "aliases",
        "score",
        "title",
        "team",
        "location",
        "why",
        "evidence",
    }
    assert first["why"] == "Wrote 'Rolling back a Helm release'; lists it in their profile."
    evidence = first["evidence"][0]
    assert set(evidence) == {"document_id", "title", "role", "url", "snippet"}
    assert (evidence["document_id"], evidence["title"], evidence["role"], evidence["url"]) == (
        HELM_DOC,
        "Rolling back a Helm release",
        "author",
        "",
    )
    assert evidence["snippet"].startswith("When a Helm upgrade fails, list the revisions")


def test_documents_returns_the_helm_page_first(client: TestClient) -> None:
    response = client.get("/v1/documents", params={"q": HELM_QUERY, "limit": 1})

    assert response.status_code == 200
    [document] = response.json()["documents"]
    assert (document["id"], document["title"], document["kind"]) == (
        HELM_DOC,
        "Rolling back a Helm release",
        "wiki",
    )


@pytest.mark.parametrize(
    ("params", "location", "error_type"),
    [
        ({}, ["query", "q"], "missing"),
        ({"q": ""}, ["query", "q"], "string_too_short"),
        ({"q": "x" * 1001}, ["query", "q"], "string_too_long"),
        ({"q": "helm", "limit": 0}, ["query", "limit"], "greater_than_equal"),
        ({"q": "helm", "limit": 101}, ["query", "limit"], "less_than_equal"),
        ({"q": "helm", "limit": "abc"}, ["query", "limit"], "int_parsing"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/experts", "/v1/documents"])
def test_bad_parameters_are_422_naming_the_parameter(
    client: TestClient, path: str, params: dict, location: list[str], error_type: str
) -> None:
    response = client.get(path, params=params)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (location, error_type)


def test_a_blank_query_is_422_with_a_plain_message(client: TestClient) -> None:
    response = client.get("/v1/experts", params={"q": "   "})

    assert response.status_code == 422
    assert response.json() == {"detail": "q must not be empty"}


def test_a_query_of_exactly_1000_characters_is_accepted(client: TestClient) -> None:
    response = client.get("/v1/documents", params={"q": "helm " * 199 + "helm!", "limit": 1})

    assert response.status_code == 200
    assert [d["id"] for d in response.json()["documents"]] == [HELM_DOC]
