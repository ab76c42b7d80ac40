"""Run the evaluation protocols: build a temporary index of the training part, rank, score.

Methods compared on the same split:

- ``popularity``: candidates by how much they contributed (answers; pages authored);
- ``bm25``: BM25 over whole threads/pages, the top 100 documents' scores summed per
  contributor (the classic document model);
- ``dense``: the same aggregation over documents ranked by FAISS only;
- ``default``: what ``whoknows ask`` returns (with the ranking settings passed in).
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embeddings.base import Embedder
from indexer.connectors import get_reader
from indexer.errors import SourceError
from indexer.models import Contribution, Document, Role, SourceSpec
from indexer.pipeline import Indexer, Progress
from indexer.store import Store, scratch_store
from search_api.evaluation.metrics import QueryResult, evaluate
from search_api.evaluation.stackexchange import BLOCKS, routing_split
from search_api.ranking import RankingConfig, ScoredChunk, score_documents
from search_api.service import SearchService

logger = logging.getLogger(__name__)

METHODS = ("popularity", "bm25", "dense", "default")
DOCS_PER_QUERY = 100
PEOPLE_PER_QUERY = 100
"""How many people ``default`` asks the service for."""
DENSE_CHUNKS = 1000
WIKI_SEED = 13
WIKI_HOLDOUT = 0.1
WIKI_QUERY_WORDS = 100

ANSWER_ROLES = frozenset({Role.ANSWERER, Role.ACCEPTED_ANSWERER})
AUTHOR_ROLES = frozenset({Role.AUTHOR})


@dataclass
class EvalReport:
    """Metrics of every method on one dataset."""

    dataset: str
    queries: int
    methods: dict[str, dict[str, float]]
    block: str = "test"
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The ``--json`` shape: ``{"dataset", "queries", "methods": {name: metrics}}``."""
        return {
            "dataset": self.dataset,
            "queries": self.queries,
            "methods": {
                name: {k: round(v, 4) for k, v in metrics.items()}
                for name, metrics in self.methods.items()
            },
        }


@dataclass(frozen=True)
class Task:
    """Queries and judgements over person keys of one source."""

    source: str
    kind: str
    roles: frozenset[str]
    queries: dict[str, str]
    relevant: dict[str, dict[str, int]]
    candidates: frozenset[str]
    activity: dict[str, int]


def sum_per_contributor(
    documents: Sequence[tuple[str, float]],
    contributors: Mapping[str, Iterable[str]],
) -> list[tuple[str, float]]:
    """The document model: each contributor's score is the sum of their documents' scores.

    >>> sum_per_contributor([("d1", 2.0), ("d2", 1.0)], {"d1": ["ann", "bob"], "d2": ["bob"]})
    [('bob', 3.0), ('ann', 2.0)]
    """
    totals: dict[str, float] = defaultdict(float)
    for doc_id, score in documents:
        for person in set(contributors.get(doc_id, ())):
            totals[person] += score
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def prepare_stackexchange(folder: Path, block: str = "test") -> tuple[list[SourceSpec], Task]:
    """Sources of the training part and the queries of ``block`` for one site."""
    split = routing_split(folder, block)
    spec = SourceSpec("stackexchange", str(folder), "se", {"before": split.cutoff.isoformat()})
    task = Task(
        "se",
        "qa",
        ANSWER_ROLES,
        split.queries,
        split.relevant,
        split.candidates,
        split.answer_counts,
    )
    return [spec], task


def evaluate_stackexchange(
    folder: Path,
    embedder: Embedder,
    *,
    block: str = "test",
    work_dir: Path | None = None,
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
    config: RankingConfig | None = None,
) -> EvalReport:
    """The question-routing protocol on one Stack Exchange site.

    ``config`` is the ranking ``default`` uses (the built-in defaults when None).
    """
    started = time.monotonic()
    specs, task = prepare_stackexchange(folder, block)
    report = _run(specs, task, embedder, work_dir, progress, methods, config)
    report.dataset = f"stackexchange:{folder.name}"
    report.block = block
    report.seconds = time.monotonic() - started
    return report


