"""``X-Forwarded-For`` is believed only from ``trusted_proxies``, on the real ``whoknows serve``.

Anonymous access is on and each address may make 3 requests; a client on loopback that
invents a new forwarded address per request must still run out of requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import ANA_ID, build_index
from tests.security.http_helpers import whoknows_serve

BURST = 3
LIMITED = {
    "WHOKNOWS_ALLOW_ANONYMOUS": "true",
    "WHOKNOWS_RATE_LIMIT_PER_MINUTE": "1",
    "WHOKNOWS_RATE_LIMIT_BURST": str(BURST),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    return build_index(tmp_path_factory.mktemp("org"), embedder)[0]


def _statuses(base: str, requests: int) -> list[int]:
    return [
        httpx.get(
            f"{base}/v1/people/{ANA_ID}",
            headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Forwarded-Proto": "https"},
        ).status_code
        for n in range(requests)
    ]


def test_forwarded_addresses_from_loopback_are_not_believed_by_default(data: Path) -> None:
    with whoknows_serve(data, LIMITED) as base:
        statuses = _statuses(base, BURST + 2)

    assert statuses == [200] * BURST + [429, 429]


def test_with_two_workers_forwarded_addresses_are_not_believed_either(data: Path) -> None:
    with whoknows_serve(data, LIMITED, "--workers", "2") as base:
        statuses = _statuses(base, 2 * BURST + 1)

    # each worker keeps its own buckets: at most 2 x BURST requests get through
    assert statuses.count(200) <= 2 * BURST
    assert set(statuses) == {200, 429}


def test_a_configured_proxy_is_believed(data: Path) -> None:
    env = {**LIMITED, "WHOKNOWS_TRUSTED_PROXIES": json.dumps(["127.0.0.1"])}
    with whoknows_serve(data, env) as base:
        statuses = _statuses(base, BURST + 2)

    assert statuses == [200] * (BURST + 2)
