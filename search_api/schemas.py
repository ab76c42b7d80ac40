"""Response shapes shared by the CLI (`--json`) and the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EvidenceOut(BaseModel):
    """A document that shows a person's expertise."""

    document_id: str
    title: str
    role: str = Field(description="author, editor, asker, answerer, accepted_answerer, ...")
    url: str
    snippet: str


class PersonOut(BaseModel):
    """A ranked colleague."""

    id: str
    name: str
    aliases: list[str] = Field(description="Source identities, e.g. stackexchange:1234")
    score: float
    title: str = ""
    team: str = ""
    location: str = ""
    why: str = Field(
        default="",
        description="One sentence from the evidence, e.g. "
        "\"Answered 4 related questions (2 accepted); wrote 'Delegation guide'.\"",
    )
    evidence: list[EvidenceOut]


class DocumentOut(BaseModel):
    """A ranked document."""

    id: str
    title: str
    kind: str
    url: str
    score: float
    snippet: str


class AskResponse(BaseModel):
    """People and documents for one query."""

    query: str
    people: list[PersonOut]
    documents: list[DocumentOut]


class ExpertsResponse(BaseModel):
    """People for one query."""

    query: str
    people: list[PersonOut]


class DocumentsResponse(BaseModel):
    """Documents for one query."""

    query: str
    documents: list[DocumentOut]


class HideRequest(BaseModel):
    """Why a person is hidden (kept for the audit trail)."""

    reason: str = Field(default="", max_length=500)


class HideResult(BaseModel):
    """The outcome of hiding or showing a person."""

    person_id: str
    hidden: bool
    changed: bool = Field(description="False when the person already was in that state")


class HiddenOut(BaseModel):
    """A person hidden from results."""

    person_id: str = Field(description="Their id in the index served now")
    hidden_as: str = Field(description="The id they were hidden under (ids can change)")
    hidden_at: str
    reason: str
    in_index: bool = Field(description="False when nobody in the served index is that person")
