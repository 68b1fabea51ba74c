"""Member input never takes the parser down: big pages, brace storms, arbitrary text.

Times are printed (run with -s to see them); the only time assertion is a generous ceiling
that catches a hang or a quadratic blow-up, never a benchmark.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.record import Problem, Records, Severity
from parsers.page import parse_page
from parsers.value import ValueFormatError
from tests.unit.parsing_helpers import VALUE_PARSERS

PAGES = Path(__file__).parent.parent / "pages"
CEILING = 20.0  # seconds: far above any real page; only a hang or a blow-up gets there
CALL = "{{Contribution|contributeur=Alice Martin|cercle=Numérique|date=2026-01-05|heures=2}}"
MB = 1_000_000


def timed_parse(text: str, label: str) -> tuple[Records, list[Problem], float]:
    start, cpu = time.perf_counter(), time.process_time()
    records, problems = parse_page("Page d'essai", text)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = len(text.encode()) / MB
    print(
        f"\n{label}: {size:.2f} MB in {elapsed:.2f} s, {cpu:.2f} s CPU ({size / cpu:.2f} MB/s CPU)"
    )
    return records, problems, elapsed


def test_a_realistic_one_megabyte_page_is_read_whole_and_quickly() -> None:
    section = (PAGES / "realistic-section.wiki").read_text(encoding="utf-8")
    lines_per_section = section.count("\n")
    copies = MB // len(section.encode()) + 1
    text = section * copies
    assert len(text.encode()) >= MB

    records, problems, elapsed = timed_parse(text, "realistic page")

    # Each section (hand count): 7 declarations, 2 of them unreadable (31/02, 12,3,4);
    # 3 pledges, one without montant; the commented and nowiki calls are not read.
    assert len(records.contributions) == 5 * copies
    assert len(records.pledges) == 2 * copies
    errors = [p for p in problems if p.severity == Severity.ERROR]
    assert len(errors) == 3 * copies
    assert len(problems) == len(errors)
    # Lines stay true to the end: the last section's Hélène declaration is on its line 17.
    last = records.contributions[-1]
    assert (last.contributor, last.amount) == ("Hélène Moreau", Decimal("1200.00"))
    assert last.source.line == (copies - 1) * lines_per_section + 17
    assert elapsed < CEILING


def test_a_page_made_only_of_declarations_is_read_whole() -> None:
    text = "\n".join(f"* {CALL}" for _ in range(MB // len(CALL)))
    records, problems, elapsed = timed_parse(text, "declarations only")
    assert len(records.contributions) == MB // len(CALL)
    assert records.contributions[-1].source.line == MB // len(CALL)
    assert problems == []
    assert elapsed < CEILING


def spelling(k: int, name: str = "syntaxhighlight") -> str:
    """The k-th of the 2^15 ways to write a tag name in upper and lower case."""
    return "".join(c.upper() if (k >> b) & 1 else c for b, c in enumerate(name))


def storms() -> dict[str, str]:
    """Pathological pages; each ends with one valid call that MediaWiki would show."""
    return {
        "10,000 unbalanced {{": "{{" * 10_000 + "\n" + CALL,
        "10,000 unbalanced {{ with names and pipes": "{{Contribution|a=\n" * 10_000 + CALL,
        "5,000 nested {{a| never closed": "{{a|" * 5_000 + CALL,
        "a million {": "{" * MB + "\n" + CALL,
        "a million }": "}" * MB + "\n" + CALL,
        "half a million { then as many }": "{" * (MB // 2) + "}" * (MB // 2) + "\n" + CALL,
        "half a million [ then as many ]": "[" * (MB // 2) + "]" * (MB // 2) + "\n" + CALL,
        "[[ storm": "[[" * (MB // 2) + "\n" + CALL,
        "[[a| storm": "[[a|" * (MB // 4) + "\n" + CALL,
        "]] storm": "]]" * (MB // 2) + "\n" + CALL,
        "{{a|[[ alternation": "{{a|[[" * (MB // 6) + "\n" + CALL,
        "-{ storm": "-{" * (MB // 2) + "\n" + CALL,
        "-{{ then }}- storm": "-{{" * (MB // 6) + "}}-" * (MB // 6) + "\n" + CALL,
        "{{#if: storm": "{{#if:" * (MB // 6) + "\n" + CALL,
        "a million new lines": "\n" * MB + CALL,
        "heading-like lines": ("=" * 999 + "\n") * 1000 + CALL,
        "unclosed tags": "<nowiki><pre><div><ref>" * (MB // 23) + "\n" + CALL,
        "tags without >": "<pre " * (MB // 5) + "\n" + CALL,
        "closing tags only": "</nowiki></pre>" * (MB // 15) + "\n" + CALL,
        "an unclosed tag in every case": "".join(f"<{spelling(k)}>" for k in range(MB // 17))
        + "\n"
        + CALL,
        "pipes in a call": "{{Boîte" + "|" * MB + "}}\n" + CALL,
        "equals in a call": "{{Boîte|" + "=" * MB + "}}\n" + CALL,
        "comment openers": "<!-- -->" * (MB // 8) + "\n" + CALL,
    }


@pytest.mark.parametrize("name", list(storms()))
def test_a_pathological_page_ends_as_records_or_problems_without_hanging(name: str) -> None:
    text = storms()[name]
    records, problems, elapsed = timed_parse(text, name)
    last_line = text.count("\n") + 1
    errors = {p.source.line for p in problems if p.severity == Severity.ERROR}
    found = [c.source.line for c in records.contributions]
    assert found.count(last_line) + (last_line in errors) == 1
    assert elapsed < CEILING


def test_calls_nested_5000_deep_are_reported_not_read_and_do_not_crash() -> None:
    text = "{{a|" * 5_000 + CALL + "}}" * 5_000
    records, problems, elapsed = timed_parse(text, "5,000 nested {{a| levels")
    assert records.count() == 0
    assert [(p.source.line, p.severity) for p in problems] == [(1, Severity.ERROR)]
    assert "imbriqué" in problems[0].message
    assert elapsed < CEILING


def test_a_call_with_a_hundred_thousand_unknown_parameters_is_still_one_record() -> None:
    text = "{{Contribution|contributeur=Alice|cercle=N|date=2026-01-05|heures=1" + "|x=1" * 100_000
    records, problems, elapsed = timed_parse(text + "}}", "100,000 parameters")
    assert len(records.contributions) == 1
    assert all(p.severity == Severity.WARNING for p in problems)
    assert elapsed < CEILING


def test_huge_numbers_are_problems_not_crashes() -> None:
    digits = "9" * 5_000
    text = "\n".join(
        [
            f"{{{{Contribution|contributeur=A|cercle=N|date=2026-01-05|heures={digits}}}}}",
            f"{{{{Contribution|contributeur=A|cercle=N|date=2026-01-05|montant={digits}}}}}",
            f"{{{{Contribution|contributeur=A|cercle=N|date=2026-01-05|heures=1h{digits}}}}}",
            f"{{{{Contribution|contributeur=A|cercle=N|date={digits}-01-05|heures=1}}}}",
            f"{{{{Enveloppe cercle|cercle=N|année={digits}|montant=1}}}}",
            "{{Contribution|contributeur=A|cercle=N|date=2026-01-05|heures=99999999999999999999}}",
        ]
    )
    records, problems = parse_page("P", text)
    assert records.count() == 0
    assert sorted(p.source.line for p in problems if p.severity == Severity.ERROR) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


WIKI_BITS = [
    "{{",
    "}}",
    "{{{",
    "}}}",
    "{",
    "}",
    "|",
    "=",
    "[[",
    "]]",
    "[",
    "]",
    "-{",
    "}-",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "<pre>",
    "</pre>",
    "<includeonly>",
    "</includeonly>",
    "<noinclude>",
    "<ref>",
    "</ref>",
    "<ref/>",
    "<",
    ">",
    "\n",
    "\n==",
    "==\n",
    " ",
    "\u00a0",
    "\u202f",
    "{{Contribution",
    "{{contribution|",
    "{{Modèle:Soutien_cobudget|",
    "{{Relevé}}",
    "{{Cercle|nom=",
    "{{#if:",
    "{{:",
    "{{u|",
    "contributeur=Alice Martin",
    "cercle=Numérique",
    "date=2026-01-05",
    "date=31/02/2026",
    "heures=3 h 30",
    "heures=",
    "montant=1 200,50 €",
    "montant=12,3,4",
    "membre=[[Utilisateur:Bob|B]]",
    "é",
    "𝄞",
    "\u200f",
    "\x00",
    "<!-- wikiledger:début -->",
    "<!-- wikiledger:fin -->",
]
soup = st.lists(st.sampled_from(WIKI_BITS), max_size=80).map("".join)
any_text = st.text(
    alphabet=st.one_of(st.sampled_from("{}[]|=<>!-:#\n "), st.characters()), max_size=400
)


def check_page_result(text: str, title: str) -> None:
    records, problems = parse_page(title, text)
    lines = text.count("\n") + 1
    sources = [p.source for p in problems]
    for kind in (
        records.circles,
        records.envelopes,
        records.contributions,
        records.campaigns,
        records.projects,
        records.pledges,
        records.statements,
    ):
        sources.extend(r.source for r in kind)
    assert all(s.page == title and 1 <= s.line <= lines for s in sources)
    assert all(p.message.strip() and p.template for p in problems)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(soup, st.sampled_from(["Page", "Utilisateur:Alice Martin/Relevé"]))
def test_any_mixture_of_wiki_syntax_yields_records_and_problems_on_real_lines(
    text: str, title: str
) -> None:
    check_page_result(text, title)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_arbitrary_unicode_text_never_raises(text: str) -> None:
    check_page_result(text, "Page")


value_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789 ,.-€hmin/er:|[]{}", max_size=40),
    st.lists(st.sampled_from(WIKI_BITS), max_size=8).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(value_text)
def test_value_parsers_return_a_value_or_a_french_value_error_and_nothing_else(text: str) -> None:
    for parse in VALUE_PARSERS:
        try:
            parse(text)
        except ValueFormatError as error:
            assert error.message.strip()