def wiki_holdout(documents: Mapping[str, Document], authored: set[str]) -> list[str]:
    """The held-out pages: 10% of the pages with an author, chosen with seed 13."""
    pages = sorted(doc_id for doc_id in documents if doc_id in authored)
    count = round(len(pages) * WIKI_HOLDOUT)
    return sorted(random.Random(WIKI_SEED).sample(pages, count))


def prepare_wiki(
    folder: Path, block: str = "test", team_file: Path | None = None
) -> tuple[list[SourceSpec], Task]:
    """Sources of the indexed pages (and team file) and the held-out queries of ``block``.

    ``block="validation"`` holds out a second, disjoint 10% of the remaining
    pages (seed 14) for tuning, and never indexes or queries the test pages;
    ``validation-2`` and ``validation-3`` draw other 10% samples (seeds 15, 16)
    for more tuning queries.
    """
    if block not in BLOCKS:
        raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
    spec = SourceSpec("wiki", str(folder), "wiki")
    documents: dict[str, Document] = {}
    contributions: list[Contribution] = []
    for record in get_reader("wiki")(spec):
        if isinstance(record, Document):
            documents[record.id] = record
        elif isinstance(record, Contribution) and record.role == Role.AUTHOR:
            contributions.append(record)
    authored = {c.document_id for c in contributions}
    held_out = wiki_holdout(documents, authored)
    excluded = list(held_out)
    if block != "test":
        rest = sorted(authored - set(held_out))
        seed = WIKI_SEED + BLOCKS.index(block)
        held_out = sorted(random.Random(seed).sample(rest, len(held_out)))
        excluded += held_out
    queries, relevant, candidates, activity = _wiki_judgements(
        documents, contributions, set(held_out), set(excluded)
    )
    team = team_file or _find_team_file(folder)
    specs = [SourceSpec("wiki", str(folder), "wiki", {"exclude": excluded})]
    if team is not None:
        specs.append(SourceSpec("bios", str(team), "team"))
    return specs, Task("wiki", "wiki", AUTHOR_ROLES, queries, relevant, candidates, activity)


def evaluate_wiki(
    folder: Path,
    embedder: Embedder,
    *,
    team_file: Path | None = None,
    work_dir: Path | None = None,
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
    block: str = "test",
    config: RankingConfig | None = None,
) -> EvalReport:
    """The wiki-authorship protocol: hold out pages, find their authors."""
    started = time.monotonic()
    specs, task = prepare_wiki(folder, block, team_file)
    report = _run(specs, task, embedder, work_dir, progress, methods, config)
    report.dataset = f"wiki:{folder.name}"
    report.block = block
    report.seconds = time.monotonic() - started
    return report


def _find_team_file(folder: Path) -> Path | None:
    for candidate in (folder / "data" / "team.yml", folder / "team.yml"):
        if candidate.is_file():
            return candidate
    return None


def _wiki_judgements(
    documents: Mapping[str, Document],
    contributions: Sequence[Contribution],
    held_out: set[str],
    excluded: set[str],
) -> tuple[dict[str, str], dict[str, dict[str, int]], frozenset[str], dict[str, int]]:
    activity: dict[str, int] = defaultdict(int)
    by_page: dict[str, list[Contribution]] = defaultdict(list)
    for c in contributions:
        by_page[c.document_id].append(c)
        if c.document_id not in excluded:
            activity[c.person_key] += 1
    candidates = frozenset(activity)
    queries: dict[str, str] = {}
    relevant: dict[str, dict[str, int]] = {}
    for page in sorted(held_out):
        authors = [c for c in by_page[page] if c.person_key in candidates]
        if not authors:
            continue
        top = max(c.count for c in authors)
        relevant[page] = {c.person_key: 2 if c.count == top else 1 for c in authors}
        doc = documents[page]
        words = doc.text.split()[:WIKI_QUERY_WORDS]
        queries[page] = f"{doc.title}\n\n{' '.join(words)}"
    return queries, relevant, candidates, dict(activity)


