"""The document store on PostgreSQL: sources, documents, chunks, people, contributions, meta.

Times are kept as the ISO 8601 text the embedded backend keeps (and compared as text, as
it does), so both backends give back the same values; lists of strings are ``text[]``,
person records JSON text. PostgreSQL text cannot hold NUL or lone surrogates: they are
replaced on the way in (:func:`clean`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from indexer.connectors.text import parse_time
from indexer.identity import STRONG_ALIASES, is_identity_key, record_identity
from indexer.models import Document, PersonRecord
from indexer.store.base import ChunkRow, ContributionRow, DocumentRow, PersonRow, SourceUpdate
from indexer.store.postgres.lexical import MAX_INDEXED_TOKENS, search_tokens
from indexer.store.postgres.schema import TEXT_SEARCH_CONFIG
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
    from indexer.store.base import StoredChunk
    from indexer.store.postgres.connection import Database

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` as PostgreSQL can store it: NUL dropped, lone surrogates replaced.

    >>> clean("a\\x00b\\ud800c")
    'ab\\ufffdc'
    """
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def search_columns(*texts: str) -> tuple[int, str]:
    """``ntokens`` and the input of ``tsv`` for a row of ``texts``: its token count, its words.

    >>> search_columns("Kovač: pg_stat", "x")
    (4, 'kovac pg stat x')
    """
    tokens = [t for text in texts for t in search_tokens(text)]
    return len(tokens), " ".join(tokens[:MAX_INDEXED_TOKENS])


