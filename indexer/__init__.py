"""Indexing: connectors, identity resolution, chunking, the store and the vector index."""
