"""Attacks through the query text: FTS5 query syntax and SQL injection never break a search."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.helpers import HELM_DOC
from tests.security.conftest import AttackOrg, ask, bearer, leaks

FTS5_SYNTAX = [
    '"',
    '""',
    '"helm',
    'helm"rollback',
    "NEAR(",
    "NEAR(helm rollback, 2)",
    "*",
    "helm*",
    "^helm",
    "-helm",
    "title:helm",
    "text:helm OR title:vacuum",
    "{title text}: helm",
    "AND OR NOT",
    "helm AND",
    "NOT helm",
    "(helm",
    "helm)",
    "\x00",
]
SQL_INJECTION = [
    "' OR 1=1 --",
    "x'); DROP TABLE documents; --",
    "helm' UNION SELECT key_hash, prefix FROM api_keys --",
    "1; ATTACH DATABASE '/tmp/pwned.db' AS p; --",
]


@pytest.mark.parametrize(
    ("path", "query"),
    [("/v1/search", q) for q in FTS5_SYNTAX + SQL_INJECTION]
    + [(path, q) for path in ("/v1/experts", "/v1/documents") for q in ('"helm', "NEAR(", "*")],
)
def test_attack_05_06_query_syntax_and_sql_in_q_is_searched_as_text(
    attack_client: TestClient, attack_org: AttackOrg, path: str, query: str
) -> None:
    response = ask(attack_client, attack_org, "outsider", path, query, limit=100)

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == query
    assert leaks(body, attack_org) == []
    assert "key_hash" not in str(body.get("people", [])) + str(body.get("documents", []))


def test_attack_06_the_index_survives_the_injections(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    for query in SQL_INJECTION:
        attack_client.get(
            "/v1/search", params={"q": query}, headers=bearer(attack_org.keys["admin"])
        )

    response = attack_client.get(
        "/v1/documents",
        params={"q": "roll back a failed helm release with helm history", "limit": 1},
        headers=bearer(attack_org.keys["outsider"]),
    )

    assert [d["id"] for d in response.json()["documents"]] == [HELM_DOC]
    assert not (attack_org.root / "pwned.db").exists()


@pytest.mark.parametrize(
    "person_id",
    ["x' OR '1'='1", "ana-kovac-eb5404' --", "%", "_", "*", "1 UNION SELECT * FROM people"],
)
def test_attack_06_sql_in_a_person_id_is_an_unknown_person(
    attack_client: TestClient, attack_org: AttackOrg, person_id: str
) -> None:
    response = attack_client.get(
        f"/v1/people/{quote(person_id, safe='')}", headers=bearer(attack_org.keys["admin"])
    )

    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"no person with id {person_id!r}"},
    )


@pytest.mark.parametrize(
    "value", ["' OR ''='", "%form", "Pl_tform", "x' UNION SELECT name FROM people --"]
)
@pytest.mark.parametrize("name", ["team", "location"])
def test_attack_06_sql_and_like_wildcards_in_filters_match_nobody(
    attack_client: TestClient, attack_org: AttackOrg, name: str, value: str
) -> None:
    response = attack_client.get(
        "/v1/search",
        params={"q": "helm rollback", name: value},
        headers=bearer(attack_org.keys["admin"]),
    )

    assert (response.status_code, response.json()) == (
        200,
        {"query": "helm rollback", "people": [], "documents": []},
    )


def test_attack_06_a_real_team_filter_does_match(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = attack_client.get(
        "/v1/experts",
        params={"q": "canary releases", "team": "platform"},
        headers=bearer(attack_org.keys["admin"]),
    )

    assert [p["id"] for p in response.json()["people"]] == [attack_org.mallory_id]