class Documents:
    """The document-store half of :class:`indexer.store.postgres.PostgresStore`."""

    _db: Database

    # ------------------------------------------------------------------ writing
    def document_hashes(self, source: str) -> dict[str, str]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, content_hash FROM documents WHERE source = %s", [source]
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    def source_transaction(self) -> AbstractContextManager[object]:
        return self._db.transaction()

    def write_documents(
        self, source: str, documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
    ) -> None:
        with self._db.transaction() as conn:
            _delete_documents(conn, list(documents))
            _insert_documents(conn, source, documents)

    def apply_source(self, update: SourceUpdate) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, kind, path, indexed_at) VALUES (%s, %s, %s, "
                "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')) "
                "ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, path = EXCLUDED.path, "
                "indexed_at = EXCLUDED.indexed_at",
                [update.name, update.kind, update.path],
            )
            _delete_documents(conn, [*update.deleted, *update.documents])
            _insert_documents(conn, update.name, update.documents)
            _replace_people_and_contributions(conn, update)

    def remove_sources_except(self, names: Iterable[str]) -> list[str]:
        keep = sorted(set(names))
        with self._db.transaction() as conn:
            dropped = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sources WHERE name <> ALL(%s) ORDER BY name", [keep]
                )
            ]
            if dropped:
                conn.execute("DELETE FROM documents WHERE source = ANY(%s)", [dropped])
                conn.execute("DELETE FROM person_records WHERE source = ANY(%s)", [dropped])
                conn.execute("DELETE FROM contributions WHERE source = ANY(%s)", [dropped])
                conn.execute("DELETE FROM sources WHERE name = ANY(%s)", [dropped])
        return dropped

    def source_names(self) -> list[str]:
        with self._db.connection() as conn:
            return [row[0] for row in conn.execute("SELECT name FROM sources ORDER BY name")]

    def person_records(self) -> list[tuple[str, PersonRecord]]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT source, record FROM person_records ORDER BY source, key"
            ).fetchall()
        return [(source, record_from_json(record)) for source, record in rows]

    def replace_people(self, people: Sequence[Person]) -> None:
        with self._db.transaction() as conn, conn.cursor() as cur:
            cur.execute("DELETE FROM people")
            cur.execute("DELETE FROM person_keys")
            cur.executemany(
                "INSERT INTO people (id, name, aliases, title, team, location, bio, skills, "
                "active, url, records) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        p.id,
                        clean(p.name),
                        [clean(a) for a in p.aliases],
                        clean(p.title),
                        clean(p.team),
                        clean(p.location),
                        clean(p.bio),
                        [clean(s) for s in p.skills],
                        p.active,
                        clean(p.url),
                        members_json(p.records),
                    )
                    for p in people
                ],
            )
            cur.executemany(
                "INSERT INTO person_keys (source, key, person_id) VALUES (%s, %s, %s)",
                [(source, clean(key), p.id) for p in people for source, key in p.members],
            )
            cur.execute(
                "UPDATE contributions c SET person_id = k.person_id FROM person_keys k "
                "WHERE k.source = c.source AND k.key = c.person_key "
                "AND c.person_id IS DISTINCT FROM k.person_id"
            )
            cur.execute(
                "UPDATE contributions c SET person_id = NULL WHERE c.person_id IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM person_keys k "
                "WHERE k.source = c.source AND k.key = c.person_key)"
            )

    def get_meta(self, key: str) -> str | None:
        with self._db.connection() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = %s", [key]).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [key, value],
            )

    def _counts(self) -> tuple[int, int, int, int]:
        """Documents, chunks, people and resolved contributions stored."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks), "
                "(SELECT count(*) FROM people), "
                "(SELECT count(*) FROM contributions WHERE person_id IS NOT NULL)"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    # ------------------------------------------------------------------ reading
    def sample_chunk(self) -> tuple[int, str, str] | None:
        """One stored chunk as ``(id, text, text hash)``, for probing a built index."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT id, text, text_hash FROM chunks ORDER BY id LIMIT 1"
            ).fetchone()
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def access_groups(self, document_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, access_groups FROM documents "
                "WHERE cardinality(access_groups) > 0 AND id = ANY(%s)",
                [list(document_ids)],
            ).fetchall()
        return {doc_id: tuple(groups) for doc_id, groups in rows}

    def activity_times(
        self,
        person_ids: Sequence[str],
        roles: Iterable[str],
        groups: Collection[str] | None = None,
    ) -> dict[str, list[datetime]]:
        """Contribution times by person, oldest row first; ``groups`` hides restricted documents."""
        visible, params = _visible_documents_clause("c.document_id", groups)
        out: dict[str, list[datetime]] = {}
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT c.person_id, c.time FROM contributions c WHERE c.time IS NOT NULL "
                f"AND c.role = ANY(%s) {visible} AND c.person_id = ANY(%s) "
                "ORDER BY c.person_id, c.id",
                [sorted(roles), *params, list(person_ids)],
            ).fetchall()
        for person_id, time in rows:
            out.setdefault(person_id, []).append(parse_time(time))  # type: ignore[arg-type]
        return out

    def latest_activity(
        self, roles: Iterable[str], groups: Collection[str] | None = None
    ) -> datetime | None:
        """The newest contribution time in ``roles`` to documents ``groups`` may see."""
        visible, params = _visible_documents_clause("document_id", groups)
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT max(time) FROM contributions "
                f"WHERE person_id IS NOT NULL AND role = ANY(%s) {visible}",
                [sorted(roles), *params],
            ).fetchone()
        return parse_time(row[0]) if row and row[0] else None

    def person_ids(self, source: str) -> dict[str, str]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT key, person_id FROM person_keys WHERE source = %s", [source]
            ).fetchall()
        return {key: person_id for key, person_id in rows}

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, document_id, ordinal, body FROM chunks WHERE id = ANY(%s)",
                [[int(i) for i in ids]],
            ).fetchall()
        return {row[0]: ChunkRow(*row) for row in rows}

    def documents(self, ids: Sequence[str]) -> dict[str, DocumentRow]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, source, kind, title, url, created, updated, access_groups "
                "FROM documents WHERE id = ANY(%s)",
                [list(ids)],
            ).fetchall()
        return {
            row[0]: DocumentRow(
                id=row[0],
                source=row[1],
                kind=row[2],
                title=row[3],
                url=row[4],
                created=parse_time(row[5]),
                updated=parse_time(row[6]),
                access_groups=tuple(row[7]),
            )
            for row in rows
        }

    def contributions_to(self, document_ids: Sequence[str]) -> list[ContributionRow]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT person_id, document_id, role, count, score, time FROM contributions "
                "WHERE person_id IS NOT NULL AND document_id = ANY(%s) ORDER BY document_id, id",
                [list(document_ids)],
            ).fetchall()
        return [ContributionRow(*row[:5], parse_time(row[5])) for row in rows]

    def people(self, ids: Sequence[str], *, groups: Collection[str] | None) -> dict[str, PersonRow]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT id, name, aliases, title, team, location, bio, skills, active, url, "
                "records FROM people WHERE id = ANY(%s)",
                [list(ids)],
            ).fetchall()
        return visible_people(
            (
                PersonRow(
                    id=row[0],
                    name=row[1],
                    aliases=tuple(row[2]),
                    title=row[3],
                    team=row[4],
                    location=row[5],
                    bio=row[6],
                    skills=tuple(row[7]),
                    active=bool(row[8]),
                    url=row[9],
                    records=members_from_json(row[10]),
                )
                for row in rows
            ),
            groups,
        )

    def person_identities(self, person_id: str) -> list[str]:
        with self._db.connection() as conn:
            keys = conn.execute(
                "SELECT source, key FROM person_keys WHERE person_id = %s", [person_id]
            ).fetchall()
            aliases = conn.execute(
                "SELECT a FROM people p, unnest(p.aliases) a WHERE p.id = %s", [person_id]
            ).fetchall()
        identities = {record_identity(source, key) for source, key in keys if is_identity_key(key)}
        identities.update(a for (a,) in aliases if a.startswith(STRONG_ALIASES))
        return sorted(identities)

    def people_with_identities(self, identities: Collection[str]) -> dict[str, set[str]]:
        records = [i for i in identities if i.startswith("record:")]
        aliases = [i for i in identities if not i.startswith("record:")]
        out: dict[str, set[str]] = {}
        with self._db.connection() as conn:
            by_key = conn.execute(
                "SELECT 'record:' || source || ':' || key, person_id FROM person_keys "
                "WHERE 'record:' || source || ':' || key = ANY(%s)",
                [records],
            ).fetchall()
            by_alias = conn.execute(
                "SELECT a, p.id FROM people p, unnest(p.aliases) a WHERE a = ANY(%s)", [aliases]
            ).fetchall()
        for identity, person_id in [*by_key, *by_alias]:
            out.setdefault(identity, set()).add(person_id)
        return out

    def contributions_of(self, person_id: str) -> list[ContributionRow]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT person_id, document_id, role, count, score, time FROM contributions "
                "WHERE person_id = %s ORDER BY document_id, role, id",
                [person_id],
            ).fetchall()
        return [ContributionRow(*row[:5], parse_time(row[5])) for row in rows]

    def records_of(self, person_id: str) -> list[tuple[str, PersonRecord]]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT r.source, r.record FROM person_records r JOIN person_keys k "
                "ON k.source = r.source AND k.key = r.key WHERE k.person_id = %s "
                "ORDER BY r.source, r.key",
                [person_id],
            ).fetchall()
        return [(source, record_from_json(record)) for source, record in rows]

    def sources_of(self, person_id: str) -> list[tuple[str, str]]:
        with self._db.connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT k.source, COALESCE(s.kind, '') FROM person_keys k "
                "LEFT JOIN sources s ON s.name = k.source WHERE k.person_id = %s "
                "ORDER BY k.source",
                [person_id],
            ).fetchall()
        return [(name, kind) for name, kind in rows]


