"""What a sync needs to know about one cooperative's wiki: template names, page titles, rates.

Nothing about Optéos is hard-coded elsewhere: these defaults are the Optéos conventions and
every one can be changed in `wikiledger.toml` (see `service/config.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from ledger.contribution import DEFAULT_RATE
from ledger.governance import GovernanceSettings
from ledger.name import DEFAULT_USER_NAMESPACES
from ledger.plausibility import Limits
from parsers.page import TemplateNames

_NOT_IN_TITLES = re.compile(r"[\[\]{}|<>#\x00-\x1f\x7f]")


MAX_TITLE_BYTES = 255  # MediaWiki's limit on a title (without its namespace), in UTF-8


def title_refusal(title: str) -> str | None:
    """Why MediaWiki would refuse `title` (in French), or None when it can be a page's title."""
    found = _NOT_IN_TITLES.search(title)
    if found is not None:
        shown = found[0] if found[0].isprintable() else "caractère de contrôle"
        return f"le caractère « {shown} » est interdit dans un titre"
    if len(title.partition(":")[2 if ":" in title else 0].encode()) > MAX_TITLE_BYTES:
        return f"un titre ne peut dépasser {MAX_TITLE_BYTES} octets"
    return None


@dataclass(frozen=True)
class PageTitles:
    """Titles of the pages the bot writes; `{année}`, `{cercle}`, `{campagne}` are filled in."""

    registry: str = "Contribution-rétribution/Registre {année}"
    registry_circle: str = "Contribution-rétribution/Registre {année}/{cercle}"
    anomalies: str = "Contribution-rétribution/Anomalies"
    contribution_data: str = "Contribution-rétribution/Données"
    bilan: str = "Cobudget {campagne}/Bilan"
    campaign_data: str = "Cobudget {campagne}/Données"
    card_data: str = "Contribution-rétribution/Suivi/{n}"  # shards of card feedback (render.card)
    # Members' own pages, where the cards' "Déclarer" buttons open the editor (render.declare);
    # not written by the bot.
    declarations: str = "Utilisateur:{nom}/Contributions {année}"
    pledges: str = "Utilisateur:{nom}/Cobudget {campagne}"
    # The text those buttons preload, installed with the templates (outside the template
    # namespace, so that VisualEditor's template search does not offer it).
    preload: str = "Contribution-rétribution/Préchargement/{modèle}"

    def registry_for(self, year: int) -> str:
        return self.registry.replace("{année}", str(year)).replace("{annee}", str(year))

    def registry_circle_for(self, year: int, circle: str) -> str:
        """The page of one circle's declarations of the year, spelt as MediaWiki stores it.

        Characters MediaWiki refuses in titles (`[]{}|<>#` and control characters) become `-`;
        `_` is a space and spaces are collapsed, as in MediaWiki's own titles.
        """
        name = " ".join(_NOT_IN_TITLES.sub("-", circle).replace("_", " ").split())
        title = self.registry_circle.replace("{année}", str(year)).replace("{annee}", str(year))
        return title.replace("{cercle}", name)

    def bilan_for(self, campaign: str) -> str:
        return self.bilan.replace("{campagne}", campaign)

    def campaign_data_for(self, campaign: str) -> str:
        return self.campaign_data.replace("{campagne}", campaign)

    def card_data_for(self, shard: int) -> str:
        return self.card_data.replace("{n}", str(shard))

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """Regular expressions matching every title the bot may write (statements aside);
        compiled once, since `is_output` runs for every listed page."""
        return tuple(
            _title_pattern(template)
            for template in (
                self.registry,
                self.registry_circle,
                self.anomalies,
                self.contribution_data,
                self.bilan,
                self.campaign_data,
                self.card_data,
            )
        )

    @cached_property
    def data_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(
            _title_pattern(t) for t in (self.contribution_data, self.campaign_data, self.card_data)
        )

    def is_output(self, title: str) -> bool:
        """Whether `title` is one of the bot's own pages (never read as a source)."""
        normalized = title.replace("_", " ")
        return any(pattern.match(normalized) for pattern in self.patterns)

    @cached_property
    def card_data_pattern(self) -> re.Pattern[str]:
        return _title_pattern(self.card_data)

    def is_card_data(self, title: str) -> bool:
        """Whether `title` is one of the shards of card feedback (render.card)."""
        return bool(self.card_data_pattern.match(title.replace("_", " ")))

    def is_data(self, title: str) -> bool:
        """Whether `title` is one of the data pages the wiki's templates read."""
        normalized = title.replace("_", " ")
        return any(pattern.match(normalized) for pattern in self.data_patterns)


def _title_pattern(template: str) -> re.Pattern[str]:
    """A title template (`Cobudget {campagne}/Bilan`) as a regular expression."""
    regex = re.escape(template)
    for placeholder in ("{année}", "{annee}", "{cercle}", "{campagne}", "{n}"):
        regex = regex.replace(re.escape(placeholder), ".+")
    return re.compile(f"^{regex}$")


@dataclass(frozen=True)
class SyncConfig:
    templates: TemplateNames = field(default_factory=TemplateNames)
    pages: PageTitles = field(default_factory=PageTitles)
    default_rate: Decimal = DEFAULT_RATE
    limits: Limits = field(default_factory=Limits)  # plausibility of one declaration
    closing_floor: Decimal | None = None  # `[closing] floor`: the plancher option shown too
    user_namespaces: tuple[str, ...] = DEFAULT_USER_NAMESPACES
    edit_retries: int = 3
    timezone: str = "Europe/Paris"  # for the "updated on" line of summary pages
    # who may validate and pay, warn or enforce (`[governance]`; issue 12)
    governance: GovernanceSettings = field(default_factory=GovernanceSettings)

    def template_titles(self) -> list[str]:
        """Our templates as titles the API accepts (`Template:` works on every language)."""
        names = self.templates
        return [
            f"Template:{name}"
            for name in (
                names.circle,
                names.envelope,
                names.contribution,
                names.campaign,
                names.project,
                names.pledge,
                names.statement,
                names.closing,
            )
        ]
