"""The embedded backend: one SQLite file (through sqlite-utils) and a FAISS index folder.

Layout of one index folder (a generation, see :mod:`indexer.generations`, or a
folder indexed in place)::

    whoknows.db          documents, chunks (+ FTS5), people, contributions
    vectors/index.faiss  the dense index, FAISS ids = chunk row ids
    vectors/manifest.json

Chunk vectors are cached by model and text hash in ``embeddings.db`` beside the
generations (shared by all of them), or in ``whoknows.db`` for an in-place index.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlite_utils
from sqlite_utils.migrations import Migrations

from indexer import generations
from indexer.connectors.text import parse_time
from indexer.errors import IndexNotFoundError
from indexer.generations import DB_FILE
from indexer.identity import STRONG_ALIASES, visible_person
from indexer.models import Document, PersonRecord
from indexer.store.base import (
    ChunkRow,
    ContributionRow,
    DocumentRow,
    IndexStats,
    PersonRow,
    SourceUpdate,
    StoredChunk,
)
from indexer.vectors import Manifest, VectorIndex

if TYPE_CHECKING:
    import numpy.typing as npt

    from indexer.identity import Person

logger = logging.getLogger(__name__)

VECTORS_DIR = "vectors"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 200

migrations = Migrations("whoknows")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, indexed_at TEXT
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            text TEXT NOT NULL, url TEXT NOT NULL, created TEXT, updated TEXT,
            access_groups TEXT NOT NULL, content_hash TEXT NOT NULL
        );
        CREATE INDEX documents_source ON documents(source);
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL, text TEXT NOT NULL, body TEXT NOT NULL,
            text_hash TEXT NOT NULL
        );
        CREATE INDEX chunks_document ON chunks(document_id);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text, content='chunks', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TABLE embeddings (
            model_id TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
            PRIMARY KEY (model_id, text_hash)
        ) WITHOUT ROWID;
        CREATE TABLE person_records (
            source TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL,
            PRIMARY KEY (source, key)
        );
        CREATE TABLE contributions (
            source TEXT NOT NULL, person_key TEXT NOT NULL, person_id TEXT,
            document_id TEXT NOT NULL, role TEXT NOT NULL, count INTEGER NOT NULL,
            score INTEGER NOT NULL, time TEXT
        );
        CREATE INDEX contributions_document ON contributions(document_id);
        CREATE INDEX contributions_person ON contributions(person_id);
        CREATE TABLE people (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT NOT NULL, title TEXT NOT NULL,
            team TEXT NOT NULL, location TEXT NOT NULL, bio TEXT NOT NULL, skills TEXT NOT NULL,
            active INTEGER NOT NULL, url TEXT NOT NULL
        );
        CREATE TABLE person_keys (
            source TEXT NOT NULL, key TEXT NOT NULL, person_id TEXT NOT NULL,
            PRIMARY KEY (source, key)
        );
        """
    )


