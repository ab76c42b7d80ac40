"""What outlives index generations: people hidden from results, in ``<data_dir>/state.db``.

A person who opts out or leaves is hidden at once, without a re-index: every
search reads the hidden set (cached until another process changes it), drops
their contributions before ranking, and their profile is gone.

Example:
    >>> state = StateStore(data_dir)  # doctest: +SKIP
    >>> state.hide("ana-kovac-eb5404", reason="left the company")  # doctest: +SKIP
    True
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from indexer.generations import STATE_DB

migrations = Migrations("whoknows-state")


@migrations()
def m001_hidden_people(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE hidden_people (person_id TEXT PRIMARY KEY, hidden_at TEXT NOT NULL, "
        "reason TEXT NOT NULL)"
    )


@dataclass(frozen=True)
class HiddenPerson:
    """One hidden person: their id, since when, and why."""

    person_id: str
    hidden_at: str
    reason: str


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
        self._hidden: frozenset[str] = frozenset()

    def hide(self, person_id: str, reason: str = "") -> bool:
        """Hide a person from every result; False when they already were."""
        with self._lock, self.db.atomic():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO hidden_people (person_id, hidden_at, reason) "
                "VALUES (?, ?, ?)",
                [person_id, datetime.now(UTC).isoformat(timespec="seconds"), reason],
            )
            return cursor.rowcount == 1

    def unhide(self, person_id: str) -> bool:
        """Show a hidden person again; False when they were not hidden."""
        with self._lock, self.db.atomic():
            cursor = self.db.execute("DELETE FROM hidden_people WHERE person_id = ?", [person_id])
            return cursor.rowcount == 1

    def hidden(self) -> frozenset[str]:
        """Ids of the hidden people (read again only after a change by any process)."""
        with self._lock:
            version = int(self.db.execute("PRAGMA data_version").fetchone()[0])
            total = self.db.conn.total_changes
            if (version, total) != self._version:
                rows = self.db.execute("SELECT person_id FROM hidden_people").fetchall()
                self._hidden = frozenset(row[0] for row in rows)
                self._version = (version, total)
            return self._hidden

    def hidden_people(self) -> list[HiddenPerson]:
        """Every hidden person, in the order they were hidden."""
        with self._lock:
            rows = self.db.execute(
                "SELECT person_id, hidden_at, reason FROM hidden_people ORDER BY hidden_at, "
                "person_id"
            ).fetchall()
        return [HiddenPerson(*row) for row in rows]

    def close(self) -> None:
        self.db.conn.close()
