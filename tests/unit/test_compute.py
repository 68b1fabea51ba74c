"""`compute_all` does each piece of work once and gives what the per-call functions gave.

The references below are the calls `compute_all` made before it was single-pass (every year's
`compute_contributions`, every campaign's `compute_campaign`, then `check_contributions` and
`check_campaigns`) and a plain scan of the reports for each statement. Results are compared by
`repr` as well, so that a `Decimal('5')` where `Decimal('5.00')` was expected fails too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from functools import cache

import pytest

from bench.generate import SIZES, generate
from devwiki.seed import seed_pages
from ledger.budget import campaign_names, check_campaigns, compute_campaign, compute_campaigns
from ledger.contribution import (
    check_contributions,
    compute_contributions,
    compute_ledger,
    contribution_years,
)
from ledger.name import NameHints, unknown_message
from ledger.plausibility import check_plausibility
from ledger.record import ZERO, Problem, Records, Severity, Source, sort_problems
from ledger.report import CampaignReport, ContributionReport, ProjectTotals
from ledger.statement import (
    CampaignLine,
    CircleLine,
    PledgeLine,
    Statement,
    StatementIndex,
    YearLine,
    compute_statement,
    find_project,
    normalise_member,
    sum_declarations,
)
from parsers.page import TemplateNames, parse_page
from render.compute import Computation, SortedProblems, compute_all
from render.config import SyncConfig
from render.statement import plan_statements

TODAY = datetime.date(2026, 11, 24)
RATE = Decimal("30.00")


@cache
def parsed(which: str) -> tuple[Records, list[Problem]]:
    """The seed pages of the demo wiki, or the quick synthetic wiki of the benchmarks."""
    if which == "seed":
        pages = [(page.title, page.text) for page in seed_pages()]
        aliases = {"Déclaration": "Contribution"}
    else:
        pages = [(page.title, page.text) for page in generate(SIZES["quick"]).pages]
        aliases = {}
    records, problems = Records(), []
    for title, text in pages:
        page_records, page_problems = parse_page(title, text, aliases=aliases)
        records.extend(page_records)
        problems.extend(page_problems)
    return records, problems


WIKIS = pytest.mark.parametrize("which", ["seed", "synthetic"])


def assert_identical(actual: object, expected: object) -> None:
    assert actual == expected
    assert repr(actual) == repr(expected)


@WIKIS
def test_both_wikis_exercise_splits_unknown_circles_and_statements(which: str) -> None:
    # Otherwise the comparisons below would not cover the paths that differ most.
    records, _ = parsed(which)
    reports, problems = compute_ledger(records, default_rate=RATE)
    assert any(c.over_envelope for r in reports.values() for c in r.circles)
    assert any("cercle inconnu" in p.message for p in problems)
    assert records.statements


def test_the_seed_pages_exercise_rejected_and_suspended_pledges() -> None:
    campaigns, _ = compute_campaigns(parsed("seed")[0])
    states = {p.state for c in campaigns.values() for p in c.pledges}
    assert states == {"counted", "rejected", "suspended"}


@WIKIS
def test_compute_ledger_gives_each_years_compute_contributions_and_check_contributions(
    which: str,
) -> None:
    records, _ = parsed(which)
    reports, problems = compute_ledger(records, default_rate=RATE)
    years = contribution_years(records)
    assert list(reports) == years
    for year in years:
        assert_identical(reports[year], compute_contributions(records, year, default_rate=RATE))
    assert_identical(problems, check_contributions(records, default_rate=RATE))


@WIKIS
def test_compute_campaigns_gives_each_compute_campaign_and_check_campaigns(which: str) -> None:
    records, _ = parsed(which)
    reports, problems = compute_campaigns(records)
    assert list(reports) == campaign_names(records)
    for name, report in reports.items():
        assert_identical(report, compute_campaign(records, name))
    assert_identical(problems, check_campaigns(records))


def per_call_compute_all(records: Records, parse_problems: list[Problem]) -> Computation:
    """`compute_all` as it was: one check per year, each campaign computed twice (plus the
    plausibility warnings, checked on their own)."""
    config = SyncConfig()
    implausible = check_plausibility(records.contributions, config.limits)
    names = config.templates
    contribution_family = {names.circle, names.envelope, names.contribution}
    budget_family = {names.campaign, names.project, names.pledge}
    computation = Computation(records, parse_problems, today=TODAY)
    for year in contribution_years(records):
        report = compute_contributions(records, year, default_rate=config.default_rate)
        parse = [p for p in parse_problems if p.template in contribution_family]
        of_year = [problem for problem_year, problem in implausible if problem_year == year]
        report.problems = sort_problems(report.problems + of_year + parse)
        computation.contributions[year] = report
    for name in campaign_names(records):
        campaign = compute_campaign(records, name, today=TODAY)
        parse = [p for p in parse_problems if p.template in budget_family]
        campaign.problems = sort_problems(campaign.problems + parse)
        computation.campaigns[name] = campaign
    computation.problems = sort_problems(
        parse_problems
        + check_contributions(records, default_rate=config.default_rate)
        + [problem for _, problem in implausible]
        + check_campaigns(records)
    )
    return computation


@WIKIS
def test_compute_all_gives_what_the_per_year_and_per_campaign_calls_gave(which: str) -> None:
    records, problems = parsed(which)
    single = compute_all(records, problems, SyncConfig(), today=TODAY)
    expected = per_call_compute_all(records, problems)
    assert list(single.contributions) == list(expected.contributions)
    assert_identical(single.contributions, expected.contributions)
    assert list(single.campaigns) == list(expected.campaigns)
    assert_identical(single.campaigns, expected.campaigns)
    assert_identical(single.problems, expected.problems)


def scanned_statement(
    years: dict[int, ContributionReport], campaigns: dict[str, CampaignReport], member: str
) -> Statement:
    """A statement by scanning every report for the member (what each statement used to do)."""
    name = normalise_member(member)
    declarations = []
    lines = []
    for year in sorted(years):
        report = years[year]
        mine = [c for c in report.contributions if normalise_member(c.contributor) == name]
        if not mine:
            continue
        circles = []
        for circle_name in sorted({c.circle for c in mine}):
            circle = next((c for c in report.circles if c.name == circle_name), None)
            over = circle is not None and circle.over_envelope
            share = None
            if circle is not None and over:
                shares = (s.proposed for s in circle.split if normalise_member(s.name) == name)
                share = next(shares, ZERO)
            totals = sum_declarations(c for c in mine if c.circle == circle_name)
            circles.append(CircleLine(circle_name, totals, over, share))
        lines.append(YearLine(report.year, sum_declarations(mine), tuple(circles)))
        declarations.extend(mine)
    declarations.sort(key=lambda c: (c.date, c.source))
    positions = []
    for key in sorted(campaigns):
        position = scanned_position(campaigns[key], name)
        if position is not None:
            positions.append(position)
    total = sum_declarations(declarations)
    return Statement(name, tuple(declarations), tuple(lines), total, tuple(positions))


def scanned_position(report: CampaignReport, name: str) -> CampaignLine | None:
    totals = next((m for m in report.members if normalise_member(m.name) == name), None)
    pledges = []
    for pledge in sorted(report.pledges, key=lambda p: p.source):
        if normalise_member(pledge.member) == name:
            found: ProjectTotals | None = find_project(report, pledge.project)
            pledges.append(
                PledgeLine(
                    pledge.source,
                    pledge.project,
                    pledge.amount,
                    pledge.state,
                    found.status if found else None,
                    found.pledged if found else None,
                    found.minimum if found else None,
                    found.maximum if found else None,
                )
            )
    if totals is None and not pledges:
        return None
    if totals is None:
        return CampaignLine(report.campagne, False, ZERO, ZERO, ZERO, False, ZERO, tuple(pledges))
    return CampaignLine(
        report.campagne,
        True,
        totals.dotation,
        totals.pledged,
        totals.remaining,
        totals.suspended,
        totals.suspended_amount,
        tuple(pledges),
    )


def everyone(records: Records) -> list[str]:
    """Every spelling of a member the records hold, and someone who appears nowhere."""
    names = {c.contributor for c in records.contributions} | {p.member for p in records.pledges}
    names |= {m for c in records.campaigns for m in c.participants}
    return [*sorted(names), "Personne Inconnue"]


@WIKIS
def test_the_statement_index_gives_every_member_what_a_scan_of_the_reports_gives(
    which: str,
) -> None:
    records, problems = parsed(which)
    computation = compute_all(records, problems, SyncConfig(), today=TODAY)
    index = StatementIndex(computation.contributions, computation.campaigns)
    for member in everyone(records):
        expected = scanned_statement(computation.contributions, computation.campaigns, member)
        assert_identical(index.statement(member), expected)
        given = compute_statement(
            records,
            member,
            contribution_reports=computation.contributions,
            campaign_reports=computation.campaigns,
        )
        assert_identical(given, expected)


@WIKIS
def test_statements_planned_for_a_sync_are_those_of_a_scan_of_the_reports(which: str) -> None:
    records, problems = parsed(which)
    computation = compute_all(records, problems, SyncConfig(), today=TODAY)
    planned = plan_statements(computation, SyncConfig())
    assert planned
    for _, statement in planned:
        expected = scanned_statement(
            computation.contributions, computation.campaigns, statement.member
        )
        assert_identical(statement, expected)


def test_a_computation_builds_its_statement_index_once() -> None:
    records, problems = parsed("seed")
    computation = compute_all(records, problems, SyncConfig(), today=TODAY)
    assert computation.statement_index() is computation.statement_index()


class CountingNames:
    """Candidate names that count how often they are read (a fake, not a mock)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.reads = 0

    def __iter__(self) -> Iterator[str]:
        self.reads += 1
        return iter(self.names)


