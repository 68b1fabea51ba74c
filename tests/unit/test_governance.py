"""Who may declare, validate and pay (issue 12, item 3), judged from hand-written revisions."""

from __future__ import annotations

import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from ledger.governance import Governance, Mode, Verdict, govern, judge
from ledger.record import ContributionStatus, Records, Severity
from tests.unit.history_helpers import CIRCLE_PAGE, Wiki, circle, declaration

S = ContributionStatus
PAGE = 10
REFERENTE = "Bruno Lefèvre"
TREASURER = "Claire Petit"
WARN = Governance(treasurers=frozenset({TREASURER}), bots=frozenset({"WikiLedgerBot"}))
ENFORCE = Governance(
    mode=Mode.ENFORCE, treasurers=frozenset({TREASURER}), bots=frozenset({"WikiLedgerBot"})
)


def started(*referents: str) -> Wiki:
    """A wiki with the circle Numérique (its référent·es given) and Alice's declaration."""
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle(*(referents or (REFERENTE,))), user="Admin")
    wiki.edit(PAGE, declaration() + "\n")
    return wiki


def set_status(wiki: Wiki, status: str, user: str, **options: object) -> None:
    wiki.edit(PAGE, declaration(status=status) + "\n", user, **options)  # type: ignore[arg-type]


def verdict(wiki: Wiki, rules: Governance = WARN) -> Verdict:
    [trail] = wiki.history.current("contribution")
    return judge(trail, rules, wiki.history.referents_at)


def summary(found: Verdict) -> tuple[str, str, str | None, str | None, str | None]:
    def who(step: object) -> str | None:
        return getattr(step, "user", None)

    return (
        found.written_status,
        found.status,
        who(found.declared_by),
        who(found.validated_by),
        who(found.paid_by),
    )


def messages(found: Verdict) -> list[tuple[Severity, str]]:
    return [(p.severity, p.message) for p in found.problems]


def test_a_referente_validates_and_the_treasurer_pays_in_both_modes() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    set_status(wiki, "versée", TREASURER)
    for rules in (WARN, ENFORCE):
        found = verdict(wiki, rules)
        assert summary(found) == ("versée", "versée", "Alice Martin", REFERENTE, TREASURER)
        assert found.problems == ()


def test_a_new_member_setting_versee_on_someone_elses_declaration_is_caught() -> None:
    wiki = started()
    set_status(wiki, "versée", "Nouveau Membre")
    warned = verdict(wiki, WARN)
    assert summary(warned) == ("versée", "versée", "Alice Martin", None, "Nouveau Membre")
    [(severity, message)] = messages(warned)
    assert severity is Severity.WARNING
    assert message.startswith(
        "statut « versée » écrit le 12/03/2026 par Nouveau Membre, qui n'est pas trésorier·e "
        "(Claire Petit) : seule la trésorerie peut marquer une déclaration versée"
    )
    assert message.endswith("elle est comptée comme « versée » (mode avertissement)")
    enforced = verdict(wiki, ENFORCE)
    assert summary(enforced) == ("versée", "déclarée", "Alice Martin", None, None)
    [(severity, message)] = messages(enforced)
    assert severity is Severity.ERROR and message.endswith("elle compte comme « déclarée »")


def test_a_referente_cannot_validate_her_own_declaration() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Alice Martin", REFERENTE), user="Admin")
    wiki.edit(PAGE, declaration(status="validée") + "\n", user="Alice Martin")
    enforced = verdict(wiki, ENFORCE)
    assert summary(enforced) == ("validée", "déclarée", "Alice Martin", None, None)
    [(_, message)] = messages(enforced)
    assert "par Alice Martin sur sa propre déclaration" in message
    set_status(wiki, "validée", REFERENTE)  # nothing to change: still hers
    assert verdict(wiki, ENFORCE).status is S.DECLARED
    set_status(wiki, "déclarée", "Alice Martin")
    set_status(wiki, "validée", REFERENTE)
    assert summary(verdict(wiki, ENFORCE)) == (
        "validée",
        "validée",
        "Alice Martin",
        REFERENTE,
        None,
    )


def test_a_treasurer_cannot_pay_her_own_declaration() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle(REFERENTE), user="Admin")
    wiki.edit(PAGE, declaration(TREASURER) + "\n", user=TREASURER)
    wiki.edit(PAGE, declaration(TREASURER, status="validée") + "\n", user=REFERENTE)
    wiki.edit(PAGE, declaration(TREASURER, status="versée") + "\n", user=TREASURER)
    enforced = verdict(wiki, ENFORCE)
    assert summary(enforced) == ("versée", "validée", TREASURER, REFERENTE, None)
    assert "sur sa propre déclaration : on ne se verse pas à soi-même" in messages(enforced)[0][1]


