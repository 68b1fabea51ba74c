"""The "Déclarer" buttons of the circle and project cards: where they open the editor, and
the preloaded text they fill in (`wiki_templates/mediawiki/preload/`).

A card is rendered once for every reader, so it cannot name the member who clicks: the link
goes through `Special:MyPage`, which MediaWiki redirects to the reader's own user page and
which forwards `action`, `section`, `preload`, `preloadtitle` and `preloadparams`. With
`section=new` the editor adds the preloaded declaration to the member's page, and creates the
page when it is missing; `~~~` in the preloaded text becomes their name when they save.
"""

from __future__ import annotations

from ledger.name import page_owner
from render.card import CARD_SHARDS
from render.config import SyncConfig


class DeclarationPageError(ValueError):
    """A configured member page that is not one of the member's own pages."""


def my_page_title(template: str, config: SyncConfig) -> str:
    """`Utilisateur:{nom}/Contributions {année}` -> `Special:MyPage/Contributions {{CURRENTYEAR}}`.

    `{campagne}` is left for the template to fill in.
    """
    rest = template.partition(":")[2]
    # `ledger.name.page_owner`, the one rule of whose page a page is, must see it as the
    # member's own page whatever the member's name.
    owned = page_owner(template.replace("{nom}", "Nom"), config.user_namespaces) == "Nom"
    if not owned or not rest.startswith("{nom}"):
        raise DeclarationPageError(
            f"member page {template!r} must start with one of the user namespaces and "
            "'{nom}', e.g. 'Utilisateur:{nom}/Contributions {année}'"
        )
    rest = rest.removeprefix("{nom}")
    rest = rest.replace("{année}", "{{CURRENTYEAR}}").replace("{annee}", "{{CURRENTYEAR}}")
    return "Special:MyPage" + rest


def preload_title(template_name: str, config: SyncConfig) -> str:
    """The page whose text a button preloads for the template (`pages.preload`)."""
    return config.pages.preload.replace("{modèle}", template_name)


def fill_card_placeholders(text: str, config: SyncConfig) -> str:
    """The installer's placeholders for the feedback lookups and the "Déclarer" buttons."""
    names, pages = config.templates, config.pages
    return (
        text.replace("@@CARD_DATA_PAGE@@", pages.card_data)
        .replace("@@CARD_SHARDS@@", str(CARD_SHARDS))
        .replace("@@DECLARE_CONTRIBUTION_PAGE@@", my_page_title(pages.declarations, config))
        .replace("@@DECLARE_PLEDGE_PAGE@@", my_page_title(pages.pledges, config))
        .replace("@@CONTRIBUTION_PRELOAD@@", preload_title(names.contribution, config))
        .replace("@@PLEDGE_PRELOAD@@", preload_title(names.pledge, config))
    )