def _delete_documents(conn: Any, ids: list[str]) -> None:
    if ids:
        conn.execute("DELETE FROM documents WHERE id = ANY(%s)", [ids])  # chunks cascade


def _insert_documents(
    conn: Any, source: str, documents: Mapping[str, tuple[Document, str, Sequence[StoredChunk]]]
) -> None:
    """Insert documents, then their chunks, in one statement each (the BM25 triggers fire once)."""
    doc_rows = [
        (
            doc_id,
            source,
            str(doc.kind),
            clean(doc.title),
            clean(doc.text),
            clean(doc.url),
            stored_time(doc.created),
            stored_time(doc.updated),
            json.dumps(list(doc.access_groups)),
            content_hash,
            *search_columns(doc.title, doc.text),
        )
        for doc_id, (doc, content_hash, _) in documents.items()
    ]
    chunk_rows = [
        (
            c.document_id,
            c.ordinal,
            clean(c.text),
            clean(c.body),
            c.text_hash,
            *search_columns(c.text),
        )
        for _, _, chunks in documents.values()
        for c in chunks
    ]
    if doc_rows:
        conn.execute(
            "INSERT INTO documents (id, source, kind, title, text, url, created, updated, "
            "access_groups, content_hash, ntokens, tsv) SELECT id, source, kind, title, text, "
            "url, created, updated, ARRAY(SELECT json_array_elements_text(groups::json)), "
            f"content_hash, ntokens, to_tsvector('{TEXT_SEARCH_CONFIG}', words) FROM unnest("
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::int[], %s::text[]) WITH ORDINALITY AS x(id, "
            "source, kind, title, text, url, created, updated, groups, content_hash, ntokens, "
            "words, n) ORDER BY n",
            [list(column) for column in zip(*doc_rows, strict=True)],
        )
    if chunk_rows:
        conn.execute(
            "INSERT INTO chunks (document_id, ordinal, text, body, text_hash, ntokens, tsv) "
            "SELECT document_id, ordinal, text, body, text_hash, ntokens, "
            f"to_tsvector('{TEXT_SEARCH_CONFIG}', words) FROM unnest(%s::text[], %s::int[], "
            "%s::text[], %s::text[], %s::text[], %s::int[], %s::text[]) WITH ORDINALITY AS "
            "x(document_id, ordinal, text, body, text_hash, ntokens, words, n) ORDER BY n",
            [list(column) for column in zip(*chunk_rows, strict=True)],
        )