def test_the_treasurer_group_and_configured_validators_are_entitled() -> None:
    wiki = started()
    set_status(wiki, "validée", "Denis Roux")
    set_status(wiki, "versée", "Emma Blanc")
    rules = Governance(
        mode=Mode.ENFORCE,
        validators=frozenset({"Denis Roux"}),
        group_members=frozenset({"Emma Blanc"}),
    )
    assert summary(verdict(wiki, rules)) == (
        "versée",
        "versée",
        "Alice Martin",
        "Denis Roux",
        "Emma Blanc",
    )
    assert summary(verdict(wiki, ENFORCE))[1] == "déclarée"  # neither without that configuration


def test_referents_are_those_the_circle_named_at_the_time_of_the_change() -> None:
    wiki = started("Denis Roux")
    set_status(wiki, "validée", REFERENTE)  # not yet référent
    wiki.edit(CIRCLE_PAGE, circle("Denis Roux", REFERENTE), user="Admin")
    enforced = verdict(wiki, ENFORCE)
    assert enforced.status is S.DECLARED
    assert "(référent·es alors : Denis Roux)" in messages(enforced)[0][1]
    wiki2 = started(REFERENTE)
    set_status(wiki2, "validée", REFERENTE)
    wiki2.edit(CIRCLE_PAGE, circle("Denis Roux"), user="Admin")  # replaced afterwards
    assert verdict(wiki2, ENFORCE).status is S.VALIDATED


def test_an_amount_raised_after_validation_undoes_it_until_undone() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    wiki.edit(PAGE, declaration(status="validée", amount="1 200 €") + "\n", user="Alice Martin")
    warned = verdict(wiki, WARN)
    assert summary(warned) == ("validée", "validée", "Alice Martin", REFERENTE, None)
    [(severity, message)] = messages(warned)
    assert severity is Severity.WARNING
    assert message.startswith(
        "montant passé de « 120 € » à « 1 200 € » par Alice Martin le 12/03/2026, après la "
        "validation par Bruno Lefèvre le 12/03/2026 : une personne habilitée doit la valider "
        "à nouveau"
    )
    enforced = verdict(wiki, ENFORCE)
    assert summary(enforced) == ("validée", "déclarée", "Alice Martin", None, None)
    assert messages(enforced)[0][0] is Severity.ERROR
    set_status(wiki, "validée", "Bruno Lefèvre")  # undone: back to the validated amount
    assert verdict(wiki, ENFORCE).problems == ()
    assert verdict(wiki, ENFORCE).status is S.VALIDATED


@pytest.mark.parametrize(
    ("field", "changed"),
    [
        (
            "heures",
            "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=12/03/2026"
            "|montant=120 €|heures=4|statut=validée|mission=Accueil}}",
        ),
        ("contributeur", declaration("Denis Roux", status="validée")),
        ("cercle", declaration(circle="Accueil", status="validée")),
    ],
)
def test_hours_contributor_or_circle_changed_after_validation_undo_it(
    field: str, changed: str
) -> None:
    wiki = started()
    wiki.edit(CIRCLE_PAGE, circle(REFERENTE) + "\n" + circle(REFERENTE, name="Accueil"), "Admin")
    set_status(wiki, "validée", REFERENTE)
    wiki.edit(PAGE, changed + "\n", user="Alice Martin")
    enforced = verdict(wiki, ENFORCE)
    assert enforced.status is S.DECLARED
    assert messages(enforced)[0][1].startswith(f"{field} passé de ")


def test_a_change_of_date_or_mission_after_validation_keeps_it() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    wiki.edit(PAGE, declaration(status="validée", day="13/03/2026", mission="Accueil") + "\n")
    assert verdict(wiki, ENFORCE).status is S.VALIDATED


def test_a_referente_correcting_the_amount_keeps_her_validation() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    wiki.edit(PAGE, declaration(status="validée", amount="100 €") + "\n", user=REFERENTE)
    found = verdict(wiki, ENFORCE)
    assert found.status is S.VALIDATED and found.problems == ()


def test_a_vandalised_status_undone_leaves_no_lasting_alarm() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    set_status(wiki, "versée", "203.0.113.7", anonymous=True)
    assert verdict(wiki, WARN).problems != ()
    set_status(wiki, "validée", "Alice Martin")  # the undo, by someone not entitled to validate
    for rules in (WARN, ENFORCE):
        found = verdict(wiki, rules)
        assert summary(found) == ("validée", "validée", "Alice Martin", REFERENTE, None)
        assert found.problems == ()
        assert [e.field for e in found.history] == ["created", "statut", "statut", "statut"]


def test_anyone_may_set_declaree_or_benevole_and_anyone_refusing_needs_to_be_a_referent() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE)
    set_status(wiki, "bénévole", "203.0.113.7", anonymous=True)
    assert verdict(wiki, ENFORCE).status is S.VOLUNTARY
    set_status(wiki, "refusée", "Nouveau Membre")
    enforced = verdict(wiki, ENFORCE)
    assert enforced.status is S.VOLUNTARY
    assert "seul·es elles et eux peuvent refuser une déclaration" in messages(enforced)[0][1]
    set_status(wiki, "bénévole", "Alice Martin")  # undone
    set_status(wiki, "refusée", REFERENTE)
    assert verdict(wiki, ENFORCE).status is S.REFUSED
    assert verdict(wiki, ENFORCE).problems == ()


