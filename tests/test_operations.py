"""Operations over a real tiny index: /readyz, /metrics, request logs, rate limits, the factory."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.config import Settings
from search_api.app import app_from_env, create_app
from search_api.keys import KeyStore
from search_api.observability import ACCESS_LOGGER
from search_api.ratelimit import RateLimiter, retry_after
from tests.helpers import build_index


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    data, summary = build_index(tmp_path_factory.mktemp("org"), embedder)
    assert not summary.failed
    return data


@pytest.fixture(scope="module")
def client(data: Path, embedder) -> Iterator[TestClient]:
    settings = Settings(data_dir=data, allow_anonymous=True)
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def admin(data: Path) -> dict[str, str]:
    keys = KeyStore(data)
    _, plaintext = keys.create("operations", ["admin"])
    keys.close()
    return {"Authorization": f"Bearer {plaintext}"}


def test_readyz_reports_the_loaded_index(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get("/readyz", headers=admin)

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "documents", "chunks", "people", "model")} == {
        "status": "ready",
        "documents": 6,
        "chunks": 6,
        "people": 4,
        "model": "all-MiniLM-L6-v2",
    }
    assert body["built_at"].startswith("20")


def test_readyz_is_503_before_the_index_is_loaded(tmp_path: Path) -> None:
    response = TestClient(create_app(Settings(data_dir=tmp_path))).get("/readyz")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "not ready", "detail": "the index is not loaded yet"},
    )


def test_metrics_count_requests_by_route_template_and_the_index(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.get("/v1/people/ana-kovac-eb5404")
    client.get("/v1/people/nobody")

    text = client.get("/metrics", headers=admin).text

    assert (
        'whoknows_request_duration_seconds_count{method="GET",'
        'route="/v1/people/{person_id}",status="200"} 1.0'
    ) in text
    assert (
        'whoknows_request_duration_seconds_count{method="GET",'
        'route="/v1/people/{person_id}",status="404"} 1.0'
    ) in text
    assert "whoknows_index_documents 6.0" in text
    assert "whoknows_index_chunks 6.0" in text
    assert "whoknows_index_people 4.0" in text
    [built] = [line for line in text.splitlines() if line.startswith("whoknows_index_built_")]
    assert float(built.split()[1]) > 1.7e9


def test_probes_need_no_key_and_metrics_do(data: Path, embedder) -> None:
    with TestClient(create_app(Settings(data_dir=data), embedder=embedder)) as closed:
        statuses = [closed.get(path).status_code for path in ("/healthz", "/readyz", "/metrics")]
        refused = closed.get("/v1/experts", params={"q": "helm"}).status_code

    assert (statuses, refused) == ([200, 200, 401], 401)


def test_each_request_is_one_json_log_line_with_its_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        given = client.get("/v1/experts", params={"q": "helm"}, headers={"X-Request-ID": "abc-1"})
        made = client.get("/healthz")

    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOGGER]
    assert given.headers["X-Request-ID"] == "abc-1"
    assert len(made.headers["X-Request-ID"]) == 32
    assert [
        {k: line[k] for k in ("request_id", "method", "route", "status", "key_prefix")}
        for line in lines
    ] == [
        {
            "request_id": "abc-1",
            "method": "GET",
            "route": "/v1/experts",
            "status": 200,
            "key_prefix": None,
        },
        {
            "request_id": made.headers["X-Request-ID"],
            "method": "GET",
            "route": "/healthz",
            "status": 200,
            "key_prefix": None,
        },
    ]
    assert all(line["duration_ms"] >= 0 for line in lines)


def test_the_log_names_the_key_prefix_never_the_key(
    data: Path, embedder, caplog: pytest.LogCaptureFixture
) -> None:
    keys = KeyStore(data)
    info, plaintext = keys.create("logged", ["search"])
    keys.close()
    with (
        TestClient(create_app(Settings(data_dir=data), embedder=embedder)) as closed,
        caplog.at_level(logging.INFO, logger=ACCESS_LOGGER),
    ):
        closed.get("/v1/documents", params={"q": "helm"}, headers={"X-API-Key": plaintext})

    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOGGER]
    assert (line["key_prefix"], line["status"]) == (info.prefix, 200)
    assert plaintext not in caplog.text


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})

    assert response.headers["X-Request-ID"] != "bad id\twith spaces"
    assert len(response.headers["X-Request-ID"]) == 32


def test_rate_limit_is_per_key_with_retry_after(data: Path, embedder) -> None:
    keys = KeyStore(data)
    _, first = keys.create("limited one", ["search"])
    _, second = keys.create("limited two", ["search"])
    keys.close()
    settings = Settings(data_dir=data, rate_limit_per_minute=1, rate_limit_burst=2)
    with TestClient(create_app(settings, embedder=embedder)) as limited:

        def get(key: str):
            return limited.get("/v1/documents", params={"q": "helm"}, headers={"X-API-Key": key})

        statuses = [get(first).status_code for _ in range(2)]
        refused = get(first)
        other = get(second)

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "rate limit of 1 requests a minute exceeded; retry after 60 seconds"
    }
    assert refused.headers["Retry-After"] == "60"
    assert other.status_code == 200


def test_anonymous_callers_are_limited_per_client_address(data: Path, embedder) -> None:
    settings = Settings(
        data_dir=data, allow_anonymous=True, rate_limit_per_minute=60, rate_limit_burst=1
    )
    with TestClient(create_app(settings, embedder=embedder)) as limited:
        first = limited.get("/v1/people/ana-kovac-eb5404")
        second = limited.get("/v1/people/ana-kovac-eb5404")
        probe = limited.get("/healthz")

    assert (first.status_code, second.status_code, probe.status_code) == (200, 429, 200)
    assert second.headers["Retry-After"] == "1"


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0])

    waits = [limiter.acquire("k") for _ in range(3)]
    now[0] = 10.0
    refilled = limiter.acquire("k")

    assert waits == [0.0, 0.0, 10.0]
    assert refilled == 0.0
    assert limiter.acquire("other") == 0.0
    assert retry_after(0.2) == 1


def test_app_from_env_reads_the_config_and_data_dir(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "whoknows.toml"
    config.write_text("allow_anonymous = true\nrate_limit_burst = 3\n", encoding="utf-8")
    monkeypatch.setenv("WHOKNOWS_CONFIG", str(config))
    monkeypatch.setenv("WHOKNOWS_DATA_DIR", str(data))

    app = app_from_env()

    settings = app.state.settings
    assert (settings.data_dir, settings.allow_anonymous, settings.rate_limit_burst) == (
        data,
        True,
        3,
    )


def test_serve_with_two_workers_answers_and_logs_each_request(data: Path, tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import time

    import httpx

    from tests.test_cli import COMMAND

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "whoknows.toml"
    config.write_text("allow_anonymous = true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    command = [*COMMAND, "serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--config", str(config), "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "whoknows serve --workers 2 did not get ready"
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        answers = [
            httpx.get(f"{base}/v1/documents", params={"q": "helm", "limit": 1}) for _ in range(4)
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, log = server.communicate(timeout=30)

    assert [a.status_code for a in answers] == [200] * 4
    assert {a.json()["documents"][0]["id"] for a in answers} == {"wiki/helm-rollbacks.md"}
    request_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert [line["route"] for line in request_lines if line["route"] == "/v1/documents"] == [
        "/v1/documents"
    ] * 4


def test_refilled_buckets_are_forgotten_when_there_are_many_callers() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=1, clock=lambda: now[0], max_callers=2)
    limiter.acquire("a")
    now[0] = 0.5
    limiter.acquire("b")
    now[0] = 1.2

    limiter.acquire("c")

    assert sorted(limiter._buckets) == ["b", "c"]
    assert limiter.acquire("b") == pytest.approx(0.3)
