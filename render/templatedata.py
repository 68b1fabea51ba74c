"""The circles `{{Contribution}}`'s form suggests: the `suggestedvalues` of its `cercle`
parameter, inside the `<templatedata>` tag of the template page.

TemplateData is static JSON in the page (MediaWiki expands nothing inside the tag), so the
only way to keep the suggestions current is to edit the page: `sync.suggestions` does it
after a sync when the circles changed. Only that one key of that one parameter changes: the
text outside the tag is kept byte for byte, and every other key of the JSON (labels and
descriptions people may have reworded) keeps its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ledger.name import fold
from ledger.record import Circle

PARAMETER = "cercle"
_TAG = re.compile(r"(<templatedata>)(.*?)(</templatedata>)", re.DOTALL | re.IGNORECASE)


def circle_names(circles: Iterable[Circle]) -> list[str]:
    """The names to suggest: each declared circle once (the first spelling), in French order."""
    names: dict[str, str] = {}
    for circle in circles:
        names.setdefault(fold(circle.name), circle.name)
    return sorted(names.values(), key=lambda name: (fold(name), name))


def _parameter(data: Any) -> dict[str, Any] | None:
    """The `cercle` parameter of a TemplateData object (or one that lists it as an alias)."""
    params = data.get("params") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        return None
    for name, param in params.items():
        aliases = param.get("aliases", []) if isinstance(param, dict) else []
        if fold(name) == PARAMETER or PARAMETER in {fold(str(a)) for a in aliases}:
            return param if isinstance(param, dict) else None
    return None


def _data(text: str) -> tuple[re.Match[str], Any] | None:
    match = _TAG.search(text)
    if match is None:
        return None
    try:
        return match, json.loads(match.group(2))
    except ValueError:  # someone's broken JSON: MediaWiki shows the error, we leave it
        return None


def suggested_circles(text: str) -> list[str] | None:
    """The circles a template page suggests now; None when it has no readable `cercle`."""
    found = _data(text)
    param = None if found is None else _parameter(found[1])
    if param is None:
        return None
    values = param.get("suggestedvalues", [])
    return [str(v) for v in values] if isinstance(values, list) else []


def with_suggested_circles(text: str, names: list[str]) -> str | None:
    """The template page with `names` as the suggested circles; None when the page has no
    readable TemplateData with a `cercle` parameter (nothing to do)."""
    found = _data(text)
    if found is None:
        return None
    match, data = found
    param = _parameter(data)
    if param is None:
        return None
    if names:
        param["suggestedvalues"] = names
    else:
        param.pop("suggestedvalues", None)
    # The installed templates indent with tabs; MediaWiki stores the JSON as written.
    dumped = json.dumps(data, ensure_ascii=False, indent="\t")
    return f"{text[: match.start(2)]}\n{dumped}\n{text[match.end(2) :]}"
