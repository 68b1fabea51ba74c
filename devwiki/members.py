"""Member accounts on a dev wiki: real MediaWiki users with a password, for browser tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devwiki.mediawiki import LocalWiki


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    password: str = field(repr=False)


def create_member(wiki: LocalWiki, name: str) -> Member:
    """Create (or reset) a plain user account — no bot, no sysop — with a fresh password."""
    password = secrets.token_urlsafe(18)
    wiki.create_user(name, password)
    return Member(name, password)
