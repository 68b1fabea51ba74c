"""Keeping the circles `{{Contribution}}`'s form suggests current (render.templatedata).

After a sync, when the declared circles differ from those the template page suggests, the
bot saves the template page with the new list: one bot edit, based on the revision it read
(a concurrent human edit is never overwritten: the next sync tries again), and nothing at
all while the list is unchanged. The last list seen on the wiki is remembered, so that a
sync whose circles did not change costs no request.
"""

from __future__ import annotations

import logging

from render.config import SyncConfig
from render.templatedata import suggested_circles, with_suggested_circles
from sync.port import EditConflict, WikiError, WikiPort
from sync.result import Edit

log = logging.getLogger(__name__)

SUMMARY = "wikiledger : cercles proposés dans le formulaire de déclaration ({count})"


class CircleSuggestions:
    """The `cercle` suggestions of one wiki's `{{Contribution}}` template page."""

    def __init__(self, wiki: WikiPort, config: SyncConfig) -> None:
        self.wiki = wiki
        self.title = f"Template:{config.templates.contribution}"
        self.seen: list[str] | None = None  # what the page suggested when last read or saved

    def update(self, names: list[str], *, dry_run: bool = False) -> Edit | None:
        """Make the template page suggest `names`; the edit made, if any."""
        if names == self.seen:
            return None
        try:
            found = self.wiki.fetch_titles([self.title])
            if not found:
                return None  # templates not installed: nothing to keep current
            (page,) = found.values()
            self.seen = suggested_circles(page.text)
            if self.seen is None or self.seen == names:
                self.seen = names  # no `cercle` in a readable TemplateData, or already current
                return None
            text = with_suggested_circles(page.text, names)
            if text is None:
                return None
            summary = SUMMARY.format(count=len(names))
            if dry_run:
                return Edit(page.title, summary)
            saved = self.wiki.edit(page.title, text, summary, base=page)
        except EditConflict:
            log.info("%s changed while suggesting circles: next sync", self.title)
            self.seen = None
            return None
        except WikiError as error:  # the ledger's pages are written: this can wait
            log.warning("could not update the circles suggested by %s: %s", self.title, error)
            self.seen = None
            return None
        self.seen = names
        return Edit(page.title, summary, saved.rev_id)
