"""SQLite schema of the library registry, as numbered migrations.

Each migration runs once, in order, inside a transaction; ``PRAGMA user_version``
records the last one applied, so an older library is upgraded in place on open.
"""

from __future__ import annotations

import sqlite3

from assistant.migrations import run_migrations

MIGRATIONS: list[str] = [
    # 1: registry, chunks with full-text index, collections, pages.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        format TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        mtime REAL NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        ocr_pending TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX documents_hash ON documents(content_hash);
    CREATE INDEX documents_status ON documents(status);
    CREATE TABLE pages (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        text TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'text',
        PRIMARY KEY (doc_id, number)
    );
    CREATE TABLE chunks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        page_start INTEGER NOT NULL,
        page_end INTEGER NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ordinal);
    CREATE INDEX chunks_text_hash ON chunks(text_hash);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text, content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts(rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    CREATE TABLE collections (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
    CREATE TABLE document_collections (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
        PRIMARY KEY (doc_id, collection)
    );
    """,
    # 2: the version of the reader that read each document (``assistant.ingest.versions``);
    # documents indexed before it were read by the first readers.
    """
    ALTER TABLE documents ADD COLUMN reader INTEGER NOT NULL DEFAULT 1;
    """,
]


def migrate(conn: sqlite3.Connection) -> None:
    run_migrations(conn, MIGRATIONS)
