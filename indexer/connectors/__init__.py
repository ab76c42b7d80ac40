"""Connectors: one module per source format. Each only reads and normalises.

Every connector module exposes ``read(spec: SourceSpec) -> Iterator[Record]``.
It raises :class:`indexer.errors.SourceError` when the source cannot be read at
all and yields :class:`indexer.models.Rejected` for single bad records, so that
the rest of the source is still indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module

from indexer.errors import ConfigError
from indexer.models import Record, SourceSpec

KINDS: tuple[str, ...] = ("stackexchange", "wiki", "mediawiki", "bios")

Reader = Callable[[SourceSpec], Iterator[Record]]


def get_reader(kind: str) -> Reader:
    """Return the ``read`` function of the connector for ``kind``."""
    if kind not in KINDS:
        raise ConfigError(f"unknown source kind {kind!r}; expected one of: {', '.join(KINDS)}")
    module = import_module(f"indexer.connectors.{kind}")
    reader: Reader = module.read
    return reader
