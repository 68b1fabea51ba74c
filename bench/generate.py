"""The synthetic cooperative of the benchmarks: members, circles, declarations and a co-budget.

Deterministic for a given size and seed. Every page the wiki's templates count is a source page;
about 1 % of the declarations carry a member's mistake (an unknown circle, an amount that is
not one, a missing or impossible date) so that the anomalies path is exercised too.
"""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from bench import prose
from bench.dump import WikiPage
from bench.wikitext import (
    Declaration,
    Pledge,
    Proposal,
    campaign_page,
    circle_page,
    contribution_page,
    pledge_page,
    proposal_page,
    statement_page,
)

SEED = 2026
YEARS = (2025, 2026)
CAMPAIGN = "Fédération 2026"
DOTATION = Decimal(2000)
PROJECT_CAP = Decimal(500)
MISTAKE_SHARE = 0.01
HOURS = ("1", "1.5", "2", "2.5", "3", "3.5", "4", "0.75", "6", "8", "12")


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    pages: int
    circles: int
    declarations: int
    proposals: int
    pledges: int
    years: int = len(YEARS)  # of declarations, ending in 2026: a longer history, same members

    @property
    def year_range(self) -> tuple[int, ...]:
        return tuple(range(YEARS[-1] - self.years + 1, YEARS[-1] + 1))


def scaled(size: Size, factor: float) -> Size:
    """SIZE with FACTOR times its history: as many members, circles and co-budget, and FACTOR
    times the years, declaration pages and declarations (a wiki that grew over the years)."""
    return Size(
        f"{size.name}x{factor:g}",
        round(size.pages * factor),
        size.circles,
        round(size.declarations * factor),
        size.proposals,
        size.pledges,
        round(size.years * factor),
    )


SIZES = {
    "full": Size("full", 2000, 40, 20_000, 300, 5000),
    "quick": Size("quick", 200, 10, 1000, 30, 300),
    "tiny": Size("tiny", 40, 4, 150, 6, 40),
}


@dataclass(frozen=True, slots=True)
class EditTarget:
    """A clean 2026 declaration written on one line, whose `montant` the benchmark changes."""

    title: str
    call: str
    amount_text: str
    amount: Decimal


@dataclass(slots=True)
class SyntheticWiki:
    size: Size
    pages: list[WikiPage]  # source pages
    templates: list[WikiPage] = field(default_factory=list)
    declarations: int = 0
    mistakes: int = 0
    pledges: int = 0
    edit_targets: list[EditTarget] = field(default_factory=list)
    campaign: str = CAMPAIGN

    @property
    def text_bytes(self) -> int:
        return sum(len(page.text.encode("utf-8")) for page in self.pages)


def generate(
    size: Size, *, seed: int = SEED, templates: list[WikiPage] | None = None
) -> SyntheticWiki:
    """Build every page of a synthetic wiki of SIZE (templates: the `Modèle:` pages to include)."""
    return _Builder(size, random.Random(seed)).build(templates or [])


