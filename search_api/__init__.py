"""Search: retrieval, ranking, the query service, the HTTP API and the CLI."""
