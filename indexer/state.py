"""What outlives index generations: people hidden from results, in ``<data_dir>/state.db``.

A person who opts out or leaves is hidden at once, without a re-index: every
search reads the hidden set (cached until another process changes it), drops
their contributions before ranking, and their profile is gone.

Hiding follows the human, not the id: with the id, each entry keeps the
person's identities (strong aliases and source record keys, see
:meth:`indexer.store.base.Store.person_identities`), and :func:`current_ids`
finds whoever carries any of them in the index served now, so an id that
changes at a re-index (a page author gains an email from a bios file) stays
hidden.

Example:
    >>> state = StateStore(data_dir)  # doctest: +SKIP
    >>> state.hide("ana-kovac-eb5404", reason="left the company")  # doctest: +SKIP
    True
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from indexer.generations import STATE_DB
from indexer.store.base import Store

migrations = Migrations("whoknows-state")


@migrations()
def m001_hidden_people(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE hidden_people (person_id TEXT PRIMARY KEY, hidden_at TEXT NOT NULL, "
        "reason TEXT NOT NULL)"
    )


@migrations()
def m002_hidden_identities(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE hidden_people ADD COLUMN identities TEXT NOT NULL DEFAULT '[]'")


@dataclass(frozen=True)
class HiddenPerson:
    """One hidden person: the id they were hidden under, since when, why, and who they are."""

    person_id: str
    hidden_at: str
    reason: str
    identities: tuple[str, ...] = ()


def open_state_db(data_dir: Path, schema: Migrations) -> sqlite_utils.Database:
    """``<data_dir>/state.db`` (made if missing) with ``schema``'s migrations applied.

    Each user of the file (hidden people here, API keys in the API) brings its own
    named migrations, so their tables evolve apart.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(sqlite3.connect(data_dir / STATE_DB, check_same_thread=False))
    db.execute("PRAGMA journal_mode=WAL")
    schema.apply(db)
    return db


class StateStore:
    """The hidden-people list of one data directory; safe to share between threads."""

    def __init__(self, data_dir: Path) -> None:
        self.db = open_state_db(data_dir, migrations)
        self._lock = threading.Lock()
        self._version: tuple[int, int] | None = None
        self._entries: tuple[HiddenPerson, ...] = ()
        self.revision = 0
        """Counts the changes seen (by any process): callers cache on it."""

    def hide(self, person_id: str, reason: str = "", identities: Collection[str] = ()) -> bool:
        """Hide a person from every result; False when they already were.

        ``identities`` (their strong aliases and record keys) let the hiding follow
        them when their id changes; hiding again adds any new ones.
        """
        with self._lock, self.db.atomic():
            row = self.db.execute(
                "SELECT identities FROM hidden_people WHERE person_id = ?", [person_id]
            ).fetchone()
            if row is not None:
                known = set(json.loads(row[0]))
                if not known.issuperset(identities):
                    self.db.execute(
                        "UPDATE hidden_people SET identities = ? WHERE person_id = ?",
                        [json.dumps(sorted(known.union(identities))), person_id],
                    )
                return False
            self.db.execute(
                "INSERT INTO hidden_people (person_id, hidden_at, reason, identities) "
                "VALUES (?, ?, ?, ?)",
                [
                    person_id,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    reason,
                    json.dumps(sorted(identities)),
                ],
            )
            return True

    def unhide(self, person_id: str) -> bool:
        """Show a hidden person again (by the id they were hidden under); False if not hidden."""
        with self._lock, self.db.atomic():
            cursor = self.db.execute("DELETE FROM hidden_people WHERE person_id = ?", [person_id])
            return cursor.rowcount == 1

    def entries(self) -> tuple[HiddenPerson, ...]:
        """Every hidden person, oldest first (read again only after a change by any process)."""
        with self._lock:
            version = int(self.db.execute("PRAGMA data_version").fetchone()[0])
            total = self.db.conn.total_changes
            if (version, total) != self._version:
                rows = self.db.execute(
                    "SELECT person_id, hidden_at, reason, identities FROM hidden_people "
                    "ORDER BY hidden_at, person_id"
                ).fetchall()
                self._entries = tuple(
                    HiddenPerson(pid, at, reason, tuple(json.loads(identities)))
                    for pid, at, reason, identities in rows
                )
                self._version = (version, total)
                self.revision += 1
            return self._entries

    def hidden(self) -> frozenset[str]:
        """The ids people were hidden under (see :func:`current_ids` for who they are now)."""
        return frozenset(e.person_id for e in self.entries())

    def hidden_people(self) -> list[HiddenPerson]:
        """Every hidden person, in the order they were hidden."""
        return list(self.entries())

    def close(self) -> None:
        self.db.conn.close()


def current_ids(entries: Sequence[HiddenPerson], store: Store) -> dict[str, set[str]]:
    """For each entry (by the id hidden under), the ids of the people in ``store`` it covers.

    An entry covers the person with its id and everyone carrying one of its
    identities; an empty set means nobody in this index (yet) is that person.
    """
    carriers = store.people_with_identities({i for e in entries for i in e.identities})
    present = set(store.people([e.person_id for e in entries], groups=None))
    out: dict[str, set[str]] = {}
    for entry in entries:
        # by the id only while nothing else is known: an id can pass to someone else
        ids = {entry.person_id} & present if not entry.identities else set()
        for identity in entry.identities:
            ids |= carriers.get(identity, set())
        out[entry.person_id] = ids
    return out
