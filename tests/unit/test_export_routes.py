"""The download routes and `GET /api/people/{name}`, on a fake runtime with a real computation."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from fastapi.testclient import TestClient
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from ledger.record import (
    Campaign,
    Circle,
    Contribution,
    ContributionStatus,
    Envelope,
    Pledge,
    Project,
    Records,
    Source,
    StatementRequest,
)
from render.compute import Computation, compute_all
from render.config import SyncConfig
from service.app import create_app

CAMPAGNE = "Été 2026"
PLEDGES = f"Cobudget {CAMPAGNE}/Soutiens"
COUNTED = {"déclarée", "validée", "versée"}


def records() -> Records:
    """Numérique 2026 (envelope 1 000, 30 €/h): Alice asks 300 (10 h) and 150, Bob 450 paid,
    Carole 90 refused; 2025 has one declaration. Été 2026: three participants, 1 000 each."""
    src = Source("Cercles", 1)
    day = datetime.date
    status = ContributionStatus
    declarations = "Contribution-rétribution/Déclarations"
    return Records(
        circles=[Circle("Numérique", src)],
        envelopes=[
            Envelope("Numérique", 2026, D("1000.00"), src, D("30.00")),
            Envelope("Numérique", 2025, D("500.00"), src),
        ],
        contributions=[
            Contribution("Alice Martin", "Numérique", day(2026, 3, 12), Source(declarations, 3),
                         hours=D("10"), mission="=HYPERLINK(\"http://x\")"),
            Contribution("Alice Martin", "Numérique", day(2026, 4, 2), Source(declarations, 4),
                         amount=D("150.00"), status=status.VALIDATED, mission="Compta; avril"),
            Contribution("Bob", "Numérique", day(2026, 2, 3), Source(declarations, 5),
                         hours=D("15"), amount=D("450.00"), status=status.PAID),
            Contribution("Carole", "Numérique", day(2026, 1, 9), Source(declarations, 6),
                         hours=D("3"), status=status.REFUSED),
            Contribution("Alice Martin", "Numérique", day(2025, 11, 5), Source(declarations, 2),
                         amount=D("60.00")),
        ],
        campaigns=[
            Campaign(CAMPAGNE, Source(f"Cobudget {CAMPAGNE}", 1), envelope=D("3000.00"),
                     participants=("Alice Martin", "Bob", "Carole")),
        ],
        projects=[
            Project(CAMPAGNE, "Four à pain", D("800.00"), Source(f"Cobudget {CAMPAGNE}", 3)),
            Project(CAMPAGNE, "Jardin", D("500.00"), Source(f"Cobudget {CAMPAGNE}", 4)),
        ],
        pledges=[
            Pledge(CAMPAGNE, "Four à pain", "Alice Martin", D("500.00"), Source(PLEDGES, 2)),
            Pledge(CAMPAGNE, "Four à pain", "Bob", D("400.00"), Source(PLEDGES, 3)),
            Pledge(CAMPAGNE, "Jardin", "Alice Martin", D("120.00"), Source(PLEDGES, 4)),
            Pledge(CAMPAGNE, "Jardin", "Dan", D("50.00"), Source(PLEDGES, 5)),  # not a participant
        ],
        statements=[StatementRequest("Alice Martin", Source("Utilisateur:Alice Martin", 1))],
    )  # fmt: skip


@dataclass
class FakeEngine:
    last: Computation | None
    config: SyncConfig


@dataclass
class FakeRuntime:
    engine: FakeEngine
    read_token: str = ""  # open, as without WIKILEDGER_READ_TOKEN


def computation() -> Computation:
    return compute_all(records(), [], SyncConfig(), today=datetime.date(2026, 4, 15))


@pytest.fixture
def client() -> TestClient:
    app = create_app()  # no `with`: the lifespan (settings, wiki, worker) never runs
    app.state.runtime = FakeRuntime(FakeEngine(computation(), SyncConfig()))
    return TestClient(app)


def read_csv(data: bytes, dialect: str) -> list[dict[str, str]]:
    if dialect == "fr":
        text = data.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def number(text: str) -> D:
    return D(text.replace(",", "."))


def total(items: list[dict[str, str]], key: str) -> D:
    return sum((D(item[key]) for item in items), D("0.00"))


# --- Contributions ---------------------------------------------------------------------------


def test_the_french_csv_of_a_year_opens_with_csv_and_sums_to_the_json_totals(client) -> None:
    response = client.get("/api/contributions/2026.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="contributions-2026.csv"'
    )
    rows = read_csv(response.content, "fr")
    circles = client.get("/api/contributions/2026").json()["circles"]
    assert len(rows) == 4
    requested = sum(number(r["Montant"]) for r in rows if r["Statut"] in COUNTED)
    paid = sum(number(r["Montant"]) for r in rows if r["Statut"] == "versée")
    hours = sum(number(r["Heures"]) for r in rows if r["Statut"] != "refusée")
    assert requested == total(circles, "requested") == D("900.00")
    assert paid == total(circles, "paid") == D("450.00")
    assert hours == total(circles, "hours") == D("25.00")
    assert {r["Mission"] for r in rows} >= {'\'=HYPERLINK("http://x")', "Compta; avril"}


def test_the_rfc4180_csv_uses_commas_iso_dates_and_the_jsons_values(client) -> None:
    response = client.get("/api/contributions/2026.csv", params={"dialect": "rfc4180"})
    assert response.status_code == 200 and not response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response.content, "rfc4180")
    data = client.get("/api/contributions/2026").json()
    assert [r["date"] for r in rows] == [c["date"] for c in data["contributions"]]
    assert [r["amount"] for r in rows] == [c["amount"] for c in data["contributions"]]


def test_an_unknown_csv_dialect_is_refused(client) -> None:
    assert client.get("/api/contributions/2026.csv?dialect=excel").status_code == 422


def test_the_json_routes_still_answer_beside_the_downloads(client) -> None:
    assert client.get("/api/contributions/2026").json()["year"] == 2026
    assert client.get(f"/api/cobudget/{CAMPAGNE}").json()["campagne"] == CAMPAGNE


def test_the_ods_of_a_year_opens_with_odfpy(client) -> None:
    response = client.get("/api/contributions/2026.ods")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert 'filename="contributions-2026.ods"' in response.headers["content-disposition"]
    document = load(io.BytesIO(response.content))
    tables = {
        str(t.getAttribute("name")): t.getElementsByType(TableRow)
        for t in document.spreadsheet.getElementsByType(Table)
    }
    assert "Déclarations" in tables and len(tables["Déclarations"]) == 1 + 4 + 1
    circles_total = tables["Cercles"][-1].getElementsByType(TableCell)
    assert str(circles_total[0]) == "Total" and D(circles_total[2].getAttribute("value")) == 900


@pytest.mark.parametrize("path", ["/api/contributions/2019.csv", "/api/contributions/2019.ods"])
def test_a_year_without_declarations_is_not_found(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "2025, 2026" in response.json()["detail"]


# --- Co-budget -------------------------------------------------------------------------------


def test_the_csv_of_a_campagne_sums_to_the_jsons_pledged_totals(client) -> None:
    response = client.get(f"/api/cobudget/{CAMPAGNE}.csv", params={"dialect": "rfc4180"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="cobudget-Ete-2026.csv"; '
        "filename*=UTF-8''cobudget-%C3%89t%C3%A9%202026.csv"
    )
    rows = read_csv(response.content, "rfc4180")
    data = client.get(f"/api/cobudget/{CAMPAGNE}").json()
    counted = sum(D(r["amount"]) for r in rows if r["state"] == "counted")
    assert counted == total(data["members"], "pledged") == D("1020.00")
    assert counted == total(data["projects"], "pledged")
    assert {(r["member"], r["state"]) for r in rows if r["member"] == "Dan"} == {
        ("Dan", "rejected")
    }


def test_the_french_csv_of_a_campagne_says_states_in_french(client) -> None:
    rows = read_csv(client.get(f"/api/cobudget/{CAMPAGNE}.csv").content, "fr")
    assert [(r["Membre"], r["Montant"], r["État"]) for r in rows][:2] == [
        ("Alice Martin", "500,00", "compté"),
        ("Bob", "400,00", "compté"),
    ]


def test_the_ods_of_a_campagne_opens_with_odfpy(client) -> None:
    response = client.get(f"/api/cobudget/{CAMPAGNE}.ods")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.oasis.opendocument.spreadsheet"
    document = load(io.BytesIO(response.content))
    assert len(document.spreadsheet.getElementsByType(Table)) >= 2


def test_an_unknown_campagne_is_not_found_and_names_the_known_ones(client) -> None:
    response = client.get("/api/cobudget/Hiver.ods")
    assert response.status_code == 404 and CAMPAGNE in response.json()["detail"]


def test_downloads_wait_for_the_first_sync(client) -> None:
    client.app.state.runtime.engine.last = None  # type: ignore[attr-defined]
    assert client.get("/api/contributions/2026.csv").status_code == 503


# --- People ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Alice Martin", "alice_Martin", "Utilisateur:Alice_Martin"])
def test_a_members_statement_comes_from_the_last_computation(client, name: str) -> None:
    response = client.get(f"/api/people/{name}")
    assert response.status_code == 200
    data = response.json()
    assert data["member"] == "Alice Martin"
    assert data["total"]["requested"] == "510.00"  # 2026: 300 + 150, 2025: 60
    assert [y["year"] for y in data["years"]] == [2025, 2026]
    (campaign,) = data["campaigns"]
    assert (campaign["dotation"], campaign["pledged"], campaign["remaining"]) == (
        "1000.00",
        "620.00",
        "380.00",
    )
    registry = client.get("/api/contributions/2026").json()["contributors"]
    alice = next(c for c in registry if c["name"] == "Alice Martin")
    assert data["years"][1]["requested"] == alice["requested"]


def test_a_name_that_appears_nowhere_is_not_found_with_a_suggestion(client) -> None:
    response = client.get("/api/people/Alice Martine")
    assert response.status_code == 404
    assert "did you mean 'Alice Martin'" in response.json()["detail"]
    assert client.get("/api/people/Zoé").status_code == 404
