"""The pure domain of wikiledger: records, contribution ledger and co-budget rules (stdlib only)."""
