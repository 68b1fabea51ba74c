"""Installing MediaWiki's Debian packages, building a pristine dev wiki once, and copying it."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from devwiki import fetch, settings, versions

DEBIAN_PACKAGES = (
    "mediawiki",
    "php-cli",
    "php-sqlite3",
    "php-intl",
    "php-mbstring",
    "php-xml",
    "php-curl",
    "php-apcu",
)
DATABASE = "wiki"
PLACEHOLDER_SERVER = "http://127.0.0.1:1"


@dataclass(frozen=True)
class Secrets:
    """The passwords of one wiki: never logged, stored only in the wiki's own wiki.json."""

    admin_password: str
    admin_bot_password: str
    bot_password: str

    @classmethod
    def generate(cls) -> Secrets:
        # Bot passwords must be at least 32 characters long.
        return cls(secrets.token_urlsafe(24), secrets.token_hex(16), secrets.token_hex(16))

    def redact(self, text: str) -> str:
        for value in (self.admin_password, self.admin_bot_password, self.bot_password):
            text = text.replace(value, "********")
        return text


def is_installed() -> bool:
    """True when PHP and this machine's Debian MediaWiki package are installed."""
    system_tree = versions.SYSTEM_DIR / "maintenance" / "install.php"
    return system_tree.is_file() and bool(shutil.which("php"))


def ensure_installed(series: str | None = None) -> Path:
    """Make MediaWiki SERIES (default: the selected one) runnable; return its tree.

    Installs Debian's MediaWiki and PHP when missing (as root, or through sudo), then, for the
    LTS this machine's Debian does not ship, fetches the other release's packages (devwiki.fetch).
    """
    series = versions.release(series or versions.selected_series()).series
    _install_debian_packages()
    if versions.is_system_series(series):
        return versions.SYSTEM_DIR
    return fetch.ensure_fetched(series)


def _install_debian_packages() -> None:
    if is_installed():
        return
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise RuntimeError(
                "MediaWiki is not installed and this is not root: run as root "
                "`apt-get install -y --no-install-recommends " + " ".join(DEBIAN_PACKAGES) + "`"
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *DEBIAN_PACKAGES]
    subprocess.run([*prefix, *install], check=True, env=env)
    if not is_installed():
        raise RuntimeError(f"apt-get ran but {versions.SYSTEM_DIR} is still incomplete")


def run_php_script(
    config_file: Path,
    script: str,
    *args: str,
    secrets_: Secrets | None = None,
    mediawiki_dir: Path | None = None,
) -> str:
    """Run maintenance/SCRIPT.php against one wiki; return its output, raise with its tail.

    MEDIAWIKI_DIR is the MediaWiki tree the wiki runs on (default: the selected version's).
    """
    tree = mediawiki_dir or versions.mediawiki_dir()
    name = script if script.endswith(".php") else f"{script}.php"
    command = ["php", str(tree / "maintenance" / name), *args]
    env = {**os.environ, "MW_CONFIG_FILE": str(config_file)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tree)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        if secrets_ is not None:
            tail = secrets_.redact(tail)
        raise RuntimeError(f"maintenance/{name} failed ({result.returncode}):\n{tail}")
    return output


def cache_home() -> Path:
    """Where pristine wikis are kept: $WIKILEDGER_DEVWIKI_CACHE or ~/.cache/wikiledger."""
    override = os.environ.get("WIKILEDGER_DEVWIKI_CACHE")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    home = Path(xdg) if xdg else Path.home() / ".cache"
    if os.access(home if home.exists() else home.parent, os.W_OK):
        return home / "wikiledger"
    # Service accounts (CI runners, nobody) may have no writable home.
    return Path(tempfile.gettempdir()) / f"wikiledger-cache-{os.getuid()}"


def pristine_dir(series: str | None = None) -> Path:
    """The cached pristine wiki of MediaWiki SERIES: its exact version is in the name."""
    version = versions.read_mediawiki_version(versions.mediawiki_dir(series))
    return cache_home() / f"devwiki-{version}-{settings.settings_hash()}"