def test_the_bots_own_edits_are_nobodys_declaration_or_validation() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("WikiLedgerBot", REFERENTE), user="Admin")
    wiki.edit(PAGE, declaration() + "\n", user="WikiLedgerBot")
    set_status(wiki, "validée", "WikiLedgerBot")
    found = verdict(wiki, ENFORCE)
    assert summary(found) == ("validée", "déclarée", None, None, None)
    assert "par le robot WikiLedgerBot" in messages(found)[0][1]


def test_an_anonymous_editor_declares_but_never_validates() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("203.0.113.7"), user="Admin")
    wiki.edit(PAGE, declaration() + "\n", user="203.0.113.7", anonymous=True)
    set_status(wiki, "validée", "203.0.113.7", anonymous=True)
    found = verdict(wiki, ENFORCE)
    assert summary(found) == ("validée", "déclarée", "203.0.113.7", None, None)
    assert "sans compte (adresse 203.0.113.7)" in messages(found)[0][1]


def test_a_hidden_author_is_shown_as_nobody_and_entitled_to_nothing() -> None:
    wiki = started()
    set_status(wiki, "validée", REFERENTE, hidden=True)
    found = verdict(wiki, ENFORCE)
    assert summary(found)[:2] == ("validée", "déclarée")
    assert "par un auteur masqué" in messages(found)[0][1]
    assert found.history[-1].to_json()["user"] is None
    warned = verdict(wiki, WARN)
    assert warned.validated_by is not None
    assert warned.validated_by.to_json() == {
        "user": None,
        "timestamp": "2026-03-12T12:00:00Z",
        "rev_id": 3,
    }


def test_a_renamed_referente_keeps_her_rights_under_her_new_name() -> None:
    wiki = started("Bruno Lefevre")  # as the circle page still names her
    set_status(wiki, "validée", REFERENTE)  # the wiki shows her new name in the history
    rules = Governance(mode=Mode.ENFORCE, renamed=MappingProxyType({"Bruno Lefevre": REFERENTE}))
    assert verdict(wiki, rules).status is S.VALIDATED
    assert verdict(wiki, ENFORCE).status is S.DECLARED


def test_a_status_nobody_entitled_ever_set_counts_as_declaree() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle(REFERENTE), user="Admin")
    wiki.edit(PAGE, declaration(status="versée") + "\n", user="Alice Martin")
    assert summary(verdict(wiki, ENFORCE))[:2] == ("versée", "déclarée")


def test_dates_in_messages_are_in_the_configured_timezone() -> None:
    wiki = Wiki()
    wiki.next_rev = 13  # the declaration at 23:00 UTC on 12 March: already the 13th in Paris
    wiki.edit(CIRCLE_PAGE, circle(REFERENTE), user="Admin")
    wiki.edit(PAGE, declaration(status="versée") + "\n", user="Alice Martin")
    paris = Governance(timezone=ZoneInfo("Europe/Paris"))
    assert "écrit le 13/03/2026" in messages(verdict(wiki, paris))[0][1]
    assert "écrit le 13/03/2026" not in messages(verdict(wiki, WARN))[0][1]


def test_govern_counts_the_records_with_their_verdicts_in_enforce_mode_only() -> None:
    wiki = started()
    wiki.edit(
        PAGE,
        declaration(status="versée") + "\n" + declaration("Denis Roux", status="validée") + "\n",
        user=REFERENTE,
    )
    records = Records()
    for change in wiki.log:
        if change.page_id in (CIRCLE_PAGE, PAGE) and change.records is not None:
            last = change.records
            if change.page_id == PAGE:
                page_records = last
    records.extend(page_records)
    enforced = govern(records, wiki.history, ENFORCE)
    assert [c.status for c in enforced.records.contributions] == [S.DECLARED, S.VALIDATED]
    assert [c.status for c in records.contributions] == [S.PAID, S.VALIDATED]  # not changed
    assert len(enforced.problems) == 1 and enforced.problems[0].severity is Severity.ERROR
    warned = govern(records, wiki.history, WARN)
    assert [c.status for c in warned.records.contributions] == [S.PAID, S.VALIDATED]
    assert [v.validated_by.user if v and v.validated_by else None for v in warned.verdicts] == [
        None,
        REFERENTE,
    ]


def test_govern_leaves_alone_a_declaration_the_history_does_not_know() -> None:
    wiki = started()
    stranger = Records()
    stranger.extend(wiki.log[-1].records or Records())
    other = Wiki().history
    governed = govern(stranger, other, ENFORCE)
    assert governed.verdicts == [None] and governed.problems == []
    assert governed.records.contributions == stranger.contributions


def test_timestamps_are_iso_utc() -> None:
    wiki = started()
    event = verdict(wiki).history[0].to_json()
    assert event["timestamp"] == "2026-03-12T11:00:00Z"
    assert datetime.datetime.fromisoformat(str(event["timestamp"])).tzinfo is not None
