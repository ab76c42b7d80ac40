"""Named errors of the indexer."""

from __future__ import annotations


class WhoKnowsError(Exception):
    """Base class of every error WhoKnows reports to a user."""


class SourceError(WhoKnowsError):
    """A source cannot be read at all (missing path, unreadable root file, bad options)."""


class ConfigError(WhoKnowsError):
    """The configuration file or a source argument is invalid."""


class IndexMismatchError(WhoKnowsError):
    """The saved vector index does not fit the configured model or the database."""


class IndexNotFoundError(WhoKnowsError):
    """No index has been built in the data directory yet."""
