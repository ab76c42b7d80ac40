"""Documents, sources, chunks, people and contributions in SQLite: the document store seam."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from indexer.connectors.text import parse_time
from indexer.identity import STRONG_ALIASES, is_identity_key, record_identity
from indexer.models import Document, PersonRecord
from indexer.store.base import (
    ChunkRow,
    ContributionRow,
    DocumentRow,
    PersonRow,
    SourceUpdate,
    StoredChunk,
)
from indexer.store.rows import (
    members_from_json,
    members_json,
    record_from_json,
    record_json,
    stored_time,
    visible_people,
)

if TYPE_CHECKING:
    from indexer.identity import Person

from indexer.store.sqlite.tables import SQLiteTables, _batches


class DocumentTables(SQLiteTables):
    """The :class:`indexer.store.base.DocumentStore` part of :class:`SQLiteStore`."""

    def document_hashes(self, source: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT id, content_hash FROM documents WHERE source = ?", [source]
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def source_transaction(self) -> AbstractContextManager[object]:
        return self.db.atomic()

    def write_documents(
        self, source: str, documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
    ) -> None:
        with self.db.atomic():
            self._delete_documents(list(documents))
            self._insert_documents(source, documents)

    def _delete_documents(self, ids: list[str]) -> None:
        for batch in _batches(ids):
            marks = ",".join("?" * len(batch))
            self.db.execute(f"DELETE FROM chunks WHERE document_id IN ({marks})", batch)
            self.db.execute(f"DELETE FROM documents WHERE id IN ({marks})", batch)

    def apply_source(self, update: SourceUpdate) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT OR REPLACE INTO sources (name, kind, path, indexed_at) "
                "VALUES (?, ?, ?, datetime('now'))",
                [update.name, update.kind, update.path],
            )
            self._delete_documents([*update.deleted, *update.documents])
            self._insert_documents(update.name, update.documents)
            self._replace_people_and_contributions(update)

    def _insert_documents(
        self, source: str, documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
    ) -> None:
        self.db.conn.executemany(
            "INSERT INTO documents (id, source, kind, title, text, url, created, updated, "
            "access_groups, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    source,
                    str(doc.kind),
                    doc.title,
                    doc.text,
                    doc.url,
                    stored_time(doc.created),
                    stored_time(doc.updated),
                    json.dumps(list(doc.access_groups)),
                    content_hash,
                )
                for doc_id, (doc, content_hash, _) in documents.items()
            ],
        )
        self.db.conn.executemany(
            "INSERT INTO chunks (document_id, ordinal, text, body, text_hash) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (c.document_id, c.ordinal, c.text, c.body, c.text_hash)
                for _, _, chunks in documents.values()
                for c in chunks
            ],
        )

    def _replace_people_and_contributions(self, update: SourceUpdate) -> None:
        self.db.execute("DELETE FROM person_records WHERE source = ?", [update.name])
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO person_records (source, key, record) VALUES (?, ?, ?)",
            [(update.name, p.key, record_json(p)) for p in update.people],
        )
        self.db.execute("DELETE FROM contributions WHERE source = ?", [update.name])
        self.db.conn.executemany(
            "INSERT INTO contributions (source, person_key, person_id, document_id, role, "
            "count, score, time) VALUES (?1, ?2, (SELECT person_id FROM person_keys k "
            "WHERE k.source = ?1 AND k.key = ?2), ?3, ?4, ?5, ?6, ?7)",
            [
                (
                    update.name,
                    c.person_key,
                    c.document_id,
                    str(c.role),
                    c.count,
                    c.score,
                    stored_time(c.time),
                )
                for c in update.contributions
            ],
        )

    def remove_sources_except(self, names: Iterable[str]) -> list[str]:
        keep = set(names)
        stored = [row[0] for row in self.db.execute("SELECT name FROM sources").fetchall()]
        dropped = sorted(name for name in stored if name not in keep)
        with self.db.atomic():
            for name in dropped:
                self.db.execute(
                    "DELETE FROM chunks WHERE document_id IN "
                    "(SELECT id FROM documents WHERE source = ?)",
                    [name],
                )
                for table in ("documents", "person_records", "contributions"):
                    column = "source"
                    self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", [name])
                self.db.execute("DELETE FROM sources WHERE name = ?", [name])
        return dropped

    def source_names(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM sources ORDER BY name")]

    def person_records(self) -> list[tuple[str, PersonRecord]]:
        rows = self.db.execute(
            "SELECT source, record FROM person_records ORDER BY source, key"
        ).fetchall()
        return [(source, record_from_json(record)) for source, record in rows]

    def replace_people(self, people: Sequence[Person]) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM people")
            self.db.execute("DELETE FROM person_keys")
            self.db.conn.executemany(
                "INSERT INTO people (id, name, aliases, title, team, location, bio, skills, "
                "active, url, records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.id,
                        p.name,
                        json.dumps(list(p.aliases)),
                        p.title,
                        p.team,
                        p.location,
                        p.bio,
                        json.dumps(list(p.skills)),
                        int(p.active),
                        p.url,
                        members_json(p.records),
                    )
                    for p in people
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO person_keys (source, key, person_id) VALUES (?, ?, ?)",
                [(source, key, p.id) for p in people for source, key in p.members],
            )
            self.db.execute(
                "UPDATE contributions SET person_id = (SELECT person_id FROM person_keys k "
                "WHERE k.source = contributions.source AND k.key = contributions.person_key)"
            )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def sample_chunk(self) -> tuple[int, str, str] | None:
        """One stored chunk as ``(id, text, text hash)``, for probing a built index."""
        row = self.db.execute(
            "SELECT id, text, text_hash FROM chunks ORDER BY id LIMIT 1"
        ).fetchone()
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def access_groups(self, document_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The access groups of those documents that are restricted (others are public)."""
        return {
            doc_id: tuple(json.loads(groups))
            for doc_id, groups in self._rows_in(
                "SELECT id, access_groups FROM documents "
                "WHERE access_groups != '[]' AND id IN ({ids})",
                document_ids,
            )
        }

    def activity_times(
        self,
        person_ids: Sequence[str],
        roles: Iterable[str],
        groups: Collection[str] | None = None,
    ) -> dict[str, list[datetime]]:
        """When each person contributed in one of ``roles`` (contributions without a time skip).

        With ``groups``, only contributions to documents those groups may see count.
        """
        role_list = sorted(roles)
        visible, group_params = _visible_documents_clause("c.document_id", groups)
        params: list[Any] = [*role_list, *group_params]
        out: dict[str, list[datetime]] = {}
        for person_id, time in self._rows_in(
            "SELECT c.person_id, c.time FROM contributions c WHERE c.time IS NOT NULL "
            f"AND c.role IN ({','.join('?' * len(role_list))}) {visible}"
            "AND c.person_id IN ({ids})",
            person_ids,
            params,
        ):
            out.setdefault(person_id, []).append(parse_time(time))  # type: ignore[arg-type]
        return out

    def latest_activity(
        self, roles: Iterable[str], groups: Collection[str] | None = None
    ) -> datetime | None:
        """The newest contribution time in one of ``roles``: the index's notion of now.

        With ``groups``, only contributions to documents those groups may see count.
        """
        role_list = sorted(roles)
        marks = ",".join("?" * len(role_list))
        visible, params = _visible_documents_clause("document_id", groups)
        row = self.db.execute(
            "SELECT max(time) FROM contributions "
            f"WHERE person_id IS NOT NULL AND role IN ({marks}) {visible}",
            [*role_list, *params],
        ).fetchone()
        return parse_time(row[0]) if row and row[0] else None

    def person_ids(self, source: str) -> dict[str, str]:
        """Resolved person id of every person key of ``source``."""
        rows = self.db.execute(
            "SELECT key, person_id FROM person_keys WHERE source = ?", [source]
        ).fetchall()
        return {key: person_id for key, person_id in rows}

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        return {
            row[0]: ChunkRow(*row)
            for row in self._rows_in(
                "SELECT id, document_id, ordinal, body FROM chunks WHERE id IN ({ids})", ids
            )
        }

    def documents(self, ids: Sequence[str]) -> dict[str, DocumentRow]:
        out: dict[str, DocumentRow] = {}
        for row in self._rows_in(
            "SELECT id, source, kind, title, url, created, updated, access_groups "
            "FROM documents WHERE id IN ({ids})",
            ids,
        ):
            out[row[0]] = DocumentRow(
                id=row[0],
                source=row[1],
                kind=row[2],
                title=row[3],
                url=row[4],
                created=parse_time(row[5]),
                updated=parse_time(row[6]),
                access_groups=tuple(json.loads(row[7])),
            )
        return out

    def contributions_to(self, document_ids: Sequence[str]) -> list[ContributionRow]:
        return [
            ContributionRow(row[0], row[1], row[2], row[3], row[4], parse_time(row[5]))
            for row in self._rows_in(
                "SELECT person_id, document_id, role, count, score, time FROM contributions "
                "WHERE person_id IS NOT NULL AND document_id IN ({ids})",
                document_ids,
            )
        ]

    def people(self, ids: Sequence[str], *, groups: Collection[str] | None) -> dict[str, PersonRow]:
        rows = self._rows_in(
            "SELECT id, name, aliases, title, team, location, bio, skills, active, url, records "
            "FROM people WHERE id IN ({ids})",
            ids,
        )
        return visible_people(
            (
                PersonRow(
                    id=row[0],
                    name=row[1],
                    aliases=tuple(json.loads(row[2])),
                    title=row[3],
                    team=row[4],
                    location=row[5],
                    bio=row[6],
                    skills=tuple(json.loads(row[7])),
                    active=bool(row[8]),
                    url=row[9],
                    records=members_from_json(row[10]),
                )
                for row in rows
            ),
            groups,
        )

    def person_identities(self, person_id: str) -> list[str]:
        identities = {
            record_identity(source, key)
            for source, key in self.db.execute(
                "SELECT source, key FROM person_keys WHERE person_id = ?", [person_id]
            )
            if is_identity_key(key)
        }
        for (aliases,) in self.db.execute("SELECT aliases FROM people WHERE id = ?", [person_id]):
            identities.update(a for a in json.loads(aliases) if a.startswith(STRONG_ALIASES))
        return sorted(identities)

    def people_with_identities(self, identities: Collection[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        records = [i for i in identities if i.startswith("record:")]
        aliases = [i for i in identities if not i.startswith("record:")]
        for source, key, person_id in self._rows_in(
            "SELECT source, key, person_id FROM person_keys "
            "WHERE 'record:' || source || ':' || key IN ({ids})",
            records,
        ):
            out.setdefault(f"record:{source}:{key}", set()).add(person_id)
        for alias, person_id in self._rows_in(
            "SELECT a.value, p.id FROM people p, json_each(p.aliases) a WHERE a.value IN ({ids})",
            aliases,
        ):
            out.setdefault(alias, set()).add(person_id)
        return out

    def contributions_of(self, person_id: str) -> list[ContributionRow]:
        rows = self.db.execute(
            "SELECT person_id, document_id, role, count, score, time FROM contributions "
            "WHERE person_id = ? ORDER BY document_id, role",
            [person_id],
        ).fetchall()
        return [ContributionRow(*row[:5], parse_time(row[5])) for row in rows]

    def records_of(self, person_id: str) -> list[tuple[str, PersonRecord]]:
        rows = self.db.execute(
            "SELECT r.source, r.record FROM person_records r JOIN person_keys k "
            "ON k.source = r.source AND k.key = r.key WHERE k.person_id = ? "
            "ORDER BY r.source, r.key",
            [person_id],
        ).fetchall()
        return [(source, record_from_json(record)) for source, record in rows]

    def sources_of(self, person_id: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT DISTINCT k.source, COALESCE(s.kind, '') FROM person_keys k "
            "LEFT JOIN sources s ON s.name = k.source WHERE k.person_id = ? ORDER BY k.source",
            [person_id],
        ).fetchall()
        return [(name, kind) for name, kind in rows]


def _visible_documents_clause(column: str, groups: Collection[str] | None) -> tuple[str, list[str]]:
    """``AND column IN (documents groups may see)`` and its parameters; nothing for ``None``."""
    if groups is None:
        return "", []
    group_list = sorted(groups)
    clause = (
        f"AND {column} IN (SELECT d.id FROM documents d WHERE d.access_groups = '[]' "
        "OR EXISTS (SELECT 1 FROM json_each(d.access_groups) g "
        f"WHERE g.value IN ({','.join('?' * len(group_list))}))) "
    )
    return clause, group_list
