"""Which template calls are declarations, as MediaWiki reads them, and on which line they stand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ledger.record import Severity
from parsers.marker import MARKER_END, MARKER_START
from parsers.page import TemplateNames, parse_page

PAGES = Path(__file__).parent.parent / "pages"
FIELDS = "contributeur=Alice Martin|cercle=Numérique|date=2026-01-05|heures=1"
PLEDGE = "campagne=2026|projet=Vélo cargo partagé|membre=Alice Martin|montant=100"


def contributions(text: str, **options: object) -> list[tuple[int, str]]:
    """(line, mission) of each counted contribution of `text`."""
    records, _ = parse_page("Page d'essai", text, **options)  # type: ignore[arg-type]
    return [(c.source.line, c.mission) for c in records.contributions]


def test_a_plain_call_is_a_declaration() -> None:
    assert contributions(f"{{{{Contribution|{FIELDS}|mission=a}}}}") == [(1, "a")]


@pytest.mark.parametrize(
    "written",
    [
        "contribution",
        "Modèle:Contribution",
        "modèle:Contribution",
        "MODÈLE:contribution",
        "Modele:Contribution",
        "Template:Contribution",
        "template:contribution",
        " Contribution ",
        "Contribution\n",
        "Contribution_",
        "Modèle : Contribution",
        "Contri<!-- note -->bution",
        "Contribution#Paramètres",
        "safesubst:Contribution",
    ],
)
def test_template_names_are_matched_as_mediawiki_matches_titles(written: str) -> None:
    assert contributions(f"{{{{{written}|{FIELDS}}}}}") == [(1, "")]


@pytest.mark.parametrize(
    "written", ["Projet cobudget", "projet_cobudget", "Projet__cobudget", " projet  cobudget "]
)
def test_spaces_and_underscores_are_the_same_in_a_template_name(written: str) -> None:
    records, problems = parse_page(
        "P", f"{{{{{written}|campagne=2026|titre=Vélo cargo|minimum=900}}}}"
    )
    assert [p.title for p in records.projects] == ["Vélo cargo"]
    assert problems == []


@pytest.mark.parametrize(
    "written", ["CONTRIBUTION", "ContributioN", "Contributions", "Contri bution"]
)
def test_only_the_first_letter_of_a_template_name_ignores_case(written: str) -> None:
    records, problems = parse_page("P", f"{{{{{written}|{FIELDS}}}}}")
    assert records.count() == 0
    assert problems == []


def test_a_leading_colon_names_a_page_of_the_main_namespace_not_the_template() -> None:
    records, problems = parse_page("P", f"{{{{:Contribution|{FIELDS}}}}}")
    assert records.count() == 0
    assert problems == []


@pytest.mark.parametrize("prefix", ["subst:", "msgnw:", "Utilisateur:", "#invoke:"])
def test_substitution_raw_source_and_other_namespaces_are_not_our_calls(prefix: str) -> None:
    records, problems = parse_page("P", f"{{{{{prefix}Contribution|{FIELDS}}}}}")
    assert records.count() == 0
    assert problems == []


def test_configured_template_names_replace_the_default_ones() -> None:
    names = TemplateNames(contribution="Déclaration de contribution")
    text = (
        f"{{{{Déclaration de contribution|{FIELDS}|mission=la nôtre}}}}\n"
        f"{{{{Contribution|{FIELDS}|mission=plus la nôtre}}}}"
    )
    assert contributions(text, names=names) == [(1, "la nôtre")]


def test_calls_through_a_redirect_count_when_the_alias_is_given() -> None:
    text = (
        f"{{{{Déclaration|{FIELDS}|mission=par la redirection}}}}\n"
        f"{{{{déclaration|{FIELDS}|mission=en minuscule}}}}\n"
        f"{{{{Modèle:Déclaration|{FIELDS}|mission=avec le préfixe}}}}"
    )
    aliases = {"Déclaration": "Contribution"}
    assert contributions(text, aliases=aliases) == [
        (1, "par la redirection"),
        (2, "en minuscule"),
        (3, "avec le préfixe"),
    ]
    assert contributions(text) == []


def test_redirect_aliases_may_be_written_with_their_namespace() -> None:
    aliases = {"Modèle:Déclaration": "Modèle:Contribution"}
    assert contributions(f"{{{{Déclaration|{FIELDS}}}}}", aliases=aliases) == [(1, "")]


def test_an_alias_to_a_template_that_is_not_ours_is_ignored() -> None:
    aliases = {"Déclaration": "Boîte"}
    assert contributions(f"{{{{Déclaration|{FIELDS}}}}}", aliases=aliases) == []


def test_a_redirected_pledge_is_a_pledge() -> None:
    records, problems = parse_page(
        "P", f"{{{{Soutien|{PLEDGE}}}}}", aliases={"Soutien": "Soutien cobudget"}
    )
    assert [(p.member, p.amount) for p in records.pledges] == [("Alice Martin", Decimal("100.00"))]
    assert problems == []


def test_the_sample_page_counts_exactly_the_calls_mediawiki_would_show() -> None:
    text = (PAGES / "contexts.wiki").read_text(encoding="utf-8")
    records, problems = parse_page("Page d'essai", text)
    assert [(c.source.line, c.mission) for c in records.contributions] == [
        (3, "compte : ligne simple"),
        (14, "compte : noinclude"),
        (15, "compte : div"),
        (16, "compte : paramètre d'un autre modèle"),
        (18, "compte : tableau"),
        (20, "compte : titre de section"),
        (21, "compte : texte d'un lien"),
    ]
    assert problems == []


@pytest.mark.parametrize(
    "wrapped",
    [
        "<nowiki>{call}</nowiki>",
        "<NOWIKI>{call}</NOWIKI>",
        "<pre>\n{call}\n</pre>",
        '<pre style="color:grey">{call}</pre>',
        "<!-- {call} -->",
        "<!--\n{call}\n-->",
        "<includeonly>{call}</includeonly>",
        "<includeonly>{call}",
        "<!-- pas fini\n{call}",
        "{{{{#if: oui | {call} }}}}",
        "{{{{#if: | | {call} }}}}",
        "{{{{#ifeq: a | a | {call} }}}}",
        "{{{{#switch: b | a = x | b = {call} }}}}",
        "{{{{ #if: oui | {call} }}}}",
        "{{{{#tag:ref|{call}}}}}",
        "<syntaxhighlight>{call}</syntaxhighlight>",
        "<source>{call}</source>",
    ],
)
def test_calls_in_excluded_contexts_are_neither_counted_nor_reported(wrapped: str) -> None:
    call = f"{{{{Contribution|{FIELDS}|date=31/02/2026}}}}"  # would be an error if read
    records, problems = parse_page("P", "avant\n" + wrapped.format(call=call) + "\naprès")
    assert records.count() == 0
    assert problems == []


@pytest.mark.parametrize(
    "wrapped",
    [
        "<noinclude>{call}</noinclude>",
        "<onlyinclude>{call}</onlyinclude>",
        "<div>{call}</div>",
        "<center>{call}</center>",
        "<small>{call}</small>",
        "<nowiki>rien</nowiki>{call}",
        "<!-- note -->{call}<!-- note -->",
        "<pre>rien</pre>\n{call}",
        "{{{{Boîte|{call}}}}}",
        "{{{{Boîte|contenu={call}}}}}",
        "{{{{Boîte|a=1|contenu=\n{call}\n|b=2}}}}",
        "{{{{Boîte|contenu={{{{Cadre|{call}}}}}}}}}",
        "[[Page|{call}]]",
        "''{call}''",
        "* {call}",
        "{{| class=wikitable\n| {call}\n|}}",
        "<ref>{call}</ref>",
        "{{{{{{1|{call}}}}}}}",
        "-{call}-",
    ],
)
def test_calls_in_ordinary_contexts_are_counted(wrapped: str) -> None:
    call = f"{{{{Contribution|{FIELDS}|mission=lue}}}}"
    assert [m for _, m in contributions(wrapped.format(call=call))] == ["lue"]


def test_a_call_nested_in_our_own_template_counts_as_well() -> None:
    inner = f"{{{{Contribution|{FIELDS}|mission=dedans}}}}"
    text = f"{{{{Contribution|{FIELDS}|mission=dehors {inner}}}}}"
    missions = sorted(m for _, m in contributions(text))
    assert missions == ["dedans", f"dehors {inner}"]


def test_a_call_after_an_unclosed_nowiki_or_pre_counts_as_mediawiki_shows_it() -> None:
    call = f"{{{{Contribution|{FIELDS}|mission=lue}}}}"
    assert contributions(f"<nowiki> oubli\n{call}") == [(2, "lue")]
    assert contributions(f"<pre> oubli\n{call}") == [(2, "lue")]


def test_record_lines_are_the_lines_of_their_opening_braces() -> None:
    text = (PAGES / "lines.wiki").read_text(encoding="utf-8")
    records, _ = parse_page("Utilisateur:Camille Durand/Contributions 2026", text)
    assert [(c.source.line, c.date.isoformat(), c.hours) for c in records.contributions] == [
        (4, "2026-02-12", Decimal("2.50")),
        (28, "2026-03-02", Decimal("1.00")),
        (34, "2026-03-04", Decimal("4.00")),
        (35, "2026-03-05", Decimal("1.00")),
    ]


def test_problem_lines_are_the_lines_of_the_parameters_at_fault() -> None:
    text = (PAGES / "lines.wiki").read_text(encoding="utf-8")
    _, problems = parse_page("Utilisateur:Camille Durand/Contributions 2026", text)
    assert [(p.source.line, p.severity) for p in problems] == [
        (17, Severity.ERROR),  # date = 31/02/2026
        (24, Severity.ERROR),  # heures = 3h75
        (39, Severity.WARNING),  # heurs =  (empty, unknown)
    ]
    assert "31/02/2026" in problems[0].message
    assert "3h75" in problems[1].message
    assert "heurs" in problems[2].message


def test_the_generated_part_is_never_read_and_lines_after_it_stay_true() -> None:
    generated = f"{{{{Contribution|{FIELDS}|mission=générée}}}}\n{{{{Contribution|date=}}}}"
    text = (
        "Mes déclarations.\n"
        f"{MARKER_START}\n{generated}\n{MARKER_END}\n"
        f"{{{{Contribution|{FIELDS}|mission=après}}}}\n"
        "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=hier|heures=1}}"
    )
    records, problems = parse_page("P", text)
    assert [(c.source.line, c.mission) for c in records.contributions] == [(6, "après")]
    assert [p.source.line for p in problems] == [7]


def test_a_generated_part_at_the_top_keeps_the_lines_below_it() -> None:
    text = f"{MARKER_START}\na\nb\nc\n{MARKER_END}\n\n{{{{Contribution|{FIELDS}}}}}"
    assert contributions(text) == [(7, "")]


def test_a_call_after_a_multiline_comment_and_nowiki_keeps_its_line() -> None:
    text = (
        "<!-- ligne 1\nligne 2\nligne 3 -->\n"
        "<nowiki>\n{{Contribution}}\n</nowiki>\n"
        f"\n{{{{Contribution|{FIELDS}}}}}"
    )
    assert contributions(text) == [(8, "")]


def test_a_call_nested_on_a_later_line_has_the_line_of_its_own_braces() -> None:
    text = (
        "{{Boîte\n"
        "| titre = Janvier\n"
        "| contenu =\n"
        f"* {{{{Contribution|{FIELDS}|mission=première}}}}\n"
        f"* {{{{Contribution|{FIELDS}|mission=seconde}}}}\n"
        "}}"
    )
    assert contributions(text) == [(4, "première"), (5, "seconde")]


def test_many_calls_on_one_line_share_that_line() -> None:
    call = f"{{{{Contribution|{FIELDS}|mission=x}}}}"
    assert contributions(f"\n\n{call} {call}{call}") == [(3, "x")] * 3


def test_parameter_lines_follow_the_parameter_not_the_call() -> None:
    text = (
        "{{Soutien cobudget\n"
        "|campagne=2026\n"
        "|projet=Vélo cargo partagé\n"
        "|membre=Alice Martin\n"
        "|montant=cent euros\n"
        "}}"
    )
    _, problems = parse_page("P", text)
    assert [(p.source.line, p.severity) for p in problems] == [(5, Severity.ERROR)]


def test_a_missing_parameter_is_reported_on_the_line_of_the_call() -> None:
    text = "\n\n{{Soutien cobudget\n|campagne=2026\n|projet=Vélo cargo partagé\n|montant=10\n}}"
    _, problems = parse_page("P", text)
    assert [(p.source.line, p.severity) for p in problems] == [(3, Severity.ERROR)]
    assert "membre" in problems[0].message
