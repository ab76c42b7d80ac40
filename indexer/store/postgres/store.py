"""``PostgresStore``: the server backend, one generation's schema behind the ``Store`` protocol."""

from __future__ import annotations

import logging

import psycopg

from indexer.errors import IndexNotFoundError
from indexer.store.base import IndexStats
from indexer.store.errors import raising_store_errors
from indexer.store.postgres import generations
from indexer.store.postgres.connection import POOL_MAX, Database
from indexer.store.postgres.documents import Documents
from indexer.store.postgres.embeddings import Embeddings
from indexer.store.postgres.lexical import Lexical
from indexer.store.postgres.schema import (
    check_generation,
    generation_schema,
    migrate_shared,
    schema_exists,
)
from indexer.store.postgres.vectors import Vectors
from indexer.vectors import Manifest

logger = logging.getLogger(__name__)


@raising_store_errors((psycopg.Error,), "the PostgreSQL database")
class PostgresStore(Documents, Lexical, Vectors, Embeddings):
    """A :class:`indexer.store.base.Store` over one generation of a PostgreSQL database.

    Args:
        url: a libpq URL, ``postgresql://user@host/db`` (``?host=/socket/dir`` for a socket).
        create: build rather than serve: open generation ``generation`` (created if
            missing), or, with no name, the served generation, else a new
            ``main`` published at once (an index built in place).
        generation: the generation to open; by default the served one.
        max_connections: the pool's size.

    Raises:
        IndexNotFoundError: nothing is served (or ``generation`` does not exist) and
            ``create`` is false.

    Example::

        store = PostgresStore("postgresql://postgres@/whoknows?host=/tmp", create=True)
        Indexer(store, embedder).run(specs)
        store.close()
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = False,
        generation: str | None = None,
        max_connections: int = POOL_MAX,
    ) -> None:
        if create:
            migrate_shared(url)
            name = generation or generations.current(url)
            if name is None:
                name = generations.begin(url, generations.DEFAULT_GENERATION)
                generations.publish(url, name)
            else:
                generations.begin(url, name)
        else:
            name = generation or _served(url)
            with psycopg.connect(url, autocommit=True) as conn:
                if not schema_exists(conn, generation_schema(name)):
                    raise IndexNotFoundError(
                        f"generation {name!r} is not in the database: run `whoknows index`"
                    )
                check_generation(conn, generation_schema(name))
        self.url = url
        self._generation = name
        self._db = Database(url, generation_schema(name), max_size=max_connections)
        self._manifest: Manifest | None = None

    @property
    def generation(self) -> str:
        """The name of the generation open here."""
        return self._generation

    def stats(self) -> IndexStats:
        documents, chunks, people, contributions = self._counts()
        return IndexStats(
            documents=documents,
            chunks=chunks,
            people=people,
            contributions=contributions,
            vectors=self._vector_count(),
        )

    def close(self) -> None:
        self._db.close()


def _served(url: str) -> str:
    name = generations.current(url)
    if name is None:
        raise IndexNotFoundError(
            "no index in the database: run `whoknows index` with sources first"
        )
    return name
