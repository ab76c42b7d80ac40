"""The question-routing protocol on a Stack Exchange dump (see ../shared/data/README.md).

Questions are sorted by creation time; the last 20% are the test block and
the 20% before them the validation block (for tuning). For a block, the index
holds everything created before its first question; candidates are users with
at least one answer in that part; the relevant people for a block question
are candidates who wrote its accepted answer (grade 2) or another answer with
score >= 1 (grade 1). Questions without a relevant candidate are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from indexer.connectors.text import html_to_text, parse_time

BLOCK_SHARE = 0.2
BLOCKS = ("test", "validation", "validation-2", "validation-3")
"""Blocks, newest first: each is the 20% of questions just before the previous one.

``validation`` tunes; ``validation-2`` and ``validation-3`` are older rolling-origin
blocks that give tuning more questions (each with its own earlier index cut)."""


@dataclass(frozen=True)
class _Question:
    id: int
    created: datetime
    title: str
    body: str
    accepted: int | None


@dataclass(frozen=True)
class _Answer:
    id: int
    parent: int
    owner: int | None
    score: int
    created: datetime


@dataclass(frozen=True)
class RoutingSplit:
    """Queries, judgements and the training cut of one block.

    People are named by their Stack Exchange person key (``stackexchange:<id>``).
    """

    cutoff: datetime
    queries: dict[str, str]
    relevant: dict[str, dict[str, int]]
    candidates: frozenset[str]
    answer_counts: dict[str, int]


def _key(user_id: int) -> str:
    return f"stackexchange:{user_id}"


def _load(folder: Path) -> tuple[list[_Question], list[_Answer]]:
    questions: list[_Question] = []
    answers: list[_Answer] = []
    for _, row in etree.iterparse(str(folder / "Posts.xml"), tag="row", huge_tree=True):
        get = row.get
        created = parse_time(get("CreationDate"))
        if created is None:
            continue
        if get("PostTypeId") == "1":
            accepted = get("AcceptedAnswerId")
            questions.append(
                _Question(
                    int(get("Id")),
                    created,
                    get("Title") or "",
                    html_to_text(get("Body") or ""),
                    int(accepted) if accepted else None,
                )
            )
        elif get("PostTypeId") == "2" and get("ParentId"):
            owner = get("OwnerUserId")
            answers.append(
                _Answer(
                    int(get("Id")),
                    int(get("ParentId")),
                    int(owner) if owner and int(owner) > 0 else None,
                    int(get("Score") or 0),
                    created,
                )
            )
        row.clear()
    questions.sort(key=lambda q: (q.created, q.id))
    return questions, answers


def routing_split(folder: Path, block: str = "test") -> RoutingSplit:
    """Build one block (``test``, ``validation``...) of the protocol for one site."""
    if block not in BLOCKS:
        raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
    questions, answers = _load(folder)
    size = int(len(questions) * BLOCK_SHARE)
    start = len(questions) - (BLOCKS.index(block) + 1) * size
    chosen = questions[start : start + size]
    cutoff = chosen[0].created
    indexed = [a for a in answers if a.created < cutoff and a.owner is not None]
    counts: dict[str, int] = {}
    for answer in indexed:
        counts[_key(answer.owner)] = counts.get(_key(answer.owner), 0) + 1  # type: ignore[arg-type]
    candidates = frozenset(counts)
    by_parent: dict[int, list[_Answer]] = {}
    for answer in answers:
        by_parent.setdefault(answer.parent, []).append(answer)
    queries: dict[str, str] = {}
    relevant: dict[str, dict[str, int]] = {}
    for question in chosen:
        grades: dict[str, int] = {}
        for answer in by_parent.get(question.id, []):
            if answer.owner is None or _key(answer.owner) not in candidates:
                continue
            grade = 2 if answer.id == question.accepted else (1 if answer.score >= 1 else 0)
            if grade:
                key = _key(answer.owner)
                grades[key] = max(grades.get(key, 0), grade)
        if grades:
            qid = str(question.id)
            queries[qid] = f"{question.title}\n\n{question.body}".strip()
            relevant[qid] = grades
    return RoutingSplit(cutoff, queries, relevant, candidates, counts)