def _replace_people_and_contributions(conn: Any, update: SourceUpdate) -> None:
    with conn.cursor() as cur:
        cur.execute("DELETE FROM person_records WHERE source = %s", [update.name])
        cur.executemany(
            "INSERT INTO person_records (source, key, record) VALUES (%s, %s, %s) "
            "ON CONFLICT (source, key) DO UPDATE SET record = EXCLUDED.record",
            [(update.name, clean(p.key), record_json(p)) for p in update.people],
        )
        cur.execute("DELETE FROM contributions WHERE source = %s", [update.name])
        cur.executemany(
            "INSERT INTO contributions (source, person_key, person_id, document_id, role, "
            "count, score, time) VALUES (%(source)s, %(key)s, (SELECT person_id FROM "
            "person_keys k WHERE k.source = %(source)s AND k.key = %(key)s), %(document)s, "
            "%(role)s, %(count)s, %(score)s, %(time)s)",
            [
                {
                    "source": update.name,
                    "key": clean(c.person_key),
                    "document": c.document_id,
                    "role": str(c.role),
                    "count": c.count,
                    "score": c.score,
                    "time": stored_time(c.time),
                }
                for c in update.contributions
            ],
        )


def _visible_documents_clause(column: str, groups: Collection[str] | None) -> tuple[str, list[Any]]:
    """``AND column IN (documents groups may see)`` and its parameter; nothing for ``None``."""
    if groups is None:
        return "", []
    clause = (
        f"AND {column} IN (SELECT d.id FROM documents d "
        "WHERE cardinality(d.access_groups) = 0 OR d.access_groups && %s::text[])"
    )
    return clause, [sorted(groups)]
