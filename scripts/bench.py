"""Performance benchmark: the bare model, our indexer and server, and txtai on the same corpus.

Not a test: it prints a table (``--json``: one object with every figure). Run it from the
repository root with the project's venv; nothing is downloaded.

    python scripts/bench.py --quick                 # 10k chunks, a few minutes
    python scripts/bench.py --sizes 10000,100000    # the full run
    python scripts/bench.py --quick --json > bench.json

Per size it writes a generated corpus (Markdown wiki pages with Zipf-distributed words over
many topics, and a bios file; ``--with-shared`` adds the iot Stack Exchange dump from
../shared/data), indexes it with ``python -m search_api.cli index`` in a subprocess, changes
1% of the pages and indexes again, serves it with ``python -m search_api.cli serve`` on a free
local port and times ``GET /v1/experts`` at concurrency 1 and 8 with distinct queries, then
builds and queries txtai over the same chunk texts with the same model. ``--million``
estimates the server's memory at 1M chunks from a FAISS index of 1M random vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WHOKNOWS_SHARED_DATA", "/work/shared/data"))
PYTHON = sys.executable
TARGETS = {
    "query_p50_ratio": 1.5,
    "query_p99_ms": 60.0,
    "rps_c8": 100.0,
    "index_ratio": 0.8,
    "incremental_share": 0.05,
    "rss_1m_mb": 1536.0,
}


# ---------------------------------------------------------------- corpus
@dataclass
class Corpus:
    """A generated organisation: topics, people, pages, and distinct queries over the topics."""

    folder: Path
    pages: list[Path]
    queries: list[str]
    topics: list[list[str]]
    seed: int


def _vocabulary(size: int = 20_000) -> list[str]:
    """Real words, most frequent first: from ../shared/data when present, else the tokenizer."""
    counts: Counter[str] = Counter()
    handbook = SHARED / "wiki" / "sourcegraph-handbook" / "content"
    if handbook.is_dir():
        for path in sorted(handbook.rglob("*.md"))[:600]:
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            counts.update(re.findall(r"[a-z][a-z'-]{1,20}", text))
    if len(counts) < 2_000:
        from embeddings.sentence import resolve_model

        _, location = resolve_model("all-MiniLM-L6-v2")
        words = (Path(location) / "vocab.txt").read_text(encoding="utf-8").split()
        return [w for w in words if w.isalpha() and len(w) > 2][:size]
    return [w for w, _ in counts.most_common(size)]


def make_corpus(folder: Path, chunks: int, seed: int = 7) -> Corpus:
    """About ``chunks`` one-chunk pages (25-50 words) over ``chunks // 25`` topics."""
    rng = random.Random(seed)
    words = _vocabulary()
    common, rare = words[:3_000], words[3_000:]
    n_topics = max(40, chunks // 25)
    topics = [rng.sample(rare, 12) for _ in range(n_topics)]
    n_people = max(50, chunks // 40)
    people = [f"p{i:05d}" for i in range(n_people)]
    wiki = folder / "wiki"
    wiki.mkdir(parents=True, exist_ok=True)
    zipf = np.random.default_rng(seed).zipf(1.3, size=chunks * 120) - 1
    zipf = zipf[zipf < len(common)]
    cursor = 0
    pages = []
    for n in range(chunks):
        topic = rng.randrange(n_topics)
        length = rng.randint(25, 50)
        body = []
        for _ in range(length):
            if rng.random() < 0.3:
                body.append(rng.choice(topics[topic]))
            else:
                body.append(common[int(zipf[cursor % len(zipf)])])
                cursor += 1
        authors = rng.sample(people[topic % 7 :: 7] or people, 2)
        title = " ".join(rng.sample(topics[topic], 3)).capitalize()
        path = wiki / f"t{topic:04d}" / f"page-{n:06d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(_page(title, authors, " ".join(body)), encoding="utf-8")
        pages.append(path)
    bios = {
        person: {
            "name": f"Person {person}",
            "email": f"{person}@example.com",
            "team": f"team {int(person[1:]) % 20}",
            "description": "Works on "
            + ", ".join(rng.sample(topics[int(person[1:]) % n_topics], 4)),
        }
        for person in people
    }
    (folder / "people.json").write_text(json.dumps(bios), encoding="utf-8")
    queries = sorted(
        {
            " ".join(rng.sample(topics[rng.randrange(n_topics)], rng.randint(2, 4)))
            for _ in range(4_000)
        }
    )
    rng.shuffle(queries)
    return Corpus(folder, pages, queries, topics, seed)


def _page(title: str, authors: list[str], body: str) -> str:
    emails = "\n".join(f"- {a}@example.com" for a in authors)
    return f"---\ntitle: {title}\nauthors:\n{emails}\n---\n# {title}\n\n{body}.\n"


def change_pages(corpus: Corpus, share: float) -> int:
    """Rewrite ``share`` of the pages (a new last sentence); return how many."""
    rng = random.Random(corpus.seed + 1)
    chosen = rng.sample(corpus.pages, max(1, int(len(corpus.pages) * share)))
    for path in chosen:
        text = path.read_text(encoding="utf-8").rstrip("\n")
        topic = rng.choice(corpus.topics)
        path.write_text(text + " Updated: " + " ".join(rng.sample(topic, 5)) + ".\n", "utf-8")
    return len(chosen)


def write_config(corpus: Corpus, data_dir: Path, backend: str, with_shared: bool) -> Path:
    sources = [
        f'[[sources]]\nname = "wiki"\nkind = "wiki"\npath = "{corpus.folder / "wiki"}"\n'
        "options = { git = false }\n",
        f'[[sources]]\nname = "people"\nkind = "bios"\npath = "{corpus.folder / "people.json"}"\n',
    ]
    iot = SHARED / "stackexchange" / "iot"
    if with_shared and iot.is_dir():
        sources.append(f'[[sources]]\nname = "iot"\nkind = "stackexchange"\npath = "{iot}"\n')
    config = corpus.folder / "bench.toml"
    config.write_text(
        f'data_dir = "{data_dir}"\nembedding_backend = "{backend}"\nallow_anonymous = true\n'
        "rate_limit_per_minute = 100000000\nrate_limit_burst = 100000000\n\n" + "\n".join(sources),
        encoding="utf-8",
    )
    return config


# ---------------------------------------------------------------- measuring
def _env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_index(config: Path) -> tuple[float, dict[str, Any]]:
    """Wall-clock seconds of ``whoknows index`` (process start to exit) and its JSON summary."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "search_api.cli", "index", "--config", str(config), "--json"],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"whoknows index failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def served_folder(data_dir: Path) -> Path:
    """The folder of the generation ``data_dir`` serves (see indexer/generations.py)."""
    from indexer.generations import current_dir

    folder = current_dir(data_dir)
    if folder is None:
        raise RuntimeError(f"no index in {data_dir}")
    return folder


def chunk_texts(data_dir: Path) -> list[str]:
    with sqlite3.connect(served_folder(data_dir) / "whoknows.db") as db:
        return [row[0] for row in db.execute("SELECT text FROM chunks ORDER BY id")]


def bare_model(backend: str, texts: list[str], queries: list[str]) -> dict[str, float]:
    """Query latency (one short query, median) and passage throughput of the model alone."""
    from embeddings.factory import load_embedder
    from indexer.config import Settings

    embedder = load_embedder(Settings(embedding_backend=backend))  # type: ignore[arg-type]
    for query in queries[:20]:
        embedder.encode_queries([query])
    times = []
    for query in queries[20:320]:
        started = time.perf_counter()
        embedder.encode_queries([query])
        times.append(time.perf_counter() - started)
    sample = random.Random(3).sample(texts, min(len(texts), 1_500))
    started = time.perf_counter()
    for start in range(0, len(sample), 256):  # the indexer's batches
        embedder.encode_passages(sample[start : start + 256])
    seconds = time.perf_counter() - started
    tokens = [len(embedder.token_spans(t)) for t in sample[:300]]
    return {
        "query_ms": statistics.median(times) * 1000,
        "passages_per_s": len(sample) / seconds,
        "chunk_tokens_mean": float(np.mean(tokens)),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        return kb / 1024


def start_server(config: Path, log: Path) -> Server:
    port = _free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [PYTHON, "-m", "search_api.cli", "serve", "--config", str(config), "--port", str(port)],
            env=_env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"whoknows serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return Server(process, url, log)
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("whoknows serve did not become ready in 180 s")


def load_test(server: Server, queries: list[str], concurrency: int, total: int) -> dict[str, float]:
    """``total`` requests, each a distinct query, from ``concurrency`` threads."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    work = iter(queries[:total])

    def worker() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while True:
                with lock:
                    query = next(work, None)
                if query is None:
                    return
                started = time.perf_counter()
                response = client.get("/v1/experts", params={"q": query, "limit": 10})
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"{response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0]}")
    ms = np.array(latencies) * 1000
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "rps": len(latencies) / wall,
    }


