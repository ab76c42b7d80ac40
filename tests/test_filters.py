"""Query filters of /v1/experts, /v1/documents and /v1/search over a tiny team of Helm people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from tests.helpers import run_index, specs

QUERY = "roll back a helm release"
PAGES = {
    "ana.md": ("Ana Kovač <ana@example.com>", "Helm rollback runbook"),
    "eve.md": ("Eve Lind <eve@example.com>", "Helm chart release checklist"),
    "finn.md": ("Finn Berg <finn@example.com>", "Helm releases of the data pipelines"),
    "gus.md": ("Gus Moreau <gus@example.com>", "Legacy Helm release rollbacks"),
}
BIOS = """\
ana: {name: Ana Kovač, email: ana@example.com, team: Platform, location: Berlin,
      bio: Rolls back Helm releases when upgrades fail.}
eve: {name: Eve Lind, email: eve@example.com, team: Platform, location: Lisbon}
finn: {name: Finn Berg, email: finn@example.com, team: Data, location: Berlin}
gus: {name: Gus Moreau, email: gus@example.com, team: Platform, location: Berlin, active: false}
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("filters")
    wiki = root / "wiki"
    wiki.mkdir()
    for name, (author, title) in PAGES.items():
        body = f"{title}: run helm history, then helm rollback the release to a good revision."
        text = f"---\ntitle: {title}\nauthors:\n  - {author}\n---\n{body}\n"
        (wiki / name).write_text(text, encoding="utf-8")
    bios = root / "team.yml"
    bios.write_text(BIOS, encoding="utf-8")
    data = root / "data"
    assert not run_index(data, embedder, specs(wiki, bios)).failed
    settings = Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=10_000)
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


def names(client: TestClient, path: str = "/v1/experts", **params: object) -> list[str]:
    response = client.get(path, params={"q": QUERY, **params})
    assert response.status_code == 200, response.text
    return sorted(p["name"] for p in response.json()["people"])


def test_team_matches_case_insensitively_and_leaves_inactive_people_out(
    client: TestClient,
) -> None:
    assert names(client, team="platform") == ["Ana Kovač", "Eve Lind"]
    assert names(client, team="PLAT", active_only=False) == ["Ana Kovač", "Eve Lind", "Gus Moreau"]


def test_location_is_a_substring_match(client: TestClient) -> None:
    assert names(client, location="berl") == ["Ana Kovač", "Finn Berg"]
    assert names(client, "/v1/search", location="lisbon", team="platform") == ["Eve Lind"]


def test_without_filters_every_active_author_is_found(client: TestClient) -> None:
    assert names(client) == ["Ana Kovač", "Eve Lind", "Finn Berg"]


def test_kind_keeps_only_evidence_of_that_kind(client: TestClient) -> None:
    wiki = client.get("/v1/experts", params={"q": QUERY, "kind": "wiki"}).json()["people"]
    bio = client.get("/v1/experts", params={"q": QUERY, "kind": "bio"}).json()["people"]

    assert {e["document_id"].split("/")[0] for p in wiki for e in p["evidence"]} == {"wiki"}
    assert [p["name"] for p in bio] == ["Ana Kovač"]
    assert all(not e["document_id"].startswith("wiki/") for e in bio[0]["evidence"])


def test_documents_by_kind_and_by_a_contributor_s_team(client: TestClient) -> None:
    def ids(**params: object) -> list[str]:
        response = client.get("/v1/documents", params={"q": QUERY, **params})
        assert response.status_code == 200, response.text
        return sorted(d["id"] for d in response.json()["documents"])

    assert ids(kind="wiki") == ["wiki/ana.md", "wiki/eve.md", "wiki/finn.md", "wiki/gus.md"]
    assert ids(kind="bio") == []
    assert ids(team="data") == ["wiki/finn.md"]
    assert ids(team="platform") == ["wiki/ana.md", "wiki/eve.md"]
    assert ids(team="platform", active_only=False) == ["wiki/ana.md", "wiki/eve.md", "wiki/gus.md"]


def test_offset_pages_through_the_same_ranking(client: TestClient) -> None:
    def people(**params: object) -> list[str]:
        return [
            p["id"]
            for p in client.get("/v1/experts", params={"q": QUERY, **params}).json()["people"]
        ]

    def documents(**params: object) -> list[str]:
        response = client.get("/v1/documents", params={"q": QUERY, **params})
        return [d["id"] for d in response.json()["documents"]]

    assert people(limit=1, offset=1) == people(limit=3)[1:2]
    assert (
        people(limit=2, offset=2, team="platform", active_only=False)
        == people(limit=3, team="platform", active_only=False)[2:]
    )
    assert documents(limit=2, offset=1) == documents(limit=3)[1:3]


@pytest.mark.parametrize(
    ("params", "location", "error_type"),
    [
        ({"kind": "blog"}, ["query", "kind"], "enum"),
        ({"offset": -1}, ["query", "offset"], "greater_than_equal"),
        ({"offset": 100}, ["query", "offset"], "less_than"),
        ({"offset": "x"}, ["query", "offset"], "int_parsing"),
        ({"active_only": "maybe"}, ["query", "active_only"], "bool_parsing"),
        ({"team": ""}, ["query", "team"], "string_too_short"),
        ({"location": "x" * 201}, ["query", "location"], "string_too_long"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/experts", "/v1/documents", "/v1/search"])
def test_bad_filters_are_422_naming_the_parameter(
    client: TestClient, path: str, params: dict, location: list[str], error_type: str
) -> None:
    response = client.get(path, params={"q": QUERY, **params})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (location, error_type)


def test_offset_plus_limit_past_the_cap_is_refused_plainly(client: TestClient) -> None:
    response = client.get("/v1/experts", params={"q": QUERY, "offset": 60, "limit": 50})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "offset + limit must be at most 100, got 110"},
    )
