"""Response shapes of a person's profile (`GET /v1/people/{person_id}`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ContactLink(BaseModel):
    """A way to reach a person."""

    kind: str = Field(description="email, github or profile")
    label: str
    url: str


class SourceRef(BaseModel):
    """A source that holds a record of the person."""

    name: str
    kind: str


class ProfileEvidence(BaseModel):
    """A document the person contributed to, with their strongest role on it."""

    document_id: str
    title: str
    url: str
    role: str = Field(description="accepted_answerer, author, answerer, editor, asker, ...")
    kind: str = Field(description="wiki or qa")


class PersonProfile(BaseModel):
    """Everything WhoKnows knows about one person."""

    id: str
    name: str
    aliases: list[str] = Field(description="Source identities, e.g. stackexchange:1234")
    title: str
    team: str
    location: str
    bio: str
    skills: list[str]
    active: bool
    url: str
    contacts: list[ContactLink]
    sources: list[SourceRef]
    evidence: list[ProfileEvidence] = Field(description="Strongest first")
    topics: list[str] = Field(description="Most frequent words of their documents' titles")