def build_wiki(root: Path, secrets_: Secrets, series: str | None = None) -> None:
    """Run install.php in ROOT, append our settings, create the bot and the bot passwords."""
    tree = versions.mediawiki_dir(series)
    (root / "data").mkdir(parents=True)
    (root / "cache").mkdir()
    (root / "logs").mkdir()
    config = root / "LocalSettings.php"
    run_php_script(
        config,
        "install.php",
        "--confpath", str(root),
        "--dbtype", "sqlite",
        "--dbpath", str(root / "data"),
        "--dbname", DATABASE,
        "--server", PLACEHOLDER_SERVER,
        "--scriptpath", "",
        "--lang", settings.LANGUAGE,
        "--skins", "Vector",
        "--pass", secrets_.admin_password,
        settings.SITE_NAME,
        settings.ADMIN_USER,
        secrets_=secrets_, mediawiki_dir=tree,
    )  # fmt: skip
    text = settings.make_relocatable(config.read_text(encoding="utf-8"))
    config.write_text(text + settings.DEVWIKI_SETTINGS, encoding="utf-8")
    create_account(
        config, settings.BOT_USER, secrets.token_urlsafe(24), bot=True, mediawiki_dir=tree
    )
    for user, app_id, grants, password in (
        (settings.BOT_USER, settings.BOT_APP_ID, settings.BOT_GRANTS, secrets_.bot_password),
        (
            settings.ADMIN_USER,
            settings.ADMIN_APP_ID,
            settings.ADMIN_GRANTS,
            secrets_.admin_bot_password,
        ),
    ):
        # "--" ends the options: a password starting with "-" is not read as one.
        run_php_script(
            config, "createBotPassword.php", "--appid", app_id, "--grants", grants,
            "--", user, password,
            secrets_=secrets_, mediawiki_dir=tree,
        )  # fmt: skip


def create_account(
    config: Path,
    user: str,
    password: str,
    *,
    bot: bool = False,
    groups: Iterable[str] = (),
    mediawiki_dir: Path | None = None,
) -> None:
    """Create USER with PASSWORD (or reset its password), in the bot group when BOT and in the
    custom GROUPS. Every account of the dev wiki, the tests and the benchmarks is made here.

    The user name and password go after "--", which ends the options of MediaWiki's maintenance
    scripts: a generated password starting with "-" would otherwise be read as short options
    ("Option given twice", about one token_urlsafe password in sixty-four).
    """
    flags = ["--force", *(["--bot"] if bot else [])]
    wanted = ",".join(groups)
    if wanted:
        flags += ["--custom-groups", wanted]
    run_php_script(
        config, "createAndPromote.php", *flags, "--", user, password,
        secrets_=Secrets(password, password, password), mediawiki_dir=mediawiki_dir,
    )  # fmt: skip


