"""Finding template calls in wikitext the way MediaWiki reads them, with their line numbers.

Template names are normalised as MediaWiki does (namespace prefix, `_` = space, first letter);
parameter names loosely (accents, case, spaces and underscores ignored). Calls inside
`<nowiki>`, `<pre>`, comments, `<includeonly>` and other non-wikitext tags, and inside
parser-function calls (`{{#if:…}}`), are not declarations. mwparserfromhell keeps no
positions, but its parse is lossless: offsets are sums of the lengths of preceding nodes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Comment, Heading, Node, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from ledger.name import fold
from parsers.marker import blank_generated

TEMPLATE_PREFIXES = ("modele", "template")
# Tags whose content is not read as wikitext (or not shown on the page itself).
SKIPPED_TAGS = frozenset(
    {
        "nowiki",
        "pre",
        "includeonly",
        "syntaxhighlight",
        "source",
        "math",
        "chem",
        "templatedata",
        "score",
        "timeline",
        "graph",
        "hiero",
        "code-block",
    }
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
MAX_PAGE_CHARS = 4_000_000  # far beyond any real page; a larger one becomes a problem


@dataclass(frozen=True, slots=True)
class Param:
    name: str  # as written, stripped
    value: str  # raw wikitext, comments removed, stripped
    line: int


@dataclass(slots=True)
class TemplateCall:
    kind: str  # the canonical template name it resolves to
    written: str  # the name as written
    line: int
    params: dict[str, Param] = field(default_factory=dict)  # by normalised name, last wins
    duplicates: list[Param] = field(default_factory=list)  # earlier values MediaWiki ignores
    positional: list[Param] = field(default_factory=list)


def strip_comments(text: str) -> str:
    return _COMMENT.sub("", text)


def normalize_template_name(name: str) -> str | None:
    """`modèle:contribution_x` -> `Contribution x`; None for `{{:Page}}` and parser functions."""
    name = " ".join(strip_comments(name).replace("_", " ").split())
    if not name or name.startswith(("#", ":")):
        return None
    prefix, colon, rest = name.partition(":")
    if colon:
        if fold(prefix) not in TEMPLATE_PREFIXES:
            return None  # another namespace, a magic word or a subst:
        name = rest.strip()
    return name[:1].upper() + name[1:] if name else None


def normalize_param_name(name: str) -> str:
    """`année`, `annee`, `Annee` and `an_née` are the same parameter."""
    return fold(name).replace(" ", "")


class _Lines:
    def __init__(self, text: str) -> None:
        self._starts = [i for i, ch in enumerate(text) if ch == "\n"]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._starts, offset) + 1


def find_calls(text: str, wanted: Mapping[str, str]) -> list[TemplateCall]:
    """Every call of a template in `wanted` ({normalised name: canonical kind}), in order."""
    text = blank_generated(text)
    lowered = text.lower()
    if not any(name[:1].lower() + name[1:].lower() in lowered for name in _variants(wanted)):
        return []  # the cheap case: none of our names occurs at all
    finder = _Finder(text, wanted)
    finder.walk(mwparserfromhell.parse(text, skip_style_tags=True), 0)
    return finder.calls


def _variants(wanted: Mapping[str, str]) -> set[str]:
    names = set()
    for name in wanted:
        names.add(name)
        names.add(name.replace(" ", "_"))
    return names


class _Finder:
    def __init__(self, text: str, wanted: Mapping[str, str]) -> None:
        self.lines = _Lines(text)
        self.wanted = wanted
        self.calls: list[TemplateCall] = []

    def walk(self, code: Wikicode, offset: int) -> None:
        for node in code.nodes:
            size = len(str(node))
            self.visit(node, offset)
            offset += size

    def visit(self, node: Node, offset: int) -> None:
        if isinstance(node, (Text, Comment)):
            return
        if isinstance(node, Template):
            self.template(node, offset)
        elif isinstance(node, Tag):
            if str(node.tag).strip().lower() in SKIPPED_TAGS or node.contents is None:
                return
            whole, contents = str(node), str(node.contents)
            end = whole.rfind("</") if node.closing_tag is not None else len(whole)
            start = end - len(contents)
            if start < 0 or whole[start:end] != contents:
                start = whole.find(contents)
            self.walk(node.contents, offset + max(start, 0))
        elif isinstance(node, Wikilink):
            if node.text is not None:
                self.walk(node.text, offset + 2 + len(str(node.title)) + 1)
        elif isinstance(node, Heading):
            self.walk(node.title, offset + node.level)

    def template(self, node: Template, offset: int) -> None:
        written = str(node.name)
        name = normalize_template_name(written)
        if written.strip().startswith("#"):
            return  # parser function: its branches are not declarations
        kind = self.wanted.get(name) if name is not None else None
        call = (
            TemplateCall(kind, " ".join(written.split()), self.lines.line(offset)) if kind else None
        )
        position = offset + 2 + len(written)
        for param in node.params:
            position += 1  # the "|"
            param_name = str(param.name)
            value_offset = position + len(param_name) + 1 if param.showkey else position
            if call is not None:
                self.add_param(call, param_name, str(param.value), param.showkey, value_offset)
            self.walk(param.value, value_offset)  # templates nested in a value are expanded
            position += len(str(param))
        if call is not None:
            self.calls.append(call)

    def add_param(
        self, call: TemplateCall, name: str, value: str, showkey: bool, offset: int
    ) -> None:
        line = self.lines.line(offset + len(value) - len(value.lstrip()))
        param = Param(name.strip(), strip_comments(value).strip(), line)
        if not showkey:
            if param.value:
                call.positional.append(param)
            return
        key = normalize_param_name(param.name)
        if key in call.params:
            call.duplicates.append(call.params[key])
        call.params[key] = param
