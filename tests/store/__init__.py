"""The store contract: every behaviour of a :class:`indexer.store.base.Store`, on every backend."""
