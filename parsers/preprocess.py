"""Where templates really are in wikitext: a linear port of MediaWiki's preprocessor.

This follows `Preprocessor_Hash::buildDomTreeArrayFromText` (MediaWiki 1.39) for a page being
viewed: brace matching with a stack (`{{`, `{{{`, `[[`, `-{`, headings), `|` and `=` splitting,
comments (an unclosed one runs to the end), `<includeonly>` (hidden; unclosed runs to the end),
`<noinclude>`/`<onlyinclude>` tags (dropped, content kept) and extension tags whose content is
opaque (`<nowiki>`, `<pre>`, …; unclosed ones are plain text). Like MediaWiki it never
backtracks, so any input is parsed in linear time; mwparserfromhell backtracks on unclosed
constructs and took minutes on some member-typed pages (see tests/unit/test_parse_template.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Extension tags whose content is not wikitext: templates inside are never expanded.
# Tags whose content *is* parsed (ref, poem, gallery…) are read through, as plain text.
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
_IGNORED_TAGS = ("noinclude", "/noinclude", "onlyinclude", "/onlyinclude")
_ALLOW_MISSING_END = ("includeonly", "noinclude", "onlyinclude")  # compared as written
_TAG_NAMES = "|".join(map(re.escape, (*OPAQUE_TAGS, "includeonly", *_IGNORED_TAGS)))
_ELEMENT = re.compile(rf"({_TAG_NAMES})(?=\s|/>|>|$)|(!--)", re.IGNORECASE)
# open -> (close, {matched count: element kind or None for literal text}, min, max)
_RULES: dict[str, tuple[str, dict[int, str | None], int, int]] = {
    "{": ("}", {2: "template", 3: "argument"}, 2, 3),
    "[": ("]", {2: None}, 2, 2),
    "-{": ("}-", {2: None}, 2, 2),
}
_RUNS = {c: re.compile(re.escape(c) + "+") for c in "{[=}]"}
_RUNS["}-"] = re.compile(r"[}\-]+")
_SEARCH: dict[tuple[str, bool, bool], re.Pattern[str]] = {}


@dataclass(slots=True)
class Part:
    """One `|`-separated part of a call: [start, end) offsets; `equals` of its first `=`."""

    start: int
    end: int = -1
    equals: int = -1


@dataclass(slots=True)
class Element:
    """A template call (`count` 2) or a template argument (`count` 3), with offsets.

    `parts[0]` is the name; `children` are the calls and arguments inside it, in order.
    """

    count: int
    start: int
    end: int
    parts: list[Part]
    children: list[Element]


@dataclass(slots=True)
class Document:
    """The top-level calls of a text, and the hidden ranges (comments, `<includeonly>`…)."""

    elements: list[Element]
    hidden: list[tuple[int, int]]


@dataclass(slots=True)
class _Piece:
    open: str
    close: str
    count: int
    pos: int  # offset of the first opening character
    parts: list[Part]
    children: list[Element] = field(default_factory=list)
    saved_prefix: bool = False  # a "-" before "{{" that may become "-{"


def _search(closing: str, find_pipe: bool, find_equals: bool) -> re.Pattern[str]:
    key = (closing, find_pipe, find_equals)
    pattern = _SEARCH.get(key)
    if pattern is None:
        chars = "[{<\n-" + closing + ("|" if find_pipe else "") + ("=" if find_equals else "")
        pattern = _SEARCH[key] = re.compile("[" + re.escape(chars) + "]")
    return pattern


def _run(text: str, chars: str, start: int, limit: int | None = None) -> int:
    found = _RUNS[chars].match(text, start)
    length = found.end() - start if found else 0
    return length if limit is None else min(length, limit)


def preprocess(text: str) -> Document:
    """The calls of `text` as MediaWiki sees them when the page itself is viewed."""
    n = len(text)
    stack: list[_Piece] = []
    root: list[Element] = []
    hidden: list[tuple[int, int]] = []
    no_more_gt = False
    no_more_closing: set[str] = set()
    find_pipe = find_equals = in_heading = False
    line_start_pending = True  # the text starts at a line start
    i = 0

    def flags() -> tuple[bool, bool, bool]:
        if not stack:
            return False, False, False
        top = stack[-1]
        pipe = top.open not in ("\n", "[")
        return pipe, pipe and len(top.parts) > 1 and top.parts[-1].equals < 0, top.open == "\n"

    while True:
        if line_start_pending:
            line_start_pending, found, cur = False, "line-start", ""
        else:
            closing = stack[-1].close if stack else ""
            match = _search(closing, find_pipe, find_equals).search(text, i)
            i = match.start() if match else n
            if i >= n:
                if closing != "\n":
                    break
                found, cur = "line-end", ""
            else:
                cur = text[i]
                two = text[i : i + 2]
                if cur == "|":
                    found = "pipe"
                elif cur == "=":
                    found = "equals"
                elif cur == "<":
                    found = "angle"
                elif cur == "\n":
                    found = "line-end" if in_heading else "line-start"
                    i += 0 if in_heading else 1
                elif two == closing:
                    found, cur = "close", two
                elif cur == closing:
                    found = "close"
                elif two in _RULES:
                    found, cur = "open", two
                elif cur in _RULES:
                    found = "open"
                else:
                    i += 1  # a "-" or "}" that opens or closes nothing
                    continue

        if found == "angle":
            tag = _ELEMENT.match(text, i + 1)
            if tag is None:
                i += 1
            elif tag.group(2):  # a comment; unclosed, it runs to the end
                end = text.find("-->", i + 4)
                end = n if end < 0 else end + 3
                hidden.append((i, end))
                i = end
            else:
                i = _tag(text, i, tag.group(1), hidden, no_more_closing, no_more_gt)
                if i < 0:  # no ">" anywhere after: stop looking for tags (as MediaWiki)
                    no_more_gt, i = True, -i
        elif found == "line-start":
            count = _run(text, "=", i, 6)
            if count and not (count == 1 and find_equals):  # a heading opens
                stack.append(_Piece("\n", "\n", count, i, [Part(i)]))
                find_pipe, find_equals, in_heading = flags()
                i += count
        elif found == "line-end":  # a heading ends: what it held goes to its parent
            piece = stack.pop()
            (stack[-1].children if stack else root).extend(piece.children)
            find_pipe, find_equals, in_heading = flags()
        elif found == "open":
            count = _run(text, cur[-1], i + 1) + 1 if len(cur) > 1 else _run(text, cur, i)
            saved = False
            if cur == "-{" and count > 2:  # "-{{": the braces win, the "-" waits
                saved, i, cur, count = True, i + 1, "{", count - 1
            close, _, minimum, _ = _RULES[cur]
            if count >= minimum:
                stack.append(_Piece(cur, close, count, i, [Part(i + count)], saved_prefix=saved))
                find_pipe, find_equals, in_heading = flags()
            i += count
        elif found == "close":
            piece = stack[-1]
            _, names, _, maximum = _RULES[piece.open]
            length = _run(text, "}-" if piece.open == "-{" else cur, i, piece.count)
            matched = min(length, maximum)
            while matched > 0 and matched not in names:
                matched -= 1
            if matched <= 0:
                i += length
                continue
            stack.pop()
            children = piece.children
            element = None
            if names[matched] is not None:
                piece.parts[-1].end = i
                start = piece.pos + piece.count - matched
                element = Element(matched, start, i + matched, piece.parts, children)
            i += matched
            if matched < piece.count:  # opening characters left: the piece goes on
                piece.count -= matched
                piece.parts, piece.children = [Part(piece.pos + piece.count)], []
                if piece.count >= _RULES[piece.open][2]:
                    stack.append(piece)
                elif piece.count == 1 and piece.open == "{" and piece.saved_prefix:
                    piece.open, piece.close, piece.count = "-{", "}-", 2
                    piece.pos, piece.saved_prefix = piece.pos - 1, False
                    stack.append(piece)
            target = stack[-1].children if stack else root
            if element is not None:
                target.append(element)
            else:
                target.extend(children)
            find_pipe, find_equals, in_heading = flags()
        elif found == "pipe":
            stack[-1].parts[-1].end = i
            stack[-1].parts.append(Part(i + 1))
            find_equals = True
            i += 1
        else:  # equals
            stack[-1].parts[-1].equals = i
            find_equals = False
            i += 1

    for piece in stack:  # unclosed: literal text, but what they hold stays
        root.extend(piece.children)
    return Document(root, hidden)


def _tag(
    text: str,
    i: int,
    name: str,
    hidden: list[tuple[int, int]],
    no_more_closing: set[str],
    no_more_gt: bool,
) -> int:
    """Skip the tag `<name…` at `i`; the offset after it (negated when no `>` follows)."""
    lower = name.lower()
    tag_end = -1 if no_more_gt else text.find(">", i + len(name) + 1)
    if tag_end < 0:
        return -(i + 1)
    if lower in _IGNORED_TAGS:
        hidden.append((i, tag_end + 1))
        return tag_end + 1
    if text[tag_end - 1] == "/":
        end = tag_end + 1
    else:
        closing = None
        if name not in no_more_closing:
            closing = re.compile(r"</" + re.escape(name) + r"\s*>", re.IGNORECASE).search(
                text, tag_end + 1
            )
        if closing is not None:
            end = closing.end()
        elif name in _ALLOW_MISSING_END:
            end = len(text)
        else:  # no end tag: the opening tag is plain text (and stays so from now on)
            no_more_closing.add(name)
            return tag_end + 1
    if lower == "includeonly":
        hidden.append((i, end))
    return end
