"""Escaping of member text, safe links and French formats of `render.wikitext`."""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render.wikitext import (
    Wikitext,
    count,
    date,
    escape,
    flagged_money_cell,
    hours,
    long_date,
    money,
    money_cell,
    month,
    page_link,
    percent,
    plural,
    share_percent,
    switch_key,
    template_name,
    timestamp,
    user_link,
)

NBSP, MINUS = "\u00a0", "\u2212"
ENTITY = re.compile(r"&#\d+;")
# Characters that mean something to the MediaWiki parser, and must never reach it raw.
MARKUP = set("[]{}|<>&~_'=*#:;!\"\n\r\t")


def shown(wikitext: str) -> str:
    """What a reader sees: MediaWiki leaves numeric entities alone, the browser decodes them."""
    return html.unescape(wikitext)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[Catégorie:X]]", "&#91;&#91;Catégorie&#58;X&#93;&#93;"),
        ("{{Modèle}}", "&#123;&#123;Modèle&#125;&#125;"),
        ("{{{1}}}", "&#123;&#123;&#123;1&#125;&#125;&#125;"),
        ("a |} b || c |- d !! e", "a &#124;&#125; b &#124;&#124; c &#124;- d &#33;&#33; e"),
        ("__NOTOC__", "&#95;&#95;NOTOC&#95;&#95;"),
        ("~~~~", "&#126;&#126;&#126;&#126;"),
        ("<ref>x</ref>", "&#60;ref&#62;x&#60;/ref&#62;"),
        ("<script>", "&#60;script&#62;"),
        ("----", "&#45;---"),
        (" pre", "&#32;pre"),
        ("* a", "&#42; a"),
        ("# a", "&#35; a"),
        (": a", "&#58; a"),
        ("; a", "&#59; a"),
        ("= a =", "&#61; a &#61;"),
        ("ISBN 9780306406157", "&#73;SBN 9780306406157"),
        (f"ISBN{NBSP}9780306406157", f"&#73;SBN{NBSP}9780306406157"),
        ("RFC 1234 et PMID 42", "&#82;FC 1234 et &#80;MID 42"),
        ("http://exemple.org", "http&#58;//exemple.org"),
        ("mailto:a@b.fr", "mailto&#58;a@b.fr"),
        ("&amp; &#91;", "&#38;amp&#59; &#38;&#35;91&#59;"),
        (
            "'''gras''' ''italique''",
            "&#39;&#39;&#39;gras&#39;&#39;&#39; &#39;&#39;italique&#39;&#39;",
        ),
        ("ligne 1\nligne 2\r\n\tfin", "ligne 1 ligne 2   fin"),
        ("Zoé – 12,50 €", "Zoé – 12,50 €"),
    ],
)
def test_escape_turns_each_dangerous_construct_into_entities(text: str, expected: str) -> None:
    assert escape(text) == expected
    assert isinstance(escape(text), Wikitext)


@given(st.text())
def test_escaped_text_shows_exactly_the_member_text_and_nothing_raw_reaches_the_parser(
    text: str,
) -> None:
    escaped = escape(text)
    assert not set(ENTITY.sub("", escaped)) & MARKUP
    assert not re.search(r"ISBN|RFC|PMID", escaped, re.IGNORECASE)
    assert not escaped.startswith((" ", "-"))
    assert shown(escaped) == re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text)


def reference_escape(text: str) -> str:
    """`escape` as it was first written, one step per rule: the fast one must match it."""
    plain = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    escaped = plain.translate({ord(ch): f"&#{ord(ch)};" for ch in "[]{}|<>&~_'=*#:;!\""})
    magic = re.compile(r"ISBN|RFC|PMID", re.IGNORECASE)
    escaped = magic.sub(lambda m: f"&#{ord(m.group()[0])};{m.group()[1:]}", escaped)
    if escaped[:1] in (" ", "-"):
        escaped = f"&#{ord(escaped[0])};{escaped[1:]}"
    return escaped


# Text made only of what escaping cares about, so that its rules meet each other often.
TRICKY = st.text(
    st.sampled_from([*"[]{}|<>&~_'=*#:;!\"- \n\t\x00\x7f\x85\x9fISBNRFCPMIDıſİsé", NBSP])
)


@settings(max_examples=500)
@given(st.one_of(st.text(), TRICKY))
def test_escape_gives_exactly_what_the_rules_applied_one_by_one_give(text: str) -> None:
    assert escape(text) == reference_escape(text)


@pytest.mark.parametrize("text", ["ıſbn 1", "İSBN 2", "pmıd", "\x85- x", "\n----", "-ISBN", ""])
def test_magic_words_in_any_case_and_leading_controls_escape_as_the_rules_say(text: str) -> None:
    assert escape(text) == reference_escape(text)


def test_money_is_french_with_narrow_thousands_and_no_break_space_before_the_euro() -> None:
    assert money(Decimal("1234.50")) == f"1{NBSP}234,50{NBSP}€"
    assert money(Decimal("1234567.5")) == f"1{NBSP}234{NBSP}567,50{NBSP}€"
    assert money(Decimal("0.05")) == f"0,05{NBSP}€"
    assert money(Decimal("-1234.50")) == f"{MINUS}1{NBSP}234,50{NBSP}€"
    assert money(Decimal("-0.00")) == f"0,00{NBSP}€"
    assert money(Decimal("999")) == f"999,00{NBSP}€"


def test_hours_percent_and_counts_are_french() -> None:
    assert hours(Decimal("12.5")) == f"12,50{NBSP}h"
    assert hours(Decimal("1500")) == f"1{NBSP}500,00{NBSP}h"
    assert percent(45) == f"45{NBSP}%"
    assert count(1234) == f"1{NBSP}234"


