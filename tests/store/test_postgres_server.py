"""The test server: a real PostgreSQL with pgvector, one empty database per test."""

from __future__ import annotations

import psycopg

pytest_plugins = ["tests.store.postgres_server"]


def test_server_has_pgvector_with_iterative_scans(postgres_database: str) -> None:
    with psycopg.connect(postgres_database) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        (version,) = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()
        (server,) = conn.execute("SHOW server_version_num").fetchone()
    assert tuple(int(p) for p in version.split(".")[:2]) >= (0, 8)
    assert int(server) >= 160000


def test_each_test_gets_an_empty_database(postgres_database: str) -> None:
    with psycopg.connect(postgres_database) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    assert tables == (0,)