def _run(
    specs: list[SourceSpec],
    task: Task,
    embedder: Embedder,
    work_dir: Path | None,
    progress: Progress | None,
    methods: Sequence[str],
    config: RankingConfig | None,
) -> EvalReport:
    with scratch_store(work_dir) as store:
        build_index(store, embedder, specs, progress)
        metrics = score_methods(store, embedder, task, methods, config=config)
    return EvalReport(dataset="", queries=len(task.queries), methods=metrics)


def build_index(
    store: Store, embedder: Embedder, specs: list[SourceSpec], progress: Progress | None
) -> None:
    """Index the training part; refuse to go on when a source failed."""
    summary = Indexer(store, embedder, progress=progress).run(specs)
    if summary.failed:
        errors = "; ".join(s.error or "" for s in summary.sources if s.error)
        raise SourceError(f"could not index the training part: {errors}")


def score_methods(
    store: Store,
    embedder: Embedder,
    task: Task,
    methods: Sequence[str] = METHODS,
    rankers: Mapping[str, Callable[[str], list[str]]] | None = None,
    config: RankingConfig | None = None,
) -> dict[str, dict[str, float]]:
    """Run every method on every query of ``task`` over a built index; metrics by method."""
    rankers = rankers or _rankers(store, embedder, task, config)
    ids = store.person_ids(task.source)
    relevant = {
        qid: {ids[k]: g for k, g in grades.items() if k in ids}
        for qid, grades in task.relevant.items()
    }
    candidates = {ids[k] for k in task.candidates if k in ids}
    results: dict[str, list[QueryResult]] = {m: [] for m in methods}
    for qid, text in task.queries.items():
        for method in methods:
            ranking = [p for p in rankers[method](text) if p in candidates]
            results[method].append(QueryResult(qid, ranking, relevant[qid]))
    return {method: evaluate(results[method]) for method in methods}


def _rankers(
    store: Store, embedder: Embedder, task: Task, config: RankingConfig | None = None
) -> dict[str, Callable[[str], list[str]]]:
    ids = store.person_ids(task.source)
    popular = [
        ids[k] for k, _ in sorted(task.activity.items(), key=lambda kv: (-kv[1], kv[0])) if k in ids
    ]
    service = SearchService(store, embedder, config=config, max_query_chars=1_000_000)

    def contributors(doc_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for row in store.contributions_to(doc_ids):
            if row.role in task.roles:
                out[row.document_id].append(row.person_id)
        return out

    def doc_model(documents: list[tuple[str, float]]) -> list[str]:
        top = documents[:DOCS_PER_QUERY]
        return [p for p, _ in sum_per_contributor(top, contributors([d for d, _ in top]))]

    def bm25(text: str) -> list[str]:
        return doc_model(store.search_documents_lexical(text, DOCS_PER_QUERY, kind=task.kind))

    def dense(text: str) -> list[str]:
        vector = embedder.encode_queries([text])[0]
        hits = store.search_dense(vector, DENSE_CHUNKS)
        chunks = store.chunks([c for c, _ in hits])
        scored = score_documents(
            ScoredChunk(c, chunks[c].document_id, s) for c, s in hits if c in chunks
        )
        kinds = store.documents([d.document_id for d in scored])
        docs = [(d.document_id, d.score) for d in scored if kinds[d.document_id].kind == task.kind]
        return doc_model(docs)

    def default(text: str) -> list[str]:
        answer = service.search(text, people_limit=PEOPLE_PER_QUERY, documents_limit=0)
        return [p.id for p in answer.people]

    return {"popularity": lambda _: popular, "bm25": bm25, "dense": dense, "default": default}
