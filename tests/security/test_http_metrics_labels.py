"""Invented HTTP methods and random paths must not grow the ``/metrics`` label set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.helpers import build_index
from tests.security.http_helpers import bearer, client_for, create_key

INVENTED = 3000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[TestClient, str]]:
    data, _ = build_index(tmp_path_factory.mktemp("org"), embedder)
    key = create_key(data, ["admin"])
    with client_for(data, embedder, rate_limit_burst=10_000) as client:
        yield client, key


def _latency_series(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.startswith("whoknows_request_duration_seconds_count")
    ]


def test_invented_methods_and_paths_share_one_label_each(served: tuple[TestClient, str]) -> None:
    client, key = served
    for n in range(INVENTED):
        assert client.request(f"BREW{n}", f"/no/such/path/{n}").status_code == 404
    client.get("/healthz")

    response = client.get("/metrics", headers=bearer(key))

    assert response.status_code == 200
    assert _latency_series(response.text) == [
        'whoknows_request_duration_seconds_count{method="other",route="<unmatched>",'
        f'status="404"}} {INVENTED}.0',
        'whoknows_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1.0',
    ]
    assert len(response.content) < 20_000
