"""The wiki's convention for keeping bots away from a page: `{{nobots}}` and `{{bots|…}}`.

`{{nobots}}`, `{{bots|deny=all}}`, `{{bots|deny=…}}` naming the bot, `{{bots|allow=none}}` and
`{{bots|allow=…}}` not naming it each keep the bot from editing the page (the convention of
Wikipedia's Template:Bots, which bot frameworks such as pywikibot honour).
"""

from __future__ import annotations

import re

_CALL = re.compile(r"\{\{\s*(nobots|bots)\s*(\|[^{}]*)?\}\}", re.IGNORECASE)


def _names(value: str) -> set[str]:
    return {" ".join(name.replace("_", " ").split()).casefold() for name in value.split(",")}


def bots_denied(text: str, bot: str) -> str | None:
    """The call that keeps `bot` (its user name) off the page, as written; None if none does."""
    me = " ".join(bot.split("@", 1)[0].replace("_", " ").split()).casefold()
    for match in _CALL.finditer(text):
        if match[1].lower() == "nobots":
            return match[0]
        for part in (match[2] or "").split("|")[1:]:
            key, _, value = part.partition("=")
            names = _names(value)
            key = key.strip().lower()
            if key == "deny" and ("all" in names or me in names):
                return match[0]
            if key == "allow" and ("none" in names or ("all" not in names and me not in names)):
                return match[0]
    return None
