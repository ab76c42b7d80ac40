"""Named errors of the indexer."""

from __future__ import annotations


class WhoKnowsError(Exception):
    """Base class of every error WhoKnows reports to a user."""


class SourceError(WhoKnowsError):
    """A source cannot be read at all (missing path, unreadable root file, bad options)."""


class ConfigError(WhoKnowsError):
    """The configuration file or a source argument is invalid."""


class StoreError(WhoKnowsError):
    """The index's storage failed or refused: the root of every storage backend's errors."""


class IndexMismatchError(StoreError):
    """The saved vector index does not fit the configured model or the database."""


class IndexNotFoundError(StoreError):
    """No index has been built in the data directory yet."""


class IndexLockedError(StoreError):
    """Another re-index holds the data directory's lock."""


class TooManyRejectedError(WhoKnowsError):
    """More records were rejected than ``--max-errors`` allows; nothing was switched."""


class VerificationError(WhoKnowsError):
    """A freshly built generation failed its checks; the served one stays."""
