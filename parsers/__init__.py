"""Wikitext to typed records and problems, reading templates the way MediaWiki does."""
