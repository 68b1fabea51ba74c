"""A real local MediaWiki (Debian packages, SQLite, 127.0.0.1) for tests, demo and benchmarks."""
