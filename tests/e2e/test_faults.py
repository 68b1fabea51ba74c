"""The live service under real faults: the wiki stopped, its sessions flushed, the bot password
revoked, the state or the queue file corrupted. Each test leaves the wiki and the service as it
found them (running, the bot's password the fixture's)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devwiki.client import connect
from sync.writer import same
from tests.e2e.conftest import REGISTRY, Live, restart_wiki, wait_for
from tests.e2e.test_resilience import declaration


def health(live: Live) -> tuple[int, dict[str, Any]]:
    response = live.get("/healthz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def wait_health(
    live: Live, status: int, *, timeout: float, what: str, reason: str | None = None
) -> dict[str, Any]:
    """`/healthz` once it answers `status` (and, if given, `reason`)."""

    def reached() -> dict[str, Any] | None:
        code, body = health(live)
        return body if code == status and reason in (None, body["reason"]) else None

    try:
        return wait_for(reached, timeout=timeout, what=what, every=0.2)
    except AssertionError as error:
        raise AssertionError(f"{error}: {health(live)}\n{live.service.log_tail()}") from None


def full_sync(live: Live) -> None:
    response = live.post("/api/sync", headers={"authorization": f"Bearer {live.api_token}"})
    assert response.status_code == 202


def reconnect(live: Live, *, bot: bool = True) -> None:
    """The tests' own sessions, after the wiki lost them (mwclient does not log in again)."""
    live.admin = connect(live.wiki, admin=True)
    if bot:
        live.bot = connect(live.wiki)


@contextmanager
def sessions_flushed(live: Live, *, bot: bool = True) -> Iterator[None]:
    """Every session of the wiki deleted from its object cache, as a memcached restart does;
    the tests' own sessions opened again (the bot's only when asked: its password may be
    revoked meanwhile)."""
    assert live.wiki.delete_sessions() >= 1
    try:
        reconnect(live, bot=bot)
        yield
    finally:
        reconnect(live, bot=bot)


def test_healthz_says_wiki_unreachable_while_the_wiki_is_stopped_and_ok_once_it_is_back(
    live: Live,
) -> None:
    live.wait_idle()
    assert health(live)[0] == 200
    live.wiki.stop()
    try:
        full_sync(live)
        body = wait_health(live, 503, timeout=60, what="the outage", reason="wiki unreachable")
        assert (body["status"], body["reason"]) == ("failing", "wiki unreachable")
        assert live.metrics()["wikiledger_wiki_unreachable"] == 1
        assert live.metrics()["wikiledger_healthy"] == 0
        page = live.get("/").text
        assert "wiki injoignable" in page and "Erreur en cours" in page
    finally:
        restart_wiki(live.wiki)
    body = wait_health(live, 200, timeout=60, what="healthz once the wiki is back")
    assert (body["status"], body["reason"], body["error"]) == ("ok", None, None)
    assert "Erreur en cours" not in live.get("/").text
    live.wait_idle()


def test_after_the_wiki_flushed_its_sessions_the_bot_logs_in_again_and_edits_arrive(
    live: Live,
) -> None:
    live.wait_idle()
    title = "Utilisateur:Sacha Session/Contributions 2026"
    with sessions_flushed(live):
        live.admin.pages[title].edit(
            declaration("Sacha Session", "Animation", "2026-07-01", "77", "Session"), "essai"
        )
        wait_for(
            lambda: "Sacha Session" in live.generated(),
            timeout=60,
            what="the registre after the flush",
        )
    assert "logging in again" in live.service.log.read_text(encoding="utf-8")
    assert wait_health(live, 200, timeout=30, what="a healthy service")["logged_in"] is True
    (counted,) = live.declarations_of("Sacha Session")
    assert counted["amount"] == "77.00"
    live.wait_idle()