def test_share_percent_rounds_down_and_has_no_value_without_a_whole() -> None:
    assert share_percent(Decimal("9999.99"), Decimal("10000")) == 99
    assert share_percent(Decimal("15000"), Decimal("10000")) == 150
    assert share_percent(Decimal("1"), Decimal("0")) is None


def test_dates_months_and_timestamps_read_the_french_way() -> None:
    assert date(datetime.date(2026, 3, 12)) == "12/03/2026"
    assert long_date(datetime.date(2026, 3, 1)) == "1er mars 2026"
    assert long_date(datetime.date(2026, 8, 15)) == "15 août 2026"
    assert month("2026-02") == "février 2026"
    assert month("n'importe") == "n&#39;importe"
    assert timestamp(datetime.datetime(2026, 3, 12, 9, 5)) == "12/03/2026 à 09:05"
    aware = datetime.datetime(2026, 3, 12, 9, 5, tzinfo=datetime.UTC)
    assert timestamp(aware) == "12/03/2026 à 09:05 UTC"


def test_number_cells_carry_a_sort_key_so_that_french_numbers_sort_right() -> None:
    cell = money_cell(Decimal("1234.5"))
    assert cell == f'style="text-align:right" data-sort-value="1234.50" | 1{NBSP}234,50{NBSP}€'


def test_a_negative_amount_cell_is_red_as_on_an_accounting_statement() -> None:
    cell = money_cell(Decimal("-1234.5"))
    assert cell == (
        'style="text-align:right; color:#b32424; font-weight:bold" data-sort-value="-1234.50"'
        f" | {MINUS}1{NBSP}234,50{NBSP}€"
    )
    assert "color" not in money_cell(Decimal("0.00"))


def test_a_flagged_amount_keeps_its_sort_key_and_puts_the_warning_sign_first() -> None:
    cell = flagged_money_cell(Decimal("400"))
    assert cell == (
        'style="text-align:right; background:#fef6e7" data-sort-value="400.00"'
        f" | ⚠{NBSP}400,00{NBSP}€"
    )


def test_a_template_name_is_shown_literally_in_code_font_and_never_split_over_two_lines() -> None:
    shown_name = template_name("Soutien cobudget")
    assert shown_name == (
        '<code style="white-space:nowrap">&#123;&#123;Soutien cobudget&#125;&#125;</code>'
    )
    assert template_name("") == "—"


def test_plural_follows_french_agreement_where_zero_is_singular() -> None:
    assert plural(0, "erreur", "erreurs") == "0 erreur"
    assert plural(1, "erreur", "erreurs") == "1 erreur"
    assert plural(2, "erreur", "erreurs") == "2 erreurs"


def test_user_link_points_to_the_user_page_and_escapes_the_shown_name() -> None:
    assert user_link("Alice Martin") == "[[Utilisateur:Alice Martin|Alice Martin]]"
    assert user_link("Jean_Dupont") == "[[Utilisateur:Jean Dupont|Jean&#95;Dupont]]"
    assert user_link("O'Brien") == "[[Utilisateur:O'Brien|O&#39;Brien]]"
    assert user_link("A&B") == "[[Utilisateur:A&#38;B|A&#38;B]]"
    assert user_link("__NOTOC__ x") == "[[Utilisateur:NOTOC x|&#95;&#95;NOTOC&#95;&#95; x]]"


@pytest.mark.parametrize(
    "name",
    [
        "[[Catégorie:X]]",
        "a|b",
        "x{{y}}",
        "a<b>",
        "a#b",
        "x~~~y",
        "a%5Bb",
        "a&amp;b",
        "Catégorie:X",
        "http://exemple.org",
        "a@b",
        "",
        "   ",
        "../x",
        "x" * 300,
    ],
)
def test_a_name_that_cannot_be_a_user_page_is_shown_as_plain_escaped_text(name: str) -> None:
    assert user_link(name) == escape(name)


def test_page_link_keeps_categories_and_files_as_plain_links_and_adds_the_line() -> None:
    assert page_link("Catégorie:Piège", 3) == (
        f"[[:Catégorie:Piège|Catégorie&#58;Piège]], l.{NBSP}3"
    )
    assert page_link("Fichier:X.png") == "[[:Fichier:X.png|Fichier&#58;X.png]]"
    assert page_link("Cobudget 2026/Site", text="Nouveau site") == (
        "[[:Cobudget 2026/Site|Nouveau site]]"
    )
    assert page_link("a]]b", 2) == f"a&#93;&#93;b, l.{NBSP}2"


def test_switch_keys_write_equals_and_pipes_as_magic_words_and_escape_the_rest() -> None:
    assert switch_key("A = B|C") == "A {{=}} B{{!}}C"
    assert switch_key("x{{y}}/promis") == "x&#123;&#123;y&#125;&#125;/promis"
    assert switch_key(" Numérique/2026/versé ") == "Numérique/2026/versé"


@given(st.text())
def test_any_name_is_either_a_clean_user_link_or_plain_escaped_text(name: str) -> None:
    link = user_link(name)
    if link == escape(name):
        return
    match = re.fullmatch(r"\[\[Utilisateur:([^|]+)\|([^|]*)\]\]", link)
    assert match is not None
    target, label = html.unescape(match.group(1)), match.group(2)  # MediaWiki decodes targets
    assert label == escape(name)
    assert not set(target) & set("[]{}|<>#\n") and "~~~" not in target and "__" not in target
    assert not re.search(r"%[0-9A-Fa-f]{2}", target)
    assert target == " ".join(name.replace("_", " ").split())
