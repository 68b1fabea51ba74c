"""An edit on the wiki reaches the registre; bad webhooks change nothing; the API and pages."""

from __future__ import annotations

import json
import re
import subprocess
import time
from decimal import Decimal
from pathlib import Path

from render.wikitext import french_number
from tests.e2e.conftest import REGISTRY, WIKILEDGER, Live, wait_for

ALICE = "Utilisateur:Alice Martin/Contributions 2026"


def circle(payload: dict[str, object], name: str) -> dict[str, str]:
    found: dict[str, str] = next(c for c in payload["circles"] if c["name"] == name)  # type: ignore[attr-defined]
    return found


def test_an_edit_saved_through_the_api_reaches_the_registre_within_seconds(live: Live) -> None:
    live.wait_idle()
    before = Decimal(circle(live.contributions(), "Numérique")["requested"])
    expected = french_number(before + 100)
    page = live.admin.pages[ALICE]
    original = str(page.text(cache=False))
    assert "|montant      = 980\n" in original
    assert expected not in live.generated()
    accepted = live.metrics()["wikiledger_webhooks_accepted_total"]
    started = time.monotonic()
    page.edit(original.replace("|montant      = 980\n", "|montant      = 1 080\n"), "Correction")
    saved = time.monotonic()
    wait_for(lambda: expected in live.generated(), timeout=15, what="the registre to update")
    latency = time.monotonic() - saved
    print(f"\nsave -> registre: {latency:.2f} s (the save itself took {saved - started:.2f} s)")
    assert circle(live.contributions(), "Numérique")["requested"] == str(before + 100)
    assert latency < 10
    assert live.metrics()["wikiledger_webhooks_accepted_total"] > accepted  # sent by the wiki
    page.edit(original, "Retour au montant d'origine")
    wait_for(
        lambda: Decimal(circle(live.contributions(), "Numérique")["requested"]) == before,
        timeout=15,
        what="the original amount back in the API",
    )


def test_a_forged_signature_is_refused_and_nothing_is_queued(live: Live) -> None:
    live.wait_idle()
    before = live.metrics()
    event = live.event_for(ALICE)
    event["title"] = "Essai signature falsifiée"
    forged = live.post_webhook(event, secret="whsec_" + "A" * 43 + "=")
    assert (forged.status_code, forged.json()) == (401, {"error": "invalid signature"})
    after = live.metrics()
    assert (
        after["wikiledger_webhooks_refused_total"]
        == before["wikiledger_webhooks_refused_total"] + 1
    )
    assert (
        after["wikiledger_webhooks_accepted_total"] == before["wikiledger_webhooks_accepted_total"]
    )
    assert all(job["event"].get("title") != event["title"] for job in live.queued_jobs())


def test_a_replayed_delivery_is_refused(live: Live) -> None:
    live.wait_idle()
    event = live.event_for(ALICE)
    body = json.dumps(event).encode()
    headers = live.signed_headers(body)
    first = live.post("/webhook", content=body, headers=headers)
    assert first.status_code == 202 and isinstance(first.json()["queued"], int)
    accepted = live.metrics()["wikiledger_webhooks_accepted_total"]
    replay = live.post("/webhook", content=body, headers=headers)
    assert (replay.status_code, replay.json()) == (409, {"error": "webhook id already seen"})
    assert live.metrics()["wikiledger_webhooks_accepted_total"] == accepted


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(live: Live) -> None:
    event = live.event_for(ALICE)
    stale = live.post_webhook(event, timestamp=int(time.time()) - 6 * 60)
    assert (stale.status_code, stale.json()) == (401, {"error": "timestamp outside the tolerance"})


def test_a_malformed_body_is_refused_with_400_and_a_short_reason(live: Live) -> None:
    not_json = live.post_webhook(b"{not json")
    assert (not_json.status_code, not_json.json()) == (400, {"error": "body is not valid JSON"})
    wrong_shape = live.post_webhook({"event": "purge", "title": "X", "page_id": 1})
    assert wrong_shape.status_code == 400 and "event" in wrong_shape.json()["error"]
    too_large = live.post_webhook(b" " * (64 * 1024 + 1))
    assert too_large.status_code == 413


def test_the_contributions_api_equals_the_json_of_the_report_command(
    live: Live, tmp_path: Path
) -> None:
    live.wait_idle()
    env = {**live.service.env, "WIKILEDGER_DATA_DIR": str(tmp_path / "cli")}
    command = [str(WIKILEDGER), "report", "contributions", "2026", "--json"]
    report = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, check=True, timeout=120
    )
    assert live.contributions() == json.loads(report.stdout)


def test_the_problems_api_lists_every_problem_of_the_reports(live: Live) -> None:
    live.wait_idle()
    response = live.get("/api/problems")
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert problems and all(
        set(p) == {"page", "line", "template", "severity", "message"} for p in problems
    )
    assert all(p in problems for p in live.contributions()["problems"])
    assert any(p["severity"] == "error" for p in problems)


def test_an_unknown_year_is_not_found_with_the_known_years(live: Live) -> None:
    response = live.get("/api/contributions/1999")
    assert response.status_code == 404
    assert "2025, 2026" in response.json()["detail"]
    assert live.get("/api/cobudget/2026").json()["campagne"] == "2026"


def test_healthz_says_ok_once_a_sync_has_completed(live: Live) -> None:
    live.wait_idle()
    health = live.get("/healthz").json()
    assert health["status"] == "ok" and health["queue_depth"] == 0
    assert health["last_success"] > time.time() - 3600


METRIC_NAMES = {
    "wikiledger_queue_depth": "gauge",
    "wikiledger_syncs_total": "counter",
    "wikiledger_sync_seconds_total": "counter",
    "wikiledger_edits_total": "counter",
    "wikiledger_failures_total": "counter",
    "wikiledger_last_success_timestamp_seconds": "gauge",
}


def test_metrics_are_in_the_prometheus_text_format(live: Live) -> None:
    live.wait_idle()
    response = live.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    for name, kind in METRIC_NAMES.items():
        assert f"# TYPE {name} {kind}" in lines
        assert any(line.startswith(f"# HELP {name} ") for line in lines)
    # prometheus-client writes floats as Go does: "1.0", and "1.764e+09" past six digits
    sample = re.compile(r"[a-z_]+ -?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?")
    assert all(sample.fullmatch(line) for line in lines if not line.startswith("#"))
    values = live.metrics()
    assert values["wikiledger_syncs_total"] >= 1 and values["wikiledger_edits_total"] >= 3
    assert values["wikiledger_sync_seconds_total"] > 0


def test_a_full_sync_by_api_needs_the_bearer_token(live: Live) -> None:
    live.wait_idle()
    syncs = live.metrics()["wikiledger_syncs_total"]
    assert live.post("/api/sync").status_code == 401
    wrong = live.post("/api/sync", headers={"authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert live.metrics()["wikiledger_syncs_total"] == syncs
    right = live.post("/api/sync", headers={"authorization": f"Bearer {live.api_token}"})
    assert right.status_code == 202
    wait_for(
        lambda: live.metrics()["wikiledger_syncs_total"] > syncs,
        timeout=30,
        what="the full sync",
    )


def test_the_status_page_renders_as_html_with_the_summary_pages(live: Live) -> None:
    live.wait_idle()
    response = live.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "wikiledger" in page and 'name="viewport"' in page
    assert REGISTRY in page and "Alice Martin/Contributions 2026" in page
