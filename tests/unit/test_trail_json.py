"""The JSON contract of issue 12 (item 6): trails of declarations and pledges in the reports."""

from __future__ import annotations

from ledger.budget import compute_campaign
from ledger.contribution import compute_contributions
from ledger.governance import Governance, Mode, govern, trail_steps, trail_text
from ledger.record import Records
from ledger.report import campaign_report_to_json, contribution_report_to_json
from ledger.statement import compute_statement, statement_to_json
from ledger.window import apply_window, attach_window
from tests.unit.history_helpers import CIRCLE_PAGE, Wiki, circle, declaration

PAGE = 10
RULES = Governance(treasurers=frozenset({"Claire Petit"}))


def current_records(wiki: Wiki) -> Records:
    """The records of every page as their last revision left them."""
    last = {change.page_id: change.records for change in wiki.log}
    records = Records()
    for page_records in last.values():
        if page_records is not None:
            records.extend(page_records)
    return records


def validated_and_paid() -> Wiki:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefèvre"), user="Admin")
    wiki.edit(PAGE, declaration(amount="1200") + "\n")
    wiki.edit(PAGE, declaration(amount="1 200 €", status="validée") + "\n", "Bruno Lefèvre")
    wiki.edit(PAGE, declaration(amount="1 200 €", status="versée") + "\n", "Claire Petit")
    return wiki


def test_each_contribution_gains_its_written_status_who_did_what_and_its_history() -> None:
    wiki = validated_and_paid()
    governed = govern(current_records(wiki), wiki.history, RULES)
    report = compute_contributions(governed.records, 2026)
    [item] = contribution_report_to_json(report)["contributions"]
    assert item["status"] == item["written_status"] == "versée"
    assert item["declared_by"] == {
        "user": "Alice Martin",
        "timestamp": "2026-03-12T11:00:00Z",
        "rev_id": 2,
    }
    assert item["validated_by"] == {
        "user": "Bruno Lefèvre",
        "timestamp": "2026-03-12T12:00:00Z",
        "rev_id": 3,
    }
    assert item["paid_by"]["user"] == "Claire Petit"
    assert item["history"] == [
        {
            "rev_id": 2,
            "user": "Alice Martin",
            "timestamp": "2026-03-12T11:00:00Z",
            "field": "created",
            "from": "",
            "to": "déclarée",
        },
        {
            "rev_id": 3,
            "user": "Bruno Lefèvre",
            "timestamp": "2026-03-12T12:00:00Z",
            "field": "statut",
            "from": "déclarée",
            "to": "validée",
        },
        {
            "rev_id": 4,
            "user": "Claire Petit",
            "timestamp": "2026-03-12T13:00:00Z",
            "field": "statut",
            "from": "validée",
            "to": "versée",
        },
    ]


def test_in_enforce_mode_the_counted_status_differs_from_the_written_one() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefèvre"), user="Admin")
    wiki.edit(PAGE, declaration(status="versée") + "\n", user="Nouveau Membre")
    rules = Governance(mode=Mode.ENFORCE, treasurers=frozenset({"Claire Petit"}))
    governed = govern(current_records(wiki), wiki.history, rules)
    json = contribution_report_to_json(compute_contributions(governed.records, 2026))
    [item] = json["contributions"]
    assert (item["status"], item["written_status"]) == ("déclarée", "versée")
    assert item["paid_by"] is None and item["declared_by"]["user"] == "Nouveau Membre"
    [circle_totals] = json["circles"]
    assert (circle_totals["requested"], circle_totals["paid"]) == ("120.00", "0.00")
    # governance findings are ordinary problems: page, line, template, severity, message
    assert [(p.template, p.severity, p.source.line) for p in governed.problems] == [
        ("Contribution", "error", 1)
    ]


def test_a_contribution_without_history_has_null_trails() -> None:
    wiki = validated_and_paid()
    report = compute_contributions(current_records(wiki), 2026)
    [item] = contribution_report_to_json(report)["contributions"]
    assert item["written_status"] == "versée"
    assert (item["declared_by"], item["validated_by"], item["paid_by"], item["history"]) == (
        None,
        None,
        None,
        [],
    )


def test_the_cobudget_json_lists_every_pledge_with_who_wrote_it_and_why_it_does_not_count() -> None:
    wiki = Wiki()
    wiki.edit(
        1,
        "{{Cobudget|campagne=2026|dotation=500|participants=Alice Martin, Bruno Lefèvre"
        "|ouverture=13/03/2026|clôture=14/03/2026}}\n"
        "{{Projet cobudget|campagne=2026|titre=Vélo|minimum=100}}\n",
        user="Admin",
    )
    wiki.edit(20, "{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Alice Martin|montant=50}}")
    wiki.next_rev = 30  # 13 March
    wiki.edit(
        21,
        "{{Soutien cobudget|campagne=2026|projet=Vélo|membre=Bruno Lefèvre|montant=80}}",
        user="Bruno Lefèvre",
    )
    records = current_records(wiki)
    window = apply_window(wiki.history.trails.values(), records.campaigns, RULES.timezone)
    counted = Records(campaigns=records.campaigns, projects=records.projects)
    counted.pledges = window.pledges
    report = compute_campaign(counted, "2026")
    attach_window(report, window)
    json = campaign_report_to_json(report)
    assert [
        {k: p[k] for k in ("page", "line", "member", "amount", "counted", "written_by")}
        for p in json["pledges"]
    ] == [
        {
            "page": "Page 20",
            "line": 1,
            "member": "Alice Martin",
            "amount": "50.00",
            "counted": False,
            "written_by": "Alice Martin",
        },
        {
            "page": "Page 21",
            "line": 1,
            "member": "Bruno Lefèvre",
            "amount": "80.00",
            "counted": True,
            "written_by": "Bruno Lefèvre",
        },
    ]
    early, on_time = json["pledges"]
    assert early["reason"].startswith("soutien écrit le 12/03/2026, avant l'ouverture")
    assert on_time["reason"] is None and on_time["timestamp"] == "2026-03-13T15:00:00Z"
    assert json["projects"][0]["pledged"] == "80.00"
    assert [p["severity"] for p in json["problems"] if p["page"] == "Page 20"] == ["warning"]
    assert [(p.source.page, p.severity) for p in report.late] == [("Page 20", "warning")]


def test_the_registre_trail_reads_as_the_issue_shows_it() -> None:
    wiki = validated_and_paid()
    governed = govern(current_records(wiki), wiki.history, RULES)
    [verdict] = [v for v in governed.verdicts if v is not None]
    steps = trail_steps(verdict, RULES.timezone)
    assert [(s.action, s.rev_id) for s in steps] == [("déclarée", 2), ("validée", 3), ("versée", 4)]
    assert trail_text(steps) == (
        "déclarée par Alice Martin le 12/03/2026 · validée par Bruno Lefèvre le 12/03"
        " · versée le 12/03 par Claire Petit"
    )


def test_a_statement_shows_who_validated_and_who_paid() -> None:
    wiki = validated_and_paid()
    governed = govern(current_records(wiki), wiki.history, RULES)
    statement = compute_statement(governed.records, "Alice Martin")
    [item] = statement_to_json(statement)["contributions"]
    assert item["validated_by"]["user"] == "Bruno Lefèvre"
    assert item["paid_by"]["user"] == "Claire Petit"
