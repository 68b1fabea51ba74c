"""The WikiLedger extension on the real MediaWiki (1.39 or 1.43): the webhook each action sends.

A wiki of its own loads the extension, pointed at a small HTTP receiver in this process that
records the signed deliveries; each test acts on the wiki through the API and reads what
arrived. The wiki fails at teardown when the extension used a deprecated MediaWiki API
(`$wgDevelopmentWarnings`, LocalWiki.logged_errors).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import mwclient
import pytest

from devwiki.client import connect
from devwiki.mediawiki import LocalWiki, create_wiki, free_port
from devwiki.settings import extension_settings
from service.webhook import WebhookEvent, verify_webhook


class Receiver:
    """An HTTP server on 127.0.0.1 that checks and keeps every webhook it is sent."""

    def __init__(self, port: int, secret: str) -> None:
        self.secret = secret
        self.events: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.receive(dict(self.headers.items()), body)
                self.send_response(202)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, headers: dict[str, str], body: bytes) -> None:
        try:
            event: WebhookEvent = verify_webhook(
                self.secret, headers, body, now=time.time(), seen=lambda _id: False
            )
        except Exception as error:
            with self._lock:
                self.refused.append(repr(error))
            return
        assert event.event
        with self._lock:
            self.events.append(json.loads(body))

    def sent(self, event: str, title: str) -> list[dict[str, Any]]:
        """The events of this kind received so far for TITLE, in order."""
        with self._lock:
            return [e for e in self.events if e["event"] == event and e["title"] == title]

    def wait_for(
        self, event: str, title: str, *, count: int = 1, timeout: float = 15.0
    ) -> dict[str, Any]:
        """The COUNT-th event of this kind for TITLE, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.sent(event, title)
            if len(sent) >= count:
                return sent[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no {event} webhook #{count} for {title!r}; got {self.events}")


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalWiki, Receiver]]:
    port = free_port()
    secret = secrets.token_urlsafe(32)
    receiver = Receiver(port, secret)
    receiver.thread.start()
    wiki = create_wiki(
        tmp_path_factory.mktemp("hooked") / "wiki", extra_settings=extension_settings(port, secret)
    )
    wiki.start()
    try:
        yield wiki, receiver
    finally:
        wiki.stop()
        receiver.server.shutdown()
        receiver.server.server_close()
    assert receiver.refused == []
    assert wiki.logged_errors() == {}


@pytest.fixture(scope="module")
def admin(hooked: tuple[LocalWiki, Receiver]) -> mwclient.Site:
    return connect(hooked[0], admin=True)


def test_the_wiki_runs_the_selected_mediawiki_version(
    hooked: tuple[LocalWiki, Receiver], admin: mwclient.Site
) -> None:
    wiki, _ = hooked
    generator = admin.api("query", meta="siteinfo")["query"]["general"]["generator"]
    assert generator == f"MediaWiki {wiki.mediawiki_version}"
    assert wiki.mediawiki_version.startswith(wiki.mediawiki + ".")


def test_a_save_sends_an_edit_with_the_new_revision(
    hooked: tuple[LocalWiki, Receiver], admin: mwclient.Site
) -> None:
    _, receiver = hooked
    title = "Utilisateur:Anne Crochet/Contributions 2026"
    admin.pages[title].edit("Première version.", "essai")
    page = admin.pages[title]
    event = receiver.wait_for("edit", title)
    assert (event["page_id"], event["rev_id"], event["user"]) == (
        page.pageid,
        page.revision,
        "Admin",
    )


def test_a_move_sends_the_new_title_the_old_one_and_the_same_page_id(
    hooked: tuple[LocalWiki, Receiver], admin: mwclient.Site
) -> None:
    _, receiver = hooked
    old, new = "Utilisateur:Anne Crochet/Brouillon", "Utilisateur:Anne Crochet/Déclarations"
    admin.pages[old].edit("À renommer.", "essai")
    page_id = admin.pages[old].pageid
    admin.pages[old].move(new, reason="essai de renommage")
    event = receiver.wait_for("move", new)
    assert (event["old_title"], event["page_id"]) == (old, page_id)
    assert event["rev_id"] == admin.pages[new].revision
    # the redirect left under the old title is a new page, sent as an edit
    assert receiver.wait_for("edit", old)["page_id"] == page_id
    assert receiver.wait_for("edit", old, count=2)["page_id"] != page_id


def test_a_delete_then_an_undelete_send_the_page_and_its_restored_revision(
    hooked: tuple[LocalWiki, Receiver], admin: mwclient.Site
) -> None:
    _, receiver = hooked
    title = "Utilisateur:Anne Crochet/Supprimée"
    admin.pages[title].edit("À supprimer puis restaurer.", "essai")
    page = admin.pages[title]
    page_id, rev_id = page.pageid, page.revision
    page.delete(reason="essai de suppression")
    deleted = receiver.wait_for("delete", title)
    assert (deleted["page_id"], deleted["rev_id"]) == (page_id, rev_id)

    admin.post(
        "undelete", title=title, reason="essai de restauration", token=admin.get_token("csrf")
    )
    restored = receiver.wait_for("undelete", title)
    page = admin.pages[title]
    assert page.exists
    assert (restored["page_id"], restored["rev_id"], restored["user"]) == (
        page.pageid,
        page.revision,
        "Admin",
    )
    assert restored["rev_id"] == rev_id
    time.sleep(0.5)
    assert len(receiver.sent("undelete", title)) == 1  # one hook per undeletion, either version