def txtai_peer(texts: list[str], queries: list[str]) -> dict[str, float]:
    """txtai Embeddings (content + hybrid) over the same chunk texts with the same model."""
    from txtai import Embeddings

    from embeddings.sentence import resolve_model

    _, location = resolve_model("all-MiniLM-L6-v2")
    started = time.perf_counter()
    embeddings = Embeddings(path=location, content=True, hybrid=True)
    embeddings.index((i, text, None) for i, text in enumerate(texts))
    build = time.perf_counter() - started
    for query in queries[:20]:
        embeddings.search(query, 10)
    times = []
    for query in queries[20:320]:
        started = time.perf_counter()
        embeddings.search(query, 10)
        times.append(time.perf_counter() - started)
    return {"build_s": build, "query_p50_ms": statistics.median(times) * 1000}


def in_process_query(data_dir: Path, backend: str, queries: list[str]) -> float:
    """Median ms of one ``SearchService.search`` (what /v1/experts runs), without HTTP."""
    from indexer.config import Settings
    from search_api.service import SearchService

    service = SearchService.open(Settings(data_dir=data_dir, embedding_backend=backend))  # type: ignore[arg-type]
    for query in queries[:20]:
        service.search(query, documents_limit=0)
    times = []
    for query in queries[20:220]:
        started = time.perf_counter()
        service.search(query, documents_limit=0)
        times.append(time.perf_counter() - started)
    service.close()
    return statistics.median(times) * 1000


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


