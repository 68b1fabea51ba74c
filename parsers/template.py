"""Calls of our templates in one page's wikitext, read as MediaWiki reads them, with lines.

Template names are compared as MediaWiki compares titles (optional `Modèle:`/`Template:`
prefix, `_` = space, first letter in any case); parameter names loosely (accents, case,
spaces and underscores ignored). Calls inside comments, `<nowiki>`, `<pre>`, `<includeonly>`
and other non-wikitext tags, or inside parser functions (`{{#if:…}}`, any `{{#…}}`), are not
declarations; calls nested in the parameters of ordinary templates are (MediaWiki expands
them). The generated part of a page is blanked first: the bot's output is never a source.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ledger.name import fold
from parsers.marker import blank_generated
from parsers.preprocess import Element, preprocess
from parsers.text import normalize_title, upper_first

MAX_DEPTH = 40  # calls nested deeper than this are reported, not read
_MAX_NAME = 1024  # a longer name is never one of ours (wiki titles have at most 255 bytes)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TEMPLATE_NAMESPACE = re.compile(r"(?:mod[eè]le|template)\s*:\s*", re.IGNORECASE)


class Param(NamedTuple):
    """One parameter of a call: `value` as written (comments removed, stripped)."""

    value: str
    line: int
    written: str  # the name as written; "1", "2"… for a value without a name


@dataclass(frozen=True, slots=True)
class TemplateCall:
    """A call of one of the wanted templates; `params` by normalised name, the last one wins."""

    kind: str
    name: str  # as written, spaces collapsed
    line: int  # of its "{{"
    params: Mapping[str, Param]
    duplicates: tuple[Param, ...] = ()  # earlier values of a repeated name (MediaWiki ignores)
    positional: tuple[Param, ...] = ()  # non-empty values without a name
    too_deep: bool = False  # nested deeper than MAX_DEPTH: not read


@functools.lru_cache(maxsize=4096)  # every call's name, and our names for every page
def normalize_template_name(name: str) -> str:
    """`modèle:projet_cobudget` -> `Projet cobudget`; `:Page` (main namespace) -> `:Page`."""
    name = normalize_title(name)
    main = name.startswith(":")
    if main:
        name = name[1:].lstrip()
    elif name[:10].lower() == "safesubst:":  # unsubstituted, it is a plain transclusion
        name = name[10:].lstrip()
    prefix = _TEMPLATE_NAMESPACE.match(name)
    if prefix:
        name, main = name[prefix.end() :], False
    if not name.startswith("#"):
        name = name.partition("#")[0].rstrip()  # a fragment does not change the page
    return ":" + upper_first(name) if main else upper_first(name)


@functools.lru_cache(maxsize=4096)  # the same few names, over and over
def normalize_param_name(name: str) -> str:
    """`année`, `annee`, `Annee` and `an_née` are the same parameter: `annee`."""
    return fold(name).replace(" ", "")


def find_calls(text: str, wanted: Mapping[str, str]) -> list[TemplateCall]:
    """The calls of the templates in `wanted` ({template name: kind}), in page order."""
    text = blank_generated(text)
    names = {normalize_template_name(name): kind for name, kind in wanted.items()}
    if "{{" not in text or not _may_mention(text, names):
        return []  # the common cheap case: no call of ours can be there
    return _Finder(text, names).calls()


def _may_mention(text: str, names: Mapping[str, str]) -> bool:
    """Whether the longest word of one of the names occurs in `text`, in any case."""
    words = _longest_words(tuple(names))
    # The usual case, an ASCII word as written or capitalised, needs no lowered copy of the page.
    if any(word.isascii() and (word in text or word.capitalize() in text) for word in words):
        return True
    lowered = text.lower()
    if any(word in lowered for word in words):
        return True
    if "<!--" not in lowered:
        return False
    lowered = _COMMENT.sub("", lowered)  # `{{Contri<!-- -->bution}}` is a call too
    return any(word in lowered for word in words)


@functools.lru_cache(maxsize=64)  # the same names for every page
def _longest_words(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(max(name.lower().split(), key=len) for name in names if name.strip())


class _Finder:
    def __init__(self, text: str, names: Mapping[str, str]) -> None:
        self.text = text
        self.names = names
        document = preprocess(text)
        self.elements = document.elements
        self.hidden = document.hidden
        self.hidden_starts = [start for start, _ in document.hidden]
        self.newlines: list[int] | None = None

    def calls(self) -> list[TemplateCall]:
        found: list[TemplateCall] = []
        stack = [(element, 1) for element in reversed(self.elements)]
        while stack:
            element, depth = stack.pop()
            children = element.children
            if element.count == 3:  # an argument: its name and default are shown
                limit = element.parts[1].end if len(element.parts) > 1 else element.end
                children = [child for child in children if child.start < limit]
            else:
                pieces = self.pieces(element)
                written = ""
                if pieces is not None:
                    if len(pieces[0]) <= _MAX_NAME:
                        written = " ".join(pieces[0].split())
                elif element.parts[0].end - element.parts[0].start <= _MAX_NAME:
                    title = element.parts[0]
                    written = " ".join(self.visible(title.start, title.end).split())
                if written.startswith("#") or written[:6].lower() == "msgnw:":
                    continue  # a parser function (or raw source): its branches are not calls
                kind = self.names.get(normalize_template_name(written)) if written else None
                if kind is not None:
                    found.append(self.call(element, kind, written, depth, pieces))
            if children:
                stack.extend((child, depth + 1) for child in reversed(children))
        return found

    def pieces(self, element: Element) -> list[str] | None:
        """The "|"-separated pieces of a call holding nothing else, not even a link, or None."""
        inner = element.inner
        return inner.split("|") if inner is not None and "[[" not in inner else None

    def call(
        self, element: Element, kind: str, written: str, depth: int, pieces: list[str] | None
    ) -> TemplateCall:
        line = self.line(element.start)
        if depth > MAX_DEPTH:
            return TemplateCall(kind, written, line, {}, too_deep=True)
        if pieces is None:
            entries = self.entries(element, line)
        else:
            entries = self.simple_entries(element.start, pieces, line)
        params: dict[str, Param] = {}
        duplicates: list[Param] = []
        positional: list[Param] = []
        index = 0
        for name, value, param_line in entries:
            if name is None:
                index += 1
                name = key = str(index)
            else:
                key = normalize_param_name(name)
            param = Param(value, param_line, name)
            if not key or key.isdigit():
                if value:
                    positional.append(param)
                continue
            if key in params:
                duplicates.append(params[key])
            params[key] = param
        return TemplateCall(kind, written, line, params, tuple(duplicates), tuple(positional))

    def entries(self, element: Element, line: int) -> list[tuple[str | None, str, int]]:
        """(name or None, value, line) of each parameter, both stripped, from its parts."""
        text = self.text
        # Most calls hold no comment (their text is their visible text) and sit on one line
        # (all their parameters are on the call's line): both are checked once per call.
        index = bisect.bisect_left(self.hidden_starts, element.start)
        hides = index < len(self.hidden) and self.hidden[index][0] < element.end
        one_line = text.find("\n", element.start, element.end) < 0
        entries: list[tuple[str | None, str, int]] = []
        for part in element.parts[1:]:
            start, equals, end = part.start, part.equals, part.end
            name: str | None = None
            if equals < 0:
                value = self.visible(start, end) if hides else text[start:end]
            elif hides:
                name, value = self.visible(start, equals).strip(), self.visible(equals + 1, end)
            else:
                name, value = text[start:equals].strip(), text[equals + 1 : end]
            if not one_line:
                raw = text[start:end]
                line = self.line(start + len(raw) - len(raw.lstrip()))
            entries.append((name, value.strip(), line))
        return entries

    def simple_entries(
        self, start: int, pieces: list[str], line: int
    ) -> list[tuple[str | None, str, int]]:
        """The same from the pieces of a call holding nothing else (so nothing hidden)."""
        entries: list[tuple[str | None, str, int]] = []
        one_line = all("\n" not in piece for piece in pieces)
        offset = start + 2 + len(pieces[0])  # the "|" before the next piece
        for piece in pieces[1:]:
            name, equals, value = piece.partition("=")
            if not one_line:
                line = self.line(offset + 1 + len(piece) - len(piece.lstrip()))
            if equals:
                entries.append((name.strip(), value.strip(), line))
            else:
                entries.append((None, piece.strip(), line))
            offset += 1 + len(piece)
        return entries

    def visible(self, start: int, end: int) -> str:
        """The text in [start, end) without comments, `<includeonly>` and `<noinclude>` tags."""
        index = bisect.bisect_left(self.hidden_starts, start)
        if index == len(self.hidden) or self.hidden[index][0] >= end:
            return self.text[start:end]
        pieces = []
        while index < len(self.hidden) and self.hidden[index][0] < end:
            hidden_start, hidden_end = self.hidden[index]
            pieces.append(self.text[start:hidden_start])
            start = max(start, hidden_end)
            index += 1
        pieces.append(self.text[start:end])
        return "".join(pieces)

    def line(self, offset: int) -> int:
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, offset) + 1
