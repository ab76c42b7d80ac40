"""Connections to one generation's schema: a pool, and the transaction a source writes in."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg_pool import ConnectionPool

from indexer.store.postgres.schema import SHARED_SCHEMA, vector_schema

logger = logging.getLogger(__name__)

POOL_MIN = 1
POOL_MAX = 8
POOL_TIMEOUT = 30.0
"""Seconds a caller waits for a free connection before psycopg_pool.PoolTimeout."""


class Database:
    """A connection pool whose connections see one generation's schema first.

    Every connection's ``search_path`` is ``<generation schema>, whoknows, <pgvector's
    schema>``, so backend SQL names tables without a schema. Each ``with connection()``
    block is one transaction (committed at the end, rolled back on an error), except
    inside :meth:`transaction`, where the thread's open transaction is reused.
    """

    def __init__(self, url: str, schema: str, *, max_size: int = POOL_MAX) -> None:
        self.url = url
        self.schema = schema
        with psycopg.connect(url, autocommit=True) as conn:
            extension_schema = vector_schema(conn)
        self._search_path = sql.SQL("SET search_path TO {}, {}, {}").format(
            sql.Identifier(schema), sql.Identifier(SHARED_SCHEMA), sql.Identifier(extension_schema)
        )
        self._local = threading.local()
        self.pool = ConnectionPool(
            url,
            min_size=POOL_MIN,
            max_size=max(
                max_size, 2
            ),  # a source's transaction holds one; the cache writes on another
            timeout=POOL_TIMEOUT,
            configure=self._configure,
            open=True,
            name=f"whoknows-{schema}",
        )

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.autocommit = True
        conn.execute(self._search_path)
        register_vector(conn)
        # load pgvector's library now: hnsw.ef_search set before it loads is silently reset
        conn.execute("SELECT '[1]'::vector")
        conn.autocommit = False

    @contextmanager
    def connection(self, *, own: bool = False) -> Iterator[psycopg.Connection]:
        """A connection in a transaction: the thread's open one, or one of its own.

        ``own`` always takes a separate connection (committed when the block ends), as the
        embedding cache does so that its batches survive a failed source.
        """
        open_conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        if open_conn is not None and not own:
            with open_conn.transaction():  # a savepoint: an error undoes this block only
                yield open_conn
            return
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """One transaction for every write of this thread until the block ends."""
        if getattr(self._local, "conn", None) is not None:
            with self.connection() as conn:
                yield conn
            return
        with self.pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    def close(self) -> None:
        self.pool.close()