def ensure_pristine(series: str | None = None) -> Path:
    """Build the pristine wiki of this MediaWiki version and these settings, once per machine."""
    target = pristine_dir(series)
    if (target / "LocalSettings.php").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".building-", dir=target.parent))
    try:
        build_wiki(staging / "wiki", Secrets.generate(), series)
        # Warm the localisation cache so the first request of every copy is fast.
        run_php_script(staging / "wiki" / "LocalSettings.php", "rebuildLocalisationCache.php",
                       "--lang", f"{settings.LANGUAGE},en", "--quiet",
                       mediawiki_dir=versions.mediawiki_dir(series))  # fmt: skip
        _clear_object_cache(staging / "wiki" / "data")
        try:
            (staging / "wiki").rename(target)
        except OSError:
            if not (target / "LocalSettings.php").is_file():
                raise  # not a concurrent build that finished first
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def copy_pristine(source: Path, root: Path, *, server: str, secrets_: Secrets) -> None:
    """Copy a pristine wiki into ROOT with its own server URL, secret keys and passwords."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("data", "cache"):
        shutil.copytree(source / name, root / name)
    (root / "logs").mkdir()
    text = (source / "LocalSettings.php").read_text(encoding="utf-8")
    text = settings.personalise(
        text, server=server, secret_key=secrets.token_hex(32), upgrade_key=secrets.token_hex(8)
    )
    (root / "LocalSettings.php").write_text(text, encoding="utf-8")
    set_passwords(root / "data" / f"{DATABASE}.sqlite", secrets_)
    for name in (f"{DATABASE}.sqlite", f"{DATABASE}cache.sqlite", f"{DATABASE}_jobqueue.sqlite"):
        use_wal(root / "data" / name)


def use_wal(database: Path) -> None:
    """Put a database file in write-ahead-log mode (kept in the file). In SQLite's default
    rollback-journal mode a page view that reads while the bot saves could not take its write
    lock and failed with "Error 5: database is locked" (MediaWiki opens DEFERRED
    transactions); with WAL, readers and the writer no longer block each other."""
    if not database.is_file():
        return
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def set_passwords(database: Path, secrets_: Secrets) -> None:
    """Give a copied wiki fresh passwords, hashed the way MediaWiki hashed the originals."""
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute(
            "SELECT user_password FROM user WHERE user_name = ?", (settings.ADMIN_USER,)
        ).fetchone()
        hashed = _rehash(_text(stored), secrets_.admin_password)
        connection.execute(
            "UPDATE user SET user_password = ? WHERE user_name = ?", (hashed, settings.ADMIN_USER)
        )
        for user, app_id, password in (
            (settings.BOT_USER, settings.BOT_APP_ID, secrets_.bot_password),
            (settings.ADMIN_USER, settings.ADMIN_APP_ID, secrets_.admin_bot_password),
        ):
            (user_id,) = connection.execute(
                "SELECT user_id FROM user WHERE user_name = ?", (user,)
            ).fetchone()
            (stored,) = connection.execute(
                "SELECT bp_password FROM bot_passwords WHERE bp_user = ? AND bp_app_id = ?",
                (user_id, app_id),
            ).fetchone()
            connection.execute(
                "UPDATE bot_passwords SET bp_password = ?, bp_token = ? "
                "WHERE bp_user = ? AND bp_app_id = ?",
                (_rehash(_text(stored), password), secrets.token_hex(16), user_id, app_id),
            )
    connection.close()


def set_bot_password(database: Path, user: str, app_id: str, password: str) -> None:
    """Set one bot password's value; its sessions (`bp_token`) stay valid. Works on a
    revoked password too (MediaWiki's invalid-password marker is replaced)."""
    with sqlite3.connect(database) as connection:
        (stored,) = connection.execute(
            "SELECT user_password FROM user WHERE user_name = ?", (settings.ADMIN_USER,)
        ).fetchone()  # a pbkdf2 hash whose parameters a bot password also uses
        (user_id,) = connection.execute(
            "SELECT user_id FROM user WHERE user_name = ?", (user,)
        ).fetchone()
        connection.execute(
            "UPDATE bot_passwords SET bp_password = ? WHERE bp_user = ? AND bp_app_id = ?",
            (_rehash(_text(stored), password), user_id, app_id),
        )
    connection.close()


def _rehash(stored: str, password: str) -> str:
    """Hash PASSWORD with the PBKDF2 parameters of STORED (`:pbkdf2:algo:rounds:length:...`)."""
    match = re.fullmatch(r":pbkdf2:(\w+):(\d+):(\d+):[^:]*:[^:]*", stored)
    if match is None:
        raise RuntimeError("unexpected MediaWiki password format (expected :pbkdf2:)")
    algo, rounds, length = match.group(1), int(match.group(2)), int(match.group(3))
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac(algo, password.encode("utf-8"), salt, rounds, length)
    encoded_salt = base64.b64encode(salt).decode()
    return f":pbkdf2:{algo}:{rounds}:{length}:{encoded_salt}:{base64.b64encode(derived).decode()}"


def _text(value: str | bytes) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else value


def _clear_object_cache(data: Path) -> None:
    """Drop what the build cached (sessions, users) so no copy starts with stale entries."""
    cache = data / f"{DATABASE}cache.sqlite"
    if not cache.is_file():
        return
    with sqlite3.connect(cache) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "objectcache" in tables:
            connection.execute("DELETE FROM objectcache")
    connection.close()
