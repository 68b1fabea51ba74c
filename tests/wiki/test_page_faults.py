"""Pages the bot may not write, on the real wiki: a protected page, markers broken by hand,
`{{nobots}}`, a page over the wiki's size limit, a campaign name that cannot be a title. Each
blocks no other page, loses no human text and is reported on the anomalies page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki
from parsers.marker import MARKER_END, MARKER_START, extract_generated
from render.config import SyncConfig
from sync.engine import SyncEngine
from sync.state import StateStore
from tests.wiki.conftest import bot_client, page_text

REGISTRY = "Contribution-rétribution/Registre 2026"
CIRCLE = "Contribution-rétribution/Registre 2026/Numérique"
ANOMALIES = "Contribution-rétribution/Anomalies"
SOURCE = "Essai page retenue/Déclarations"
HUMAN = "== Note de la trésorière ==\nÀ garder tel quel, ''mot pour mot''.\n\n"


def declare(admin_site: mwclient.Site, amount: int) -> None:
    """A new declaration: the registre's and the circle's figures change."""
    admin_site.pages[SOURCE].edit(
        "{{Contribution|contributeur=Rita Retenue|cercle=Numérique|date=01/02/2026"
        f"|montant={amount}}}}}\n",
        "essai",
    )


def generated(site: mwclient.Site, title: str) -> str:
    return extract_generated(page_text(site, title)) or ""


@contextmanager
def protected(admin_site: mwclient.Site, title: str) -> Iterator[None]:
    """The page protected for administrators only (the bot is not one)."""

    def protect(level: str) -> None:
        admin_site.post(
            "protect",
            title=title,
            protections=f"edit={level}",
            expiry="infinite",
            reason="essai",
            token=admin_site.get_token("csrf"),
        )

    protect("sysop")
    try:
        yield
    finally:
        protect("all")


def test_a_protected_page_is_reported_and_the_other_pages_are_written(
    engine: SyncEngine, admin_site: mwclient.Site, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    before = page_text(admin_site, REGISTRY)
    with protected(admin_site, REGISTRY):
        declare(admin_site, 61)
        result = engine.full_sync()
        assert [(h.title, h.code) for h in result.refused] == [(REGISTRY, "protectedpage")]
        assert page_text(admin_site, REGISTRY) == before
        assert "Rita Retenue" in generated(bot_site, CIRCLE)  # written all the same
        anomalies = generated(bot_site, ANOMALIES)
        assert REGISTRY in anomalies and "protectedpage" in anomalies
        assert "retirez la protection" in anomalies
    again = engine.full_sync()
    assert again.held == [] and REGISTRY in {e.title for e in again.edits}
    assert "Rita Retenue" in generated(bot_site, REGISTRY)
    assert REGISTRY not in generated(bot_site, ANOMALIES)


def test_a_live_sync_on_a_page_protected_since_its_last_save_holds_it_and_writes_the_others(
    engine: SyncEngine, admin_site: mwclient.Site, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    declare(admin_site, 62)
    engine.sync_pages({SOURCE})  # the registre's revision is the bot's, and seen
    with protected(admin_site, REGISTRY):
        before = page_text(admin_site, REGISTRY)
        declare(admin_site, 63)
        result = engine.sync_pages({SOURCE})  # saved without a look: the wiki refuses it
        assert [(h.title, h.code) for h in result.held] == [(REGISTRY, "protectedpage")]
        assert page_text(admin_site, REGISTRY) == before
        assert "63,00" in generated(bot_site, CIRCLE)  # written all the same
        assert "protectedpage" in generated(bot_site, ANOMALIES)
    declare(admin_site, 64)
    again = engine.sync_pages({SOURCE})
    assert again.held == [] and REGISTRY in {e.title for e in again.edits}
    assert REGISTRY not in generated(bot_site, ANOMALIES)


def end_before_start(text: str) -> str:
    return (
        text.replace(MARKER_START, "@@").replace(MARKER_END, MARKER_START).replace("@@", MARKER_END)
    )


BREAKS: dict[str, Callable[[str], str]] = {
    "start marker gone": lambda text: text.replace(MARKER_START, ""),
    "end marker gone": lambda text: text.replace(MARKER_END, ""),
    "two starts": lambda text: text.replace(MARKER_START, f"{MARKER_START}\n{MARKER_START}"),
    "end before start": end_before_start,
}


@pytest.mark.parametrize("break_markers", BREAKS.values(), ids=BREAKS.keys())
def test_a_page_whose_markers_were_edited_by_hand_keeps_every_byte_until_they_are_whole(
    engine: SyncEngine,
    admin_site: mwclient.Site,
    bot_site: mwclient.Site,
    break_markers: Callable[[str], str],
) -> None:
    engine.full_sync()
    whole = HUMAN + page_text(admin_site, REGISTRY)
    admin_site.pages[REGISTRY].edit(break_markers(whole), "marqueurs touchés à la main")
    broken = page_text(admin_site, REGISTRY)
    declare(admin_site, 62)
    result = engine.full_sync()
    assert [(h.title, h.kind) for h in result.held] == [(REGISTRY, "markers")]
    assert page_text(admin_site, REGISTRY) == broken  # neither doubled nor cut
    assert "Rita Retenue" in generated(bot_site, CIRCLE)
    anomalies = generated(bot_site, ANOMALIES)
    assert REGISTRY in anomalies and "marqueur" in anomalies
    admin_site.pages[REGISTRY].edit(whole, "marqueurs remis")
    again = engine.full_sync()
    assert again.held == []
    text = page_text(bot_site, REGISTRY)
    assert text.startswith(HUMAN + MARKER_START) and text.count(MARKER_END) == 1
    assert "Rita Retenue" in (extract_generated(text) or "")
    assert REGISTRY not in generated(bot_site, ANOMALIES)


def test_a_blanked_page_and_a_bot_page_without_its_end_marker_are_written_again(
    engine: SyncEngine, admin_site: mwclient.Site, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    admin_site.pages[REGISTRY].edit("", "page blanchie")
    admin_site.pages[CIRCLE].edit(page_text(admin_site, CIRCLE).replace(MARKER_END, ""), "fin ôtée")
    declare(admin_site, 63)
    result = engine.full_sync()
    assert result.held == []
    for title in (REGISTRY, CIRCLE):
        text = page_text(bot_site, title)
        assert text.startswith(MARKER_START) and text.count(MARKER_START) == 1
        assert text.count(MARKER_END) == 1 and "Rita Retenue" in text


@pytest.mark.parametrize("call", ["{{nobots}}", "{{bots|deny=all}}", "{{bots|deny=WikiLedgerBot}}"])
def test_nobots_on_a_generated_page_keeps_the_bot_off_and_is_reported(
    engine: SyncEngine,
    admin_site: mwclient.Site,
    bot_site: mwclient.Site,
    wiki: LocalWiki,
    call: str,
) -> None:
    engine.full_sync()
    admin_site.pages[REGISTRY].edit(f"{call}\n" + page_text(admin_site, REGISTRY), "pas de robot")
    kept = page_text(admin_site, REGISTRY)
    declare(admin_site, 64)
    result = engine.full_sync()
    assert [(h.title, h.kind) for h in result.held] == [(REGISTRY, "nobots")]
    assert page_text(admin_site, REGISTRY) == kept
    assert "Rita Retenue" in generated(bot_site, CIRCLE)
    assert "demande aux robots" in generated(bot_site, ANOMALIES)


def wait_for(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def served_max_size(site: mwclient.Site) -> int:
    general = site.api("query", meta="siteinfo", siprop="general")["query"]["general"]
    return int(general["maxarticlesize"])


@contextmanager
def max_article_size(wiki: LocalWiki, site: mwclient.Site, kibibytes: int) -> Iterator[None]:
    """`$wgMaxArticleSize` lowered in LocalSettings.php, once the wiki serves it (PHP's opcache
    may keep the old file for a moment)."""
    original = wiki.config_file.read_text(encoding="utf-8")
    before = served_max_size(site)
    wiki.config_file.write_text(f"{original}\n$wgMaxArticleSize = {kibibytes};\n", encoding="utf-8")
    try:
        wait_for(lambda: served_max_size(site) == kibibytes * 1024, timeout=30, what="the limit")
        yield
    finally:
        wiki.config_file.write_text(original, encoding="utf-8")
        wait_for(lambda: served_max_size(site) == before, timeout=30, what="the old limit")


def test_a_page_over_the_wikis_size_limit_is_shortened_with_a_notice_and_saved(
    seeded: LocalWiki,
    wiki: LocalWiki,
    admin_site: mwclient.Site,
    bot_site: mwclient.Site,
    tmp_path: Path,
) -> None:
    lines = "".join(
        f"* {{{{Contribution|contributeur=Membre {n:03}|cercle=Numérique|date=02/02/2026"
        f"|montant={n + 10}|mission=Mission numéro {n}}}}}\n"
        for n in range(220)
    )
    with max_article_size(wiki, admin_site, 40):
        admin_site.pages[SOURCE].edit(lines, "beaucoup de déclarations")
        state = StateStore(tmp_path / "state.sqlite3")
        try:
            engine = SyncEngine(bot_client(wiki), state, SyncConfig())
            assert engine.wiki.max_page_bytes == 40 * 1024
            result = engine.full_sync()
        finally:
            state.close()
        assert result.held == []
        text = page_text(bot_site, CIRCLE)
        assert len(text.encode()) <= 40 * 1024 and "Page tronquée" in text
        assert "Membre 000" in text


def test_a_campaign_name_that_cannot_be_a_title_is_reported_at_its_line_and_nothing_fails(
    engine: SyncEngine, admin_site: mwclient.Site, bot_site: mwclient.Site
) -> None:
    admin_site.pages["Essai campagne sonde"].edit(
        "Une campagne.\n{{Cobudget|campagne=Sonde [x]|enveloppe=1000|dotation=100}}\n", "essai"
    )
    result = engine.full_sync()
    assert result.held == [] and not any("Sonde" in e.title for e in result.edits)
    anomalies = generated(bot_site, ANOMALIES)
    assert "Essai campagne sonde" in anomalies and "titre de son bilan" in anomalies
    (problem,) = [p for p in engine.compute().problems if "titre de son bilan" in p.message]
    assert (problem.source.page, problem.source.line) == ("Essai campagne sonde", 2)
