"""Installing the `Modèle:` pages of `wiki_templates/mediawiki/` on the wiki, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from render.config import SyncConfig
from render.declare import fill_card_placeholders, preload_title
from render.templatedata import suggested_circles, with_suggested_circles
from sync.wiki import WikiClient

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "wiki_templates" / "mediawiki"
SUMMARY = "wikiledger : installation ou mise à jour du modèle"


@dataclass(frozen=True, slots=True)
class TemplateSource:
    title: str  # e.g. "Template:Contribution" with the configured name; or a preload page
    text: str


def template_sources(config: SyncConfig) -> list[TemplateSource]:
    """The template pages to install, named and filled in from the configuration."""
    names = config.templates
    configured = {
        "Cercle": names.circle,
        "Enveloppe cercle": names.envelope,
        "Contribution": names.contribution,
        "Cobudget": names.campaign,
        "Projet cobudget": names.project,
        "Soutien cobudget": names.pledge,
        "Relevé": names.statement,
        "Clôture cercle": names.closing,
    }
    # `{campagne}` stays: the template fills it in with every spelling of the parameter
    campaign_data = config.pages.campaign_data
    sources = []
    for path in sorted(TEMPLATE_DIR.glob("*.wiki")):
        name = configured.get(path.stem, path.stem)
        text = (
            path.read_text(encoding="utf-8")
            .replace("@@CONTRIBUTION_DATA_PAGE@@", config.pages.contribution_data)
            .replace("@@COBUDGET_DATA_PAGE@@", campaign_data)
        )
        sources.append(TemplateSource(f"Template:{name}", fill_card_placeholders(text, config)))
    return sources


def preload_sources(config: SyncConfig) -> list[TemplateSource]:
    """The texts the cards' "Déclarer" buttons preload (render.declare), named from the
    configuration; installed with the templates."""
    configured = {
        "Contribution": config.templates.contribution,
        "Soutien cobudget": config.templates.pledge,
    }
    sources = []
    for path in sorted((TEMPLATE_DIR / "preload").glob("*.wiki")):
        name = configured[path.stem]
        text = path.read_text(encoding="utf-8").replace("@@TEMPLATE@@", name)
        sources.append(TemplateSource(preload_title(name, config), text))
    return sources


def install_templates(wiki: WikiClient, config: SyncConfig) -> list[str]:
    """Create or update each template page; returns the titles saved (none when current)."""
    sources = template_sources(config) + preload_sources(config)
    normalized = wiki.normalize_titles([s.title for s in sources])
    current = wiki.fetch_titles(normalized.values())
    saved = []
    for source in sources:
        title = normalized[source.title]
        page = current.get(title)
        text = source.text
        # The circles the bot suggests in the form (sync.suggestions) stay: they are current.
        kept = suggested_circles(page.text) if page is not None else None
        if kept:
            text = with_suggested_circles(text, kept) or text
        if page is not None and page.text.rstrip("\n") == text.rstrip("\n"):
            continue
        wiki.edit(title, text, SUMMARY, base=page)
        saved.append(title)
    return saved
