"""The PostgreSQL backend chosen by one setting: the same CLI, the same answers, generations.

``database_url`` in the config file sends ``whoknows index``, ``ask`` and the service to
PostgreSQL; nothing else changes. Runs on the real server of tests/store/postgres_server.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.errors import IndexLockedError
from indexer.store import open_home
from indexer.store.postgres.home import PostgresHome
from search_api.service import SearchService
from tests.helpers import write_org
from tests.test_cli import whoknows

QUERY = "how do I roll back a failed helm release"


def write_config(root: Path, database_url: str | None) -> Path:
    wiki, bios = write_org(root)
    lines = [f'data_dir = "{root / "data"}"']
    if database_url:
        lines.append(f'database_url = "{database_url}"')
    lines += [
        "[[sources]]",
        'name = "wiki"',
        'kind = "wiki"',
        f'path = "{wiki}"',
        "options = { git = false }",
        "[[sources]]",
        'name = "team"',
        'kind = "bios"',
        f'path = "{bios}"',
    ]
    config = root / "whoknows.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def ask(root: Path, config: Path) -> dict:
    run = whoknows(root, "ask", QUERY, "--json", "--config", str(config))
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture
def configs(tmp_path: Path, postgres_database: str) -> tuple[Path, Path]:
    (tmp_path / "pg").mkdir()
    (tmp_path / "embedded").mkdir()
    return (
        write_config(tmp_path / "pg", postgres_database),
        write_config(tmp_path / "embedded", None),
    )


def test_the_cli_indexes_into_postgresql_and_answers_as_the_embedded_backend(
    configs: tuple[Path, Path], postgres_database: str
) -> None:
    pg, embedded = configs
    for config in (pg, embedded):
        run = whoknows(config.parent, "index", "--config", str(config), "--json")
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["totals"]["added"] == 6

    from_pg, from_files = ask(pg.parent, pg), ask(embedded.parent, embedded)

    assert [p["id"] for p in from_pg["people"]] == [p["id"] for p in from_files["people"]]
    assert [d["id"] for d in from_pg["documents"]] == [d["id"] for d in from_files["documents"]]
    assert from_pg["people"][0]["name"] == "Ana Kovač"
    assert not (pg.parent / "data" / "generations").exists()  # the index is in the database
    home = open_home(load_settings(pg))
    assert isinstance(home, PostgresHome)
    assert "password" not in home.location


def test_a_server_follows_a_new_generation_and_the_lock_is_one_run_at_a_time(
    configs: tuple[Path, Path], embedder
) -> None:
    pg, _ = configs
    first = whoknows(pg.parent, "index", "--config", str(pg), "--json")
    assert first.returncode == 0, first.stderr
    settings = load_settings(pg)
    service = SearchService.open(settings, embedder)
    try:
        served = service.store.generation
        assert served == json.loads(first.stdout)["generation"]
        assert service.reload() is False
        home = open_home(settings)
        with home.lock():
            with pytest.raises(IndexLockedError):
                home.lock().__enter__()
            refused = whoknows(pg.parent, "index", "--config", str(pg), "--json")
        assert refused.returncode == 4, refused.stdout + refused.stderr
        second = whoknows(pg.parent, "index", "--config", str(pg), "--json")
        assert second.returncode == 0, second.stderr
        totals = json.loads(second.stdout)["totals"]  # seeded from the live generation
        assert (totals["added"], totals["unchanged"]) == (0, 6)

        assert service.reload() is True
        assert service.store.generation == json.loads(second.stdout)["generation"] != served
        answer = service.search(QUERY, people_limit=1)
        assert [p.name for p in answer.people] == ["Ana Kovač"]
    finally:
        service.close()


def test_replicas_share_keys_and_hidden_people_through_the_database(
    configs: tuple[Path, Path], embedder
) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app
    from tests.helpers import ANA_ID

    pg, _ = configs
    assert whoknows(pg.parent, "index", "--config", str(pg)).returncode == 0
    made = whoknows(pg.parent, "keys", "create", "ops", "--scope", "admin", "--config", str(pg))
    assert made.returncode == 0, made.stderr
    admin = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1].strip()}"}
    assert not (pg.parent / "data" / "state.db").exists()  # keys are in the database
    settings = load_settings(pg)

    with (
        TestClient(create_app(settings, embedder=embedder)) as one,
        TestClient(create_app(settings, embedder=embedder)) as two,
    ):
        search = {"q": QUERY, "limit": 3}
        assert one.get("/v1/experts", params=search, headers=admin).status_code == 200
        assert two.get("/v1/experts", params=search, headers=admin).status_code == 200
        # hidden through one replica: gone from the other's next answer
        assert one.put(f"/v1/admin/hidden-people/{ANA_ID}", headers=admin).status_code == 200
        people = two.get("/v1/experts", params=search, headers=admin).json()["people"]
        assert ANA_ID not in [p["id"] for p in people]
        listed = two.get("/v1/admin/hidden-people", headers=admin).json()
        assert [h["person_id"] for h in listed] == [ANA_ID]
        # revoked from the command line: both replicas refuse the key at once
        prefix = admin["Authorization"].split("_")[1]
        revoked = whoknows(pg.parent, "keys", "revoke", prefix, "--config", str(pg))
        assert revoked.returncode == 0, revoked.stderr
        assert one.get("/v1/experts", params=search, headers=admin).status_code == 401
        assert two.get("/v1/experts", params=search, headers=admin).status_code == 401


def test_replicas_share_one_rate_limit(configs: tuple[Path, Path], embedder) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    pg, _ = configs
    assert whoknows(pg.parent, "index", "--config", str(pg)).returncode == 0
    settings = load_settings(pg).model_copy(
        update={"allow_anonymous": True, "rate_limit_per_minute": 1, "rate_limit_burst": 3}
    )

    with (
        TestClient(create_app(settings, embedder=embedder)) as one,
        TestClient(create_app(settings, embedder=embedder)) as two,
    ):
        answers = [
            client.get("/v1/experts", params={"q": "helm"})
            for client in (one, two, one, two, one, two)
        ]

    # one budget of 3 for the caller, whichever replica answers (each alone would allow 3)
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert int(answers[3].headers["Retry-After"]) >= 1
