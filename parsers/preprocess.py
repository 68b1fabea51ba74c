"""Where templates really are in wikitext: a linear port of MediaWiki's preprocessor.

This follows `Preprocessor_Hash::buildDomTreeArrayFromText` (MediaWiki 1.39) for a page being
viewed: brace matching with a stack (`{{`, `{{{`, `[[`, `-{`, headings), `|` and `=` splitting,
comments (an unclosed one runs to the end), `<includeonly>` (hidden; unclosed, to the end),
`<noinclude>`/`<onlyinclude>` tags (dropped, content kept) and extension tags, which are atomic:
an unclosed one is plain text, the content of `<nowiki>`, `<pre>`… is never wikitext and the
content of `<ref>`, `<gallery>`… is read as a document of its own, as their hooks do. Like
MediaWiki it never backtracks, so any input takes linear time (mwparserfromhell backtracks on
unclosed constructs: minutes on some member-typed pages). A differential fuzz against
MediaWiki's own preprocessor found no difference (see tests/unit/test_parse_template.py).

For speed (the cold sync parses megabytes), the search skips at once what MediaWiki stops at
only to find it means nothing there, and a call holding no other construct, most of them, is
read in one regex match; tests/unit/test_parser_preprocess_fast.py checks that both give what
the former stop-at-every-character loop gave.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field

# Extension tags whose content is not wikitext: calls inside are never expanded.
OPAQUE_TAGS = (
    "nowiki",
    "pre",
    "syntaxhighlight",
    "source",
    "math",
    "chem",
    "ce",
    "templatedata",
    "timeline",
    "score",
    "hiero",
    "graph",
    "categorytree",
    "imagemap",
    "inputbox",
    "section",
    "templatestyles",
    "langconvert",
    "mapframe",
    "maplink",
    "charinsert",
)
# Extension tags whose content is parsed on its own (templates in it are expanded).
PARSED_TAGS = ("ref", "references", "poem", "gallery", "indicator")
MAX_NESTED_TAGS = 8  # parsed tags inside parsed tags deeper than this are read as opaque
_IGNORED_TAGS = ("noinclude", "/noinclude", "onlyinclude", "/onlyinclude")
_ALLOW_MISSING_END = ("includeonly", "noinclude", "onlyinclude")  # compared as written
_TAG_NAMES = "|".join(map(re.escape, (*OPAQUE_TAGS, *PARSED_TAGS, "includeonly", *_IGNORED_TAGS)))
_ELEMENT = re.compile(rf"({_TAG_NAMES})(?=\s|/>|>|$)|(!--)", re.IGNORECASE)
_TAG_START = rf"<(?=(?i:{_TAG_NAMES})(?=\s|/>|>|$)|!--)"  # a "<" that `_ELEMENT` follows
# open -> (close, {matched count: element kind, or None for literal text}, min, max)
_RULES: dict[str, tuple[str, dict[int, str | None], int, int]] = {
    "{": ("}", {2: "template", 3: "argument"}, 2, 3),
    "[": ("]", {2: None}, 2, 2),
    "-{": ("}-", {2: None}, 2, 2),
}
_RUNS = {c: re.compile(re.escape(c) + "+") for c in "{[=}]"}
_RUNS["}-"] = re.compile(r"[}\-]+")


# A template call holding no other construct: no "{" or "}" (no nested call, no "-{"), no
# "<" (no comment or tag), no line starting with "=" (no heading), no "[" or "]" except in
# links `[[…]]` holding none of these either. MediaWiki's scan of such a call only splits it
# at its "|" and first "=" (outside links): it is read in one match (see `_simple_parts`).
# A failed match stops at the latest at the next "{", where the next attempt can start at the
# earliest: attempts never scan the same text twice, and the scan stays linear.
_SIMPLE_CALL = re.compile(r"\{\{(?!\{)(?:[^{}\[\]<\n]++|\n(?!=)|\[\[[^{}\[\]<\n]*+\]\])*+\}\}")
_SIMPLE_LINK = re.compile(r"\[\[[^{}\[\]<\n]*\]\]")


@dataclass(slots=True)
class Part:
    """One `|`-separated part of a call: [start, end) offsets; `equals` of its first `=`."""

    start: int
    end: int = -1
    equals: int = -1


@dataclass(slots=True)
class Element:
    """A template call (`count` 2) or a template argument (`count` 3), with offsets.

    `parts[0]` is the name; `children` are the calls and arguments inside it, in order. A call
    holding no other construct (`_SIMPLE_CALL`) keeps the text between its braces as `inner`
    (without a link, its parts are that text split at "|") and its parts are only worked out
    when asked for: readers of our calls split `inner` themselves, faster.
    """

    count: int
    start: int
    end: int
    known_parts: list[Part] | None
    children: list[Element]
    inner: str | None = None  # the text between "{{" and "}}" of a call holding nothing else

    @property
    def parts(self) -> list[Part]:
        if self.known_parts is None:
            self.known_parts = _simple_parts(self.start, self.inner or "")
        return self.known_parts


@dataclass(slots=True)
class Document:
    """The top-level calls of a text, and its hidden ranges (comments, `<includeonly>`…)."""

    elements: list[Element]
    hidden: list[tuple[int, int]]


def preprocess(text: str) -> Document:
    """The calls of `text` as MediaWiki sees them when the page itself is viewed."""
    hidden: list[tuple[int, int]] = []
    # The scan builds acyclic objects only, but brace storms keep hundreds of thousands of
    # them alive at once, and the cyclic collector re-walks them all: it doubled the time of
    # the worst 1 MB pages. Paused here (restored as found), it has nothing to miss.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return Document(_Scanner(text, len(text), hidden, 0).scan(0), hidden)
    finally:
        if collecting:
            gc.enable()


@dataclass(slots=True)
class _Piece:
    open: str
    close: str
    count: int
    pos: int  # offset of the first opening character
    parts: list[Part]
    children: list[Element] = field(default_factory=list)
    saved_prefix: bool = False  # a "-" before "{{" that may become "-{"


def _simple_parts(start: int, body: str) -> list[Part]:
    """The parts of the call `_SIMPLE_CALL` matched at `start`, whose inner text is `body`."""
    if "[[" in body:  # the "|" and "=" of a link split nothing: blanked, offsets kept
        body = _SIMPLE_LINK.sub(lambda link: " " * len(link.group()), body)
    chunks = body.split("|")
    offset = start + 2 + len(chunks[0])
    parts = [Part(start + 2, offset)]
    for chunk in chunks[1:]:
        offset += 1
        equals = chunk.find("=")
        parts.append(Part(offset, offset + len(chunk), offset + equals if equals >= 0 else -1))
        offset += len(chunk)
    return parts


def _make_state(opening: str, equals_wanted: bool) -> tuple[re.Pattern[str], bool, bool]:
    """What a top of stack makes special: (search, find `=`, in a heading).

    MediaWiki stops at each character of a set (`strcspn`) and then often finds it means
    nothing there: a lone `{`, `[`, `}` or `]`, a `-` not before `{`, a `<` not opening a tag it
    knows, a new line not followed by `=`. The search looks past those at once; what it stops
    at is handled exactly as MediaWiki handles it.
    """
    closing = _RULES[opening][0] if opening in _RULES else "\n" if opening else ""
    find_pipe = opening in ("{", "-{")
    find_equals = find_pipe and equals_wanted
    events = [r"\{\{", r"-\{", r"\[\[", _TAG_START]
    events.append(r"\n" if opening == "\n" else r"\n(?==)")
    if opening in _RULES:
        events.append(re.escape(closing if opening == "-{" else closing * 2))
    events += [r"\|"] * find_pipe + ["="] * find_equals
    return re.compile("|".join(events)), find_equals, opening == "\n"


# (opening of the top piece, whether its last part is a second-or-later part without "=")
_STATES = {(o, e): _make_state(o, e) for o in ("", "{", "[", "-{", "\n") for e in (False, True)}


def _state(stack: list[_Piece]) -> tuple[re.Pattern[str], bool, bool]:
    if not stack:
        return _STATES["", False]
    parts = stack[-1].parts
    return _STATES[stack[-1].open, len(parts) > 1 and parts[-1].equals < 0]


class _Scanner:
    """One run of the preprocessor over text[start:end] (a page, or a parsed tag's content)."""

    def __init__(self, text: str, end: int, hidden: list[tuple[int, int]], depth: int) -> None:
        self.text = text
        self.end = end
        self.hidden = hidden
        self.depth = depth
        self.no_more_gt = False
        self.no_more_closing: set[str] = set()
        self.stack: list[_Piece] = []
        self.root: list[Element] = []

    def run(self, chars: str, start: int, limit: int) -> int:
        """How many of `chars` follow `start`, at most `limit` (never scanning further)."""
        found = _RUNS[chars].match(self.text, start, min(self.end, start + limit))
        return found.end() - start if found else 0

    def children(self) -> list[Element]:
        return self.stack[-1].children if self.stack else self.root

    def scan(self, i: int) -> list[Element]:
        text, n, stack = self.text, self.end, self.stack
        search, find_equals, in_heading = _state(stack)
        heading = text.startswith("=", i, n)  # the text starts at a line start
        while True:
            if heading:
                heading = False
                count = self.run("=", i, 6)
                if not (count == 1 and find_equals):  # a heading opens
                    stack.append(_Piece("\n", "\n", count, i, [Part(i)]))
                    search, find_equals, in_heading = _state(stack)
                    i += count
                continue
            match = search.search(text, i, n)
            if match is None:
                if not in_heading:
                    break
                i, cur = n, "\n"
            else:
                i = match.start()
                cur = text[i]
            if cur == "{":
                simple = _SIMPLE_CALL.match(text, i, n)
                if simple is not None:  # the common case, read in one step
                    end = simple.end()
                    self.children().append(Element(2, i, end, None, [], text[i + 2 : end - 2]))
                    i = end
                    continue
                count = self.run("{", i, n)
                stack.append(_Piece("{", "}", count, i, [Part(i + count)]))
                i += count
            elif cur == "|":
                parts = stack[-1].parts
                parts[-1].end = i
                parts.append(Part(i + 1))
                i += 1
            elif cur == "=":
                stack[-1].parts[-1].equals = i
                i += 1
            elif cur == "\n":
                if not in_heading:
                    i += 1  # a line start followed by "=": maybe a heading
                    heading = True
                    continue
                piece = stack.pop()  # a heading ends: what it held goes to its parent
                self.children().extend(piece.children)
            elif cur == "<":
                i = self.angle(i)
                continue
            elif cur == "[":
                count = self.run("[", i, n)
                stack.append(_Piece("[", "]", count, i, [Part(i + count)]))
                i += count
            elif cur == "-":
                count = self.run("{", i + 1, n) + 1
                if count > 2:  # "-{{": the braces win, the "-" waits
                    piece = _Piece("{", "}", count - 1, i + 1, [Part(i + count)], [], True)
                else:
                    piece = _Piece("-{", "}-", count, i, [Part(i + count)])
                stack.append(piece)
                i += count
            else:  # "}}", "]]" or "}-" closing the top of the stack
                i = self.close(i, cur)
            search, find_equals, in_heading = _state(stack)

        for piece in stack:  # unclosed: literal text, but what they hold stays
            self.root.extend(piece.children)
        return self.root

    def close(self, i: int, cur: str) -> int:
        """Closing characters at `i` for the top of the stack; the offset after them."""
        piece = self.stack[-1]
        _, names, _, maximum = _RULES[piece.open]
        # At most `maximum` characters close anything: scanning the whole run of "}" at each
        # close made "{" * n + "}" * n quadratic (minutes for a 1 MB page).
        length = self.run("}-" if piece.open == "-{" else cur, i, min(piece.count, maximum))
        matched = min(length, maximum)
        while matched > 0 and matched not in names:
            matched -= 1
        if matched <= 0:
            return i + length
        self.stack.pop()
        children, element = piece.children, None
        if names[matched] is not None:
            piece.parts[-1].end = i
            start = piece.pos + piece.count - matched
            element = Element(matched, start, i + matched, piece.parts, children)
        if matched < piece.count:  # opening characters left: the piece goes on
            piece.count -= matched
            piece.parts, piece.children = [Part(piece.pos + piece.count)], []
            if piece.count >= _RULES[piece.open][2]:
                self.stack.append(piece)
            elif piece.count == 1 and piece.open == "{" and piece.saved_prefix:
                piece.open, piece.close, piece.count = "-{", "}-", 2
                piece.pos, piece.saved_prefix = piece.pos - 1, False
                self.stack.append(piece)
        if element is not None:
            self.children().append(element)
        else:
            self.children().extend(children)
        return i + matched

    def angle(self, i: int) -> int:
        """A `<` at `i`: skip a comment or a tag MediaWiki knows; the offset after it."""
        text, n = self.text, self.end
        tag = _ELEMENT.match(text, i + 1, n)
        if tag is None:
            return i + 1
        if tag.group(2):  # a comment; unclosed, it runs to the end
            end = text.find("-->", i + 4, n)
            end = n if end < 0 else end + 3
            self.hidden.append((i, end))
            return end
        name = tag.group(1)
        lower = name.lower()
        tag_end = -1 if self.no_more_gt else text.find(">", i + len(name) + 1, n)
        if tag_end < 0:  # no ">" anywhere after: stop looking for tags
            self.no_more_gt = True
            return i + 1
        if lower in _IGNORED_TAGS:
            self.hidden.append((i, tag_end + 1))
            return tag_end + 1
        inner = end = tag_end + 1
        if text[tag_end - 1] != "/":
            closing = None
            # Keyed in lower case (the search is case-insensitive): as written, each of the
            # 2^15 spellings of <syntaxhighlight> would scan the rest of the page again.
            if lower not in self.no_more_closing:
                pattern = re.compile(r"</" + re.escape(lower) + r"\s*>", re.IGNORECASE)
                closing = pattern.search(text, tag_end + 1, n)
            if closing is not None:
                inner, end = closing.start(), closing.end()
            elif name in _ALLOW_MISSING_END:
                inner = end = n
            else:  # no end tag: the opening tag is plain text (and stays so from now on)
                self.no_more_closing.add(lower)
                return tag_end + 1
        if lower == "includeonly":
            self.hidden.append((i, end))
        elif lower in PARSED_TAGS and self.depth < MAX_NESTED_TAGS:
            nested = type(self)(text, inner, self.hidden, self.depth + 1)
            self.children().extend(nested.scan(tag_end + 1))
        return end
