"""The fast preprocessor finds exactly what its former, one-stop-per-character loop found.

`_ReferenceScanner.scan` is the loop `parsers/preprocess.py` had before its search skipped
characters that mean nothing and read simple calls in one match (checked then against
MediaWiki's own preprocessor); both must give the same elements and hidden ranges. The finder
reads a simple call from its "|"-separated pieces: exactly as it reads other calls' parts.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import SIZES, generate
from parsers.preprocess import _RULES, Document, Element, Part, _Piece, _Scanner, preprocess
from parsers.template import _Finder
from tests.unit.test_parser_robustness import storms

Flat = list[tuple[object, ...]]


def _make_state(opening: str, equals_wanted: bool) -> tuple[re.Pattern[str], str, bool, bool]:
    closing = _RULES[opening][0] if opening in _RULES else "\n" if opening else ""
    find_pipe = opening in ("{", "-{")
    find_equals = find_pipe and equals_wanted
    chars = "[{<\n-" + closing + "|" * find_pipe + "=" * find_equals  # MediaWiki's strcspn set
    return re.compile("[" + re.escape(chars) + "]"), closing, find_equals, opening == "\n"


_STATES = {(o, e): _make_state(o, e) for o in ("", "{", "[", "-{", "\n") for e in (False, True)}


def _state(stack: list[_Piece]) -> tuple[re.Pattern[str], str, bool, bool]:
    if not stack:
        return _STATES["", False]
    parts = stack[-1].parts
    return _STATES[stack[-1].open, len(parts) > 1 and parts[-1].equals < 0]


class _ReferenceScanner(_Scanner):
    def scan(self, i: int) -> list[Element]:  # the former loop, unchanged
        text, n, stack = self.text, self.end, self.stack
        search, closing, find_equals, in_heading = _state(stack)
        found = "heading"
        cur = ""
        if not text.startswith("=", i, n):
            found = "next"
        while True:
            if found == "next":
                match = search.search(text, i, n)
                i = match.start() if match else n
                if i >= n:
                    if closing != "\n":
                        break
                    found = "line-end"
                else:
                    cur = text[i]
                    two = text[i : i + 2] if i + 1 < n else cur
                    if cur == "|":
                        found = "pipe"
                    elif cur == "=":
                        found = "equals"
                    elif cur == "<":
                        found = "angle"
                    elif cur == "\n":
                        if in_heading:
                            found = "line-end"
                        else:
                            i += 1
                            if not text.startswith("=", i, n):
                                continue
                            found = "heading"
                    elif two == closing:
                        found, cur = "close", two
                    elif cur == closing:
                        found = "close"
                    elif two in _RULES:
                        found, cur = "open", two
                    elif cur in _RULES:
                        found = "open"
                    else:
                        i += 1
                        continue

            if found == "angle":
                i = self.angle(i)
            elif found == "heading":
                count = self.run("=", i, 6)
                if not (count == 1 and find_equals):
                    stack.append(_Piece("\n", "\n", count, i, [Part(i)]))
                    search, closing, find_equals, in_heading = _state(stack)
                    i += count
            elif found == "line-end":
                piece = stack.pop()
                self.children().extend(piece.children)
                search, closing, find_equals, in_heading = _state(stack)
            elif found == "open":
                count = self.run(cur[-1], i + 1, n) + 1 if len(cur) > 1 else self.run(cur, i, n)
                saved = False
                if cur == "-{" and count > 2:
                    saved, i, cur, count = True, i + 1, "{", count - 1
                close, _, minimum, _ = _RULES[cur]
                if count >= minimum:
                    stack.append(
                        _Piece(cur, close, count, i, [Part(i + count)], saved_prefix=saved)
                    )
                    search, closing, find_equals, in_heading = _state(stack)
                i += count
            elif found == "close":
                i = self.close(i, cur)
                search, closing, find_equals, in_heading = _state(stack)
            elif found == "pipe":
                stack[-1].parts[-1].end = i
                stack[-1].parts.append(Part(i + 1))
                search, closing, find_equals, in_heading = _state(stack)
                i += 1
            else:
                stack[-1].parts[-1].equals = i
                search, closing, find_equals, in_heading = _state(stack)
                i += 1
            found = "next"

        for piece in stack:
            self.root.extend(piece.children)
        return self.root


def reference(text: str) -> Document:
    hidden: list[tuple[int, int]] = []
    return Document(_ReferenceScanner(text, len(text), hidden, 0).scan(0), hidden)


def flat(document: Document) -> Flat:
    """Every element in document order with its offsets (iterative: calls nest 5,000 deep)."""
    found: Flat = [("hidden", *span) for span in document.hidden]
    pending = list(reversed(document.elements))
    while pending:
        element = pending.pop()
        parts = tuple((p.start, p.end, p.equals) for p in element.parts)
        found.append((element.count, element.start, element.end, parts, len(element.children)))
        pending.extend(reversed(element.children))
    return found


def test_every_page_of_the_synthetic_wiki_is_preprocessed_as_before() -> None:
    pages = generate(SIZES["full"]).pages
    different = [p.title for p in pages if flat(preprocess(p.text)) != flat(reference(p.text))]
    assert different == []
    assert sum(len(preprocess(p.text).elements) for p in pages) > 20_000


@pytest.mark.parametrize("name", list(storms()))
def test_a_pathological_page_is_preprocessed_as_before(name: str) -> None:
    text = storms()[name][:200_000]
    assert flat(preprocess(text)) == flat(reference(text))


FRAGMENTS = [
    *"{}[]|=<>!-/\n :#a",
    "{{",
    "}}",
    "{{{",
    "}}}",
    "[[",
    "]]",
    "-{",
    "}-",
    "\n=",
    "\n==",
    "==\n",
    "{{A|",
    "b=",
    "[[x|y=z]]",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "<ref>",
    "</ref>",
    "<ref/>",
    "<includeonly>",
    "</includeonly>",
    "<noinclude>",
    "<pre ",
    "<gallery>",
    "</gallery>",
    "{{#if:",
    "é",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60))
def test_any_mixture_of_wiki_syntax_is_preprocessed_as_before(fragments: list[str]) -> None:
    text = "".join(fragments)
    assert flat(preprocess(text)) == flat(reference(text))


PIECES = [
    "a",
    " ",
    "=",
    "==",
    "\n",
    "\n=",
    "-",
    "[[b|c=d]]",
    "[[e]]",
    "[",
    "]",
    "}",
    "{",
    "<!-- -->",
]
piece_text = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)


@st.composite
def calls(draw: st.DrawFn) -> str:
    """Calls with a few parts made of what may or may not keep a call simple."""
    parts = draw(st.lists(piece_text, min_size=1, max_size=5))
    return draw(st.sampled_from(["", "a\n", "-", "{"])) + "{{" + "|".join(parts) + "}}"


@settings(max_examples=1500, deadline=None)
@given(st.lists(calls(), min_size=1, max_size=3).map("".join))
def test_any_call_is_split_into_parts_as_before(text: str) -> None:
    assert flat(preprocess(text)) == flat(reference(text))


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="{}[]|=<-\n ab", max_size=80))
def test_any_short_text_of_special_characters_is_preprocessed_as_before(text: str) -> None:
    assert flat(preprocess(text)) == flat(reference(text))


class _PartsOnlyFinder(_Finder):
    def pieces(self, element: Element) -> list[str] | None:
        return None  # every call read from its parts, as before simple calls had pieces


PARAMETERS = ["", " ", "a", "Date", "date", "1", "x = y", "\n", "\n ", "é", "=", "[[u|v]]", "{{u}}"]
parameter = st.lists(st.sampled_from(PARAMETERS), max_size=5).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(parameter, min_size=1, max_size=6), min_size=1, max_size=3))
def test_a_simple_call_is_read_from_its_pieces_as_from_its_parts(
    calls: list[list[str]],
) -> None:
    text = "\n".join("x {{Contribution|" + "|".join(params) + "}}" for params in calls)
    names = {"Contribution": "contribution"}
    assert _Finder(text, names).calls() == _PartsOnlyFinder(text, names).calls()