def test_a_revoked_bot_password_is_reported_and_the_service_recovers_once_it_works(
    live: Live,
) -> None:
    live.wait_idle()
    title = "Utilisateur:Régis Refus/Contributions 2026"
    password = live.wiki.bot_password
    live.wiki.revoke_bot_password()
    try:
        with sessions_flushed(live, bot=False):  # the service must log in, and cannot
            live.admin.pages[title].edit(
                declaration("Régis Refus", "Animation", "2026-07-02", "88", "Refus"), "essai"
            )
            # (while it logs in again, healthz says "not logged in"; then why it cannot)
            body = wait_health(live, 503, timeout=60, what="the refusal", reason="login refused")
            assert (body["reason"], body["logged_in"]) == ("login refused", False)
            assert "WIKILEDGER_BOT_PASSWORD" in body["error"]
            assert password not in body["error"]
            assert live.metrics()["wikiledger_login_refused"] == 1
            assert "connexion du robot refusée" in live.get("/").text
            assert "Régis Refus" not in live.generated()
            # the job waits its backoff (1 s, 2 s, 4 s…), the login its own (30 s, 1 min…):
            # a few failures in six seconds, where a hot loop would fail at every turn
            tries = live.metrics()["wikiledger_failures_total"]
            time.sleep(6)
            assert live.metrics()["wikiledger_failures_total"] - tries <= 4
    finally:
        live.wiki.set_bot_password(password)
        reconnect(live)
    wait_for(
        lambda: "Régis Refus" in live.generated(),
        timeout=120,
        what="the registre once the password works",
        every=0.5,
    )
    body = wait_health(live, 200, timeout=60, what="a healthy service again")
    assert (body["reason"], body["error"], body["logged_in"]) == (None, None, True)
    assert "connexion du robot refusée" not in live.get("/").text
    live.wait_idle()


def test_a_corrupted_state_file_is_moved_aside_and_rebuilt_from_the_wiki(live: Live) -> None:
    live.wait_idle()
    before = live.contributions()
    registry = live.generated()
    revision = live.admin.pages[REGISTRY].revision
    live.service.stop()
    state = live.service.data_dir / "state.sqlite3"
    try:
        state.write_bytes(b"pas une base de donnees " * 4096)
        for companion in ("state.sqlite3-wal", "state.sqlite3-shm"):  # closed at stop: none
            (live.service.data_dir / companion).unlink(missing_ok=True)
    finally:
        live.service.start()
    live.wait_idle()
    (moved,) = [p for p in live.service.data_dir.iterdir() if ".corrupt-" in p.name]
    assert moved.name.startswith("state.sqlite3.corrupt-")
    assert str(moved) in live.service.log.read_text(encoding="utf-8")
    assert health(live)[1]["recovered_files"] == [str(moved)]
    assert str(moved) in live.get("/").text
    after = live.contributions()
    assert after["circles"] == before["circles"]
    assert len(after["contributions"]) == len(before["contributions"]) > 0
    # never published from the emptied state: the registre is what it was
    assert same(live.generated(), registry)
    assert live.admin.pages[REGISTRY].revision == revision
    moved.unlink()


def test_a_corrupted_queue_file_is_moved_aside_and_a_save_made_meanwhile_arrives(
    live: Live,
) -> None:
    live.wait_idle()
    title = "Utilisateur:Quentin Queue/Contributions 2026"
    live.service.stop()
    try:
        # the extension finds no service: this save is known only to the wiki
        live.admin.pages[title].edit(
            declaration("Quentin Queue", "Animation", "2026-07-03", "66", "Queue"), "essai"
        )
        live.service.queue_file.write_bytes(b"\x00\x01 file d'attente abimee " * 2048)
    finally:
        live.service.start()
    wait_for(lambda: "Quentin Queue" in live.generated(), timeout=60, what="the lost save")
    live.wait_idle()
    (moved,) = [p for p in live.service.data_dir.iterdir() if ".corrupt-" in p.name]
    assert moved.name.startswith("queue.sqlite3.corrupt-")
    assert str(moved) in live.service.log.read_text(encoding="utf-8")
    assert health(live)[1]["recovered_files"] == [str(moved)]
    assert str(moved) in live.get("/").text
    moved.unlink()


def remove_state(live: Live) -> None:
    for name in ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm"):
        (live.service.data_dir / name).unlink(missing_ok=True)


def full_syncs_for_state(live: Live) -> int:
    """How many times the service logged a full sync made because of what its state was."""
    log = live.service.log.read_text(encoding="utf-8")
    return log.count("a full sync first") + log.count("(a backup?): a full sync")


def assert_whole_registry(live: Live, before: dict[str, Any], newcomer: str) -> None:
    """The registre and the API hold every declaration from before and the newcomer's."""
    after = live.contributions()
    assert len(after["contributions"]) == len(before["contributions"]) + 1
    registry = live.generated()
    assert newcomer in registry
    for contributor in {c["contributor"] for c in before["contributions"]}:
        assert contributor in registry


def test_a_state_file_deleted_while_the_service_runs_is_rebuilt_before_the_next_edit(
    live: Live,
) -> None:
    live.wait_idle()
    before = live.contributions()
    full_first = live.service.log.read_text(encoding="utf-8").count("a full sync first")
    remove_state(live)
    title = "Utilisateur:Dora Disparue/Contributions 2026"
    live.admin.pages[title].edit(
        declaration("Dora Disparue", "Animation", "2026-07-04", "44", "Effacement"), "essai"
    )
    wait_for(lambda: "Dora Disparue" in live.generated(), timeout=60, what="the new edit")
    live.wait_idle()
    assert_whole_registry(live, before, "Dora Disparue")
    assert (live.service.data_dir / "state.sqlite3").exists()
    log = live.service.log.read_text(encoding="utf-8")
    assert "was deleted or replaced" in log and log.count("a full sync first") > full_first


