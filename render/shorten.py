"""A generated part cut to fit the wiki's maximum page size, with a notice saying so.

A page over `$wgMaxArticleSize` cannot be saved at all; rather than leave it failing (and its
figures stale), the bot keeps as many whole lines as fit, closes the tables left open, and says
where the rest is: the service's exports hold every line.
"""

from __future__ import annotations

_NOTICE = (
    '<div style="border-left:4px solid #d33; background:#fee7e6; padding:0.4em 0.8em">'
    "'''Page tronquée''' : son contenu complet dépasse la taille maximale d’une page de ce wiki "
    "({limit} Kio). Seules les premières lignes sont affichées ; la liste complète est dans les "
    "exports du service wikiledger (CSV, tableur).</div>"
)


def shorten_generated(generated: str, budget: int, limit: int) -> str:
    """`generated` cut to at most `budget` bytes (UTF-8) at a line end, open tables closed,
    with the notice first. `limit` is the wiki's maximum page size in bytes, for the notice."""
    notice = _NOTICE.format(limit=limit // 1024)
    room = budget - len(notice.encode()) - 16  # the closing of tables, new lines
    kept: list[str] = []
    used, depth = 0, 0
    for line in generated.splitlines():
        size = len(line.encode()) + 1
        if used + size + 3 * (depth + 1) > room:
            break
        kept.append(line)
        used += size
        if line.lstrip().startswith("{|"):
            depth += 1
        elif line.lstrip().startswith("|}") and depth:
            depth -= 1
    kept.extend("|}" for _ in range(depth))
    return notice + "\n\n" + "\n".join(kept)
