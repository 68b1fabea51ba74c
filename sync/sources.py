"""Which pages are sources, and how each is parsed: the redirects to our templates (aliases),
the other templates that call ours (bearers, whose calls are reported where used), and the
parse of a page or of one of its revisions (for the history), each made once.

The engine asks this room for the list of source pages and for each page's parse; the parse
cache's key (`fingerprint`) covers what shapes a parse here.
"""

from __future__ import annotations

from collections.abc import Iterable

from ledger.record import Problem, Records
from parsers.card import CardCall
from parsers.page import parse_page_cards
from render.config import SyncConfig
from sync.cache import parser_fingerprint
from sync.port import PageInfo, WikiPort

Parsed = tuple[Records, list[Problem], tuple[CardCall, ...]]  # one page's records, problems, cards


def is_template(title: str) -> bool:
    return title.startswith(("Modèle:", "Template:"))


def aliases_of(redirects: dict[str, str]) -> dict[str, str]:
    """{alias template name: our template name} from {redirect title: template title}."""
    return {alias.split(":", 1)[1]: target.split(":", 1)[1] for alias, target in redirects.items()}


class Sources:
    """The source pages of one wiki and their parse, for one engine."""

    def __init__(self, wiki: WikiPort, config: SyncConfig) -> None:
        self.wiki = wiki
        self.config = config
        self.aliases: dict[str, str] | None = None  # None: not read from the wiki yet
        # other templates that call ours (listed as transcluding them): reported where used
        self.bearers: frozenset[str] = frozenset()
        # {title: (text, its parse)}: the history's last parse of each page (`parse`)
        self._last: dict[str, tuple[str, Parsed]] = {}

    def fingerprint(self) -> str:
        return parser_fingerprint(self.config, self.aliases or {}, self.bearers)

    def list(self, *, first: bool) -> dict[int, PageInfo]:
        """The source pages and their revisions; the redirects to our templates on the way.
        `first`: nothing cached, so page ids only (their content brings the revisions)."""
        titles = self.config.template_titles()
        if not first:
            self.aliases = self.template_aliases()
            return self.sources(self.wiki.list_transclusions(titles))
        redirects, pages = self.wiki.template_sources(titles)
        self.aliases = aliases_of(redirects)
        return self.sources(pages)

    def follow(self, titles: Iterable[str]) -> None:
        """Before a sync of named pages: read the aliases again when a template is among them
        (a template that calls ours may have been made: its callers are parsed again, as the
        fingerprint changes)."""
        if self.aliases is None or any(is_template(t) for t in titles):
            self.aliases = self.template_aliases()
            self.bearers = self.other_templates(
                self.wiki.transcluding_templates(self.config.template_titles())
            )

    def template_aliases(self) -> dict[str, str]:
        """{alias template name: our template name} from the wiki's redirects."""
        return aliases_of(self.wiki.template_redirects(self.config.template_titles()))

    def sources(self, listed: dict[int, PageInfo]) -> dict[int, PageInfo]:
        """The listed pages that are sources: not template pages (they document calls), not
        our own pages. Other templates listed are remembered: their calls are reported."""
        self.bearers = self.other_templates(
            info.title for info in listed.values() if info.namespace == 10
        )
        return {
            page_id: info
            for page_id, info in listed.items()
            if info.namespace != 10 and not self.config.pages.is_output(info.title)
        }

    def other_templates(self, template_titles: Iterable[str]) -> frozenset[str]:
        """Names of the templates among these titles that are neither ours nor redirects to
        ours: templates that hold declarations of their own."""
        ours = {t.split(":", 1)[1] for t in self.config.template_titles()}
        ours |= set(self.aliases or {})
        names = (title.split(":", 1)[1] for title in template_titles)
        return frozenset(name for name in names if name not in ours)

    def parse(self, title: str, namespace: int, text: str) -> Parsed:
        """One page's parse (our own pages and template pages hold no records); the one the
        history just made of that text is taken as it is (a first sync parses each page's
        latest revision once)."""
        if self.config.pages.is_output(title) or namespace == 10:
            return Records(), [], ()
        known = self._last.pop(title, None)
        if known is not None and known[0] == text:
            return known[1]
        return self._parse(title, text)

    def records(self, title: str, text: str) -> Records:
        """A revision's records, parsed as the sync parses pages (for the history); the last
        parse of each page is kept for `parse`."""
        if self.config.pages.is_output(title):
            return Records()
        parsed = self._parse(title, text)
        self._last[title] = (text, parsed)
        return parsed[0]

    def forget_parses(self) -> None:
        self._last.clear()

    def _parse(self, title: str, text: str) -> Parsed:
        return parse_page_cards(
            title,
            text,
            self.config.templates,
            self.aliases or {},
            self.bearers,
            self.config.user_namespaces,
        )
