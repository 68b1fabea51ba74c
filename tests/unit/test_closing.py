"""A circle's year closing: `{{Clôture cercle}}` parsed, the options side by side, what is due."""

from __future__ import annotations

import datetime
import pickle
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ledger.closing import declaration_times
from ledger.contribution import compute_contributions
from ledger.governance import Verdict
from ledger.history import HistoryEvent, RevisionRef
from ledger.record import ContributionStatus, Records, SettlementRule, Severity, Source
from ledger.report import DueLine, contribution_report_to_json
from parsers.page import TemplateNames, parse_page
from render.compute import compute_all
from render.config import SyncConfig

D = Decimal
UTC = datetime.UTC
PAID = ContributionStatus.PAID

# Numérique 2026: envelope 1 000 €, rate 30 €/h.
#   Alice: 10 h asking 900 € (capped at 300 € by the hourly rule), déclarée
#   Bruno: 600 € déclarée, and 100 € versée
#   Chloé: 150 € validée
# requested 1 750 > 1 000; paid 100; available 900; unpaid: Alice 900, Bruno 600, Chloé 150.
PAGE = """{{Cercle|nom=Numérique}}
{{Enveloppe cercle|cercle=Numérique|année=2026|montant=1000|taux horaire=30}}
{{Contribution|contributeur=Alice|cercle=Numérique|date=2026-03-01|heures=10|montant=900}}
{{Contribution|contributeur=Bruno|cercle=Numérique|date=2026-03-02|montant=600}}
{{Contribution|contributeur=Bruno|cercle=Numérique|date=2026-03-03|montant=100|statut=versée}}
{{Contribution|contributeur=Chloé|cercle=Numérique|date=2026-03-04|montant=150|statut=validée}}
"""


def parse(text: str) -> tuple[Records, list[object]]:
    records, problems = parse_page("Cercle Numérique", text)
    return records, list(problems)


def numérique(text: str = PAGE, **options: object) -> object:
    records, _ = parse(text)
    report = compute_contributions(records, 2026, **options)  # type: ignore[arg-type]
    (circle,) = report.circles
    return circle


def parts(circle: object, rule: str) -> dict[str, Decimal]:
    options = {str(s.rule): s for s in circle.settlements}  # type: ignore[attr-defined]
    return {p.name: p.proposed for p in options[rule].parts}


def test_a_circle_over_its_envelope_gets_every_rule_side_by_side() -> None:
    circle = numérique()

    # prorata of 900 over 900 : 600 : 150 (total 1 650):
    #   Alice 490.909… -> 490.90 (0.91 cent), Bruno 327.272… -> 327.27 (0.27 cent),
    #   Chloé 81.818… -> 81.81 (0.82 cent): 899.98, the two cents to Alice and Chloé.
    assert parts(circle, "prorata") == {
        "Alice": D("490.91"),
        "Bruno": D("327.27"),
        "Chloé": D("81.82"),
    }
    # hourly cap: Alice capped at 300; 300 + 600 + 150 = 1 050 over 900:
    #   Alice 257.142… -> 257.14 (0.29 cent), Bruno 514.285… -> 514.28 (0.57 cent),
    #   Chloé 128.571… -> 128.57 (0.14 cent): 899.99, the cent to Bruno.
    assert parts(circle, "hourly_cap") == {
        "Alice": D("257.14"),
        "Bruno": D("514.29"),
        "Chloé": D("128.57"),
    }
    # equal: Chloé 150 (3 × 150 ≤ 900), then 750 / 2 = 375 each.
    assert parts(circle, "equal") == {
        "Alice": D("375.00"),
        "Bruno": D("375.00"),
        "Chloé": D("150.00"),
    }
    assert "floor" not in {str(s.rule) for s in circle.settlements}  # type: ignore[attr-defined]


def test_the_configured_floor_adds_the_floor_column() -> None:
    # floor 200: Alice 200, Bruno 200, Chloé 150 = 550; 350 left pro rata on 700 : 400 : 0
    #   Alice 200 + 222.727… = 422.72 (0.73 cent), Bruno 200 + 127.272… = 327.27 (0.27 cent):
    #   749.99 + 150 = 899.99, the cent to Alice.
    circle = numérique(floor=D("200"))

    assert parts(circle, "floor") == {
        "Alice": D("422.73"),
        "Bruno": D("327.27"),
        "Chloé": D("150.00"),
    }


