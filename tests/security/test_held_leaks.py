"""Attacks that try to read what the caller may not: restricted text, opted-out people, spoofs."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ANA_ID, HELM_DOC, VACUUM_DOC
from tests.security.conftest import (
    CHAT_TOOLS,
    HR_PROBE,
    HR_QUERY,
    PAY_DOC,
    PLANTS_DOC,
    PLANTS_QUERY,
    SECURITY_PROBE,
    SECURITY_QUERY,
    SECURITY_WORDS,
    SPOOF_DOC,
    VAULT_DOC,
    AttackOrg,
    ask,
    ask_chat,
    bearer,
    leaks,
)

SEARCH_ROUTES = ["/v1/experts", "/v1/documents", "/v1/search"]
PROBES = {HR_PROBE: PAY_DOC, SECURITY_PROBE: VAULT_DOC}
"""Queries whose best document, for a caller who may see everything, is restricted."""
RESTRICTED_QUERIES = [*PROBES, HR_QUERY, SECURITY_QUERY, "Rita Quinn", "Sol Vargas"]


def _leaked(text: str, org: AttackOrg) -> list[str]:
    return [marker for marker in org.restricted_markers if marker in text]


@pytest.mark.parametrize(("query", "document_id"), PROBES.items())
def test_attack_04_the_probes_do_find_the_restricted_pages_for_admin(
    attack_client: TestClient, attack_org: AttackOrg, query: str, document_id: str
) -> None:
    response = ask(attack_client, attack_org, "admin", "/v1/documents", query, limit=1)

    assert _ids(response.json(), "documents") == [document_id]


def _ids(body: dict, key: str) -> list[str]:
    return [item["id"] for item in body.get(key, [])]


@pytest.mark.parametrize("query", RESTRICTED_QUERIES)
@pytest.mark.parametrize("path", SEARCH_ROUTES)
def test_attack_04_restricted_words_never_reach_an_outsider_over_search_routes(
    attack_client: TestClient, attack_org: AttackOrg, path: str, query: str
) -> None:
    response = ask(attack_client, attack_org, "outsider", path, query, limit=100)

    assert response.status_code == 200
    assert leaks(response.json(), attack_org) == []
    assert len(response.json().get("documents", response.json().get("people"))) > 0


@pytest.mark.parametrize("person", ["rita_id", "sol_id"])
def test_attack_04_the_restricted_only_authors_have_no_profile_for_an_outsider(
    attack_client: TestClient, attack_org: AttackOrg, person: str
) -> None:
    person_id = getattr(attack_org, person)

    response = attack_client.get(
        f"/v1/people/{person_id}", headers=bearer(attack_org.keys["outsider"])
    )

    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"no person with id {person_id!r}"},
    )


def test_attack_04_a_public_profile_shows_no_restricted_words(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = attack_client.get(
        f"/v1/people/{ANA_ID}", headers=bearer(attack_org.keys["outsider"])
    )

    assert response.status_code == 200
    assert [e["document_id"] for e in response.json()["evidence"]] == [HELM_DOC]
    assert _leaked(response.text, attack_org) == []


@pytest.mark.parametrize("query", PROBES)
@pytest.mark.parametrize("tool", CHAT_TOOLS)
def test_attack_04_restricted_words_never_reach_chat_users(
    attack_client: TestClient, attack_org: AttackOrg, tool: str, query: str
) -> None:
    text = ask_chat(attack_client, tool, query)

    assert _leaked(text, attack_org) == []
    assert "Ana Kovač" in text


def test_attack_04_the_hr_key_sees_the_hr_page_but_not_the_security_source(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    hr = bearer(attack_org.keys["hr"])

    pay = attack_client.get("/v1/search", params={"q": HR_QUERY, "limit": 100}, headers=hr)
    vault = attack_client.get("/v1/search", params={"q": SECURITY_QUERY, "limit": 100}, headers=hr)
    profiles = [
        attack_client.get(f"/v1/people/{p}", headers=hr)
        for p in (attack_org.rita_id, attack_org.sol_id)
    ]

    assert (_ids(pay.json(), "documents")[0], _ids(pay.json(), "people")[0]) == (
        PAY_DOC,
        attack_org.rita_id,
    )
    vault_answer = json.dumps(vault.json()["people"] + vault.json()["documents"])
    assert VAULT_DOC not in vault.text
    assert attack_org.sol_id not in vault.text
    assert [w for w in (*SECURITY_WORDS, "Sol Vargas") if w in vault_answer + pay.text] == []
    assert [r.status_code for r in profiles] == [200, 404]


def test_attack_04_the_admin_key_does_see_the_security_source(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = ask(attack_client, attack_org, "admin", "/v1/search", SECURITY_QUERY)

    body = response.json()
    assert (_ids(body, "documents")[0], _ids(body, "people")[0]) == (VAULT_DOC, attack_org.sol_id)


@pytest.mark.parametrize("key", ["outsider", "admin"])
@pytest.mark.parametrize("path", ["/v1/experts", "/v1/search"])
def test_attack_19_a_hidden_person_is_in_no_answer(
    attack_client: TestClient, attack_org: AttackOrg, path: str, key: str
) -> None:
    response = ask(attack_client, attack_org, key, path, PLANTS_QUERY, limit=100)

    assert response.status_code == 200
    assert len(response.json()["people"]) > 0
    assert attack_org.olga_id not in response.text
    assert "Olga Ortiz" not in response.text


@pytest.mark.parametrize("key", ["outsider", "admin"])
def test_attack_19_a_hidden_person_has_no_profile(
    attack_client: TestClient, attack_org: AttackOrg, key: str
) -> None:
    response = attack_client.get(
        f"/v1/people/{attack_org.olga_id}", headers=bearer(attack_org.keys[key])
    )

    assert (response.status_code, response.json()) == (
        404,
        {"detail": f"no person with id {attack_org.olga_id!r}"},
    )


@pytest.mark.parametrize("tool", CHAT_TOOLS)
def test_attack_19_a_hidden_person_is_not_named_in_chat(
    attack_client: TestClient, tool: str
) -> None:
    text = ask_chat(attack_client, tool, PLANTS_QUERY)

    assert "Office plants" in text
    assert "Olga Ortiz" not in text


def test_attack_19_the_hidden_persons_page_is_still_a_document(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    response = ask(attack_client, attack_org, "admin", "/v1/documents", PLANTS_QUERY, limit=1)

    assert _ids(response.json(), "documents") == [PLANTS_DOC]


BRUNO_ID = "bruno-diaz-b94282"
VACUUM_QUERY = "autovacuum dead tuples"


def _expert_ids(client: TestClient, org: AttackOrg) -> list[str]:
    return _ids(ask(client, org, "outsider", "/v1/experts", VACUUM_QUERY).json(), "people")


def test_attack_19_hiding_through_the_admin_route_takes_effect_at_once(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    admin = bearer(attack_org.keys["admin"])
    before = _expert_ids(attack_client, attack_org)
    hidden = attack_client.put(
        f"/v1/admin/hidden-people/{BRUNO_ID}", json={"reason": "left"}, headers=admin
    )
    try:
        during = _expert_ids(attack_client, attack_org)
        profile = attack_client.get(f"/v1/people/{BRUNO_ID}", headers=admin)
        chat = ask_chat(attack_client, "mattermost", VACUUM_QUERY)
    finally:
        shown = attack_client.delete(f"/v1/admin/hidden-people/{BRUNO_ID}", headers=admin)

    assert before[0] == BRUNO_ID
    assert hidden.json() == {"person_id": BRUNO_ID, "hidden": True, "changed": True}
    assert BRUNO_ID not in during
    assert profile.status_code == 404
    assert "Bruno Díaz" not in chat
    assert shown.json() == {"person_id": BRUNO_ID, "hidden": False, "changed": True}
    assert _expert_ids(attack_client, attack_org)[0] == BRUNO_ID


def test_attack_20_an_author_with_anas_name_and_another_address_is_not_ana(
    attack_client: TestClient, attack_org: AttackOrg
) -> None:
    admin = bearer(attack_org.keys["admin"])

    ana = attack_client.get(f"/v1/people/{ANA_ID}", headers=admin).json()
    spoof = attack_client.get(f"/v1/people/{attack_org.spoof_id}", headers=admin).json()

    assert attack_org.summary.ambiguities == [
        "name 'ana kovac' is shared by 2 people (team:email:ana.kovac@example.com, "
        "wiki:email:ana.kovac@example.com; wiki:email:ana.kovac@evil.example): not merged by name"
    ]
    assert attack_org.spoof_id != ANA_ID
    assert [e["document_id"] for e in ana["evidence"]] == [HELM_DOC]
    assert (spoof["name"], spoof["title"], spoof["bio"], spoof["skills"]) == (
        "Ana Kovač",
        "",
        "",
        [],
    )
    assert [e["document_id"] for e in spoof["evidence"]] == [SPOOF_DOC]


@pytest.mark.parametrize("query", RESTRICTED_QUERIES)
@pytest.mark.parametrize("path", SEARCH_ROUTES)
def test_attack_27_anonymous_access_sees_public_documents_only(
    anonymous_client: TestClient, attack_org: AttackOrg, path: str, query: str
) -> None:
    groups = {"X-WhoKnows-Groups": "hr, security"}

    response = anonymous_client.get(path, params={"q": query, "limit": 100}, headers=groups)

    assert response.status_code == 200
    assert leaks(response.json(), attack_org) == []
    assert len(response.json().get("documents", response.json().get("people"))) > 0


def test_attack_27_anonymous_access_finds_public_pages_and_no_restricted_author(
    anonymous_client: TestClient, attack_org: AttackOrg
) -> None:
    vacuum = anonymous_client.get("/v1/documents", params={"q": VACUUM_QUERY})
    rita = anonymous_client.get(f"/v1/people/{attack_org.rita_id}")

    assert _ids(vacuum.json(), "documents")[0] == VACUUM_DOC
    assert rita.status_code == 404
