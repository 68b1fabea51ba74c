"""The sample Optéos pages of `devwiki/seed/`, saved on a wiki through its API."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent / "seed"


@dataclass(frozen=True, slots=True)
class SeedPage:
    title: str
    text: str


def seed_pages(directory: Path = SEED_DIR) -> list[SeedPage]:
    """The pages listed in `pages.toml`, in order."""
    manifest = tomllib.loads((directory / "pages.toml").read_text(encoding="utf-8"))
    return [
        SeedPage(entry["title"], (directory / entry["file"]).read_text(encoding="utf-8"))
        for entry in manifest["page"]
    ]


def save_seed(site: Any, pages: list[SeedPage] | None = None) -> int:
    """Save every seed page with an mwclient Site (as a human account); returns the count."""
    pages = seed_pages() if pages is None else pages
    token = site.get_token("csrf")
    for page in pages:
        site.post(
            "edit",
            title=page.title,
            text=page.text,
            summary="Page d'exemple de la démonstration",
            token=token,
        )
    return len(pages)