_RSS_PROBE = """
import re, sys
from pathlib import Path
from embeddings.factory import load_embedder
from indexer.config import Settings
from indexer.vectors import VectorIndex
embedder = load_embedder(Settings(embedding_backend=sys.argv[2]))
index = VectorIndex.load(Path(sys.argv[1]), "random", 384)
embedder.encode_queries(["warm up"])
index.search(embedder.encode_queries(["a query"])[0], 1000)
status = Path("/proc/self/status").read_text()
print(index.manifest.index_type, int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1)) / 1024)
"""


def million_rss(backend: str, work: Path) -> dict[str, Any]:
    """RSS of a process holding the model and the FAISS index of 1M random unit vectors."""
    from indexer.vectors import VectorIndex

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((1_000_000, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    index = VectorIndex.build(np.arange(1_000_000, dtype=np.int64), vectors, "random")
    build = time.perf_counter() - started
    index.save(work / "million")
    del index, vectors
    probe = subprocess.run(
        [PYTHON, "-c", _RSS_PROBE, str(work / "million"), backend],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    index_type, rss = probe.stdout.split()[-2:]
    return {
        "index_type": index_type,
        "build_s": build,
        "rss_mb": float(rss),
        "index_mb": disk_bytes(work / "million") / 2**20,
    }


# ---------------------------------------------------------------- one size
@dataclass
class SizeReport:
    chunks: int
    figures: dict[str, Any] = field(default_factory=dict)


def bench_size(
    size: int, work: Path, backend: str, *, with_shared: bool, peer: bool, requests: int
) -> SizeReport:
    folder = work / f"corpus-{size}"
    data_dir = work / f"data-{size}"
    corpus = make_corpus(folder, size)
    config = write_config(corpus, data_dir, backend, with_shared)
    report = SizeReport(size)
    f = report.figures

    build_s, summary = run_index(config)
    chunks = int(summary["stats"]["chunks"])
    f.update(chunks=chunks, documents=int(summary["stats"]["documents"]), build_s=build_s)
    f["index_chunks_per_s"] = chunks / build_s
    manifest = served_folder(data_dir) / "vectors" / "manifest.json"
    f["index_type"] = json.loads(manifest.read_text())["index_type"]
    # one generation and the shared vector cache (a second generation joins it after a re-index)
    f["bytes_per_chunk"] = disk_bytes(data_dir) / chunks

    changed = change_pages(corpus, 0.01)
    incremental_s, _ = run_index(config)
    f.update(changed_documents=changed, incremental_s=incremental_s)
    f["incremental_share"] = incremental_s / build_s

    texts = chunk_texts(data_dir)
    bare = bare_model(backend, texts, corpus.queries[-400:])
    f.update({f"bare_{k}": v for k, v in bare.items()})
    f["index_ratio"] = f["index_chunks_per_s"] / bare["passages_per_s"]

    server = start_server(config, work / f"serve-{size}.log")
    try:
        queries = corpus.queries
        load_test(server, queries[:50], 1, 50)  # warm
        c1 = load_test(server, queries[50:], 1, requests)
        c8 = load_test(server, queries[50 + requests :], 8, requests * 2)
        f["server_rss_mb"] = server.rss_mb()
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    f.update({f"c1_{k}": v for k, v in c1.items()})
    f.update({f"c8_{k}": v for k, v in c8.items()})
    f["query_p50_ratio"] = c1["p50_ms"] / bare["query_ms"]
    f["in_process_p50_ms"] = in_process_query(data_dir, backend, corpus.queries[-400:])

    if peer:
        txtai = txtai_peer(texts, corpus.queries[-400:])
        f.update({f"txtai_{k}": v for k, v in txtai.items()})
        f["build_vs_txtai"] = build_s / txtai["build_s"]
        f["query_vs_txtai"] = f["in_process_p50_ms"] / txtai["query_p50_ms"]
        f["http_query_vs_txtai"] = c1["p50_ms"] / txtai["query_p50_ms"]
    return report


# ---------------------------------------------------------------- output
ROWS = [
    ("chunks", "chunks indexed", "{:.0f}"),
    ("index_type", "FAISS index", "{}"),
    ("bare_chunk_tokens_mean", "tokens per chunk (mean)", "{:.0f}"),
    ("bare_query_ms", "bare model: one query (ms, median)", "{:.2f}"),
    ("bare_passages_per_s", "bare model: passages/s", "{:.1f}"),
    ("build_s", "full index, end to end (s)", "{:.1f}"),
    ("index_chunks_per_s", "indexing rate (chunks/s)", "{:.1f}"),
    ("index_ratio", "  ratio to bare throughput (target >= 0.8)", "{:.2f}"),
    ("incremental_s", "re-index, 1% of pages changed (s)", "{:.1f}"),
    ("incremental_share", "  share of full build (target <= 0.05)", "{:.3f}"),
    ("c1_p50_ms", "/v1/experts c=1 p50 (ms)", "{:.1f}"),
    ("c1_p99_ms", "/v1/experts c=1 p99 (ms, target <= 60)", "{:.1f}"),
    ("query_p50_ratio", "  p50 / bare query (target <= 1.5)", "{:.2f}"),
    ("c1_rps", "/v1/experts c=1 requests/s", "{:.1f}"),
    ("c8_p50_ms", "/v1/experts c=8 p50 (ms)", "{:.1f}"),
    ("c8_p99_ms", "/v1/experts c=8 p99 (ms)", "{:.1f}"),
    ("c8_rps", "/v1/experts c=8 requests/s (target >= 100)", "{:.1f}"),
    ("in_process_p50_ms", "search in process, no HTTP (ms, p50)", "{:.1f}"),
    ("server_rss_mb", "server RSS (MB)", "{:.0f}"),
    ("bytes_per_chunk", "bytes per chunk on disk", "{:.0f}"),
    ("txtai_build_s", "txtai build (s)", "{:.1f}"),
    ("build_vs_txtai", "  our build / txtai build (target < 1)", "{:.2f}"),
    ("txtai_query_p50_ms", "txtai query in process (ms, p50)", "{:.1f}"),
    ("query_vs_txtai", "  our in-process query / txtai (target < 1)", "{:.2f}"),
    ("http_query_vs_txtai", "  our HTTP p50 / txtai in process", "{:.2f}"),
]


def print_table(reports: list[SizeReport], million: dict[str, Any] | None, backend: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"WhoKnows benchmark (backend {backend}, {os.cpu_count()} CPUs)")
    table.add_column("figure")
    for report in reports:
        table.add_column(f"{report.chunks:,}", justify="right")
    for key, label, fmt in ROWS:
        if any(key in r.figures for r in reports):
            cells = [fmt.format(r.figures[key]) if key in r.figures else "-" for r in reports]
            table.add_row(label, *cells)
    console = Console()
    console.print(table)
    if million:
        console.print(
            f"1M random vectors: {million['index_type']}, built in {million['build_s']:.0f} s, "
            f"{million['index_mb']:.0f} MB on disk; model + index RSS "
            f"{million['rss_mb']:.0f} MB (target <= 1536)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10k chunks only (a few minutes)")
    parser.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    parser.add_argument(
        "--backend", default=None, help="torch | onnx | onnx-int8 (default: the setting's)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-peer", action="store_true", help="skip txtai")
    parser.add_argument("--million", action="store_true", help="RSS estimate at 1M chunks")
    parser.add_argument("--with-shared", action="store_true", help="add ../shared/data iot dump")
    parser.add_argument("--requests", type=int, default=300, help="requests at c=1 (2x at c=8)")
    parser.add_argument("--work", type=Path, default=None, help="keep the corpora and indexes here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")

    from indexer.config import Settings

    backend = args.backend or Settings().embedding_backend
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="whoknows-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        reports = [
            bench_size(
                size,
                work,
                backend,
                with_shared=args.with_shared,
                peer=not args.no_peer,
                requests=args.requests,
            )
            for size in sizes
        ]
        million = million_rss(backend, work) if args.million else None
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(
            json.dumps(
                {
                    "backend": backend,
                    "cpus": os.cpu_count(),
                    "targets": TARGETS,
                    "sizes": {str(r.chunks): r.figures for r in reports},
                    "million": million,
                }
            )
        )
    else:
        print_table(reports, million, backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