class _Builder:
    def __init__(self, size: Size, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.circles = prose.circle_names(size.circles)
        n_pledge_pages = max(1, round(size.pledges * 0.6 / 20))
        self.n_statements = max(1, size.pages // 100)
        self.n_contribution_pages = (
            size.pages - size.circles - 1 - size.proposals - n_pledge_pages - self.n_statements
        )
        if self.n_contribution_pages < 1:
            raise ValueError(f"size {size.name}: too few pages for its circles and proposals")
        n_participants = max(n_pledge_pages, math.ceil(size.pledges / (0.6 * size.proposals)))
        # about six declaration pages per member for each two years of history
        pages_per_member = 3 * size.years
        n_members = max(math.ceil(self.n_contribution_pages / pages_per_member), n_participants, 4)
        self.members = prose.member_names(n_members, rng)
        self.participants = self.members[:n_participants]
        self.pledgers_with_page = set(self.participants[:n_pledge_pages])
        self.home = {
            m: rng.sample(self.circles, min(len(self.circles), rng.randint(1, 3)))
            for m in self.members
        }

    def build(self, templates: list[WikiPage]) -> SyntheticWiki:
        wiki = SyntheticWiki(self.size, [], templates)
        years = self.size.year_range
        slots = [(m, y, q) for m in self.members for y in years for q in range(1, 5)]
        slots = self.rng.sample(slots, self.n_contribution_pages)
        on_circles = round(self.size.declarations * 0.03)
        per_page = self._spread(self.size.declarations - on_circles, len(slots))
        mistakes = set(
            self.rng.sample(
                range(self.size.declarations), max(1, round(self.size.declarations * MISTAKE_SHARE))
            )
        )
        index = 0
        contribution_pages: list[tuple[str, list[Declaration]]] = []
        for (member, year, quarter), count in zip(slots, per_page, strict=True):
            items = []
            for _ in range(count):
                items.append(self._declaration(member, year, quarter, index in mistakes))
                index += 1
            title = f"Utilisateur:{member}/Contributions {year}/T{quarter}"
            contribution_pages.append((title, sorted(items, key=lambda d: d.date)))
        by_circle: dict[str, list[Declaration]] = {c: [] for c in self.circles}
        for _ in range(on_circles):
            member = self.rng.choice(self.members)
            year, quarter = self.rng.choice(years), self.rng.randint(1, 4)
            decl = self._declaration(member, year, quarter, index in mistakes)
            by_circle[self.rng.choice(self.circles)].append(decl)
            index += 1
        requested = self._requested(
            [d for _, ds in contribution_pages for d in ds]
            + [d for ds in by_circle.values() for d in ds]
        )
        for circle in self.circles:
            envelopes = {y: self._envelope(requested.get((circle, y), Decimal(0))) for y in years}
            referents = self.rng.sample(self.members, 2)
            text = circle_page(
                circle, referents, envelopes, by_circle[circle], self.rng, self._prose
            )
            wiki.pages.append(WikiPage(f"Cercle {circle}", 0, text))
        for title, items in contribution_pages:
            owner = title.split(":", 1)[1].split("/", 1)[0]
            text, calls = contribution_page(items, self.rng, self._prose)
            wiki.pages.append(WikiPage(title, 2, text, owner))
            wiki.edit_targets += [EditTarget(title, *call) for call in calls]
        self._add_campaign(wiki)
        for member in self.rng.sample(
            sorted({t.split(":")[1].split("/")[0] for t, _ in contribution_pages}),
            self.n_statements,
        ):
            wiki.pages.append(
                WikiPage(f"Utilisateur:{member}", 2, statement_page(self._prose()), member)
            )
        wiki.declarations = self.size.declarations
        wiki.mistakes = len(mistakes)
        self.rng.shuffle(wiki.edit_targets)
        return wiki

    # -- declarations ---------------------------------------------------------------------

    def _spread(self, total: int, pages: int) -> list[int]:
        """TOTAL items over PAGES pages, at least one each, unevenly."""
        counts = [1] * pages
        weights = [self.rng.uniform(0.3, 1.7) for _ in range(pages)]
        for page in self.rng.choices(range(pages), weights, k=total - pages):
            counts[page] += 1
        return counts

    def _declaration(self, member: str, year: int, quarter: int, mistake: bool) -> Declaration:
        rng = self.rng
        month = (quarter - 1) * 3 + rng.randint(1, 3)
        date = datetime.date(year, month, rng.randint(1, 28))
        circle = rng.choice(self.home[member]) if rng.random() < 0.8 else rng.choice(self.circles)
        status = rng.choices(
            ["", "déclarée", "validée", "versée", "refusée", "bénévole"], [30, 15, 20, 22, 3, 10]
        )[0]
        kind = rng.random()  # < 0.45: hours only; < 0.8: an amount only; else both
        hours = Decimal(rng.choice(HOURS))
        amount = Decimal(rng.randrange(20, 1200, 10))
        if kind >= 0.8 and rng.random() < 0.9:
            amount = min(amount, hours * 30)  # both given: mostly within the hourly ceiling
        with_hours = kind < 0.45 or kind >= 0.8 or status == "bénévole"
        with_amount = kind >= 0.45 and status != "bénévole"
        error = ""
        if mistake:
            error = rng.choice(["circle", "amount", "no-date", "bad-date"])
            if error == "circle":
                circle = _near_miss(circle)
        return Declaration(
            member,
            circle,
            date,
            hours if with_hours else None,
            amount if with_amount else None,
            rng.choice(prose.MISSIONS),
            status,
            error,
        )

    def _requested(self, declarations: list[Declaration]) -> dict[tuple[str, int], Decimal]:
        totals: dict[tuple[str, int], Decimal] = {}
        for d in declarations:
            if d.status in ("refusée", "bénévole"):
                continue
            value = d.amount if d.amount is not None else (d.hours or Decimal(0)) * 30
            key = (d.circle, d.date.year)
            totals[key] = totals.get(key, Decimal(0)) + value
        return totals

    def _envelope(self, requested: Decimal) -> Decimal:
        """Most circles keep within their envelope; about a third ask for more."""
        factor = Decimal(str(round(self.rng.uniform(0.75, 1.6), 2)))
        return max(Decimal(500), (requested * factor / 100).quantize(Decimal(1)) * 100)

    def _prose(self) -> str:
        return prose.paragraph(self.rng, circles=self.circles, members=self.members)

    # -- co-budget ------------------------------------------------------------------------

    def _add_campaign(self, wiki: SyntheticWiki) -> None:
        rng = self.rng
        proposals = []
        for title in prose.project_titles(self.size.proposals):
            minimum = Decimal(rng.randrange(300, 3000, 50))
            maximum = (
                (minimum * Decimal("1.5")).quantize(Decimal(1)) if rng.random() < 0.6 else None
            )
            status = rng.choices(["", "annulé", "réalisé"], [90, 5, 5])[0]
            holders = rng.sample(self.members, rng.randint(1, 2))
            proposals.append(
                Proposal(title, minimum, maximum, holders, rng.random() < 0.15, status)
            )
        open_projects = [p for p in proposals if p.status != "annulé"]
        on_project: dict[str, list[Pledge]] = {p.title: [] for p in proposals}
        on_member: dict[str, list[Pledge]] = {m: [] for m in self.pledgers_with_page}
        base, extra = divmod(self.size.pledges, len(self.participants))
        for number, member in enumerate(self.participants):
            count = min(base + (number < extra), len(open_projects))
            for project in rng.sample(open_projects, count):
                share = DOTATION / count * Decimal(str(round(rng.uniform(0.4, 1.0), 2)))
                amount = max(
                    Decimal(5), min(PROJECT_CAP, (share / 5).quantize(Decimal(1), "ROUND_DOWN") * 5)
                )
                pledge = Pledge(project.title, member, amount)
                if member in on_member and (not on_member[member] or rng.random() < 0.6):
                    on_member[member].append(pledge)
                else:
                    on_project[project.title].append(pledge)
                wiki.pledges += 1
        envelope = DOTATION * len(self.participants)
        text = campaign_page(
            CAMPAIGN, envelope, self.participants, PROJECT_CAP, proposals, self._prose
        )
        wiki.pages.append(WikiPage(f"Cobudget {CAMPAIGN}", 0, text))
        for proposal in proposals:
            text = proposal_page(CAMPAIGN, proposal, on_project[proposal.title], rng, self._prose)
            wiki.pages.append(WikiPage(f"Cobudget {CAMPAIGN}/Projet {proposal.title}", 0, text))
        for member in sorted(on_member):
            text = pledge_page(CAMPAIGN, DOTATION, on_member[member], rng, self._prose)
            wiki.pages.append(
                WikiPage(f"Utilisateur:{member}/Cobudget {CAMPAIGN}", 2, text, member)
            )


def _near_miss(name: str) -> str:
    """A circle name as a hurried member types it: without its accents, or missing a letter."""
    plain = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return plain if plain != name else name[:-1]


U_TEMPLATE = (
    "<includeonly>[[Utilisateur:{{{1}}}|{{{1}}}]]</includeonly>"
    "<noinclude>Lien vers la page d'un·e membre.</noinclude>"
)


def template_pages() -> list[WikiPage]:
    """The project's `Modèle:` pages as configured by default, and `{{u}}` for user links."""
    from render.config import SyncConfig  # imported here: it needs the parser package
    from sync.templates import template_sources

    pages = [
        WikiPage("Modèle:" + source.title.split(":", 1)[1], 10, source.text)
        for source in template_sources(SyncConfig())
    ]
    return [*pages, WikiPage("Modèle:U", 10, U_TEMPLATE)]
