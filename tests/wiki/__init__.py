"""Tests against the real local MediaWiki (started once per session by tests/conftest.py)."""
