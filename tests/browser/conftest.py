"""The browser tests' world: one live wiki + service for the module, Debian's Chromium through
Playwright, members who log in, and screenshots of every step kept under var/screenshots/.

The wiki loads VisualEditor (devwiki) and the WikiLedger extension, whose webhooks go to a
`wikiledger serve` subprocess, as in tests/e2e. Every page a test visits is watched: a
JavaScript error or an error logged in the console fails the test.
"""

from __future__ import annotations

import base64
import datetime
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from devwiki.client import connect
from devwiki.mediawiki import LocalWiki, create_wiki, free_port
from devwiki.members import Member, create_member
from devwiki.seed import save_seed
from devwiki.settings import extension_settings
from render.config import SyncConfig
from sync.templates import install_templates
from sync.wiki import WikiClient
from tests.e2e.conftest import Live, Service, service_environment

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# Without background networking off, Chromium's own connections are refused on a closed
# network and it logs them; the tests reach 127.0.0.1 only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The browser asks for /favicon.ico, which MediaWiki does not ship: point it at a shipped icon
# so that no 404 lands in the console.
FAVICON = '$wgFavicon = "$wgResourceBasePath/resources/assets/mediawiki.png";\n'
# Members' page views run jobs ($wgJobRunRate), as on a wiki without a job runner. The recent
# changes' upkeep job (active users' count), run by a view while the bot saved, failed with
# SQLite's "database is locked" (an exception in MediaWiki's log): the tests need it not.
QUIET_JOBS = "$wgJobTypesExcludedFromDefaultQueue[] = 'recentChangesUpdate';\n"
MEMBERS = ("Alice Martin",)
# A campaign open around today for the pledge test (the seed's closes on a fixed date), saved
# with the seed, before the service's first sync.
CAMPAIGN, PROJECT = "Essai navigateur", "Jardin partagé"
PROPOSAL = f"Cobudget {CAMPAIGN}/Projet {PROJECT}"


def campaign_pages(today: datetime.date) -> dict[str, str]:
    opening = (today - datetime.timedelta(days=10)).isoformat()
    closing = (today + datetime.timedelta(days=30)).isoformat()
    return {
        f"Cobudget {CAMPAIGN}": (
            f"{{{{Cobudget|campagne={CAMPAIGN}|dotation=500|participants={MEMBERS[0]}"
            f"|ouverture={opening}|clôture={closing}}}}}\n"
        ),
        PROPOSAL: (
            f"{{{{Projet cobudget|campagne={CAMPAIGN}|titre={PROJECT}|minimum=300}}}}\n\n"
            "Des bacs de culture dans la cour, pour les pauses.\n"
        ),
    }


WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 420, "height": 860}


@dataclass
class Site:
    """The live wiki and service, and the member accounts."""

    live: Live
    members: dict[str, Member]

    @property
    def wiki(self) -> LocalWiki:
        return self.live.wiki

    def url(self, title: str, **query: str) -> str:
        params = "&".join(f"{k}={v}" for k, v in query.items())
        return f"{self.wiki.url}/index.php?title={title.replace(' ', '_')}" + (
            f"&{params}" if params else ""
        )


@dataclass
class Visit:
    """One browser tab of a test: its page, the console errors seen, and its screenshots."""

    page: Page
    site: Site
    folder: Path
    errors: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        path = self.folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.shots.append(path)
        return path

    def open(self, title: str, **query: str) -> None:
        self.page.goto(self.site.url(title, **query))

    def log_in(self, name: str) -> None:
        member = self.site.members[name]
        self.open("Spécial:Connexion")
        self.page.fill("#wpName1", member.name)
        self.page.fill("#wpPassword1", member.password)
        self.page.click("#wpLoginAttempt")
        # the log-out link is in the page on every skin, visible or in a menu (Vector 2022)
        self.page.wait_for_selector("#pt-logout", state="attached")
        self.page.wait_for_function(
            "name => window.mw && mw.config && mw.config.get('wgUserName') === name",
            arg=member.name,
        )

    def reload_until(self, check: Callable[[], bool], *, timeout: float, what: str) -> float:
        """Reload the page until `check()`; returns the seconds it took."""
        start = time.monotonic()
        while not check():
            if time.monotonic() - start > timeout:
                self.shot("timeout", full_page=True)
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(0.5)
            self.page.reload()
        return time.monotonic() - start


def _record(errors: list[str]) -> Callable[[ConsoleMessage], None]:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    return record


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("browser")
    port = free_port()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    wiki = create_wiki(
        home / "wiki", extra_settings=extension_settings(port, secret) + FAVICON + QUIET_JOBS
    )
    wiki.start()
    service = Service(
        port, service_environment(wiki, secret, secrets.token_urlsafe(32), home / "data"), home
    )
    try:
        install_templates(
            WikiClient(wiki.url, wiki.bot_login, wiki.bot_password).connect(), SyncConfig()
        )
        admin = connect(wiki, admin=True)
        save_seed(admin)
        for title, text in campaign_pages(datetime.date.today()).items():
            admin.pages[title].edit(text, summary="Campagne d'essai des tests du navigateur")
        members = {name: create_member(wiki, name) for name in MEMBERS}
        service.start()
        live = Live(wiki, service, secret, "", admin, connect(wiki))
        live.wait_idle()
        yield Site(live, members)
    finally:
        service.stop()
        wiki.stop()
    assert wiki.logged_errors() == {}


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def visit(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Visit]:
    """A fresh browser context (no cookies) for one test; fails it on any console error."""
    context = browser.new_context(viewport=WIDE, locale="fr-FR")
    context.set_default_timeout(30_000)
    page = context.new_page()
    folder = SCREENSHOTS / re.sub(r"[^\w-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    visit = Visit(page, site, folder)
    page.on("console", _record(visit.errors))
    page.on("pageerror", lambda error: visit.errors.append(f"JavaScript: {error}"))
    try:
        yield visit
    finally:
        visit.shot("fin", full_page=True)  # where it ended, passed or failed
        context.close()
    assert visit.errors == []
