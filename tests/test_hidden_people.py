"""Privacy: a person who opts out or leaves is hidden at once, from the CLI or the admin API."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.state import StateStore
from search_api.app import create_app
from search_api.keys import KeyStore
from tests.helpers import ANA_ID, HELM_DOC, build_index
from tests.test_cli import whoknows

HELM_QUERY = "how do I roll back a failed helm release"


def test_the_state_store_hides_and_shows_people_and_sees_other_processes_changes(
    tmp_path: Path,
) -> None:
    reader, writer = StateStore(tmp_path), StateStore(tmp_path)
    try:
        assert reader.hidden() == frozenset()
        assert writer.hide(ANA_ID, "opted out") is True
        assert writer.hide(ANA_ID) is False
        assert reader.hidden() == {ANA_ID}
        [entry] = reader.hidden_people()
        assert (entry.person_id, entry.reason) == (ANA_ID, "opted out")
        assert writer.unhide(ANA_ID) is True
        assert writer.unhide(ANA_ID) is False
        assert reader.hidden() == frozenset()
    finally:
        reader.close()
        writer.close()


def test_the_cli_hides_a_person_from_answers_and_refuses_an_unknown_id(
    tmp_path: Path, embedder
) -> None:
    data, _ = build_index(tmp_path, embedder)

    unknown = whoknows(tmp_path, "people", "hide", "nobody-000000", "--data-dir", str(data))
    hidden = whoknows(
        tmp_path, "people", "hide", ANA_ID, "--reason", "left", "--data-dir", str(data)
    )
    listed = whoknows(tmp_path, "people", "hidden", "--json", "--data-dir", str(data))
    answer = whoknows(tmp_path, "ask", HELM_QUERY, "--json", "-n", "3", "--data-dir", str(data))

    assert unknown.returncode == 1
    assert "no person with id 'nobody-000000'" in unknown.stderr
    assert hidden.returncode == 0, hidden.stderr
    assert hidden.stdout.strip() == f"{ANA_ID} is hidden"
    assert [(h["person_id"], h["reason"]) for h in json.loads(listed.stdout)] == [(ANA_ID, "left")]
    people = json.loads(answer.stdout)["people"]
    assert ANA_ID not in [p["id"] for p in people]
    assert HELM_DOC in [d["id"] for d in json.loads(answer.stdout)["documents"]]


def test_the_admin_route_hides_a_person_at_once_in_a_running_server(
    tmp_path: Path, embedder
) -> None:
    data, _ = build_index(tmp_path, embedder)
    keys = KeyStore(data)
    _, admin = keys.create("ops", ["admin"])
    _, searcher = keys.create("widget", ["search"])
    keys.close()
    settings = Settings(data_dir=data, reload_interval=0)
    as_admin = {"Authorization": f"Bearer {admin}"}
    as_searcher = {"Authorization": f"Bearer {searcher}"}

    with TestClient(create_app(settings, embedder=embedder)) as client:
        before = client.get("/v1/experts", params={"q": HELM_QUERY}, headers=as_searcher).json()
        refused = client.put(f"/v1/admin/hidden-people/{ANA_ID}", headers=as_searcher)
        hide = client.put(
            f"/v1/admin/hidden-people/{ANA_ID}", json={"reason": "opted out"}, headers=as_admin
        )
        after = client.get("/v1/experts", params={"q": HELM_QUERY}, headers=as_searcher).json()
        profile = client.get(f"/v1/people/{ANA_ID}", headers=as_searcher)
        listed = client.get("/v1/admin/hidden-people", headers=as_admin).json()
        unknown = client.put("/v1/admin/hidden-people/nobody-000000", headers=as_admin)
        show = client.delete(f"/v1/admin/hidden-people/{ANA_ID}", headers=as_admin)
        again = client.get("/v1/experts", params={"q": HELM_QUERY}, headers=as_searcher).json()
        not_hidden = client.delete(f"/v1/admin/hidden-people/{ANA_ID}", headers=as_admin)

    assert before["people"][0]["id"] == ANA_ID
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this route needs an API key with the 'admin' scope"}
    assert hide.json() == {"person_id": ANA_ID, "hidden": True, "changed": True}
    assert ANA_ID not in [p["id"] for p in after["people"]]
    assert profile.status_code == 404
    assert [(h["person_id"], h["reason"]) for h in listed] == [(ANA_ID, "opted out")]
    assert unknown.status_code == 404
    assert show.json() == {"person_id": ANA_ID, "hidden": False, "changed": True}
    assert again["people"][0]["id"] == ANA_ID
    assert not_hidden.status_code == 404
