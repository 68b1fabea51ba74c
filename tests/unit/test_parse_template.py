"""Finding our template calls as MediaWiki reads them: names, parameters, contexts, lines.

The last part checks the same rules through `parse_page`: what is counted, and on which line.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.record import Severity
from parsers.marker import MARKER_END, MARKER_START, splice_generated
from parsers.page import TemplateNames, parse_page
from parsers.preprocess import preprocess
from parsers.template import (
    MAX_DEPTH,
    TemplateCall,
    find_calls,
    normalize_param_name,
    normalize_template_name,
)
from tests.unit.parsing_helpers import contributions

WANTED = {"Contribution": "contribution", "Projet cobudget": "project", "Relevé": "statement"}


def calls(text: str) -> list[TemplateCall]:
    return find_calls(text, WANTED)


def values(call: TemplateCall) -> dict[str, str]:
    return {key: param.value for key, param in call.params.items()}


# --- The preprocessor against MediaWiki ---------------------------------------------------------

# Outputs of MediaWiki 1.39's Preprocessor_Hash (preprocessToObj, parts recovered with
# PPFrame::RECOVER_ORIG, <gallery> content preprocessed on its own), taken from a real install:
# [kind (2 template, 3 argument), name as written, [[parameter name or None, value]…]] in order.
# The same comparison on 19,000 random inputs and on every seed page found no difference.
MEDIAWIKI_CASES = [
    ("{{A|x=1|{{B}}}}", [[2, "A", [["x", "1"], [None, "{{B}}"]]], [2, "B", []]]),
    ("a <!-- {{A}}\n{{B}}", []),
    ("a <includeonly>{{A}}\n{{B}}", []),
    ("a <INCLUDEONLY>{{A}}\n{{B}}", [[2, "A", []], [2, "B", []]]),
    ("a <nowiki>{{A}}\n{{B}}", [[2, "A", []], [2, "B", []]]),
    ("<NoWiki >{{A}}</nowiki >{{B}}", [[2, "B", []]]),
    ("<nowiki/>{{A}}", [[2, "A", []]]),
    ("{{A|x=<nowiki>}}</nowiki>|y=2}}", [[2, "A", [["x", "<nowiki>}}</nowiki>"], ["y", "2"]]]]),
    ("{{A|x=<!-- }} -->1}}", [[2, "A", [["x", "<!-- }} -->1"]]]]),
    (
        "{{A|x=<includeonly>}}</includeonly>|y=2}}",
        [[2, "A", [["x", "<includeonly>}}</includeonly>"], ["y", "2"]]]],
    ),
    ("<noinclude>{{A|x=1</noinclude>}}", [[2, "A", [["x", "1</noinclude>"]]]]),
    ("<onlyinclude>{{A}}</onlyinclude>", [[2, "A", []]]),
    ("{{A|[[b|c]]|d=[[e|f=g]]}}", [[2, "A", [[None, "[[b|c]]"], ["d", "[[e|f=g]]"]]]]),
    ("{{A|[[b}}", []),
    ("{{A|[[b}}]]}}", [[2, "A", [[None, "[[b}}]]"]]]]),
    ("{{{{{a}}}}}", [[2, "{{{a}}}", []], [3, "a", []]]),
    ("{{{{a}}}}", [[3, "a", []]]),
    ("{{{a|{{B}}}}}", [[3, "a", [[None, "{{B}}"]]], [2, "B", []]]),
    ("}}}}{{{{", []),
    ("{{A|{{B}}", [[2, "B", []]]),
    ("-{{A}}", [[2, "A", []]]),
    ("-{a|{{B}}}-", [[2, "B", []]]),
    ("{{A|-{b}}", []),
    ("{{A\n==x}}\n}}", [[2, "A\n==x}}\n", []]]),
    ("== {{A|b=c}} ==\n{{B}}", [[2, "A", [["b", "c"]]], [2, "B", []]]),
    ("{{A\n=b\n|c=d}}", [[2, "A\n=b\n", [["c", "d"]]]]),
    ("{{A|b=c=d|=e|f}}", [[2, "A", [["b", "c=d"], ["", "e"], [None, "f"]]]]),
    ("{{A|\n b = 1 \n| c=\n2\n}}", [[2, "A", [["\n b ", " 1 \n"], [" c", "\n2\n"]]]]),
    ("<pre>{{A}}</pre>{{B}}<pre>{{C}}", [[2, "B", []], [2, "C", []]]),
    ("<gallery>\nx.jpg|{{A}}\n</gallery>", [[2, "A", []]]),
    ("{{A|<gallery>}}</gallery>}}", [[2, "A", [[None, "<gallery>}}</gallery>"]]]]),
    ("<nowiki", []),
    (
        "{{#if:x|{{A}}|{{B}}}}",
        [[2, "#if:x", [[None, "{{A}}"], [None, "{{B}}"]]], [2, "A", []], [2, "B", []]],
    ),
    (
        "{{A|{{B|{{C|d}}}}}}",
        [
            [2, "A", [[None, "{{B|{{C|d}}}}"]]],
            [2, "B", [[None, "{{C|d}}"]]],
            [2, "C", [[None, "d"]]],
        ],
    ),
    ("[[[a]]] {{{{{{b}}}}}}", [[3, "{{{b}}}", []], [3, "b", []]]),
]


def structure(text: str) -> list[list[object]]:
    """Every call and argument of `text`, in order, as in MEDIAWIKI_CASES."""
    found: list[list[object]] = []
    pending = list(reversed(preprocess(text).elements))
    while pending:
        element = pending.pop()
        parts: list[list[str | None]] = []
        for part in element.parts[1:]:
            if part.equals >= 0:
                parts.append([text[part.start : part.equals], text[part.equals + 1 : part.end]])
            else:
                parts.append([None, text[part.start : part.end]])
        name = element.parts[0]
        found.append([element.count, text[name.start : name.end], parts])
        pending.extend(reversed(element.children))
    return found


@pytest.mark.parametrize(("text", "expected"), MEDIAWIKI_CASES)
def test_the_preprocessor_finds_what_mediawiki_finds(text: str, expected: list[object]) -> None:
    assert structure(text) == expected


# --- Names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Projet cobudget",
        "projet cobudget",
        "Projet_cobudget",
        "  Projet   cobudget \n",
        "Projet\u00a0cobudget",
        "Modèle:Projet cobudget",
        "modèle:projet_cobudget",
        "MODÈLE : Projet cobudget",
        "Template:Projet cobudget",
        "modele:Projet cobudget",
        "Projet cobudget#Exemple",
        "safesubst:Projet cobudget",
        ":Modèle:Projet cobudget",
    ],
)
def test_template_names_are_compared_as_mediawiki_compares_titles(written: str) -> None:
    assert normalize_template_name(written) == "Projet cobudget"


def test_a_leading_colon_names_a_page_of_the_main_namespace_not_a_template() -> None:
    assert normalize_template_name(":Contribution") == ":Contribution"
    assert calls("{{:Contribution|date=12/03/2026}}") == []


def test_only_the_first_letter_of_a_template_name_is_case_insensitive() -> None:
    assert normalize_template_name("projet Cobudget") == "Projet Cobudget"
    assert calls("{{Projet Cobudget|titre=x}}") == []


def test_parameter_names_ignore_accents_case_spaces_and_underscores() -> None:
    forms = {"année", "annee", "Annee", "an_née", "ANNÉE", " an née "}
    assert {normalize_param_name(form) for form in forms} == {"annee"}
    assert normalize_param_name("plafond par projet") == normalize_param_name("Plafond_par_projet")


# --- Parameters ---------------------------------------------------------------------------------


def test_a_call_gives_its_parameters_as_written_but_stripped_by_normalised_name() -> None:
    [call] = calls("{{Contribution| Contributeur = Alice Martin |Heures=3 h 30|mission=''Aide''}}")
    assert (call.kind, call.name, call.line) == ("contribution", "Contribution", 1)
    assert values(call) == {
        "contributeur": "Alice Martin",
        "heures": "3 h 30",
        "mission": "''Aide''",
    }
    assert call.params["contributeur"].written == "Contributeur"


def test_comments_and_includeonly_parts_are_removed_from_values() -> None:
    [call] = calls(
        "{{Contribution|heures=3<!-- à vérifier -->|cercle=Num<includeonly>x</includeonly>érique}}"
    )
    assert values(call) == {"heures": "3", "cercle": "Numérique"}


def test_a_value_keeps_its_wikitext_nowiki_and_nested_templates_included() -> None:
    [call] = calls("{{Contribution|mission=Voir <nowiki>{{x}}</nowiki> et {{u|Bob}} [[a|b]]}}")
    assert values(call) == {"mission": "Voir <nowiki>{{x}}</nowiki> et {{u|Bob}} [[a|b]]"}


def test_a_repeated_parameter_keeps_the_last_value_as_mediawiki_does() -> None:
    [call] = calls("{{Contribution|heures=3|Heures=4|heures=5}}")
    assert values(call) == {"heures": "5"}
    assert [(p.value, p.written) for p in call.duplicates] == [("3", "heures"), ("4", "Heures")]


def test_values_without_a_name_are_set_apart_and_empty_ones_are_dropped() -> None:
    [call] = calls("{{Contribution|Alice||date=1/1/2026| |2=x|=y}}")
    unnamed = [(p.written, p.value) for p in call.positional]
    assert unnamed == [("1", "Alice"), ("2", "x"), ("", "y")]
    assert values(call) == {"date": "1/1/2026"}


# --- Contexts: what is a declaration and what is not --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<nowiki>{{Contribution}}</nowiki>",
        "<pre>\n{{Contribution}}\n</pre>",
        "<!-- {{Contribution}} -->",
        "<!-- a comment nobody closed\n{{Contribution}}",
        "<includeonly>{{Contribution}}</includeonly>",
        "<includeonly>\n{{Contribution}}",
        "<syntaxhighlight lang=text>{{Contribution}}</syntaxhighlight>",
        "<source>{{Contribution}}</source>",
        "<math>{{Contribution}}</math>",
        '<templatedata>{"x": "{{Contribution}}"}</templatedata>',
        "{{#if: x | {{Contribution}} }}",
        "{{#switch: a | a = {{Contribution}} | #default = }}",
        "{{#invoke:Module|f|{{Contribution}}}}",
        "{{ #tag:ref | {{Contribution}} }}",
        "{{msgnw:Contribution}}",
        "{{Contribution",
        "{{Contribution|date=[[12 mars}}",
    ],
)
def test_calls_in_these_contexts_are_not_declarations(text: str) -> None:
    assert calls(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "<noinclude>{{Contribution}}</noinclude>",
        "<onlyinclude>{{Contribution}}</onlyinclude>",
        "<ref>{{Contribution}}</ref>",
        "<div>{{Contribution}}</div>",
        "{|\n|-\n| {{Contribution}}\n|}",
        "== {{Contribution}} ==",
        "* {{contribution}}",
        "{{Modèle:Contribution}}",
        "{{Template:contribution}}",
        "{{Contri<!-- -->bution}}",
        "{{Boîte|contenu={{Contribution}}}}",
        "{{{1|{{Contribution}}}}}",
        "<nowiki>{{Contribution}}",  # an unclosed <nowiki> is plain text
    ],
)
def test_calls_in_these_contexts_are_declarations(text: str) -> None:
    assert [call.kind for call in calls(text)] == ["contribution"]


def test_calls_nested_in_our_own_calls_are_declarations_too() -> None:
    found = calls("{{Contribution|mission={{Projet cobudget|titre=x}}}}")
    assert [call.kind for call in found] == ["contribution", "project"]
    assert values(found[0]) == {"mission": "{{Projet cobudget|titre=x}}"}


def test_the_generated_part_of_a_page_is_never_a_source() -> None:
    text = splice_generated("{{Relevé}}\n", "{{Contribution|date=1/1/2026}}\n{{Relevé}}")
    assert [(call.kind, call.line) for call in calls(text)] == [("statement", 1)]


def test_names_are_found_whatever_their_first_letter_and_spacing() -> None:
    text = "{{projet_cobudget|titre=a}} {{RELEVÉ}} {{relevé}}"
    assert [call.name for call in calls(text)] == ["projet_cobudget", "relevé"]


def test_a_page_without_any_of_our_names_yields_nothing() -> None:
    assert calls("{{Autre|a=1}} [[Contribution-rétribution]] sans accolades") == []


# --- Lines --------------------------------------------------------------------------------------


def test_lines_are_those_of_the_opening_braces_and_of_each_parameter() -> None:
    text = (
        "Intro\n"
        "{{Boîte|\ntexte=\n}}\n"
        "{{Contribution\n"
        "| contributeur = Alice\n"
        "|\n"
        "  date = 12/03/2026\n"
        "| mission = deux\nlignes\n"
        "}} {{Relevé}}\n"
        "<!-- un\ncommentaire -->{{Contribution|heures=1}}\n"
    )
    first, statement, second = calls(text)
    assert (first.line, statement.line, second.line) == (5, 11, 13)
    assert {k: p.line for k, p in first.params.items()} == {
        "contributeur": 6,
        "date": 8,
        "mission": 9,
    }
    assert second.params["heures"].line == 13


def test_lines_stay_true_after_a_generated_part_of_many_lines() -> None:
    text = splice_generated("Haut\n", "\n".join(f"ligne {n}" for n in range(50)))
    text += "{{Contribution|date=1/1/2026}}\n"
    [call] = calls(text)
    assert text.splitlines()[call.line - 1].startswith("{{Contribution")


@given(st.lists(st.sampled_from(["\n", "x", "{{Contribution}}", "<!--\n-->", "{{a|\n}}", "|"])))
def test_every_line_points_at_the_opening_braces_of_its_call(pieces: list[str]) -> None:
    text = "".join(pieces)
    lines = text.split("\n")
    for call in calls(text):
        assert "{{Contribution" in lines[call.line - 1]


# --- Robustness and speed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{{" * 200_000,
        "{{a|" * 200_000,
        "{{Contribution|" * 20_000,
        "}}}}{{{{" * 100_000,
        "[[" * 200_000,
        "<div>" * 200_000,
        "<nowiki>" * 200_000,
        "<!--" * 200_000,
        "{{Contribution|mission=" * 5_000 + "}}" * 5_000,
        "{{Contribution|" + "a=b|" * 30_000 + "}}",
        "== {{Contribution|\n" * 20_000,
        "<includeonly" * 200_000,
        "{" * 200_000 + "}" * 200_000,
        "".join(  # thousands of spellings of one unclosed tag
            "<"
            + "".join(c.upper() if k >> n & 1 else c for n, c in enumerate("syntaxhighlight"))
            + ">"
            for k in range(50_000)
        ),
    ],
)
@pytest.mark.timeout(60)
def test_pathological_pages_are_read_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    calls(text)
    assert time.perf_counter() - started < 10  # about 1 s on a busy laptop; minutes before


def test_calls_nested_too_deep_are_flagged_not_read() -> None:
    depth = MAX_DEPTH + 5
    found = calls("{{Contribution|mission=" * depth + "}}" * depth)
    assert len(found) == depth
    assert [call.too_deep for call in found] == [False] * MAX_DEPTH + [True] * 5
    assert found[-1].params == {}


@given(st.lists(st.sampled_from([*"{}[]|=<>!-/\n a:#", "Contribution", "nowiki", "<!--", "-->"])))
@settings(max_examples=300)
def test_any_text_is_read_without_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    for call in calls(text):
        assert 1 <= call.line <= text.count("\n") + 1


# --- Agreement with mwparserfromhell on well-formed pages ---------------------------------------

plain = st.text(alphabet="abcé 12,€.\n", max_size=8)
word = st.text(alphabet="abcé", min_size=1, max_size=5)  # mwparserfromhell wants simple links
name = st.sampled_from(["Contribution", "contribution", "Autre", "u"])


@st.composite
def wikitext(draw: st.DrawFn, depth: int = 0) -> str:
    """Balanced calls with named and unnamed parameters, links and prose between them."""
    pieces = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["text", "link", "call"] if depth < 3 else ["text"]))
        if kind == "text":
            pieces.append(draw(plain))
        elif kind == "link":
            pieces.append(f"[[{draw(word)}|{draw(word)}]]")
        else:
            params = []
            for _ in range(draw(st.integers(0, 3))):
                value = draw(wikitext(depth + 1))
                key = draw(st.sampled_from(["", "date", "heures", "mission"]))
                params.append(f"{key}={value}" if key else value.replace("=", ""))
            pieces.append("{{" + draw(name) + "".join("|" + p for p in params) + "}}")
    return "".join(pieces)


@given(wikitext())
@settings(max_examples=150)
def test_on_well_formed_pages_we_find_the_calls_mwparserfromhell_finds(text: str) -> None:
    theirs = [
        {str(p.name).strip(): str(p.value).strip() for p in t.params if p.showkey}
        for t in mwparserfromhell.parse(text).filter_templates()
        if normalize_template_name(str(t.name)) == "Contribution"
    ]
    ours = [values(call) for call in calls(text)]
    assert ours == [{normalize_param_name(k): v for k, v in params.items()} for params in theirs]


# --- Through parse_page: which calls are declarations, and on which line ----------------------

PAGES = Path(__file__).parent.parent / "pages"
FIELDS = "contributeur=Alice Martin|cercle=Numérique|date=2026-01-05|heures=1"
PLEDGE = "campagne=2026|projet=Vélo cargo partagé|membre=Alice Martin|montant=100"


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
