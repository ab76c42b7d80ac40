"""Two `whoknows serve` processes against one PostgreSQL: one organisation, not two.

The replicas give identical answers, refuse a revoked key at once, and share one rate
limit; one of them runs two workers.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from indexer.store.postgres.state import PostgresKeyRows
from search_api.keys import KeyStore
from tests.security.http_helpers import bearer, whoknows_serve
from tests.store.test_home_postgres import QUERY, write_config
from tests.test_cli import whoknows


def test_two_servers_answer_alike_share_keys_and_one_rate_limit(
    tmp_path: Path, postgres_database: str
) -> None:
    config = write_config(tmp_path, postgres_database)
    assert whoknows(tmp_path, "index", "--config", str(config)).returncode == 0
    keys = KeyStore(PostgresKeyRows(postgres_database))
    key = keys.create("replicas", ["search"])[1]
    env = {
        "WHOKNOWS_DATABASE_URL": postgres_database,
        "WHOKNOWS_RATE_LIMIT_PER_MINUTE": "1",
        "WHOKNOWS_RATE_LIMIT_BURST": "6",
    }
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    params = {"q": QUERY, "limit": 3}

    with (
        whoknows_serve(data, env, log=tmp_path / "one.log") as one,
        whoknows_serve(data, env, "--workers", "2", log=tmp_path / "two.log") as two,
    ):
        answers = [
            httpx.get(f"{base}/v1/experts", params=params, headers=bearer(key))
            for base in (one, two)
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].json() == answers[1].json()
        assert answers[0].json()["people"][0]["name"] == "Ana Kovač"
        # one budget of 6 for the key across both servers: 2 spent, 4 left
        more = [
            httpx.get(f"{base}/v1/experts", params=params, headers=bearer(key)).status_code
            for base in (one, two, one, two, one)
        ]
        assert more == [200, 200, 200, 200, 429]
        keys.revoke(key.split("_")[1])
        refused = [
            httpx.get(f"{base}/v1/experts", params=params, headers=bearer(key)).status_code
            for base in (one, two)
        ]
        assert refused == [401, 401]
    keys.close()