def test_a_state_file_deleted_before_a_start_with_an_edit_pending_publishes_the_whole_view(
    live: Live,
) -> None:
    live.wait_idle()
    before = live.contributions()
    full_syncs = full_syncs_for_state(live)
    title = "Utilisateur:Rémi Relance/Contributions 2026"
    live.service.stop()
    try:
        remove_state(live)
        # the service is stopped: this save reaches it only through the recent-changes
        # catch-up, whose cursor the queue file kept
        live.admin.pages[title].edit(
            declaration("Rémi Relance", "Animation", "2026-07-05", "55", "Relance"), "essai"
        )
    finally:
        live.service.start()
    wait_for(lambda: "Rémi Relance" in live.generated(), timeout=60, what="the pending edit")
    live.wait_idle()
    assert_whole_registry(live, before, "Rémi Relance")
    assert full_syncs_for_state(live) > full_syncs


def protect(live: Live, title: str, level: str) -> None:
    live.admin.post(
        "protect",
        title=title,
        protections=f"edit={level}",
        expiry="infinite",
        reason="essai",
        token=live.admin.get_token("csrf"),
    )


def test_a_protected_page_blocks_no_other_is_reported_everywhere_and_retried_once_allowed(
    live: Live,
) -> None:
    live.wait_idle()
    circle = f"{REGISTRY}/Animation"
    title = "Utilisateur:Paula Protégée/Contributions 2026"
    protect(live, REGISTRY, "sysop")
    try:
        live.admin.pages[title].edit(
            declaration("Paula Protégée", "Animation", "2026-07-06", "66", "Protection"), "essai"
        )
        wait_for(
            lambda: "Paula Protégée" in live.generated(circle), timeout=60, what="the circle page"
        )
        reason = f"page refused: {REGISTRY} (protectedpage)"
        body = wait_health(live, 503, timeout=30, what="the refusal", reason=reason)
        assert "protection" in body["error"]
        assert "Paula Protégée" not in live.generated()
        problems = live.get("/api/problems").json()["problems"]
        assert any(p["page"] == REGISTRY and "protectedpage" in p["message"] for p in problems)
        assert f"page refusée : {REGISTRY}" in live.get("/").text
        assert REGISTRY in live.generated("Contribution-rétribution/Anomalies")
        assert "retried in 15 s" in live.service.log.read_text(encoding="utf-8")
    finally:
        protect(live, REGISTRY, "all")
    wait_for(
        lambda: "Paula Protégée" in live.generated(),
        timeout=90,
        what="the registre once the protection is lifted",
        every=0.5,
    )
    wait_health(live, 200, timeout=60, what="a healthy service again")
    live.wait_idle()
    assert REGISTRY not in live.generated("Contribution-rétribution/Anomalies")


def test_a_state_restored_from_an_older_backup_never_hides_an_edit_made_since(
    live: Live,
) -> None:
    live.wait_idle()
    state = live.service.data_dir / "state.sqlite3"
    live.service.stop()
    try:
        backup = state.read_bytes()  # closed at stop: the file alone is the state
    finally:
        live.service.start()
    synced = "Utilisateur:Bruno Sauvegarde/Contributions 2026"
    live.admin.pages[synced].edit(
        declaration("Bruno Sauvegarde", "Animation", "2026-07-07", "71", "Sauvegarde"), "essai"
    )
    wait_for(lambda: "Bruno Sauvegarde" in live.generated(), timeout=60, what="the first edit")
    live.wait_idle()
    before = live.contributions()
    pending = "Utilisateur:Rose Restauration/Contributions 2026"
    live.service.stop()
    try:
        remove_state(live)
        state.write_bytes(backup)  # the backup, from before the first edit
        live.admin.pages[pending].edit(
            declaration("Rose Restauration", "Animation", "2026-07-08", "72", "Restauration"),
            "essai",
        )
    finally:
        live.service.start()
    wait_for(lambda: "Rose Restauration" in live.generated(), timeout=60, what="the second edit")
    live.wait_idle()
    assert_whole_registry(live, before, "Rose Restauration")  # Bruno's edit is still there
    assert "(a backup?): a full sync" in live.service.log.read_text(encoding="utf-8")
