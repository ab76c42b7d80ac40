"""Metrics of a server with several workers add up: any worker answers a scrape for all of them.

``whoknows serve --workers 2`` runs prometheus-client's multiprocess mode; without it each
scrape showed only the requests of the worker that happened to answer it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.helpers import build_index
from tests.security.http_helpers import whoknows_serve

REQUESTS = 40
SEARCH_COUNT = re.compile(
    r'^whoknows_request_duration_seconds_count\{method="GET",route="/v1/search",'
    r'status="200"\} (\S+)$',
    re.MULTILINE,
)


def test_every_scrape_counts_the_requests_of_both_workers(tmp_path: Path, embedder) -> None:
    data, _ = build_index(tmp_path, embedder)
    env = {"WHOKNOWS_ALLOW_ANONYMOUS": "true", "WHOKNOWS_METRICS_OPEN": "true"}
    env |= {"WHOKNOWS_RATE_LIMIT_BURST": "1000"}

    with whoknows_serve(data, env, "--workers", "2") as base:
        _both_workers_ready(base)
        for n in range(REQUESTS):  # a new connection each: the kernel spreads them
            with httpx.Client(base_url=base) as client:
                assert client.get("/v1/search", params={"q": f"helm {n}"}).status_code == 200
        counts = []
        for _ in range(6):
            with httpx.Client(base_url=base) as client:
                text = client.get("/metrics").text
            counts.append([float(c) for c in SEARCH_COUNT.findall(text)])
        gauges = re.findall(r"^whoknows_index_documents (\S+)$", text, re.MULTILINE)

    assert counts == [[float(REQUESTS)]] * 6
    assert gauges == ["6.0"]


def _both_workers_ready(base: str, answers: int = 10, seconds: float = 120.0) -> None:
    """Wait until ``answers`` new connections in a row get an answer: the readiness check of
    the helper saw one worker, and a busy machine may still be loading the other."""
    deadline = time.monotonic() + seconds
    ready = 0
    while ready < answers:
        assert time.monotonic() < deadline, "the workers did not all become ready"
        try:
            with httpx.Client(base_url=base) as client:
                ready = ready + 1 if client.get("/readyz").status_code == 200 else 0
        except httpx.TransportError:
            ready = 0
            time.sleep(0.2)
