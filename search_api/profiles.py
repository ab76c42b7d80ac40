"""A person's profile: who they are, how to reach them and the documents that show what they know.

Reads go through the :class:`~indexer.store.base.Store` interface only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from indexer.access import may_see
from indexer.errors import WhoKnowsError
from indexer.models import DocumentKind, Role
from indexer.store.base import ContributionRow, DocumentRow, PersonRow, Store
from search_api.links import safe_link
from search_api.profile_schemas import ContactLink, PersonProfile, ProfileEvidence, SourceRef
from search_api.ranking import ROLE_WEIGHTS
from search_api.topics import top_topics

ROLE_TIERS: dict[str, int] = {
    Role.ACCEPTED_ANSWERER: 0,
    Role.AUTHOR: 0,
    Role.ANSWERER: 1,
}
"""Evidence order: accepted answers and authorship, then answers, then every other role."""
OTHER_TIER = 2


class PersonNotFound(WhoKnowsError):
    """No person has the given id."""


def person_profile(
    store: Store,
    person_id: str,
    *,
    topics: int = 5,
    evidence: int = 10,
    groups: Collection[str] | None = None,
) -> PersonProfile:
    """The profile of ``person_id``: details, contact links, sources, evidence and top topics.

    Evidence leaves out the person's own bio document (its text is the profile's
    ``bio``) and lists each document once, under the person's strongest role.
    ``groups`` are the caller's access groups (None: no restriction): every
    field comes only from the person's records the caller may see (see
    :func:`indexer.identity.visible_person`), ``sources`` only those records'
    sources, evidence only visible documents; a person with no visible record,
    or all of whose documents are hidden, is reported as not found.

    Example:
        >>> person_profile(store, "ana-kovac-eb5404").contacts[0].url  # doctest: +SKIP
        'mailto:ana.kovac@example.com'
    """
    row = store.people([person_id], groups=groups).get(person_id)
    if row is None:
        raise PersonNotFound(f"no person with id {person_id!r}")
    contributions = store.contributions_of(person_id)
    every = store.documents(sorted({c.document_id for c in contributions}))
    documents = {k: d for k, d in every.items() if may_see(d.access_groups, groups)}
    if contributions and not documents:
        raise PersonNotFound(f"no person with id {person_id!r}")
    shown_sources = {source for source, _ in row.records} if row.records else None
    sources = [
        s for s in _sources_of(store, person_id) if shown_sources is None or s.name in shown_sources
    ]
    ranked = rank_evidence(contributions, documents)
    return PersonProfile(
        id=row.id,
        name=row.name,
        aliases=list(row.aliases),
        title=row.title,
        team=row.team,
        location=row.location,
        bio=row.bio,
        skills=list(row.skills),
        active=row.active,
        url=row.url,
        contacts=contact_links(row),
        sources=sources,
        evidence=ranked[:evidence],
        topics=top_topics([e.title for e in ranked], topics),
    )


def contact_links(person: PersonRow) -> list[ContactLink]:
    """Mail links from ``email:`` aliases, GitHub links from ``github:`` ones, then the url."""
    links: list[ContactLink] = []
    for alias in person.aliases:
        prefix, _, value = alias.partition(":")
        if not value:
            continue
        if prefix == "email":
            links.append(ContactLink(kind="email", label=value, url=f"mailto:{value}"))
        elif prefix == "github":
            links.append(
                ContactLink(kind="github", label=f"@{value}", url=f"https://github.com/{value}")
            )
    if safe_link(person.url):
        host = urlsplit(person.url).netloc
        label = f"Profile on {host}" if host else "Profile"
        links.append(ContactLink(kind="profile", label=label, url=person.url))
    return links


def rank_evidence(
    contributions: Iterable[ContributionRow], documents: dict[str, DocumentRow]
) -> list[ProfileEvidence]:
    """One entry per document (bios left out), strongest role first, more recent first."""
    best: dict[str, ContributionRow] = {}
    for contribution in contributions:
        document = documents.get(contribution.document_id)
        if document is None or document.kind == DocumentKind.BIO:
            continue
        current = best.get(contribution.document_id)
        if current is None or _role_key(contribution.role) < _role_key(current.role):
            best[contribution.document_id] = contribution

    def order(c: ContributionRow) -> tuple[int, float, str, str]:
        document = documents[c.document_id]
        when = c.time or document.updated or document.created
        return (
            ROLE_TIERS.get(c.role, OTHER_TIER),
            -when.timestamp() if when else float("inf"),
            document.title.casefold(),
            document.id,
        )

    return [
        ProfileEvidence(
            document_id=c.document_id,
            title=documents[c.document_id].title,
            url=documents[c.document_id].url,
            role=c.role,
            kind=documents[c.document_id].kind,
        )
        for c in sorted(best.values(), key=order)
    ]


def _role_key(role: str) -> tuple[int, float]:
    return (ROLE_TIERS.get(role, OTHER_TIER), -ROLE_WEIGHTS.get(role, 0.0))


def _sources_of(store: Store, person_id: str) -> list[SourceRef]:
    return [SourceRef(name=name, kind=kind) for name, kind in store.sources_of(person_id)]
