"""The history read from a real wiki where several accounts edit in turn (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import mwclient
import pytest

from devwiki import settings
from devwiki.accounts import Account, create_account, rename_account
from devwiki.mediawiki import LocalWiki
from ledger.governance import Governance, Mode, judge
from ledger.history import contribution_events
from ledger.record import Records
from ledger.trail import History, PageRevision
from parsers.page import parse_page
from sync.history import HistoryStore, advance, build_history
from sync.revisions import RevisionText, read_revisions
from sync.wiki import WikiClient
from tests.unit.history_helpers import snapshot

CIRCLE = "Test historique/Cercle"
DECLARATIONS = "Test historique/Déclarations"
OTHER = "Test historique/Avril"


def declaration(who: str, status: str = "", amount: str = "120 €", mission: str = "Accueil") -> str:
    text = f"{{{{Contribution|contributeur={who}|cercle=Historique|date=12/03/2026|montant={amount}"
    return text + (f"|statut={status}" if status else "") + f"|mission={mission}}}}}\n"


def site_for(wiki: LocalWiki, account: Account | None) -> mwclient.Site:
    parts = urlsplit(wiki.url)
    site = mwclient.Site(
        parts.netloc, path=parts.path.rstrip("/") + "/", scheme=parts.scheme, force_login=False
    )
    if account is not None:
        site.login(account.login, account.password)
    return site


@pytest.fixture(scope="module")
def people(local_wiki: LocalWiki) -> dict[str, Account]:
    """A contributor, a référente, a treasurer (in the treasury group), a newcomer."""
    return {
        "alice": create_account(local_wiki, "Alice Historique"),
        "bruno": create_account(local_wiki, "Bruno Référent"),
        "claire": create_account(
            local_wiki, "Claire Trésorière", groups=[settings.TREASURER_GROUP]
        ),
        "newcomer": create_account(local_wiki, "Nouveau Venu"),
    }


@pytest.fixture
def edited(
    wiki: LocalWiki, people: dict[str, Account], admin_site: mwclient.Site
) -> Iterator[None]:
    """Pages edited in turn by the accounts, an IP editor, and a revision whose author is hidden."""
    alice, bruno = site_for(wiki, people["alice"]), site_for(wiki, people["bruno"])
    claire, newcomer = site_for(wiki, people["claire"]), site_for(wiki, people["newcomer"])
    anonymous = site_for(wiki, None)
    admin_site.pages[CIRCLE].edit(
        "{{Cercle|nom=Historique|référents=Bruno Référent}}", summary="cercle"
    )
    page = DECLARATIONS
    alice.pages[page].edit(declaration("Alice Historique"), summary="1")
    bruno.pages[page].edit(declaration("Alice Historique", "validée"), summary="2")
    claire.pages[page].edit(declaration("Alice Historique", "versée"), summary="3")
    text = declaration("Alice Historique", "versée") + declaration("Nouveau Venu", "versée")
    newcomer.pages[page].edit(text, summary="4: self-paid")
    anonymous.pages[page].edit(text + declaration("Alice Historique", mission="IP"), summary="5")
    hidden = alice.pages[page].edit(
        text + declaration("Alice Historique", "validée", mission="IP"), summary="6"
    )
    admin_site.post(
        "revisiondelete",
        type="revision",
        ids=hidden["newrevid"],
        hide="user",
        token=admin_site.get_token("csrf"),
    )
    # cut from the page, pasted on another
    alice.pages[page].edit(declaration("Nouveau Venu", "versée"), summary="7: cut")
    alice.pages[OTHER].edit(declaration("Alice Historique", "versée"), summary="8: paste")
    yield


def client(wiki: LocalWiki) -> WikiClient:
    return WikiClient(wiki.url, wiki.bot_login, wiki.bot_password).connect()


def page_ids(bot: WikiClient, *titles: str) -> dict[str, int]:
    infos = bot.page_infos(titles)
    return {title: info.page_id for title, info in infos.items()}


def folded(texts: list[RevisionText]) -> History:
    changes = []
    for text in texts:
        records = parse_page(text.title, text.text)[0] if text.text is not None else Records()
        changes.append(PageRevision(text.page_id, text.revision, records))
    return History.rebuild(changes)


def test_every_revision_is_read_once_with_its_author_and_the_history_follows(
    edited: None, wiki: LocalWiki
) -> None:
    bot = client(wiki)
    ids = page_ids(bot, CIRCLE, DECLARATIONS, OTHER)
    before = bot.requests
    texts = bot.read_histories({page_id: 0 for page_id in ids.values()})
    requests = bot.requests - before
    by_page: dict[str, list[RevisionText]] = {}
    for text in texts:
        by_page.setdefault(text.title, []).append(text)
    assert len(by_page[DECLARATIONS]) == 7 and len(by_page[OTHER]) == 1
    assert len({t.revision.rev_id for t in texts}) == len(texts) == 9
    assert requests == 2  # the revision ids, then their content in one batch
    users = [
        t.revision.user for t in sorted(by_page[DECLARATIONS], key=lambda t: t.revision.rev_id)
    ]
    assert users[:4] == ["Alice Historique", "Bruno Référent", "Claire Trésorière", "Nouveau Venu"]
    ip = sorted(by_page[DECLARATIONS], key=lambda t: t.revision.rev_id)[4].revision
    assert (ip.anonymous and ip.user.count(".") == 3) or ":" in ip.user
    hidden = sorted(by_page[DECLARATIONS], key=lambda t: t.revision.rev_id)[5].revision
    assert hidden.user_hidden and hidden.user == ""

    history = folded(texts)
    treasury = bot.group_members(settings.TREASURER_GROUP)
    assert "Claire Trésorière" in treasury and "Nouveau Venu" not in treasury
    verdicts = {}
    for mode in (Mode.WARN, Mode.ENFORCE):
        rules = Governance(mode=mode, group_members=treasury, bots=frozenset({"WikiLedgerBot"}))
        for trail in history.current("contribution"):
            verdict = judge(trail, rules, history.referents_at)
            verdicts[mode, trail.record.mission, trail.record.contributor] = verdict  # type: ignore[attr-defined]
    alice = verdicts[Mode.ENFORCE, "Accueil", "Alice Historique"]
    assert [(e.field, e.old, e.new, e.revision.user) for e in alice.history] == [
        ("created", "", "déclarée", "Alice Historique"),
        ("statut", "déclarée", "validée", "Bruno Référent"),
        ("statut", "validée", "versée", "Claire Trésorière"),
        ("moved", DECLARATIONS, OTHER, "Alice Historique"),
    ]
    assert alice.status == "versée" and alice.problems == ()
    assert alice.paid_by is not None and alice.paid_by.user == "Claire Trésorière"
    newcomer = verdicts[Mode.ENFORCE, "Accueil", "Nouveau Venu"]
    assert newcomer.status == "déclarée" and newcomer.problems[0].severity == "error"
    assert "Nouveau Venu, qui n'est pas trésorier·e" in newcomer.problems[0].message
    warned = verdicts[Mode.WARN, "Accueil", "Nouveau Venu"]
    assert warned.status == "versée" and warned.problems[0].severity == "warning"
    assert not any(
        key[1] == "IP" for key in verdicts
    )  # the IP's and the hidden author's declaration was cut away
    [ip_trail] = [
        t for t in history.trails.values() if getattr(t.record, "mission", "") == "IP"
    ]  # written by the IP, then validated by the hidden author, then cut
    assert not ip_trail.present
    events = contribution_events(ip_trail.versions)
    assert [(e.field, e.revision.anonymous, e.revision.user_hidden) for e in events] == [
        ("created", True, False),
        ("statut", False, True),
    ]


def parse_records(title: str, text: str) -> Records:
    return parse_page(title, text)[0]


def test_the_history_is_kept_in_the_state_and_a_live_edit_reads_nothing_more(
    wiki: LocalWiki, people: dict[str, Account], admin_site: mwclient.Site, tmp_path: Path
) -> None:
    alice, bruno = site_for(wiki, people["alice"]), site_for(wiki, people["bruno"])
    admin_site.pages[CIRCLE].edit("{{Cercle|nom=Historique|référents=Bruno Référent}}")
    alice.pages[DECLARATIONS].edit(declaration("Alice Historique"))
    bot = client(wiki)
    ids = page_ids(bot, CIRCLE, DECLARATIONS)
    history = build_history(bot._query, {i: 0 for i in ids.values()}, bot.batch_size, parse_records)
    store = HistoryStore(tmp_path / "state.sqlite3")
    store.save(history, "v1")
    assert store.load("v2") is None  # another parser: rebuilt
    kept = store.load("v1")
    assert kept is not None and snapshot(kept) == snapshot(history)

    # the live path: the new revision's text and author come with the read of the page
    saved = bruno.pages[DECLARATIONS].edit(declaration("Alice Historique", "validée"))
    [text] = list(read_revisions(bot._query, [saved["newrevid"]], bot.batch_size))
    before = bot.requests
    advance(kept, ids[DECLARATIONS], text.revision, parse_records(text.title, text.text or ""))
    assert bot.requests == before
    [trail] = kept.current("contribution")
    assert [(e.field, e.revision.user) for e in contribution_events(trail.versions)] == [
        ("created", "Alice Historique"),
        ("statut", "Bruno Référent"),
    ]

    # revisions missed while the service was stopped are read from that page's history alone
    bruno.pages[DECLARATIONS].edit(declaration("Alice Historique", "validée", amount="150 €"))
    saved = alice.pages[DECLARATIONS].edit(
        declaration("Alice Historique", "validée", amount="1 500 €")
    )
    [text] = list(read_revisions(bot._query, [saved["newrevid"]], bot.batch_size))
    before = bot.requests
    advance(
        kept,
        ids[DECLARATIONS],
        text.revision,
        parse_records(text.title, text.text or ""),
        parent_id=text.parent_id,
        missed=lambda after, until: bot.missed_revisions(ids[DECLARATIONS], after, until),
        parse=parse_records,
    )
    assert bot.requests == before + 1
    [trail] = kept.current("contribution")
    assert [(e.field, e.old, e.new, e.revision.user) for e in contribution_events(trail.versions)][
        2:
    ] == [
        ("montant", "120 €", "150 €", "Bruno Référent"),
        ("montant", "150 €", "1 500 €", "Alice Historique"),
    ]
    rebuilt = build_history(bot._query, {i: 0 for i in ids.values()}, bot.batch_size, parse_records)
    assert snapshot(rebuilt) == snapshot(kept)  # rebuilt from the wiki alone: the same
    enforced = judge(trail, Governance(mode=Mode.ENFORCE), kept.referents_at)
    assert enforced.status == "déclarée"
    assert enforced.problems[0].message.startswith(
        "montant passé de « 150 € » à « 1 500 € » par Alice Historique"
    )
    store.close()


def test_a_renamed_referente_keeps_her_validation_through_the_rename_log(
    wiki: LocalWiki, people: dict[str, Account], admin_site: mwclient.Site
) -> None:
    referente = create_account(wiki, "Renée Avant")
    admin_site.pages[CIRCLE].edit("{{Cercle|nom=Historique|référents=Renée Avant}}")
    site_for(wiki, people["alice"]).pages[DECLARATIONS].edit(declaration("Alice Historique"))
    site_for(wiki, referente).pages[DECLARATIONS].edit(declaration("Alice Historique", "validée"))
    rename_account(wiki, "Renée Avant", "Renée Après")
    bot = client(wiki)
    ids = page_ids(bot, CIRCLE, DECLARATIONS)
    texts = bot.read_histories({page_id: 0 for page_id in ids.values()})
    assert "Renée Après" in {t.revision.user for t in texts}  # the wiki shows the new name
    history = folded(texts)
    [trail] = history.current("contribution")
    renamed = bot.renamed_users()
    assert renamed["Renée Avant"] == "Renée Après"
    with_log = Governance(mode=Mode.ENFORCE, renamed=MappingProxyType(renamed))
    assert judge(trail, with_log, history.referents_at).status == "validée"
    without = judge(trail, Governance(mode=Mode.ENFORCE), history.referents_at)
    assert without.status == "déclarée"
    assert "Renée Après, qui n'est pas référent·e" in without.problems[0].message
