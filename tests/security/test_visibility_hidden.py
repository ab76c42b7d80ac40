"""Attack 3: an opt-out must survive a re-index that changes the person's id.

Rivka Stein first appears as the author of a wiki page known by her GitHub
handle only, and is hidden under that id. A re-index then adds a bios file
where her entry carries the same handle and an email: the records merge and
her id, anchored on the strongest identity, changes. She must stay hidden,
and the hidden list must name her current id.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from indexer.config import Settings
from indexer.models import SourceSpec
from indexer.state import StateStore
from indexer.store import home_at
from indexer.store.sqlite import SQLiteStore
from search_api.app import create_app
from search_api.keys import KeyStore
from search_api.service import SearchService
from tests.helpers import run_index
from tests.test_cli import whoknows

PAGE = """---
title: Tuning Kafka consumer lag
authors:
  - "@rivka"
---
When a Kafka consumer group lags, raise max.poll.records and add partitions before
adding consumers; watch the lag per partition with kafka-consumer-groups --describe.
"""
BIOS = """\
rivka:
  name: Rivka Stein
  email: rivka.stein@example.com
  github: rivka
  title: Streaming engineer
"""
QUERY = "kafka consumer group lag"
OLD_ID = "rivka-1e6a68"
NEW_ID = "rivka-stein-e780d2"


def write_wiki(root: Path) -> Path:
    wiki = root / "wiki"
    wiki.mkdir()
    (wiki / "kafka-lag.md").write_text(PAGE, encoding="utf-8")
    return wiki


def wiki_spec(wiki: Path) -> SourceSpec:
    return SourceSpec("wiki", str(wiki), "wiki", {"git": False})


def bios_spec(root: Path) -> SourceSpec:
    bios = root / "team.yml"
    bios.write_text(BIOS, encoding="utf-8")
    return SourceSpec("bios", str(bios), "team")


def ids_in_store(data: Path) -> list[str]:
    store = SQLiteStore(data)
    try:
        return [row[0] for row in store.db.execute("SELECT id FROM people ORDER BY id")]
    finally:
        store.close()


def test_hiding_through_the_admin_api_follows_the_person_to_a_new_id(
    tmp_path: Path, embedder
) -> None:
    wiki = write_wiki(tmp_path)
    data = tmp_path / "data"
    assert not run_index(data, embedder, [wiki_spec(wiki)]).failed
    assert ids_in_store(data) == [OLD_ID]
    keys = KeyStore(data)
    admin = {"Authorization": f"Bearer {keys.create('ops', ['admin'])[1]}"}
    keys.close()
    settings = Settings(data_dir=data, allow_anonymous=True, rate_limit_burst=1000)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        assert client.put(f"/v1/admin/hidden-people/{OLD_ID}", headers=admin).status_code == 200

    assert not run_index(data, embedder, [wiki_spec(wiki), bios_spec(tmp_path)]).failed

    assert ids_in_store(data) == [NEW_ID]
    with TestClient(create_app(settings, embedder=embedder)) as client:
        experts = client.get("/v1/experts", params={"q": QUERY}).json()
        profile = client.get(f"/v1/people/{NEW_ID}")
        listed = client.get("/v1/admin/hidden-people", headers=admin).json()
        assert experts["people"] == []
        assert profile.status_code == 404
        assert [(h["person_id"], h["hidden_as"], h["in_index"]) for h in listed] == [
            (NEW_ID, OLD_ID, True)
        ]
        # shown again by the id she has now
        assert client.delete(f"/v1/admin/hidden-people/{NEW_ID}", headers=admin).status_code == 200
        shown = client.get("/v1/experts", params={"q": QUERY}).json()
        assert [p["id"] for p in shown["people"]] == [NEW_ID]


def test_the_cli_lists_the_current_id_and_an_entry_hidden_by_id_alone_is_upgraded(
    tmp_path: Path, embedder
) -> None:
    wiki = write_wiki(tmp_path)
    data = tmp_path / "data"
    assert not run_index(data, embedder, [wiki_spec(wiki)]).failed
    state = StateStore(data)
    state.hide(OLD_ID, "opted out")  # as releases before identities were kept stored it
    service = SearchService(SQLiteStore(data), embedder, home=home_at(data), state=StateStore(data))
    try:
        assert service.hidden_people() == {OLD_ID}
    finally:
        service.close()
    [entry] = state.hidden_people()
    assert entry.identities == ("github:rivka", "record:wiki:github:rivka")
    state.close()

    assert not run_index(data, embedder, [wiki_spec(wiki), bios_spec(tmp_path)]).failed

    listed = whoknows(tmp_path, "people", "hidden", "--json", "--data-dir", str(data))
    answer = whoknows(tmp_path, "ask", QUERY, "--json", "--data-dir", str(data))
    assert listed.returncode == 0, listed.stderr
    assert [(h["person_id"], h["hidden_as"], h["reason"]) for h in json.loads(listed.stdout)] == [
        (NEW_ID, OLD_ID, "opted out")
    ]
    assert json.loads(answer.stdout)["people"] == []
    unhidden = whoknows(tmp_path, "people", "unhide", NEW_ID, "--data-dir", str(data))
    assert unhidden.returncode == 0, unhidden.stderr
    assert (
        json.loads(whoknows(tmp_path, "people", "hidden", "--json", "--data-dir", str(data)).stdout)
        == []
    )
