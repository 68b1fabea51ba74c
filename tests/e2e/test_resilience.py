"""Nothing is lost: the wiki down mid-job, a crashed service, lost webhooks, a burst of saves."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

from devwiki.client import connect
from render.wikitext import french_number
from service.queue import JobQueue
from service.webhook import WebhookEvent
from service.worker import CURSOR_KEY
from tests.e2e.conftest import Live, restart_wiki, wait_for


def declaration(contributor: str, circle: str, day: str, amount: str, mission: str) -> str:
    return (
        f"* {{{{Contribution|contributeur={contributor}|cercle={circle}|date={day}"
        f"|montant={amount}|mission={mission}}}}}\n"
    )


def test_a_job_that_fails_while_the_wiki_is_down_completes_once_it_is_back(live: Live) -> None:
    live.wait_idle()
    title = "Utilisateur:Paul Panne/Contributions 2026"
    # saved by the bot, whose saves the extension does not send: the webhook below is the only one
    live.bot.pages[title].edit(
        declaration("Paul Panne", "Accompagnement", "2026-03-02", "123,45", "Panne"), "essai"
    )
    event = live.event_for(title)
    failures = live.metrics()["wikiledger_failures_total"]
    live.wiki.stop()
    try:
        assert live.post_webhook(event).status_code == 202
        wait_for(
            lambda: live.metrics()["wikiledger_failures_total"] > failures,
            timeout=30,
            what="the sync to fail while the wiki is down",
        )
        assert live.metrics()["wikiledger_queue_depth"] >= 1
        (job,) = [j for j in live.queued_jobs() if j["event"].get("title") == title]
        assert job["attempts"] >= 1 and job["leased_until"] is None
        assert job["due"] > job["created"]  # put back with a backoff
        assert "wiki" in job["last_error"]
        assert live.declarations_of("Paul Panne") == []
    finally:
        restart_wiki(live.wiki)
    back = time.monotonic()
    wait_for(
        lambda: "Paul Panne" in live.generated(), timeout=60, what="the registre after the outage"
    )
    print(f"\nwiki back -> registre complete: {time.monotonic() - back:.2f} s")
    (counted,) = live.declarations_of("Paul Panne")
    assert (counted["amount"], counted["page"]) == ("123.45", title)
    live.wait_idle()


def latest_recent_change(live: Live) -> str:
    """The cursor the worker would keep after seeing every change made so far."""
    result = live.admin.api(
        "query", list="recentchanges", rcdir="older", rclimit=1, rcprop="ids|timestamp"
    )
    (newest,) = result["query"]["recentchanges"]
    return f"{newest['timestamp']}|{newest['rcid']}"


def test_a_service_restarted_after_a_crash_finishes_the_jobs_it_had_queued(live: Live) -> None:
    live.wait_idle()
    titles = {
        "Rose Reprise": "Utilisateur:Rose Reprise/Contributions 2026",
        "Hugo Reprise": "Utilisateur:Hugo Reprise/Contributions 2026",
    }
    for name, title in titles.items():
        live.bot.pages[title].edit(
            declaration(name, "Animation", "2026-04-01", "40", "Reprise"), "essai"
        )
    events = {name: live.event_for(title) for name, title in titles.items()}
    live.service.kill()
    try:
        with JobQueue(live.service.queue_file) as queue:
            # the crash came after these events were queued and after a catch-up had seen the
            # bot's saves: only the queue can bring them in
            queue.set_state(CURSOR_KEY, latest_recent_change(live))
            queue.enqueue(WebhookEvent.model_validate_json(json.dumps(events["Rose Reprise"])))
            (held,) = queue.claim(1, time.time())  # the crashed worker was syncing this one
            queue.enqueue(WebhookEvent.model_validate_json(json.dumps(events["Hugo Reprise"])))
            assert queue.depth() == 2 and held.event.pages() == {titles["Rose Reprise"]}
    finally:
        live.service.start()
    restarted = time.monotonic()
    wait_for(
        lambda: all(name in live.generated() for name in titles),
        timeout=30,
        what="both contributors in the registre",
    )
    print(f"\nrestart -> both queued jobs done: {time.monotonic() - restarted:.2f} s")
    live.wait_idle()
    assert live.queued_jobs() == []
    assert {c["contributor"] for c in live.contributions()["contributions"]} >= set(titles)


def test_a_restarted_service_serves_its_last_state_before_anything_changes(live: Live) -> None:
    live.wait_idle()
    before = live.contributions()
    live.service.stop()
    live.service.start()
    wait_for(
        lambda: live.get("/api/contributions/2026").status_code == 200,
        timeout=5,
        what="the API after a restart",
    )
    assert live.contributions()["circles"] == before["circles"]


def test_a_save_made_while_the_service_was_down_arrives_through_the_catch_up(live: Live) -> None:
    live.wait_idle()
    live.service.stop()
    title = "Utilisateur:Lina Rattrapage/Contributions 2026"
    try:
        # the extension's webhook finds no service: the wiki saves all the same
        saved = live.admin.pages[title].edit(
            declaration("Lina Rattrapage", "Animation", "2026-05-05", "55", "Rattrapage"), "essai"
        )
        assert saved["result"] == "Success"
    finally:
        live.service.start()
    wait_for(lambda: "Lina Rattrapage" in live.generated(), timeout=30, what="the catch-up's sync")
    assert [c["amount"] for c in live.declarations_of("Lina Rattrapage")] == ["55.00"]


PAGES = 5
SAVES_PER_PAGE = 10


def burst_amount(page: int, n: int) -> Decimal:
    return Decimal(10 * page + n) + Decimal(n) / 100


def test_a_burst_of_fifty_saves_ends_in_a_correct_registre_with_few_syncs(live: Live) -> None:
    live.wait_idle()
    contributor = "Rémi Rafale"
    circle_before = {c["name"]: c for c in live.contributions()["circles"]}["Animation"]
    syncs = live.metrics()["wikiledger_syncs_total"]
    errors: list[BaseException] = []

    def save_page(page: int) -> None:
        try:
            site = connect(live.wiki, admin=True)
            title = f"Utilisateur:Rémi Rafale/Essai {page}"
            text = ""
            for n in range(1, SAVES_PER_PAGE + 1):
                amount = str(burst_amount(page, n)).replace(".", ",")
                day = f"2026-06-{n:02d}"
                text += declaration(contributor, "Animation", day, amount, f"Rafale {page}-{n}")
                site.pages[title].edit(text, f"déclaration {n}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=save_page, args=(page,)) for page in range(PAGES)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = time.monotonic()
    assert errors == []
    expected = sum(
        (burst_amount(page, n) for page in range(PAGES) for n in range(1, SAVES_PER_PAGE + 1)),
        Decimal(0),
    )
    assert expected == Decimal("1277.75")
    wait_for(
        lambda: french_number(expected) in live.generated(),
        timeout=60,
        what="the registre after the burst",
    )
    done = time.monotonic()
    live.wait_idle()
    burst_syncs = live.metrics()["wikiledger_syncs_total"] - syncs
    print(
        f"\n{PAGES * SAVES_PER_PAGE} saves in {saved - started:.2f} s; registre right "
        f"{done - saved:.2f} s after the last save; {burst_syncs:.0f} syncs"
    )
    payload = live.contributions()
    person = {p["name"]: p for p in payload["contributors"]}[contributor]
    assert person["requested"] == "1277.75"
    assert len([c for c in payload["contributions"] if c["contributor"] == contributor]) == 50
    circle = {c["name"]: c for c in payload["circles"]}["Animation"]
    assert Decimal(circle["requested"]) == Decimal(circle_before["requested"]) + expected
    assert burst_syncs <= 15
