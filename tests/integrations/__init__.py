"""Chat-tool integrations: a hand-made answer for the formatters, the tiny org for end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from indexer.config import Settings
from search_api.app import create_app
from search_api.schemas import AskResponse, DocumentOut, EvidenceOut, PersonOut
from tests.helpers import build_index

HELM_QUERY = "how do I roll back a failed helm release"

ANSWER = AskResponse(
    query="helm rollback",
    people=[
        PersonOut(
            id="ana",
            name="Ana Kovač",
            aliases=[],
            score=0.9,
            title="Platform engineer",
            team="Platform",
            evidence=[
                EvidenceOut(
                    document_id="qa/1",
                    title="Helm rollback stuck <pending>",
                    role="accepted_answerer",
                    url="https://qa.example.com/q/1",
                    snippet="Run helm rollback with the last good revision.",
                ),
                EvidenceOut(
                    document_id="wiki/helm",
                    title="Rolling back a Helm release",
                    role="author",
                    url="https://wiki.example.com/helm",
                    snippet="List the revisions with helm history.",
                ),
                EvidenceOut(
                    document_id="wiki/notes",
                    title="Local notes",
                    role="editor",
                    url="",
                    snippet="Notes.",
                ),
            ],
        ),
        PersonOut(
            id="bruno",
            name="Bruno Díaz",
            aliases=[],
            score=0.4,
            title="Database administrator",
            evidence=[
                EvidenceOut(
                    document_id="wiki/pg",
                    title="PostgreSQL vacuum & bloat",
                    role="author",
                    url="",
                    snippet="Autovacuum removes dead tuples.",
                )
            ],
        ),
    ],
    documents=[
        DocumentOut(
            id="wiki/helm",
            title="Rolling back a Helm release",
            kind="wiki",
            url="https://wiki.example.com/helm",
            score=0.5,
            snippet="List the revisions with helm history.",
        ),
        DocumentOut(
            id="wiki/runbook",
            title="Deploy runbook",
            kind="wiki",
            url="",
            score=0.3,
            snippet="Deploy on Tuesdays.",
        ),
    ],
)
"""Two people (one with links, one without) and two documents (one without a URL)."""

NOBODY = AskResponse(query="underwater basket weaving", people=[], documents=[])


def tiny_org_app(root: Path, embedder: Any, **secrets: str) -> FastAPI:
    """The app over the tiny organisation of tests/helpers.py, with the given secrets set."""
    data, _ = build_index(root, embedder)
    return create_app(Settings(data_dir=data, **secrets), embedder=embedder)