@migrations()
def m002_documents_fts(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='rowid', tokenize='porter unicode61'
        );
        CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
        """
    )


@migrations()
def m003_meta(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m004_person_records_shown(db: sqlite_utils.Database) -> None:
    # a person's member records with their access groups, when any is restricted: filled by
    # the next re-index, which every upgrade runs before restricted fields can be trusted
    db.execute("ALTER TABLE people ADD COLUMN records TEXT NOT NULL DEFAULT '[]'")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class SQLiteStore:
    """A :class:`indexer.store.base.Store` over ``whoknows.db`` and ``vectors/`` in one folder."""

    def __init__(
        self, data_dir: Path, *, create: bool = False, embeddings_db: Path | None = None
    ) -> None:
        """Open the served index of ``data_dir`` (its current generation, or the folder itself).

        With ``create``, ``data_dir`` is the folder to build in (made if missing).
        ``embeddings_db`` keeps the vector cache in that shared file instead.
        """
        folder = Path(data_dir) if create else generations.current_dir(Path(data_dir))
        if folder is None or (not create and not (folder / DB_FILE).is_file()):
            raise IndexNotFoundError(
                f"no index in {data_dir}: run `whoknows index` with sources first"
            )
        self.data_dir = folder
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.data_dir / DB_FILE, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        # a new file gets 8 KB pages: a 1.5 KB vector then fits in its b-tree row (with 4 KB pages
        # each spilled into an overflow page of its own, 4.7 KB a vector); no-op on existing files
        self.db.execute("PRAGMA page_size=8192")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not create:
            # serving reads by memory map and a larger page cache: queries touch many rows
            # (not while building: the indexer's memory stays bounded by its batches)
            self.db.execute("PRAGMA mmap_size=268435456")
            self.db.execute("PRAGMA cache_size=-32768")
        migrations.apply(self.db)
        self._embeddings = "embeddings"
        self._cache = self.db
        if embeddings_db is not None:
            self._attach_cache(Path(embeddings_db))
        self._vectors: VectorIndex | None = None

    def _attach_cache(self, path: Path) -> None:
        """Keep vectors in a shared cache file, moving any this database held into it.

        Vectors are written through a connection of their own, so each batch is
        committed at once (and survives a kill) while a source's documents are
        still being written in one transaction of the index database.
        """
        self.db.execute("ATTACH DATABASE ? AS cache", [str(path)])
        self.db.execute("PRAGMA cache.page_size=8192")  # as above: vectors stay in their rows
        self.db.execute("PRAGMA cache.journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS cache.embeddings (model_id TEXT NOT NULL, "
            "text_hash TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model_id, text_hash)) "
            "WITHOUT ROWID"
        )
        self._embeddings = "cache.embeddings"
        if self.db.execute("SELECT 1 FROM main.embeddings LIMIT 1").fetchone():
            with self.db.atomic():
                self.db.execute(
                    "INSERT OR IGNORE INTO cache.embeddings SELECT * FROM main.embeddings"
                )
                self.db.execute("DELETE FROM main.embeddings")
        self._cache = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        self._cache.execute("PRAGMA synchronous=NORMAL")

    @property
    def generation(self) -> str:
        """The name of the generation open here (``""`` for an index built in place)."""
        if self.data_dir.parent.name == generations.GENERATIONS_DIR:
            return self.data_dir.name
        return ""

    def _rows_in(
        self,
        sql: str,
        ids: Iterable[Any],
        params: Sequence[Any] = (),
        db: sqlite_utils.Database | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Run ``sql`` over ``ids`` in batches: ``{ids}`` in it becomes ``?`` placeholders.

        ``params`` bind the placeholders before ``{ids}``; the ids bind last. ``db``
        defaults to the index database.
        """
        for batch in _batches(list(ids)):
            marks = ",".join("?" * len(batch))
            yield from (db or self.db).execute(sql.format(ids=marks), [*params, *batch])

    # ------------------------------------------------------------------ writing
    def document_hashes(self, source: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT id, content_hash FROM documents WHERE source = ?", [source]
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def missing_embeddings(self, model_id: str, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        have = {
            row[0]
            for row in self._rows_in(
                "SELECT text_hash FROM embeddings WHERE model_id = ? AND text_hash IN ({ids})",
                sorted(wanted),
                [model_id],
                db=self._cache,
            )
        }
        return wanted - have

    def put_embeddings(
        self, model_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        rows = [
            (model_id, h, np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for h, v in zip(hashes, vectors, strict=True)
        ]
        with self._cache.atomic():
            self._cache.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model_id, text_hash, vector) VALUES (?, ?, ?)",
                rows,
            )

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
                    _iso(doc.created),
                    _iso(doc.updated),
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
            [(update.name, p.key, _record_json(p)) for p in update.people],
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
                    _iso(c.time),
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
        return [(source, _record_from_json(record)) for source, record in rows]

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
                        json.dumps(
                            [[source, _record_dict(r)] for source, r in p.records],
                            ensure_ascii=False,
                        ),
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

    def unembedded_chunks(self, model_id: str) -> dict[str, str]:
        rows = self.db.execute(
            f"SELECT c.text_hash, c.text FROM chunks c LEFT JOIN {self._embeddings} e "
            "ON e.model_id = ? AND e.text_hash = c.text_hash WHERE e.text_hash IS NULL",
            [model_id],
        ).fetchall()
        return {text_hash: text for text_hash, text in rows}

    def build_vectors(self, model_id: str, dim: int) -> int:
        join = (
            f"FROM chunks c JOIN {self._embeddings} e "
            "ON e.model_id = ? AND e.text_hash = c.text_hash"
        )
        total = int(self.db.execute(f"SELECT count(*) {join}", [model_id]).fetchone()[0])
        ids = np.zeros(total, dtype=np.int64)
        vectors = np.zeros((total, dim), dtype=np.float32)
        rows = self.db.execute(f"SELECT c.id, e.vector {join} ORDER BY c.id", [model_id])
        for i, (chunk_id, blob) in enumerate(rows):  # streamed: no list of every row
            ids[i] = chunk_id
            vectors[i] = np.frombuffer(blob, dtype=np.float32)
        index = VectorIndex.build(ids, vectors, model_id)
        index.save(self.data_dir / VECTORS_DIR)
        self._vectors = index
        return index.size

    def stats(self) -> IndexStats:
        def count(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        return IndexStats(
            documents=count("SELECT count(*) FROM documents"),
            chunks=count("SELECT count(*) FROM chunks"),
            people=count("SELECT count(*) FROM people"),
            contributions=count("SELECT count(*) FROM contributions WHERE person_id IS NOT NULL"),
            vectors=self._vectors.size if self._vectors else 0,
        )

    # ------------------------------------------------------------------ reading
    def check_ready(self, model_id: str, dim: int) -> None:
        self._vectors = VectorIndex.load(self.data_dir / VECTORS_DIR, model_id, dim)

    def built_at(self) -> str | None:
        try:
            return Manifest.read(self.data_dir / VECTORS_DIR).built_at
        except IndexNotFoundError:
            return None

    def embedding_of(self, model_id: str, text_hash: str) -> npt.NDArray[np.float32] | None:
        """The cached vector of one chunk text, if any."""
        row = self.db.execute(
            f"SELECT vector FROM {self._embeddings} WHERE model_id = ? AND text_hash = ?",
            [model_id, text_hash],
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32).copy() if row else None

    def sample_chunk(self) -> tuple[int, str, str] | None:
        """One stored chunk as ``(id, text, text hash)``, for probing a built index."""
        row = self.db.execute(
            "SELECT id, text, text_hash FROM chunks ORDER BY id LIMIT 1"
        ).fetchone()
        return (int(row[0]), str(row[1]), str(row[2])) if row else None

    def search_dense(self, vector: npt.NDArray[np.float32], limit: int) -> list[tuple[int, float]]:
        if self._vectors is None:
            raise IndexNotFoundError("the vector index is not loaded: call check_ready() first")
        return self._vectors.search(vector, limit)

    def search_lexical(self, query: str, limit: int) -> list[tuple[int, float]]:
        expression = fts_query(query)
        if not expression:
            return []
        rows = self.db.execute(
            "SELECT rowid, bm25(chunks_fts) AS rank FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            [expression, limit],
        ).fetchall()
        return [(int(rowid), -float(rank)) for rowid, rank in rows]

    def search_documents_lexical(
        self, query: str, limit: int, *, kind: str | None = None
    ) -> list[tuple[str, float]]:
        """Document ids and BM25 scores over whole documents (title and text), best first."""
        expression = fts_query(query)
        if not expression:
            return []
        kind_filter = "AND d.kind = ?" if kind else ""
        rows = self.db.execute(
            "SELECT d.id, bm25(documents_fts) AS rank FROM documents_fts "
            "JOIN documents d ON d.rowid = documents_fts.rowid "
            f"WHERE documents_fts MATCH ? {kind_filter} ORDER BY rank LIMIT ?",
            [expression, *([kind] if kind else []), limit],
        ).fetchall()
        return [(str(doc_id), -float(rank)) for doc_id, rank in rows]

    def best_chunks(self, query: str, document_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """For each document, its chunk that best matches ``query`` lexically (else its first)."""
        out: dict[str, ChunkRow] = {}
        expression = fts_query(query)
        if expression:
            for row in self._rows_in(
                "SELECT c.id, c.document_id, c.ordinal, c.body FROM chunks_fts "
                "JOIN chunks c ON c.id = chunks_fts.rowid "
                "WHERE chunks_fts MATCH ? AND c.document_id IN ({ids}) ORDER BY bm25(chunks_fts)",
                document_ids,
                [expression],
            ):
                out.setdefault(row[1], ChunkRow(*row))
        missing = [doc_id for doc_id in document_ids if doc_id not in out]
        for row in self._rows_in(
            "SELECT id, document_id, ordinal, body FROM chunks "
            "WHERE document_id IN ({ids}) ORDER BY ordinal",
            missing,
        ):
            out.setdefault(row[1], ChunkRow(*row))
        return out

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
        out: dict[str, PersonRow] = {}
        for row in self._rows_in(
            "SELECT id, name, aliases, title, team, location, bio, skills, active, url, records "
            "FROM people WHERE id IN ({ids})",
            ids,
        ):
            person = PersonRow(
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
                records=tuple(
                    (source, _record_from_dict(record)) for source, record in json.loads(row[10])
                ),
            )
            shown = visible_person(person, groups)
            if shown is not None:
                out[row[0]] = shown
        return out

    def person_identities(self, person_id: str) -> list[str]:
        identities = {
            f"record:{source}:{key}"
            for source, key in self.db.execute(
                "SELECT source, key FROM person_keys WHERE person_id = ?", [person_id]
            )
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
        return [(source, _record_from_json(record)) for source, record in rows]

    def sources_of(self, person_id: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT DISTINCT k.source, COALESCE(s.kind, '') FROM person_keys k "
            "LEFT JOIN sources s ON s.name = k.source WHERE k.person_id = ? ORDER BY k.source",
            [person_id],
        ).fetchall()
        return [(name, kind) for name, kind in rows]

    def close(self) -> None:
        if self._cache is not self.db:
            self._cache.conn.close()
        self.db.conn.close()


def fts_query(query: str) -> str:
    """An FTS5 expression matching any word of ``query`` (words quoted, so no syntax leaks).

    >>> fts_query('helm "rollback" OR k8s-pods')
    '"helm" OR "rollback" OR "or" OR "k8s" OR "pods"'
    """
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    return " OR ".join(f'"{w}"' for w in words[:MAX_QUERY_WORDS])


def _batches(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _record_json(record: PersonRecord) -> str:
    return json.dumps(_record_dict(record), ensure_ascii=False)


def _record_from_json(text: str) -> PersonRecord:
    return _record_from_dict(json.loads(text))


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


def _record_dict(record: PersonRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "name": record.name,
        "aliases": list(record.aliases),
        "title": record.title,
        "team": record.team,
        "location": record.location,
        "bio": record.bio,
        "skills": list(record.skills),
        "active": record.active,
        "url": record.url,
        "groups": list(record.groups),
    }


def _record_from_dict(data: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        key=data["key"],
        name=data["name"],
        aliases=tuple(data["aliases"]),
        title=data["title"],
        team=data["team"],
        location=data["location"],
        bio=data["bio"],
        skills=tuple(data["skills"]),
        active=data["active"],
        url=data["url"],
        groups=tuple(data["groups"]),
    )
