"""Issue 12 on the summary pages: trails on the registre, the anomalies page's own section."""

from __future__ import annotations

import datetime

from ledger.governance import Governance, govern
from ledger.record import Problem, Records, Severity, Source
from render.pages import render_anomalies
from render.wikitext import trail
from tests.unit.history_helpers import CIRCLE_PAGE, Wiki, circle, declaration

AT = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=datetime.UTC)


def test_a_trail_links_each_step_to_its_diff_and_escapes_names() -> None:
    wiki = Wiki()
    wiki.edit(CIRCLE_PAGE, circle("Bruno Lefèvre"), user="Admin")
    wiki.edit(10, declaration() + "\n", user="Alice <b>Martin</b>")
    wiki.edit(10, declaration(status="validée") + "\n", user="Bruno Lefèvre")
    records = Records()
    records.extend(wiki.log[-1].records or Records())
    [verdict] = govern(records, wiki.history, Governance()).verdicts
    text = trail(verdict, "Europe/Paris")
    assert text.startswith("[[Special:Diff/2|déclarée par Alice &#60;b&#62;Martin")
    assert text.endswith(" · [[Special:Diff/3|validée par Bruno Lefèvre le 12/03]]")
    assert trail(None, "Europe/Paris") == ""


def test_the_anomalies_page_lists_governance_findings_in_their_own_section() -> None:
    finding = Problem(
        Source("Déclarations", 3), "Contribution", Severity.ERROR, "statut « versée »"
    )
    page = render_anomalies([finding], generated_at=AT, governance=[finding])
    assert "Aucune anomalie" not in page
    assert "== Qui a déclaré, validé, versé ==" in page
    assert page.count("statut « versée »") == 1  # not also in the general table
    assert '! style="min-width:10em" | Page !! Ligne !! Modèle' not in page
    other = Problem(Source("Autre", 1), "Contribution", Severity.WARNING, "cercle inconnu")
    page = render_anomalies([finding, other], generated_at=AT, governance=[finding])
    assert "Page !! Ligne !! Modèle" in page and page.count("cercle inconnu") == 1
