"""The PostgreSQL index home: generations as schemas, a one-row pointer, an advisory lock.

See :mod:`indexer.store.postgres.generations`. A new generation starts as a copy of the
live one's rows (seeded), so a run writes only what changed, and the embedding cache is
shared, so nothing is embedded twice; publishing moves the pointer in one transaction,
which replicas notice on their next poll of :meth:`PostgresHome.current`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from indexer.errors import IndexLockedError, StoreError
from indexer.faults import failpoint
from indexer.store.backend import HiddenList, KeyRows, TokenBuckets
from indexer.store.base import Store
from indexer.store.errors import raising_store_errors
from indexer.store.postgres import generations
from indexer.store.postgres.schema import generation_schema
from indexer.store.postgres.state import PostgresBuckets, PostgresHiddenList, PostgresKeyRows
from indexer.store.postgres.store import PostgresStore
from indexer.store.sqlite.home import scratch_store

LOCK_POLL_SECONDS = 1.0
logger = logging.getLogger(__name__)


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresGeneration:
    """A generation schema being built; served once :meth:`publish` moves the pointer."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def open(self) -> Store:
        return PostgresStore(self.url, create=True, generation=self._name)

    def publish(self, info: dict[str, Any], *, keep: int) -> str:
        failpoint("switch")  # a kill here: the pointer has not moved, the live one answers
        try:
            generations.publish(self.url, self._name, keep=keep)
        except psycopg.Error:
            if generations.current(self.url) != self._name:
                raise
            # served already: only dropping old generations failed (the next publish retries)
            logger.warning("generation %s is served; dropping older ones failed", self._name)
        return self._name

    def discard(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn, conn.transaction():
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(generation_schema(self._name))
                )
            )
            conn.execute("DELETE FROM whoknows.generations WHERE name = %s", [self._name])


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresHome:
    """An :class:`~indexer.store.backend.IndexHome` in one PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def location(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{parts.username}@{host}" if parts.username else host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def current(self) -> str | None:
        return generations.current(self.url)

    def open_current(self) -> Store:
        return PostgresStore(self.url)

    def lock(self, *, wait: bool = False) -> AbstractContextManager[object]:
        return self._lock(wait)

    @contextmanager
    def _lock(self, wait: bool) -> Iterator[None]:
        with ExitStack() as held:
            while True:
                try:
                    held.enter_context(generations.reindex_lock(self.url))
                    break
                except IndexLockedError:
                    if not wait:
                        raise
                except psycopg.Error as exc:
                    raise StoreError(f"the PostgreSQL database failed: {exc}") from exc
                time.sleep(LOCK_POLL_SECONDS)
            yield

    def begin(self) -> PostgresGeneration:
        return PostgresGeneration(self.url, generations.begin(self.url, seed=True))

    def scratch(self) -> AbstractContextManager[Store]:
        """An empty embedded store: a dry run against nothing needs no database objects."""
        return scratch_store()

    def open_keys(self) -> KeyRows:
        return PostgresKeyRows(self.url)

    def open_hidden(self) -> HiddenList:
        return PostgresHiddenList(self.url)

    def open_buckets(self, name: str, per_minute: int, burst: int) -> TokenBuckets | None:
        return PostgresBuckets(self.url, name, per_minute, burst)
