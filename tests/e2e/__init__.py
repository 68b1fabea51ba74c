"""End-to-end tests: the WikiLedger extension -> `wikiledger serve` -> the worker -> the wiki."""
