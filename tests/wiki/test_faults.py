"""The wiki adapter under real faults: a lost session, a refused login, a lagged wiki."""

from __future__ import annotations

import time

import mwclient
import pytest

from devwiki.mediawiki import LocalWiki
from sync.engine import SyncEngine
from sync.wiki import LoginRefused, WikiClient, WikiUnreachable
from tests.wiki.conftest import bot_client, page_text

PAGE = "Essai wikiledger/Session perdue"


def session_ids(client: WikiClient) -> list[str]:
    """The ids of the sessions the client holds (its `wiki_session` and `wiki_BPsession`
    cookies, the latter the bot password's)."""
    cookies = client.site.connection.cookies
    return sorted(c.value for c in cookies if c.name.lower().endswith("session") and c.value)


def test_the_bot_logs_in_again_when_the_wiki_lost_its_session_and_reads_go_on(
    seeded: LocalWiki, wiki: LocalWiki
) -> None:
    client = bot_client(wiki)
    assert client.logged_in and client.logins == 1
    assert "apihighlimits" in client.rights
    sessions = session_ids(client)
    assert wiki.delete_sessions(sessions) == len(sessions) == 2
    # without the assertion this read would go on anonymously, 50 pages a request at most
    pages = client.fetch_titles(["Cercle Numérique"])
    assert "Cercle Numérique" in pages
    assert client.logins == 2 and client.logged_in
    assert not set(session_ids(client)) & set(sessions)


def log_in_again(*sites: mwclient.Site) -> None:
    """The tests' own mwclient sessions, after a flush (mwclient does not log in again)."""
    for site in sites:
        site.tokens.clear()
        site.login()


def test_an_edit_after_every_session_was_flushed_is_saved_by_the_bot(
    wiki: LocalWiki, bot_site: mwclient.Site, admin_site: mwclient.Site
) -> None:
    client = bot_client(wiki)
    client.edit(PAGE, "première version", "essai", base=None)
    page = client.fetch_titles([PAGE])[PAGE]
    try:
        assert wiki.delete_sessions() >= 2  # every session of the wiki, as a cache restart does
        saved = client.edit(PAGE, "deuxième version", "essai", base=page)
    finally:
        log_in_again(bot_site, admin_site)
    assert client.logins == 2
    assert page_text(bot_site, PAGE) == "deuxième version"
    revision = next(iter(bot_site.pages[PAGE].revisions(limit=1, prop="user|ids")))
    assert (revision["revid"], revision["user"]) == (saved.rev_id, wiki.bot_user)


def test_a_refused_login_is_not_tried_again_before_its_backoff(wiki: LocalWiki) -> None:
    client = WikiClient(wiki.url, wiki.bot_login, "pas le bon mot de passe du robot")
    with pytest.raises(LoginRefused) as refused:
        client.connect()
    assert refused.value.reason == "login refused"
    assert "WIKILEDGER_BOT_PASSWORD" in str(refused.value)
    assert "pas le bon" not in str(refused.value)
    asked = client.requests
    started = time.monotonic()
    with pytest.raises(LoginRefused) as again:
        client.fetch_titles(["Cercle Numérique"])
    assert time.monotonic() - started < 0.5 and client.requests == asked  # the wiki not asked
    assert "next try in" in str(again.value)
    assert not client.logged_in


def test_a_revoked_bot_password_is_refused_and_works_again_once_set(wiki: LocalWiki) -> None:
    client = bot_client(wiki)
    password = wiki.bot_password
    wiki.revoke_bot_password()
    try:
        with pytest.raises(LoginRefused):
            client.relogin()
        assert not client.logged_in
    finally:
        wiki.set_bot_password(password)
    client._login_retry_at = 0.0  # the backoff is the test above's; here the wiki's answer
    client.relogin()
    assert client.logged_in and client.logins == 2


def test_requests_carry_maxlag_and_wait_as_the_wiki_asks(
    seeded: LocalWiki, wiki: LocalWiki
) -> None:
    # A wiki without replicas reports a lag of -1 s: a maxlag below it makes MediaWiki answer
    # every request as lagged (error `maxlag`, `Retry-After: 5`), the way clients are tested
    # against it. The client waits as told, tries again, then gives up.
    client = WikiClient(wiki.url, wiki.bot_login, wiki.bot_password, max_retries=1).connect()
    client.maxlag = -2
    started = time.monotonic()
    with pytest.raises(WikiUnreachable) as lagged:
        client.fetch_titles(["Cercle Numérique"])
    assert time.monotonic() - started >= 5  # it waited the Retry-After before trying again
    assert "lag" in str(lagged.value)
    client.maxlag = 5
    assert "Cercle Numérique" in client.fetch_titles(["Cercle Numérique"])


def test_a_declaration_shown_through_another_template_is_reported_with_the_template_and_page(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    template, page = "Modèle:Essai déclarations incluses", "Utilisateur:Inès Incluse/Essai"
    bot_site.pages[template].edit(
        "{{Contribution|contributeur=Inès Incluse|cercle=Animation|date=2026-05-05|montant=45}}",
        "essai",
    )
    bot_site.pages[page].edit("Ce que j'ai fait :\n{{Essai déclarations incluses}}\n", "essai")
    engine.full_sync()
    computation = engine.compute()
    assert all(c.contributor != "Inès Incluse" for c in computation.records.contributions)
    (problem,) = [p for p in computation.problems if p.source.page == page]
    assert (problem.source.line, problem.template) == (2, "Essai déclarations incluses")
    assert "n'est pas compté" in problem.message


def test_an_implausible_declaration_is_counted_and_warned_on_the_anomalies_page(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    page = "Utilisateur:Victor Vraisemblance/Contributions 2026"
    bot_site.pages[page].edit(
        "Mes contributions :\n"
        "* {{Contribution|contributeur=Victor Vraisemblance|cercle=Animation|date=2026-05-05"
        "|montant=1 000 000 000 €}}\n",
        "essai",
    )
    engine.full_sync()
    computation = engine.compute()
    (counted,) = [
        c
        for c in computation.contributions[2026].contributions
        if c.contributor == "Victor Vraisemblance"
    ]
    assert counted.amount == 1_000_000_000  # counted as written
    (warning,) = [p for p in computation.problems if "vraisemblance" in p.message]
    assert (warning.source.page, warning.source.line) == (page, 2)
    anomalies = page_text(bot_site, "Contribution-rétribution/Anomalies")
    (line,) = [line for line in anomalies.splitlines() if "vraisemblance" in line]
    assert "1\xa0000\xa0000\xa0000" in line and "10\xa0000" in line
    assert "Victor Vraisemblance/Contributions 2026" in anomalies


def test_a_template_holding_declarations_made_after_a_sync_is_reported_at_the_next_event(
    engine: SyncEngine, bot_site: mwclient.Site
) -> None:
    engine.full_sync()
    template, page = "Modèle:Essai mes heures", "Utilisateur:Nina Nouvelle/Essai"
    bot_site.pages[template].edit(
        "{{Contribution|contributeur=Nina Nouvelle|cercle=Animation|date=2026-05-06|heures=2}}",
        "essai",
    )
    bot_site.pages[page].edit("{{Essai mes heures}}\n", "essai")
    engine.sync_pages({template, page})  # the webhooks of both saves
    (problem,) = [p for p in engine.compute().problems if p.source.page == page]
    assert (problem.source.line, problem.template) == (1, "Essai mes heures")