def test_a_circle_within_its_envelope_has_empty_options_and_no_closing() -> None:
    records, _ = parse(PAGE.replace("montant=1000", "montant=5000"))
    report = compute_contributions(records, 2026, floor=D("100"))

    circle = contribution_report_to_json(report)["circles"][0]
    assert circle["settlements"] == {"prorata": [], "hourly_cap": [], "equal": [], "floor": []}
    assert circle["closing"] is None


def test_a_recorded_decision_makes_its_rule_due_with_everything_left_to_pay() -> None:
    text = (
        PAGE + "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire|date=15/01/2027}}\n"
    )
    circle = numérique(text)

    closing = circle.closing  # type: ignore[attr-defined]
    assert closing.rule is SettlementRule.EQUAL
    assert closing.source == Source("Cercle Numérique", 7)
    assert closing.date == datetime.date(2027, 1, 15)
    assert closing.due == (
        DueLine("Alice", D("375.00"), D("0.00"), D("375.00")),
        DueLine("Bruno", D("375.00"), D("0.00"), D("375.00")),
        DueLine("Chloé", D("150.00"), D("0.00"), D("150.00")),
    )


def test_the_closing_in_the_json_contract() -> None:
    text = PAGE + "{{Clôture cercle|cercle=Numérique|année=2026|règle=plancher|plancher=200 €}}\n"
    records, _ = parse(text)

    circle = contribution_report_to_json(compute_contributions(records, 2026))["circles"][0]
    assert circle["closing"] == {
        "rule": "floor",
        "floor": "200.00",
        "page": "Cercle Numérique",
        "line": 7,
        "timestamp": None,
        "due": [
            {"name": "Alice", "amount": "422.73", "paid": "0.00", "remaining": "422.73"},
            {"name": "Bruno", "amount": "327.27", "paid": "0.00", "remaining": "327.27"},
            {"name": "Chloé", "amount": "150.00", "paid": "0.00", "remaining": "150.00"},
        ],
    }
    # The decision's floor gives the floor column too; contributors with nothing unpaid are out.
    assert circle["settlements"]["floor"][0] == {"name": "Alice", "proposed": "422.73"}
    assert [p["name"] for p in circle["settlements"]["prorata"]] == ["Alice", "Bruno", "Chloé"]


def test_a_closing_within_the_envelope_freezes_the_year_with_each_unpaid_request_due() -> None:
    text = PAGE.replace("montant=1000", "montant=5000")
    text += "{{Clôture cercle|cercle=Numérique|année=2026|règle=prorata}}\n"
    closing = numérique(text).closing  # type: ignore[attr-defined]

    assert not closing.over_envelope
    assert [(d.name, d.amount) for d in closing.due] == [
        ("Alice", D("900.00")),
        ("Bruno", D("600.00")),
        ("Chloé", D("150.00")),
    ]


def test_a_second_closing_of_the_same_circle_and_year_is_an_error_and_the_first_stays() -> None:
    text = PAGE + (
        "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire}}\n"
        "{{Clôture cercle|cercle=numérique|année=2026|règle=prorata}}\n"
    )
    records, _ = parse(text)
    report = compute_contributions(records, 2026)

    assert report.circles[0].closing is not None
    assert report.circles[0].closing.rule is SettlementRule.EQUAL
    (problem,) = [p for p in report.problems if p.template == "Clôture cercle"]
    assert problem.source == Source("Cercle Numérique", 8)
    assert problem.severity is Severity.ERROR
    assert "déjà décidée (Cercle Numérique:7)" in problem.message


def test_an_unknown_rule_is_an_error_with_a_suggestion() -> None:
    records, problems = parse("{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitair}}")

    assert records.closings == []
    (problem,) = problems
    assert problem.severity is Severity.ERROR  # type: ignore[attr-defined]
    assert "règle inconnue « égalitair » — vouliez-vous dire « égalitaire » ?" in problem.message  # type: ignore[attr-defined]


def test_rules_are_read_without_regard_to_accents_case_or_underscores() -> None:
    text = (
        "{{Clôture cercle|cercle=A|année=2026|règle=Plafond_horaire}}\n"
        "{{Clôture cercle|cercle=B|année=2026|regle=EGALITAIRE}}\n"
        "{{Clôture cercle|cercle=C|année=2026|règle= prorata }}\n"
    )
    records, problems = parse(text)

    assert problems == []
    assert [c.rule for c in records.closings] == [
        SettlementRule.HOURLY_CAP,
        SettlementRule.EQUAL,
        SettlementRule.PRORATA,
    ]


