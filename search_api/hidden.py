"""Hidden people as the index served now knows them: listing and unhiding by current id.

Shared by the admin routes and ``whoknows people``; hiding itself is
:meth:`indexer.store.backend.HiddenList.hide` with the person's identities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.state import HiddenPerson, current_ids
from indexer.store.backend import HiddenList
from indexer.store.base import Store


@dataclass(frozen=True)
class HiddenNow:
    """One hidden person: their id now, the id they were hidden under, when and why."""

    person_id: str
    hidden_as: str
    hidden_at: str
    reason: str
    in_index: bool
    """False when nobody in the served index is that person (their id is the one hidden)."""


def hidden_list(state: HiddenList, store: Store | None) -> list[HiddenNow]:
    """Every hidden person, oldest first, under their id in ``store`` (one row per id)."""
    entries = state.hidden_people()
    covered = _covered(entries, store)
    return [
        HiddenNow(person_id, e.person_id, e.hidden_at, e.reason, bool(covered[e.person_id]))
        for e in entries
        for person_id in sorted(covered[e.person_id]) or [e.person_id]
    ]


def unhide(state: HiddenList, store: Store | None, person_id: str) -> bool:
    """Show ``person_id`` again, whether it is their id now or the one they were hidden under."""
    entries = state.hidden_people()
    covered = _covered(entries, store)
    matched = [e.person_id for e in entries if person_id in {e.person_id, *covered[e.person_id]}]
    for hidden_as in matched:
        state.unhide(hidden_as)
    return bool(matched)


def _covered(entries: Sequence[HiddenPerson], store: Store | None) -> dict[str, set[str]]:
    if store is None:  # no index yet: nobody is in it
        return {e.person_id: set() for e in entries}
    return current_ids(entries, store)
