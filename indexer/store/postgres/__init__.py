"""The server backend: PostgreSQL with pgvector, one module per seam.

- :mod:`.schema`: the schemas and their numbered migrations;
- :mod:`.connection`: the connection pool and a source's transaction;
- :mod:`.documents`: sources, documents, chunks, people, contributions, meta;
- :mod:`.lexical`: full-text search ranked by BM25;
- :mod:`.vectors`: the HNSW vector index and its manifest;
- :mod:`.embeddings`: the embedding cache shared by generations;
- :mod:`.generations`: one schema per generation, the served pointer, the re-index lock;
- :mod:`.store`: :class:`PostgresStore`, all of them behind the ``Store`` protocol.

Needs the ``postgres`` extra: ``pip install 'whoknows[postgres]'``.
"""

from __future__ import annotations

from indexer.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
