"""Writing pages as a MediaWiki XML export (schema 0.11) that `importDump.php` loads."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape

SCHEMA = "http://www.mediawiki.org/xml/export-0.11/"
NAMESPACES = (
    (-2, "Média"),
    (-1, "Spécial"),
    (0, ""),
    (1, "Discussion"),
    (2, "Utilisateur"),
    (3, "Discussion utilisateur"),
    (4, "Documentation Optéos"),
    (10, "Modèle"),
    (11, "Discussion modèle"),
    (14, "Catégorie"),
)
FIRST_TIMESTAMP = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class WikiPage:
    """One page of the synthetic wiki: title with its namespace prefix, and its wikitext."""

    title: str
    namespace: int
    text: str
    author: str = "Admin"


def write_dump(pages: Iterable[WikiPage], path: Path) -> int:
    """Write PAGES to PATH as one XML export; returns the number of bytes of wikitext."""
    total = 0
    with path.open("w", encoding="utf-8") as out:
        _write_head(out)
        for number, page in enumerate(pages, start=1):
            total += _write_page(out, page, number)
        out.write("</mediawiki>\n")
    return total


def _write_head(out: TextIO) -> None:
    out.write(
        f'<mediawiki xmlns="{SCHEMA}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{SCHEMA} http://www.mediawiki.org/xml/export-0.11.xsd" '
        'version="0.11" xml:lang="fr">\n'
        "  <siteinfo>\n"
        "    <sitename>Documentation Optéos</sitename>\n"
        "    <dbname>wiki</dbname>\n"
        "    <base>http://127.0.0.1/index.php/Accueil</base>\n"
        "    <generator>wikiledger bench</generator>\n"
        "    <case>first-letter</case>\n"
        "    <namespaces>\n"
    )
    for key, name in NAMESPACES:
        if name:
            out.write(
                f'      <namespace key="{key}" case="first-letter">{escape(name)}</namespace>\n'
            )
        else:
            out.write(f'      <namespace key="{key}" case="first-letter" />\n')
    out.write("    </namespaces>\n  </siteinfo>\n")


def _write_page(out: TextIO, page: WikiPage, number: int) -> int:
    size = len(page.text.encode("utf-8"))
    stamp = (FIRST_TIMESTAMP + datetime.timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(
        "  <page>\n"
        f"    <title>{escape(page.title)}</title>\n"
        f"    <ns>{page.namespace}</ns>\n"
        f"    <id>{number}</id>\n"
        "    <revision>\n"
        f"      <id>{number}</id>\n"
        f"      <timestamp>{stamp}</timestamp>\n"
        f"      <contributor><username>{escape(page.author)}</username></contributor>\n"
        "      <comment>Import du wiki de démonstration</comment>\n"
        "      <model>wikitext</model>\n"
        "      <format>text/x-wiki</format>\n"
        f'      <text bytes="{size}" xml:space="preserve">{escape(page.text)}</text>\n'
        "    </revision>\n"
        "  </page>\n"
    )
    return size
