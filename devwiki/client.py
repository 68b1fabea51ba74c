"""Logged-in mwclient sessions on a local wiki, and deleting the pages a test created."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import mwclient

    from devwiki.mediawiki import LocalWiki

CLEANUP_REASON = "Nettoyage après un test automatique"


def connect(wiki: LocalWiki, *, admin: bool = False) -> mwclient.Site:
    """An mwclient Site logged in with the bot password of the bot (or of the admin)."""
    import mwclient  # imported here: unit tests load conftest without touching the network

    parts = urlsplit(wiki.url)
    site = mwclient.Site(
        parts.netloc,
        path=(parts.path.rstrip("/") + "/"),
        scheme=parts.scheme,
        clients_useragent="wikiledger-devwiki",
    )
    if admin:
        site.login(wiki.admin_login, wiki.admin_bot_password)
    else:
        site.login(wiki.bot_login, wiki.bot_password)
    return site


def delete_pages_except(
    wiki: LocalWiki, keep: Iterable[tuple[int, str]], admin_site: mwclient.Site
) -> list[str]:
    """Delete every page whose (namespace, title) is not in KEEP; return the deleted titles."""
    import mwclient.errors

    kept = set(keep)
    deleted: list[str] = []
    token = None
    for page_id, namespace, title in sorted(wiki.pages()):
        if (namespace, title) in kept:
            continue
        token = token or admin_site.get_token("csrf")
        try:
            result = admin_site.post("delete", pageid=page_id, token=token, reason=CLEANUP_REASON)
        except mwclient.errors.APIError as error:
            if error.code == "missingtitle":  # deleted meanwhile, e.g. by the service
                continue
            raise
        deleted.append(result["delete"]["title"])
    return deleted
