"""Who may see what: the one rule every record, field and route applies. Pure functions.

A record (document or person record) carries the access groups it came with:
none means everyone may see it, otherwise a caller sees it when they are in at
least one of its groups. A caller's groups of ``None`` means no restriction
(admin keys, the CLI). Person records take their groups from where they were
found (see :func:`record_groups`), and a person is shown to a caller only
through the records that caller may see (:func:`indexer.identity.visible_person`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

Groups = Collection[str] | None
"""A caller's access groups; ``None``: no restriction."""


def may_see(access_groups: Collection[str], groups: Groups) -> bool:
    """Whether a caller in ``groups`` may see a record restricted to ``access_groups``.

    >>> may_see((), frozenset()), may_see(("hr",), {"hr", "it"}), may_see(("hr",), set())
    (True, True, False)
    >>> may_see(("hr",), None)
    True
    """
    return groups is None or not access_groups or not set(access_groups).isdisjoint(groups)


def record_groups(
    own: tuple[str, ...],
    documents: Iterable[tuple[str, ...]],
    default: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The access groups of a person record.

    A record's own groups (a bios entry's ``access_groups``) win. Otherwise the
    record is as visible as the documents it was found on: public if any of them
    is public, else visible to the groups of any of them (the union, so a caller
    who may see one of those documents may see the record). A record found on
    no document (a bios entry without bio text) takes the source's ``default``.

    >>> record_groups((), [("hr",), ()])
    ()
    >>> record_groups((), [("hr",), ("security", "hr")])
    ('hr', 'security')
    >>> record_groups(("hr",), [()]), record_groups((), [], ("security",))
    (('hr',), ('security',))
    """
    if own:
        return own
    union: set[str] = set()
    found = False
    for groups in documents:
        if not groups:
            return ()
        found = True
        union.update(groups)
    return tuple(sorted(union)) if found else default
