#!/usr/bin/env python3
"""Query a real server under load while a re-index builds and switches generations.

It indexes the given sources into a fresh data directory (the first wiki folder
is copied, so the original is never touched), starts ``whoknows serve`` on
127.0.0.1, and runs a bounded client: ``--concurrency`` connections sending
distinct queries for ``--duration`` seconds. A third of the way in it adds a
marker page to the wiki copy and runs ``whoknows index``. It reports requests,
errors, empty answers, latency (overall and within ``--window`` seconds of the
switch) and when every answer to the marker query showed the new page.

Example (the sample organisation, the figures in docs/operations.md)::

    .venv/bin/python scripts/load_during_reindex.py --config whoknows.toml --duration 60

Exit code 0 when there were no errors and no empty answers, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import httpx

WORDS = [
    "helm",
    "rollback",
    "kubernetes",
    "deploy",
    "postgres",
    "vacuum",
    "backup",
    "replication",
    "expense",
    "report",
    "travel",
    "budget",
    "hiring",
    "onboarding",
    "laptop",
    "security",
    "incident",
    "oncall",
    "alert",
    "latency",
    "cache",
    "queue",
    "kafka",
    "billing",
    "invoice",
    "tax",
    "payroll",
    "design",
    "review",
    "api",
    "gateway",
    "certificate",
    "dns",
    "network",
    "vpn",
    "python",
    "testing",
    "release",
    "mobile",
    "android",
    "ios",
    "data",
    "warehouse",
    "dashboard",
    "metrics",
    "logging",
    "terraform",
]
AFTER_SWITCH_S = 10.0
"""The load goes on at least this long after the switch, so a worker that never switched shows."""
SERVER_LOG_LINES = 40
"""How much of the server's log a failed run prints to stderr."""
MARKER_ID = "loadtest-marker.md"
MARKER_QUERY = "recalibrating the zeppelin mooring winch tension"
MARKER_PAGE = """---
title: Recalibrating the zeppelin mooring winch
authors:
  - Load Tester <load.tester@example.com>
---
The zeppelin mooring winch drifts out of tension after every storm. Recalibrate the winch
tension with the torque gauge, then log the new mooring tension in the hangar book.
"""


@dataclass
class Sample:
    started: float
    seconds: float
    status: int
    people: int
    marker: bool
    """The marker query (whose answer changes with the new generation)."""
    marker_first: bool
    """The marker page was the first document of the answer."""


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    failures: Counter[str] = field(default_factory=Counter)
    """Client-side errors (status 0) by exception and message, for a failure report."""

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def failure(self, exc: Exception) -> None:
        with self.lock:
            self.failures[f"{type(exc).__name__}: {exc}"[:200]] += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("whoknows")
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "search_api.cli"]
    return [*base, *args]