def test_name_hints_read_their_candidates_once_and_only_when_a_name_is_unknown() -> None:
    circles = CountingNames(["Numérique", "Accueil", "Vie coopérative"])
    hints = NameHints(circles)
    assert circles.reads == 0  # most checks find nothing unknown: nothing folded then
    for _ in range(3):
        assert hints.suggest("Numerique") == "Numérique"
        assert hints.suggest("Acueil") == "Accueil"
        assert hints.suggest("Zzz") is None
    assert circles.reads == 1


@pytest.mark.parametrize(
    ("kind", "name"),
    [("cercle", "Numerique"), ("campagne", "cobudget 2026"), ("projet", "Four"), ("cercle", "Zzz")],
)
def test_name_hints_write_the_messages_of_unknown_message(kind: str, name: str) -> None:
    candidates = ["Numérique", "Cobudget 2026", "Four à pain", "Four"]
    assert NameHints(candidates).unknown_message(kind, name) == unknown_message(
        kind, name, candidates
    )


def test_on_a_wiki_with_other_template_names_every_problem_names_the_wikis_templates() -> None:
    names = TemplateNames(
        circle="Circle",
        envelope="Circle budget",
        contribution="Contrib",
        campaign="Round",
        project="Bucket",
        pledge="Pledge",
        statement="Statement",
    )
    config = SyncConfig(templates=names)
    text = (
        "{{Circle|nom=Jardin}}\n"
        "{{Contrib|contributeur=Alice|cercle=Jardin|date=01/02/2026|montant=10}}\n"
        "{{Contrib|contributeur=Alice|cercle=Jardim|date=01/02/2026|montant=10}}\n"
        "{{Round|campagne=Été|enveloppe=100|participants=Alice}}\n"
        "{{Pledge|campagne=Été|projet=Inconnu|contributeur=Alice|montant=5}}\n"
    )
    records, problems = parse_page("Page", text, names)
    computation = compute_all(records, problems, config, today=datetime.date(2026, 3, 1))
    every = [
        *computation.problems,
        *(p for r in computation.contributions.values() for p in r.problems),
        *(p for c in computation.campaigns.values() for p in c.problems),
    ]
    assert {p.template for p in every} == {"Circle", "Contrib", "Pledge"}
    messages = " ".join(p.message for p in every)
    assert "ajoutez {{Circle budget}}" in messages  # the envelope the circle lacks
    for default in ("Cercle", "Enveloppe cercle", "Contribution", "Cobudget", "Soutien cobudget"):
        assert "{{" + default + "}}" not in messages
    # the same page with Optéos' names gives the same problems under Optéos' names
    optéos = text.replace("{{Circle", "{{Cercle").replace("{{Contrib", "{{Contribution")
    optéos = optéos.replace("{{Round", "{{Cobudget").replace("{{Pledge", "{{Soutien cobudget")
    default_records, default_problems = parse_page("Page", optéos)
    computed = compute_all(default_records, default_problems, SyncConfig(), today=TODAY)
    assert {p.template for p in computed.problems} == {"Cercle", "Contribution", "Soutien cobudget"}
    assert "ajoutez {{Enveloppe cercle}}" in " ".join(p.message for p in computed.problems)


def test_sorted_problems_answers_an_equal_list_with_its_last_result_and_sorts_a_changed_one() -> (
    None
):
    def problem(page: str, line: int, message: str = "montant illisible") -> Problem:
        return Problem(Source(page, line), "Contribution", Severity.ERROR, message)

    sorts = SortedProblems()
    first = [problem("B", 2), problem("A", 9), problem("B", 1)]
    sorted_once = sorts.sort(first, 2026)
    assert sorted_once == sort_problems(first)
    sorted_once.append(problem("Z", 1))  # the caller's copy: the kept result is untouched
    again = [problem("B", 2), problem("A", 9), problem("B", 1)]  # equal, other objects
    assert sorts.sort(again, 2026) == sort_problems(first)
    assert sorts.sort(again, 2025) == sort_problems(first)  # each label keeps its own
    changed = [problem("B", 2), problem("A", 9, "date manquante"), problem("B", 1)]
    assert sorts.sort(changed, 2026) == sort_problems(changed)
    reordered = [problem("A", 9), problem("B", 2), problem("B", 1)]
    assert sorts.sort(reordered, 2026) == sort_problems(reordered)
    sorts.keep({2026})
    assert sorts.sort([problem("C", 1)], 2025) == [problem("C", 1)]
