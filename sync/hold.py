"""Pages the bot did not write this time, and why: the wiki refused the save, the page's markers
were broken by hand, or the page asks bots to keep off (`{{nobots}}`).

One such page blocks no other: the sync writes the rest and reports each held page on the
anomalies page, the status page, `/api/problems` and the log, in French, with what to do. A
refusal by the wiki is retried with backoff (the worker); the other holds end when someone
fixes the page, which the next sync of that page notices.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ledger.record import Problem, Severity, Source

REFUSED = "refused"  # the wiki refused the save
MARKERS = "markers"  # the markers around the generated part are missing, doubled or misplaced
NOBOTS = "nobots"  # {{nobots}} or {{bots|deny=…}} keeps the bot off

_PROTECTED = frozenset(
    {
        "protectedpage",
        "cascadeprotected",
        "protectednamespace",
        "protectednamespace-interface",
        "customcssprotected",
        "customjsprotected",
        "permissiondenied",
        "writeapidenied",
        "blocked",
    }
)
_TITLE = frozenset({"invalidtitle", "badtitle", "title-invalid-characters", "titleblacklist"})


@dataclass(frozen=True, slots=True)
class Held:
    title: str
    kind: str  # REFUSED, MARKERS or NOBOTS
    code: str  # the wiki's error code, or the kind again
    message: str  # French: what happened, and what to do

    @property
    def reason(self) -> str:
        """The short cause `/healthz` gives while a refusal lasts."""
        return f"page refused: {self.title} ({self.code})"


def refused(title: str, code: str, info: str) -> Held:
    """The wiki refused to save `title` with this error code and text."""
    why = f"le wiki a refusé l’enregistrement ({code} : {info.strip() or 'sans détail'})"
    if code in _PROTECTED:
        todo = (
            "la page est protégée ou le robot n’a pas le droit de la modifier : retirez la "
            "protection ou donnez au compte du robot un groupe qui peut la modifier (par "
            "exemple « bot » ou « administrateur »)"
        )
    elif code in _TITLE:
        todo = (
            "le titre n’est pas accepté par le wiki : renommez ce qui le forme (cercle, campagne)"
        )
    elif code in ("contenttoobig", "toobig"):
        todo = (
            "la page dépasse la taille maximale du wiki ($wgMaxArticleSize) : augmentez-la "
            "ou répartissez les déclarations"
        )
    elif code.startswith(("abusefilter", "spamblacklist", "spamdetected")):
        todo = "un filtre du wiki a bloqué la modification : autorisez le robot dans ce filtre"
    else:
        todo = "corrigez la cause indiquée par le wiki"
    message = f"Page non mise à jour : {why}. À faire : {todo}. Le robot réessaie de lui-même."
    return Held(title, REFUSED, code, message)


def markers_broken(title: str, fault: str) -> Held:
    message = (
        f"Page non mise à jour : {fault}. Pour ne pas effacer le texte écrit à la main, le "
        "robot n’y touche plus. À faire : remettez un seul marqueur « <!-- wikiledger:début … "
        "--> » avant la partie générée et un seul « <!-- wikiledger:fin --> » après (ou "
        "annulez la modification qui les a touchés) ; la page sera réécrite ensuite."
    )
    return Held(title, MARKERS, MARKERS, message)


def bots_refused(title: str, call: str) -> Held:
    message = (
        f"Page non mise à jour : elle porte « {call} », qui demande aux robots de ne pas la "
        "modifier. À faire : retirez ce modèle (ou nommez un autre robot) pour que wikiledger "
        "la tienne à jour."
    )
    return Held(title, NOBOTS, NOBOTS, message)


def held_problem(held: Held) -> Problem:
    """A held page as a problem of the anomalies page, at the page itself."""
    severity = Severity.ERROR if held.kind != NOBOTS else Severity.WARNING
    return Problem(Source(held.title, 0), "", severity, held.message)


def dump_holds(holds: dict[str, Held]) -> str:
    return json.dumps([asdict(h) for h in holds.values()], ensure_ascii=False)


def load_holds(payload: str | None) -> dict[str, Held]:
    try:
        items = json.loads(payload or "[]")
        return {item["title"]: Held(**item) for item in items}
    except (ValueError, TypeError, KeyError):  # written by another version: found again
        return {}