def prepare(config: Path, work: Path) -> tuple[list[str], Path]:
    """The sources of ``config`` as KIND:PATH arguments, the first wiki folder copied."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    wiki_copy: Path | None = None
    sources = []
    for source in data.get("sources", []):
        path = (config.parent / source["path"]).resolve()
        if source["kind"] == "wiki" and wiki_copy is None:
            wiki_copy = work / "wiki"
            shutil.copytree(path, wiki_copy)
            path = wiki_copy
        sources.append(f"{source['kind']}:{path}")
    if wiki_copy is None:
        raise SystemExit(f"{config}: needs a wiki source to change during the run")
    return sources, wiki_copy


def client(url: str, run: Run, stop: threading.Event, seed: int) -> None:
    n = seed
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.is_set():
            n += 1
            marker = n % 5 == 0
            q = MARKER_QUERY if marker else f"{WORDS[n % len(WORDS)]} {WORDS[(n * 7) % len(WORDS)]}"
            started = time.monotonic()
            try:
                response = http.get("/v1/search", params={"q": q, "limit": 3})
                status = response.status_code
                body = response.json() if status == 200 else {}
            except httpx.HTTPError as exc:
                status, body = 0, {}
                run.failure(exc)
            seconds = time.monotonic() - started
            docs = [d["id"] for d in body.get("documents", [])]
            first = marker and bool(docs) and docs[0].endswith(MARKER_ID)
            run.add(Sample(started, seconds, status, len(body.get("people", [])), marker, first))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--config", type=Path, default=Path("whoknows.toml"), help="whose sources to index"
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=float, default=2.0, help="seconds around the switch")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "WHOKNOWS_ALLOW_ANONYMOUS": "true",
        "WHOKNOWS_RELOAD_INTERVAL": "0.5",
        "WHOKNOWS_RATE_LIMIT_PER_MINUTE": "100000000",
        "WHOKNOWS_RATE_LIMIT_BURST": "100000000",
    }
    with tempfile.TemporaryDirectory(prefix="whoknows-load-") as tmp:
        work = Path(tmp)
        sources, wiki = prepare(args.config.resolve(), work)
        data = ["--data-dir", str(work / "data")]
        subprocess.run(command("index", *sources, *data), env=env, check=True, capture_output=True)
        server_log = (work / "server.log").open("w", encoding="utf-8")
        server, url = start_server(data, args.workers, env, server_log)
        try:
            run, stop = Run(), threading.Event()
            threads = [
                threading.Thread(target=client, args=(url, run, stop, i * 1000), daemon=True)
                for i in range(args.concurrency)
            ]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(args.duration / 3)
            (wiki / MARKER_ID).write_text(MARKER_PAGE, encoding="utf-8")
            current = work / "data" / "CURRENT"
            served = current.read_text(encoding="utf-8")
            reindex_started = time.monotonic()
            indexing = subprocess.Popen(
                command("index", *sources, *data, "--json"),
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            while current.read_text(encoding="utf-8") == served and indexing.poll() is None:
                time.sleep(0.02)
            switched = time.monotonic()  # CURRENT names the new generation from here on
            index_code = indexing.wait()
            time.sleep(max(AFTER_SWITCH_S, began + args.duration - time.monotonic()))
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
        report = summarise(run, began, reindex_started, switched, args, index_code)
        if report["errors"]:  # what the server said, for whoever reads the failure
            lines = (work / "server.log").read_text(encoding="utf-8", errors="replace")
            print("\n".join(lines.splitlines()[-SERVER_LOG_LINES:]), file=sys.stderr)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:32} {value}")
    return 0 if report["errors"] == 0 and report["empty_answers"] == 0 else 1


def start_server(
    data: list[str], workers: int, env: dict[str, str], log: TextIO
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``whoknows serve`` on a free port and wait until it answers; its url.

    The port is free when chosen but another process may take it before the server
    binds it; then our server exits while someone else answers. So the server must
    still be running once ready, or it is started again on another port.
    """
    for _ in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            command("serve", *data, "--port", str(port), "--workers", str(workers)),
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if _wait_ready(url, workers, server):
            time.sleep(0.5)  # a failed bind ends the process within moments
            if server.poll() is None:
                return server, url
        server.wait(timeout=30)
    raise SystemExit("the server could not keep a port: see its log")


def _wait_ready(url: str, workers: int, server: subprocess.Popen[bytes]) -> bool:
    """True once ``url`` answers ready, False if the server process ended first."""
    deadline = time.monotonic() + 180
    ready = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                ready += 1
                if ready >= workers * 3:
                    return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not become ready in 180 s")


def summarise(
    run: Run, began: float, reindex_started: float, switched: float, args, index_code: int
) -> dict[str, object]:
    samples = run.samples
    latencies = [s.seconds * 1000 for s in samples]
    near = [s.seconds * 1000 for s in samples if abs(s.started - switched) <= args.window]
    during = [s.seconds * 1000 for s in samples if reindex_started <= s.started <= switched]
    before = [s.seconds * 1000 for s in samples if s.started < reindex_started]
    hits = [s.started for s in samples if s.marker_first]
    misses = [s.started for s in samples if s.marker and s.status == 200 and not s.marker_first]
    last_old = max((t for t in misses if t >= reindex_started), default=None)
    elapsed = max(s.started + s.seconds for s in samples) - began if samples else 0.0
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if s.status != 200),
        "error_statuses": dict(
            sorted(Counter(str(s.status) for s in samples if s.status != 200).items())
        ),
        "client_errors": dict(run.failures.most_common(5)),
        "empty_answers": sum(1 for s in samples if s.status == 200 and s.people == 0),
        "requests_per_second": round(len(samples) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "before_reindex_p50_ms": round(statistics.median(before), 1) if before else None,
        "before_reindex_p99_ms": round(percentile(before, 0.99), 1) if before else None,
        "during_reindex_p50_ms": round(statistics.median(during), 1) if during else None,
        "during_reindex_p99_ms": round(percentile(during, 0.99), 1) if during else None,
        "switch_window_requests": len(near),
        "switch_window_p50_ms": round(statistics.median(near), 1) if near else None,
        "switch_window_p99_ms": round(percentile(near, 0.99), 1) if near else None,
        "reindex_to_switch_s": round(switched - reindex_started, 1),
        "reindex_exit_code": index_code,
        "new_answer_first_seen_after_switch_s": (round(min(hits) - switched, 2) if hits else None),
        "old_answer_last_seen_after_switch_s": (
            round(last_old - switched, 2) if last_old is not None else None
        ),
        "new_answers": len(hits),
        "concurrency": args.concurrency,
        "workers": args.workers,
        "duration_s": args.duration,
    }


if __name__ == "__main__":
    sys.exit(main())
