"""``/readyz`` tells counts only to admins, ``/metrics`` needs a key, wrong keys are limited.

The index counts restricted documents and people, so anonymous probes see only the status.
Failed credentials are counted per client address: the guessing address gets 429 while a
caller at another address goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import create_app
from search_api.auth import INVALID, MISSING, NO_METRICS, NO_SCOPE
from search_api.keys import KeyStore
from search_api.ratelimit import RateLimiter
from tests.helpers import ANA_ID, build_index
from tests.security.http_helpers import bearer, client_for, create_key

FAILURES = 3
GATEWAY_SECRET = "gateway-secret"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    return build_index(tmp_path_factory.mktemp("org"), embedder)[0]


@pytest.fixture(scope="module")
def keys(data: Path) -> dict[str, str]:
    return {scope: create_key(data, [scope]) for scope in ("search", "admin", "metrics")}


@pytest.fixture(scope="module")
def client(data: Path, embedder) -> Iterator[TestClient]:
    with client_for(data, embedder, allow_anonymous=True) as test_client:
        yield test_client


def test_readyz_without_an_admin_key_is_the_status_alone(
    client: TestClient, keys: dict[str, str]
) -> None:
    anonymous = client.get("/readyz")
    searcher = client.get("/readyz", headers=bearer(keys["search"]))

    assert (anonymous.status_code, anonymous.json()) == (200, {"status": "ready"})
    assert (searcher.status_code, searcher.json()) == (200, {"status": "ready"})


def test_readyz_with_an_admin_key_has_the_counts(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get("/readyz", headers=bearer(keys["admin"]))

    assert (response.status_code, response.json()["people"]) == (200, 4)
    assert set(response.json()) == {
        "status",
        "documents",
        "chunks",
        "people",
        "model",
        "built_at",
        "generation",
    }


def test_readyz_with_a_wrong_key_is_401(client: TestClient) -> None:
    response = client.get("/readyz", headers=bearer("wk_nope_nope"))

    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


def test_readyz_before_the_index_is_loaded_is_503_without_detail_of_the_index(
    tmp_path: Path,
) -> None:
    response = TestClient(create_app(Settings(data_dir=tmp_path))).get("/readyz")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "not ready", "detail": "the index is not loaded yet"},
    )


@pytest.mark.parametrize(
    ("scope", "status", "detail"),
    [
        (None, 401, MISSING),
        ("search", 403, NO_METRICS),
        ("metrics", 200, None),
        ("admin", 200, None),
    ],
    ids=["no-key", "search-key", "metrics-key", "admin-key"],
)
def test_metrics_need_a_metrics_or_admin_key(
    client: TestClient, keys: dict[str, str], scope: str | None, status: int, detail: str | None
) -> None:
    response = client.get("/metrics", headers=bearer(keys[scope]) if scope else {})

    assert response.status_code == status
    if detail is None:
        assert "whoknows_index_documents 6.0" in response.text
    else:
        assert response.json() == {"detail": detail}


def test_a_metrics_key_cannot_search(client: TestClient, keys: dict[str, str]) -> None:
    response = client.get(f"/v1/people/{ANA_ID}", headers=bearer(keys["metrics"]))

    assert (response.status_code, response.json()) == (403, {"detail": NO_SCOPE})


def test_metrics_open_serves_them_without_a_key(data: Path, embedder) -> None:
    with client_for(data, embedder, metrics_open=True) as open_metrics:
        response = open_metrics.get("/metrics")

    assert response.status_code == 200
    assert "whoknows_index_people 4.0" in response.text


@contextmanager
def _two_addresses(data: Path, embedder) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(
        data_dir=data,
        auth_failures_per_minute=FAILURES,
        gateway_secret=GATEWAY_SECRET,
        rate_limit_burst=1000,
    )
    app = create_app(settings, embedder=embedder)
    with (
        TestClient(app, client=("198.51.100.7", 40000)) as guesser,
        TestClient(app, client=("198.51.100.8", 40000)) as colleague,
    ):
        yield guesser, colleague


@pytest.mark.parametrize(
    "wrong",
    [
        bearer("wk_dead_beef"),
        {"X-API-Key": "wk_dead_beef"},
        {"Authorization": "Basic abc"},
        {"X-WhoKnows-Gateway": "not-the-secret"},
    ],
    ids=["unknown-bearer", "unknown-x-api-key", "not-bearer", "wrong-gateway-secret"],
)
def test_failed_credentials_are_429_per_address_after_the_limit(
    data: Path, embedder, keys: dict[str, str], wrong: dict[str, str]
) -> None:
    url = f"/v1/people/{ANA_ID}"
    with _two_addresses(data, embedder) as (guesser, colleague):
        failed = [guesser.get(url, headers=wrong).status_code for _ in range(FAILURES)]
        limited = guesser.get(url, headers=wrong)
        guesser_with_a_valid_key = guesser.get(url, headers=bearer(keys["search"]))
        colleague_answer = colleague.get(url, headers=bearer(keys["search"]))
        anonymous_probe = guesser.get("/readyz")

    assert failed == [401] * FAILURES
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["detail"].startswith(
        f"too many failed credentials from this address ({FAILURES} a minute); retry after "
    )
    assert guesser_with_a_valid_key.status_code == 429
    assert colleague_answer.status_code == 200
    assert anonymous_probe.json() == {"status": "ready"}


def test_a_revoked_key_counts_as_a_failure(data: Path, embedder) -> None:
    store = KeyStore(data)
    info, plaintext = store.create("revoked", ["search"])
    store.revoke(info.prefix)
    store.close()
    with _two_addresses(data, embedder) as (guesser, _):
        statuses = [
            guesser.get("/readyz", headers=bearer(plaintext)).status_code
            for _ in range(FAILURES + 1)
        ]

    assert statuses == [401] * FAILURES + [429]


def test_failure_buckets_stay_bounded_when_no_bucket_has_refilled() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=FAILURES, burst=FAILURES, clock=lambda: now[0], max_callers=2)
    for step, address in enumerate(["ip:a", "ip:b", "ip:c"]):
        now[0] = step / 10
        limiter.acquire(address)

    assert sorted(limiter._buckets) == ["ip:b", "ip:c"]
