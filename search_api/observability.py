"""Request logs (one JSON line per request, with a request id) and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from indexer.store.base import IndexStats

ACCESS_LOGGER = "whoknows.access"
REQUEST_ID_HEADER = "X-Request-ID"
KEY_PREFIX_SCOPE = "whoknows.key_prefix"
"""Where the auth dependency leaves the caller's key prefix for the request log."""
UNMATCHED_ROUTE = "<unmatched>"
"""The route label of every request that matched no route (any path, one label)."""
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
OTHER_METHOD = "other"
"""The method label of every request whose method is not in ``KNOWN_METHODS``."""
LOGGED_METHOD_CHARS = 32
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger(ACCESS_LOGGER)


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's multiprocess mode: each worker writes its values to files there."""


class Metrics:
    """The app's Prometheus metrics, in a registry of their own (one per app).

    With ``multiprocess_dir`` (``whoknows serve --workers N`` sets ``PROMETHEUS_MULTIPROC_DIR``
    for its workers, which prometheus-client reads when it is imported), every worker writes
    its values to files there and :meth:`exposition` adds up all workers' files, so whichever
    worker answers a scrape reports the whole server.
    """

    def __init__(self, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "whoknows_request_duration_seconds",
            "HTTP request latency by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        # workers serve the same index: across them a gauge is its most recent value
        gauge = {"registry": self.registry, "multiprocess_mode": "mostrecent"}
        self.documents = Gauge("whoknows_index_documents", "Documents in the index.", **gauge)
        self.chunks = Gauge("whoknows_index_chunks", "Chunks in the index.", **gauge)
        self.people = Gauge("whoknows_index_people", "People in the index.", **gauge)
        self.last_index = Gauge(
            "whoknows_index_built_timestamp_seconds",
            "When the served index was built (Unix time, from its manifest).",
            **gauge,
        )

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format: this process's, or every worker's."""
        if self.multiprocess_dir is None:
            return bytes(generate_latest(self.registry))
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        return bytes(generate_latest(registry))

    def set_index(self, stats: IndexStats, built_at: str | None) -> None:
        self.documents.set(stats.documents)
        self.chunks.set(stats.chunks)
        self.people.set(stats.people)
        if built_at:
            self.last_index.set(datetime.fromisoformat(built_at).timestamp())


class RequestLogMiddleware:
    """Times every HTTP request, logs it as one JSON line and echoes its request id.

    The request id comes from ``X-Request-ID`` when it is a plain token of up to
    128 characters, else a new one is made.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
            self.metrics.latency.labels(method_label(scope["method"]), route, str(status)).observe(
                seconds
            )
            access_log.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"][:LOGGED_METHOD_CHARS],
                        "route": route,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "key_prefix": scope.get(KEY_PREFIX_SCOPE),
                    }
                )
            )


def method_label(method: str) -> str:
    """The metrics label of an HTTP method: itself when standard, else ``other``.

    Labels are bounded so that invented methods cannot grow ``/metrics`` without end.

    >>> method_label("GET"), method_label("BREW")
    ('GET', 'other')
    """
    return method if method in KNOWN_METHODS else OTHER_METHOD


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _REQUEST_ID.match(given):
                return given
    return uuid.uuid4().hex


def configure_access_log(stream: Any = None) -> None:
    """Print request lines as they are (JSON), at INFO, whatever the root logger's level."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
