"""The schema of ``whoknows.db``: numbered sqlite-utils migrations, applied on open."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils
from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    pass


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
