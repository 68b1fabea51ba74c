"""The sync's keeper of the history, over a fake wiki that serves hand-written revisions."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

from ledger.governance import GovernanceSettings, Mode
from ledger.record import ContributionStatus, Records
from parsers.page import parse_page
from sync.keeper import HistoryKeeper
from sync.revisions import RevisionText
from tests.unit.history_helpers import CIRCLE_PAGE, Wiki, circle, declaration

PAGE = 10
S = ContributionStatus


class FakeHistoryWiki:
    def __init__(self, wiki: Wiki, group: frozenset[str] = frozenset()) -> None:
        self.wiki = wiki
        self.group = group
        self.calls: list[str] = []

    def read_histories(self, pages: Mapping[int, int]) -> list[RevisionText]:
        self.calls.append("histories")
        return [t for t in self.wiki.texts if t.page_id in pages]

    def missed_revisions(self, page_id: int, after: int, before: int) -> list[RevisionText]:
        self.calls.append("missed")
        return [
            t
            for t in self.wiki.texts
            if t.page_id == page_id and after < t.revision.rev_id < before
        ]

    def group_members(self, group: str) -> frozenset[str]:
        self.calls.append(f"group {group}")
        return self.group

    def renamed_users(self) -> dict[str, str]:
        self.calls.append("renames")
        return {"Bruno Lefevre": "Bruno Lefèvre"}


def parse(title: str, text: str) -> Records:
    return parse_page(title, text)[0]


def current(wiki: Wiki) -> Records:
    records = Records()
    for page_id in sorted(wiki.titles):
        last = [t for t in wiki.texts if t.page_id == page_id][-1]
        records.extend(parse(last.title, last.text or ""))
    return records


def follow(keeper: HistoryKeeper, wiki: Wiki) -> None:
    """What a sync does with the page it just read: fold the last revision in."""
    new = wiki.texts[-1]
    records = parse(new.title, new.text or "")
    keeper.advance(new.page_id, new.revision, records, parse, parent_id=new.parent_id)


def keeper_for(wiki: Wiki, tmp_path: Path, **settings: object) -> HistoryKeeper:
    fake = FakeHistoryWiki(wiki, frozenset({"Claire Petit"}))
    return HistoryKeeper(
        fake,
        tmp_path / "state.sqlite3",
        GovernanceSettings(**settings),  # type: ignore[arg-type]
        datetime.UTC,
    )


def test_a_first_sync_builds_the_history_and_enforce_mode_counts_what_was_entitled(
    tmp_path: Path,
) -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefèvre"), user="Admin")
    wiki.edit(PAGE, declaration() + "\n")
    wiki.edit(PAGE, declaration(status="validée") + "\n", user="Bruno Lefèvre")
    wiki.edit(PAGE, declaration(status="versée") + "\n", user="Nouveau Membre")
    keeper = keeper_for(wiki, tmp_path, mode=Mode.ENFORCE, treasurer_group="tresorerie")
    assert not keeper.load("v1")
    latest = keeper.build({CIRCLE_PAGE: 0, PAGE: 0}, "v1", parse)
    assert keeper.revisions_read == 4
    assert {k: v.revision.rev_id for k, v in latest.items()} == {CIRCLE_PAGE: 1, PAGE: 4}
    judged = keeper.judge(current(wiki))
    assert judged is not None
    [counted] = judged.records.contributions
    assert counted.status is S.VALIDATED  # the newcomer may not pay
    assert [p.severity for p in judged.problems] == ["error"]
    assert list(judged.governance_by_year()) == [2026]
    keeper.save()
    again = keeper_for(wiki, tmp_path, mode=Mode.ENFORCE, treasurer_group="tresorerie")
    assert again.load("v1") and not again.load("v2")
    keeper.close()
    again.close()


def test_a_live_edit_reads_nothing_and_missed_revisions_are_read_for_their_page_only(
    tmp_path: Path,
) -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefèvre"), user="Admin")
    wiki.edit(PAGE, declaration() + "\n")
    keeper = keeper_for(wiki, tmp_path, treasurer_group="tresorerie")
    keeper.build({CIRCLE_PAGE: 0, PAGE: 0}, "v1", parse)
    fake = keeper.wiki
    assert isinstance(fake, FakeHistoryWiki)
    wiki.edit(PAGE, declaration(status="validée") + "\n", user="Bruno Lefèvre")
    new = wiki.texts[-1]
    keeper.advance(
        PAGE, new.revision, parse(new.title, new.text or ""), parse, parent_id=new.parent_id
    )
    assert fake.calls == ["histories"]
    wiki.edit(PAGE, declaration(status="versée") + "\n", user="Claire Petit")  # missed
    wiki.edit(PAGE, declaration(status="versée", amount="90 €") + "\n", user="Claire Petit")
    new = wiki.texts[-1]
    keeper.advance(
        PAGE, new.revision, parse(new.title, new.text or ""), parse, parent_id=new.parent_id
    )
    assert fake.calls == ["histories", "missed"]
    judged = keeper.judge(current(wiki))
    assert judged is not None
    [verdict] = judged.governed.verdicts
    assert verdict is not None
    assert [(e.field, e.revision.user) for e in verdict.history] == [
        ("created", "Alice Martin"),
        ("statut", "Bruno Lefèvre"),
        ("statut", "Claire Petit"),
        ("montant", "Claire Petit"),
    ]
    assert verdict.paid_by is not None and verdict.paid_by.user == "Claire Petit"
    assert fake.calls.count("group tresorerie") == 1
    keeper.close()


def test_pledges_follow_the_rounds_dates_and_unknown_ones_count_as_written(tmp_path: Path) -> None:
    wiki = Wiki()
    wiki.edit(
        1,
        "{{Cobudget|campagne=2026|dotation=500|ouverture=13/03/2026|clôture=14/03/2026}}",
        user="Admin",
    )
    wiki.edit(20, "{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Alice Martin|montant=5}}")
    keeper = keeper_for(wiki, tmp_path)
    keeper.build({1: 0, 20: 0}, "v1", parse)
    records = current(wiki)
    records.extend(
        parse("Nouvelle", "{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Bruno|montant=7}}")
    )
    judged = keeper.judge(records)
    assert judged is not None
    assert [(p.member, p.amount) for p in judged.records.pledges] == [("Bruno", 7)]
    assert judged.problems[0].message.startswith("soutien écrit le 12/03/2026, avant l'ouverture")
    keeper.close()


def test_renames_read_from_the_wiki_keep_a_renamed_referente_entitled(tmp_path: Path) -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefevre"), user="Admin")  # still the old name
    wiki.edit(PAGE, declaration() + "\n")
    wiki.edit(PAGE, declaration(status="validée") + "\n", user="Bruno Lefèvre")
    keeper = keeper_for(wiki, tmp_path, mode=Mode.ENFORCE)
    keeper.build({CIRCLE_PAGE: 0, PAGE: 0}, "v1", parse)
    judged = keeper.judge(current(wiki))
    assert judged is not None and judged.problems == []
    assert judged.records.contributions[0].status is S.VALIDATED
    assert isinstance(keeper.wiki, FakeHistoryWiki) and keeper.wiki.calls.count("renames") == 1
    keeper.close()
