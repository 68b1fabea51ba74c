"""Shared helpers for member-typed values: the value error, cleaning, quoting, wiki titles."""

from __future__ import annotations

import html
import re

# Every kind of space a member (or VisualEditor) may type: no-break, narrow no-break, thin…
_SPACES = re.compile(r"[\s\u00a0\u1680\u180e\u2000-\u200b\u202f\u205f\u3000]+")
# What MediaWiki turns into one "_" in a title, and the bidi marks it drops.
_TITLE_SPACES = re.compile(r"[\s_\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e]")
_EMPHASIS = re.compile(r"'{2,}")  # ''italic'' and '''bold''' around a value
_SUPERSCRIPT = re.compile(r"</?sup\s*>", re.IGNORECASE)
QUOTE_LIMIT = 60


class ValueFormatError(ValueError):
    """A value a member typed that cannot be read; `message` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean(text: str) -> str:
    """The value as a reader sees it: entities decoded, no emphasis, spaces collapsed."""
    text = html.unescape(text)
    text = _SUPERSCRIPT.sub("", _EMPHASIS.sub("", text))
    return _SPACES.sub(" ", text).strip()


def quote(text: str) -> str:
    """`« text »` for a message, on one line and cut when long."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return f"« {text} »"


def normalize_title(text: str) -> str:
    """A wiki title as MediaWiki reads it, with spaces: `_`, no-break spaces… -> one space."""
    return _TITLE_SPACES.sub(" ", _BIDI.sub("", text)).strip()


def upper_first(text: str) -> str:
    """MediaWiki's first-letter case rule for titles and user names."""
    return text[:1].upper() + text[1:]
