"""One fixture, ``store``, parametrized over every backend (``make_store`` opens more of it).

A backend is one entry of :data:`BACKENDS`: a function that takes the test's
``request`` and returns an opener, ``open(create) -> Store``, over one empty
index of its own. Every store an opener returns is closed after the test.

A behaviour one backend gets wrong is marked ``@pytest.mark.defect("sqlite",
reason=...)``: the test is a strict xfail on the backends named (``sqlite`` names
every ``sqlite-...`` variant) and must pass on the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from indexer.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from indexer.store.base import Store

Opener = Callable[[bool], "Store"]
"""``open(create)``: a store over the test's index (``create``: build it, else open it)."""

try:  # its fixtures postgres_url (one server a session) and postgres_database (one a test)
    from tests.store.postgres_server import postgres_database, postgres_url  # noqa: F401
except ModuleNotFoundError as missing:
    POSTGRES_MISSING = (
        "no PostgreSQL backend yet: tests/store/postgres_server.py is absent"
        if missing.name == "tests.store.postgres_server"
        else f"the PostgreSQL test helper cannot load: {missing}"
    )
else:
    POSTGRES_MISSING = ""


def _sqlite_folder(request: pytest.FixtureRequest) -> Opener:
    """An index folder holding its own vector cache (evaluations, dry runs, tests)."""
    folder = request.getfixturevalue("tmp_path") / "index"
    return lambda create: SQLiteStore(folder, create=create)


def _sqlite_generation(request: pytest.FixtureRequest) -> Opener:
    """A generation with the vector cache in a file beside it, as re-indexing builds one."""
    tmp_path = request.getfixturevalue("tmp_path")
    cache = tmp_path / "embeddings.db"
    return lambda create: SQLiteStore(tmp_path / "index", create=create, embeddings_db=cache)


def _postgres(request: pytest.FixtureRequest) -> Opener:
    """A fresh database on the session's PostgreSQL server (tests/store/postgres_server.py)."""
    if POSTGRES_MISSING:
        pytest.skip(POSTGRES_MISSING)
    from indexer.store.postgres import PostgresStore

    url = request.getfixturevalue("postgres_database")
    return lambda create: PostgresStore(url, create=create)


BACKENDS: dict[str, Callable[[pytest.FixtureRequest], Opener]] = {
    "sqlite-folder": _sqlite_folder,
    "sqlite-generation": _sqlite_generation,
    "postgres": _postgres,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "defect(*backends, reason): a store behaviour those backends get wrong"
    )


@pytest.fixture(params=sorted(BACKENDS))
def make_store(request: pytest.FixtureRequest) -> Iterator[Callable[..., Store]]:
    """``make_store(create=False)``: a new store over this test's index, closed afterwards."""
    defect = request.node.get_closest_marker("defect")
    family = request.param.split("-")[0]
    if defect is not None and {request.param, family} & set(defect.args):
        request.applymarker(pytest.mark.xfail(strict=True, reason=defect.kwargs["reason"]))
    opener = BACKENDS[request.param](request)
    opened: list[Store] = []

    def make(*, create: bool = False) -> Store:
        store = opener(create)
        opened.append(store)
        return store

    yield make
    for store in reversed(opened):
        store.close()


@pytest.fixture
def store(make_store: Callable[..., Store]) -> Store:
    """An empty store, created for this test, on each backend in turn."""
    return make_store(create=True)
