"""The wiki adapter (mwclient), the local state store (SQLite) and the sync engine."""