def test_the_floor_rule_without_a_floor_is_an_error_on_the_rule_line() -> None:
    text = "{{Clôture cercle\n|cercle=Numérique\n|année=2026\n|règle=plancher\n}}"
    records, problems = parse(text)

    assert records.closings == []
    (problem,) = problems
    assert problem.source == Source("Cercle Numérique", 4)  # type: ignore[attr-defined]
    assert "ajoutez plancher=" in problem.message  # type: ignore[attr-defined]


def test_a_closing_of_an_unknown_circle_is_an_error() -> None:
    records, _ = parse(PAGE + "{{Clôture cercle|cercle=Numerique 2|année=2026|règle=prorata}}\n")
    report = compute_contributions(records, 2026)

    (problem,) = [p for p in report.problems if p.template == "Clôture cercle"]
    assert problem.severity is Severity.ERROR
    assert "cercle inconnu « Numerique 2 »" in problem.message


# --- with revision times (what the declaration history will give) --------------------------

CLOSED_AT = datetime.datetime(2027, 1, 15, 18, 0, tzinfo=UTC)
BEFORE = datetime.datetime(2026, 12, 1, tzinfo=UTC)
AFTER = datetime.datetime(2027, 2, 1, tzinfo=UTC)


def timed(text: str, changed: dict[int, datetime.datetime]) -> object:
    records, _ = parse(text)
    records.closings = [replace(c, timestamp=CLOSED_AT) for c in records.closings]
    changed_at = {Source("Cercle Numérique", line): when for line, when in changed.items()}
    return compute_contributions(records, 2026, changed_at=changed_at)


def test_a_declaration_changed_after_the_closing_is_listed_and_not_counted() -> None:
    text = PAGE + (
        "{{Contribution|contributeur=David|cercle=Numérique|date=2026-12-20|montant=400}}\n"
        "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire}}\n"
    )
    report = timed(text, {3: BEFORE, 4: BEFORE, 5: BEFORE, 6: BEFORE, 7: AFTER})

    circle = report.circles[0]  # type: ignore[attr-defined]
    assert circle.requested == D("1750.00")  # David's 400 € not counted
    assert [d.name for d in circle.closing.due] == ["Alice", "Bruno", "Chloé"]
    assert circle.closing.late == (Source("Cercle Numérique", 7),)
    (late,) = [p for p in report.problems if "après la clôture" in p.message]  # type: ignore[attr-defined]
    assert late.source == Source("Cercle Numérique", 7)
    assert late.severity is Severity.WARNING


def test_payments_after_the_closing_count_up_to_what_was_made_due() -> None:
    # Alice's 900 € request set versée after the closing: due to her 375 € (equal rule),
    # so 375 € count as paid and nothing remains, not 900 €. Chloé's 150 € versée too.
    text = PAGE.replace("heures=10|montant=900}}", "heures=10|montant=900|statut=versée}}")
    text = text.replace("montant=150|statut=validée", "montant=150|statut=versée")
    text += "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire}}\n"
    report = timed(text, {3: AFTER, 4: BEFORE, 5: BEFORE, 6: AFTER})

    assert report.circles[0].closing.due == (  # type: ignore[attr-defined]
        DueLine("Alice", D("375.00"), D("375.00"), D("0.00")),
        DueLine("Bruno", D("375.00"), D("0.00"), D("375.00")),
        DueLine("Chloé", D("150.00"), D("150.00"), D("0.00")),
    )


def test_without_revision_times_everything_written_counts_as_before_the_closing() -> None:
    text = PAGE + "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire}}\n"
    records, _ = parse(text)
    records.closings = [replace(c, timestamp=CLOSED_AT) for c in records.closings]

    circle = compute_contributions(records, 2026).circles[0]
    assert circle.closing is not None
    assert circle.closing.late == ()
    assert sum(d.amount for d in circle.closing.due) == D("900.00")


def test_records_pickled_before_closings_existed_load_with_no_closing() -> None:
    # A state store written by the previous version holds the seven older lists only.
    records, _ = parse(PAGE)
    state: Any = records.__getstate__()  # (None, {slot: value}), as pickle keeps it
    old_state = (state[0], {name: v for name, v in state[1].items() if name != "closings"})
    loaded = Records.__new__(Records)
    loaded.__setstate__(old_state)

    assert loaded.closings == []
    assert loaded == records
    assert pickle.loads(pickle.dumps(records)) == records


