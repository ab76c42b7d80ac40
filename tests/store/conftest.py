"""One fixture, ``store``, parametrized over every backend (``make_store`` opens more of it).

A backend is one entry of :data:`BACKENDS`: a function that takes the test's
``request`` and returns an opener, ``open(create) -> Store``, over one empty
index of its own. Every store an opener returns is closed after the test.

A behaviour one backend gets wrong is marked ``@pytest.mark.defect("sqlite",
reason=...)``: the test is a strict xfail on the backends named (``sqlite`` names
every ``sqlite-...`` variant) and must pass on the others.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from indexer.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from indexer.store.base import Store

Opener = Callable[[bool], "Store"]
"""``open(create)``: a store over the test's index (``create``: build it, else open it)."""

POSTGRES_HELPER = "tests.store.postgres_server"


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
    if importlib.util.find_spec(POSTGRES_HELPER) is None:
        pytest.skip("no PostgreSQL backend yet: tests/store/postgres_server.py is absent")
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


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real PostgreSQL server for the session (skipped when it cannot start)."""
    helper = importlib.import_module(POSTGRES_HELPER)
    server = helper.start(tmp_path_factory.mktemp("postgres"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_database(postgres_server: object) -> str:
    """The URL of an empty database of its own for one test."""
    helper = importlib.import_module(POSTGRES_HELPER)
    return str(helper.new_database(postgres_server))


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
