"""Members' accounts on a local wiki, for tests where several people edit in turn.

Each account gets a bot password (grants to edit pages, nothing more) so that tests log in
with `login`/`password` like any API client; its edits are saved under the plain user name.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devwiki import settings

if TYPE_CHECKING:
    from devwiki.mediawiki import LocalWiki


@dataclass(frozen=True, slots=True)
class Account:
    user: str  # the user name, as the wiki shows it in histories
    login: str  # `User@app`, for the API
    password: str  # the bot password; never logged


def create_account(wiki: LocalWiki, user: str, *, groups: Iterable[str] = ()) -> Account:
    """Create USER (or add it to GROUPS when it exists) with a fresh bot password."""
    wiki.create_user(user, secrets.token_hex(16), groups=groups)
    app_id = f"{settings.MEMBER_APP_ID}{secrets.token_hex(4)}"  # one per call: never taken
    password = secrets.token_hex(16)
    wiki.run_maintenance(
        "createBotPassword.php", "--appid", app_id, "--grants", settings.MEMBER_GRANTS, user,
        password,
    )  # fmt: skip
    return Account(user, f"{user}@{app_id}", password)


def rename_account(wiki: LocalWiki, old: str, new: str) -> None:
    """Rename a user as an administrator would (their edits then show the new name)."""
    try:  # MediaWiki 1.40 and later: in core
        wiki.run_maintenance("renameUser.php", old, new)
    except RuntimeError:  # 1.39: the Renameuser extension's script
        wiki.run_maintenance(
            "../extensions/Renameuser/maintenance/renameUser.php", "--oldname", old,
            "--newname", new,
        )  # fmt: skip