def test_a_floor_given_with_another_rule_is_a_warning_and_the_decision_counts() -> None:
    records, problems = parse("{{Clôture cercle|cercle=A|année=2026|règle=prorata|plancher=300}}")

    assert [c.rule for c in records.closings] == [SettlementRule.PRORATA]
    (problem,) = problems
    assert problem.severity is Severity.WARNING  # type: ignore[attr-defined]
    assert "plancher « 300 » ignoré" in problem.message  # type: ignore[attr-defined]


def test_a_wiki_with_another_name_for_the_template_reads_it_and_names_it_in_problems() -> None:
    names = TemplateNames(closing="Fin d'exercice")
    text = PAGE + (
        "{{Fin d'exercice|cercle=Numérique|année=2026|règle=égalitaire}}\n"
        "{{Fin d'exercice|cercle=Numérique|année=2026|règle=prorata}}\n"
    )
    records, problems = parse_page("Cercle Numérique", text, names)
    config = SyncConfig(templates=names)
    computation = compute_all(records, problems, config, today=datetime.date(2027, 1, 1))

    assert computation.contributions[2026].circles[0].closing is not None
    (problem,) = [p for p in computation.problems if "déjà décidée" in p.message]
    assert problem.template == "Fin d'exercice"
    assert "Template:Clôture cercle" not in config.template_titles()
    assert "Template:Fin d'exercice" in config.template_titles()


def timed_paid(
    text: str, changed: dict[int, datetime.datetime], paid: dict[int, datetime.datetime]
) -> object:
    records, _ = parse(text)
    records.closings = [replace(c, timestamp=CLOSED_AT) for c in records.closings]
    source = {line: Source("Cercle Numérique", line) for line in range(1, 10)}
    return compute_contributions(
        records,
        2026,
        changed_at={source[line]: when for line, when in changed.items()},
        paid_at={source[line]: when for line, when in paid.items()},
    )


def test_with_who_paid_known_only_an_entitled_payment_afterwards_counts() -> None:
    # Alice's versée set after the closing by the treasurer (paid_at), nothing else changed
    # since: a payment. Chloé's versée set after it by someone else (only changed_at): left out.
    text = PAGE.replace("heures=10|montant=900}}", "heures=10|montant=900|statut=versée}}")
    text = text.replace("montant=150|statut=validée", "montant=150|statut=versée")
    text += "{{Clôture cercle|cercle=Numérique|année=2026|règle=égalitaire}}\n"
    report = timed_paid(text, {3: BEFORE, 4: BEFORE, 5: BEFORE, 6: AFTER}, {3: AFTER, 5: BEFORE})

    circle = report.circles[0]  # type: ignore[attr-defined]
    assert circle.closing.late == (Source("Cercle Numérique", 6),)
    # without Chloé: 900 + 600 unpaid, 100 paid before; equal shares of 900: 450 each
    assert circle.closing.due == (
        DueLine("Alice", D("450.00"), D("450.00"), D("0.00")),
        DueLine("Bruno", D("450.00"), D("0.00"), D("450.00")),
    )


def test_declaration_times_leave_out_moves_and_the_entitled_payment() -> None:
    def rev(rev_id: int, day: int, user: str) -> RevisionRef:
        return RevisionRef(rev_id, user, datetime.datetime(2027, 1, day, tzinfo=UTC))

    created, validated = rev(1, 1, "Alice"), rev(2, 2, "Bruno")
    moved, paid = rev(3, 20, "Alice"), rev(4, 21, "Claire")
    history = (
        HistoryEvent(created, "created", "", "déclarée"),
        HistoryEvent(validated, "statut", "déclarée", "validée"),
        HistoryEvent(moved, "moved", "A", "B"),
        HistoryEvent(paid, "statut", "validée", "versée"),
    )
    verdict = Verdict(PAID, PAID, created, validated, paid, history, entitled_paid=paid)
    assert declaration_times(verdict) == (validated.timestamp, paid.timestamp)
    # the same payment by someone not entitled is a change like any other
    unentitled = replace(verdict, entitled_paid=None)
    assert declaration_times(unentitled) == (paid.timestamp, None)
    assert declaration_times(None) == (None, None)
