"""A local MediaWiki served by `php -S` on 127.0.0.1: create, start, stop, import, reuse."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from devwiki import install, settings, versions
from devwiki.install import Secrets, ensure_installed

__all__ = ["LocalWiki", "create_wiki", "ensure_installed"]

STATE_FILE = "wiki.json"
SERVER_LOG = "server.log"
# The logs of MediaWiki's exceptions and fatal errors (devwiki.settings). Not error.log: PHP
# warnings land there, some from races in core between the php -S workers that do no harm
# (FSLockManager unlinking a lock file another worker just pruned).
ERROR_LOGS = ("exception", "fatal")
# What MediaWiki on SQLite logs when two requests write at once and one cannot wait: a page
# view's deferred update that finds the database locked, or a links update that waited 15 s
# for another request's lock on the same page. A property of SQLite's single writer under a
# loaded machine (MediaWiki opens DEFERRED transactions), seen with any bot or person editing
# while pages are viewed; not a fault of the bot's. Every other entry is kept.
SQLITE_CONTENTION = ("Error 5: database is locked", "Could not acquire lock for page ID")
_LOG_ENTRY = re.compile(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )", re.M)
# Each entry of MediaWiki's logs starts with its date and time.
_LOG_ENTRY = re.compile(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )", re.MULTILINE)
# A backtrace frame calling the deprecation machinery, as "#4 /path/file.php(12): wfDeprecated()".
_DEPRECATION_CALL = re.compile(r": (?:wfDeprecated\w*|[\w\\]*MWDebug::\w+|trigger_error)\(\)$")
PHP_WORKERS = 4
_NOT_SAVED = ("root", "_process")


@dataclass
class LocalWiki:
    """One dev wiki: its directory, port and accounts. Its facts live in ROOT/wiki.json."""

    root: Path
    port: int
    admin_password: str = field(repr=False)
    admin_bot_password: str = field(repr=False)
    bot_password: str = field(repr=False)
    admin_user: str = settings.ADMIN_USER
    bot_user: str = settings.BOT_USER
    # The MediaWiki series it was created with (devwiki.versions); a wiki always runs on it.
    mediawiki: str = versions.RELEASES[0].series
    pid: int | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        """Base URL, where api.php and index.php live."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api.php"

    @property
    def bot_login(self) -> str:
        return f"{self.bot_user}@{settings.BOT_APP_ID}"

    @property
    def admin_login(self) -> str:
        """Bot-password login of the administrator (delete, protect), for clean-up and demos."""
        return f"{self.admin_user}@{settings.ADMIN_APP_ID}"

    @property
    def mediawiki_dir(self) -> Path:
        """The MediaWiki tree this wiki runs on."""
        return versions.mediawiki_dir(self.mediawiki)

    @property
    def mediawiki_version(self) -> str:
        """The exact MediaWiki version, e.g. 1.43.12."""
        return versions.read_mediawiki_version(self.mediawiki_dir)

    @property
    def config_file(self) -> Path:
        return self.root / "LocalSettings.php"

    @property
    def database(self) -> Path:
        return self.root / "data" / f"{install.DATABASE}.sqlite"

    @property
    def cache_database(self) -> Path:
        """The object cache (sessions, parser cache), a SQLite file of its own."""
        return self.root / "data" / f"{install.DATABASE}cache.sqlite"

    @property
    def server_log(self) -> Path:
        return self.root / SERVER_LOG

    @property
    def secrets(self) -> Secrets:
        return Secrets(self.admin_password, self.admin_bot_password, self.bot_password)

    # -- persistence -------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path) -> LocalWiki:
        """Read ROOT/wiki.json, written by create_wiki and start in this or another process."""
        root = Path(root).resolve()
        facts: dict[str, Any] = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        facts.pop("root", None)
        return cls(root=root, **facts)

    def save(self) -> None:
        facts = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_SAVED}
        # Created private from the start: the file holds the wiki's passwords.
        descriptor = os.open(self.root / STATE_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8") as state:
            state.write(json.dumps(facts, indent=2) + "\n")

    # -- server ------------------------------------------------------------------------------

    def start(self, *, timeout: float = 30.0) -> None:
        """Serve the wiki with php -S in its own process group; return once api.php answers."""
        if self.is_running():
            return
        if not _port_is_free(self.port):
            self.set_port(free_port())
        env = {
            **os.environ,
            "MW_CONFIG_FILE": str(self.config_file),
            "PHP_CLI_SERVER_WORKERS": str(PHP_WORKERS),
        }
        command = ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.mediawiki_dir)]
        with self.server_log.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.mediawiki_dir,
                start_new_session=True,
            )
        self.pid = self._process.pid
        self.save()
        deadline = time.monotonic() + timeout
        wrong_answers = 0
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"php -S exited with status {self._process.returncode}")
            answer = self._probe()
            if answer is None:
                return
            # A server that answers, but not with the API's JSON, has a broken configuration.
            wrong_answers = wrong_answers + 1 if answer else 0
            if wrong_answers >= 5:
                self.stop()
                self._fail(f"api.php answers with an error: {answer}")
            time.sleep(0.05)
        self.stop()
        self._fail(f"api.php did not answer within {timeout:.0f} s")

    def stop(self, *, timeout: float = 10.0) -> None:
        """Terminate the server's process group and wait for it; a no-op when it is stopped."""
        if self.pid is not None and (self._process is not None or _is_server_process(self.pid)):
            for signal_number in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal_number)
                if self._wait_exit(timeout):
                    break
        self._process = None
        self.pid = None
        self.save()

    def is_running(self) -> bool:
        return self.pid is not None and _is_server_process(self.pid) and self._answers()

    def set_port(self, port: int) -> None:
        """Move the wiki to PORT (rewrites $wgServer); only while it is stopped."""
        text = self.config_file.read_text(encoding="utf-8")
        self.port = port
        self.config_file.write_text(settings.with_server(text, self.url), encoding="utf-8")
        self.save()

    def logged_errors(self) -> dict[str, str]:
        """What MediaWiki wrote to its exception and fatal error logs, by file name, and the
        deprecations our extension or settings caused (`deprecations()`) as `deprecations`.

        A request can log an exception and still answer (a deferred update or a job that
        threw): the tests' wikis check this is empty when they stop.
        """
        logs = [self.root / "logs" / f"{name}.log" for name in ERROR_LOGS]
        texts = {
            path.name: _without_lock_contention(path.read_text(encoding="utf-8", errors="replace"))
            for path in logs
            if path.exists()
        }
        texts = {name: text for name, text in texts.items() if text.strip()}
        deprecations = self.deprecations()
        if deprecations:
            texts["deprecations"] = "\n".join(deprecations)
        return texts

    def deprecations(self, *, ours_only: bool = True) -> list[str]:
        """The deprecation warnings MediaWiki logged ($wgDevelopmentWarnings), one per entry.

        With development warnings on, MediaWiki raises each use of a deprecated API as a PHP
        E_USER_DEPRECATED and logs it, with its backtrace, to the `error` group. OURS_ONLY keeps
        those caused by the project's extension or this wiki's settings (LocalSettings.php): the
        deprecated function or its caller is in one of them, or the message names WikiLedger
        (a deprecated hook it handles). What core logs about its own or its bundled extensions'
        calls is MediaWiki's to fix.
        """
        log = self.root / "logs" / "error.log"
        if not log.exists():
            return []
        text = log.read_text(encoding="utf-8", errors="replace")
        ours = (str(settings.EXTENSION_JSON.parent), str(self.config_file), "WikiLedger")
        found = []
        for entry in _LOG_ENTRY.split(text):
            first, _, trace = entry.partition("\n")
            if "PHP Deprecated:" not in first:
                continue
            if not ours_only or any(mark in first for mark in ours):
                found.append(first.strip())
                continue
            culprits = _deprecation_culprits(trace.splitlines())
            if any(mark in frame for frame in culprits for mark in ours):
                found.append(f"{first.strip()} {' / '.join(culprits)}")
        return found

    # -- maintenance -------------------------------------------------------------------------

    def run_maintenance(self, script: str, *args: str) -> str:
        """Run maintenance/SCRIPT.php (name with or without .php) on this wiki; return output."""
        return install.run_php_script(
            self.config_file, script, *args, secrets_=self.secrets, mediawiki_dir=self.mediawiki_dir
        )

    def create_user(self, user: str, password: str, *, groups: Iterable[str] = ()) -> None:
        """Create USER with PASSWORD (or reset its password), in the custom GROUPS."""
        install.create_account(
            self.config_file, user, password, groups=groups, mediawiki_dir=self.mediawiki_dir
        )

    def delete_sessions(self, session_ids: Iterable[str] | None = None) -> int:
        """Delete sessions from the wiki's object cache (`$wgSessionCacheType = CACHE_DB`), as
        a restart of memcached or APCu does on a production wiki: every session, or only
        those whose ids are given (the value of the `<dbname>_session` cookie). Returns how
        many were deleted."""
        with contextlib.closing(sqlite3.connect(self.cache_database, timeout=30)) as db, db:
            if session_ids is None:
                cursor = db.execute("DELETE FROM objectcache WHERE keyname LIKE '%:MWSession:%'")
            else:
                cursor = db.executemany(
                    "DELETE FROM objectcache WHERE keyname LIKE ?",
                    [(f"%:MWSession:{session_id}",) for session_id in session_ids],
                )
            return cursor.rowcount

    def revoke_bot_password(self) -> None:
        """Invalidate the bot's bot passwords with MediaWiki's maintenance script: its next
        login is refused (sessions it holds stay valid until they expire)."""
        self.run_maintenance("invalidateBotPasswords.php", "--user", self.bot_user)

    def set_bot_password(self, password: str) -> None:
        """Give the bot's bot password a new value (as its owner would at
        Special:BotPasswords), keeping its sessions."""
        install.set_bot_password(self.database, self.bot_user, settings.BOT_APP_ID, password)
        self.bot_password = password
        self.save()

    def run_jobs(self) -> None:
        self.run_maintenance("runJobs.php", "--quiet")

    def import_xml(self, path: Path) -> None:
        """Import an XML dump; its pages then show in link tables, categories, RC and stats."""
        # Link updates page by page during the import are slower than one refreshLinks pass,
        # and they queue an htmlCacheUpdate job per page that this wiki has no use for.
        self.run_maintenance("importDump.php", "--quiet", "--no-updates", str(Path(path).resolve()))
        self.run_maintenance("refreshLinks.php", "--quiet")
        self.run_maintenance("rebuildrecentchanges.php", "--quiet")
        self.run_maintenance("initSiteStats.php", "--update", "--quiet")
        self.run_jobs()

    def page_keys(self) -> set[tuple[int, str]]:
        """(namespace, title without namespace prefix, spaces not underscores) of every page."""
        return {(ns, title) for _, ns, title in self.pages()}

    def pages(self) -> list[tuple[int, int, str]]:
        """(page id, namespace, title) of every page, read straight from SQLite (fast, complete)."""
        connection = _read_only(self.database)
        try:
            rows = connection.execute("SELECT page_id, page_namespace, page_title FROM page")
            return [(int(i), int(ns), _text(title).replace("_", " ")) for i, ns, title in rows]
        finally:
            connection.close()

    # -- helpers -----------------------------------------------------------------------------

    def _answers(self) -> bool:
        return self._probe() is None

    def _probe(self) -> str | None:
        """None when api.php answers siteinfo; else "" (no connection) or what went wrong."""
        query = f"{self.api_url}?action=query&meta=siteinfo&format=json"
        try:
            with urllib.request.urlopen(query, timeout=5) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}: {error.read(2000).decode('utf-8', 'replace')}"
        except OSError:
            return ""
        return None if b'"sitename"' in body else body[:2000].decode("utf-8", "replace")

    def _wait_exit(self, timeout: float) -> bool:
        """Wait until the server and its workers (one process group) are gone."""
        assert self.pid is not None
        deadline = time.monotonic() + timeout
        if self._process is not None:
            try:
                self._process.wait(timeout)  # reap our own child, or it lingers as a zombie
            except subprocess.TimeoutExpired:
                return False
        while time.monotonic() < deadline:
            try:
                os.killpg(self.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False

    def _fail(self, reason: str) -> None:
        tail = ""
        if self.server_log.is_file():
            lines = self.server_log.read_text(encoding="utf-8", errors="replace").splitlines()
            tail = "\n".join(lines[-20:])
        raise RuntimeError(f"local wiki at {self.url} ({self.root}): {reason}\n{tail}")


def create_wiki(
    root: Path,
    *,
    port: int | None = None,
    extra_settings: str = "",
    use_cache: bool = True,
    mediawiki: str | None = None,
) -> LocalWiki:
    """Create a fresh wiki in ROOT, copied from the pristine cache (built on first use).

    It runs MediaWiki MEDIAWIKI (1.39 or 1.43; default: WIKILEDGER_MEDIAWIKI, else the
    machine's Debian's), installed or fetched first when missing.
    """
    series = versions.release(mediawiki or versions.selected_series()).series
    ensure_installed(series)
    root = Path(root).resolve()
    if (root / STATE_FILE).exists():
        raise FileExistsError(f"{root} already holds a wiki")
    secrets_ = Secrets.generate()
    wiki = LocalWiki(
        root=root,
        port=port or free_port(),
        admin_password=secrets_.admin_password,
        admin_bot_password=secrets_.admin_bot_password,
        bot_password=secrets_.bot_password,
        mediawiki=series,
    )
    if use_cache:
        source = install.ensure_pristine(series)
        install.copy_pristine(source, root, server=wiki.url, secrets_=secrets_)
    else:
        root.mkdir(parents=True, exist_ok=True)
        install.build_wiki(root, secrets_, series)
        text = wiki.config_file.read_text(encoding="utf-8")
        wiki.config_file.write_text(settings.with_server(text, wiki.url), encoding="utf-8")
    if extra_settings:
        with wiki.config_file.open("a", encoding="utf-8") as config:
            config.write(settings.EXTRA_SETTINGS_HEADER + extra_settings.strip() + "\n")
    wiki.save()
    return wiki


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as php -S binds: a port in TIME_WAIT after our own stop() is free to reuse
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _is_server_process(pid: int) -> bool:
    """True when PID is alive (not a zombie) and is a php built-in server, not a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state != "Z" and b"-S" in cmdline and any(b"php" in part for part in cmdline[:1])


def _deprecation_culprits(frames: list[str]) -> list[str]:
    """From a deprecation's backtrace, the frame that called the deprecation machinery (inside
    the deprecated function, or the hook container for a deprecated hook) and its caller."""
    calls = [index for index, frame in enumerate(frames) if _DEPRECATION_CALL.search(frame)]
    start = calls[-1] if calls else 0
    return [frame.strip() for frame in frames[start : start + 2]]


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _without_lock_contention(log: str) -> str:
    """The log without its entries about SQLite write contention (SQLITE_CONTENTION)."""
    entries = _LOG_ENTRY.split(log)
    return "".join(
        e for e in entries if not any(m in e.split("\n", 1)[0] for m in SQLITE_CONTENTION)
    )
