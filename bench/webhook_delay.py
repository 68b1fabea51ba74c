"""The delay the WikiLedger webhook adds to a member's save on a wiki served by nginx + PHP-FPM.

`python -m bench.webhook_delay` (as root, with Debian's `nginx` and `php8.2-fpm`, or
`php8.4-fpm` on Debian 13): a wiki of Debian's MediaWiki served by nginx and a PHP-FPM pool of
its own on 127.0.0.1 (both started by this command and stopped at its end), the extension
copied by the installed `wikiledger install-extension` into the MediaWiki's extensions/
folder, and the package's `wikiledger serve` as the service. It times API saves (what
VisualEditor does) with the extension off, then on with the service running, stopped (the
connection is refused) and hanging (it accepts and never answers), and prints a table
(median and 90th percentile, milliseconds). Unlike the dev wiki's `php -S`, PHP-FPM ends the
response before MediaWiki's post-send updates, where the extension posts.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from devwiki import versions
from devwiki.client import connect
from devwiki.mediawiki import LocalWiki, create_wiki, free_port

# What an admin's wiki has and the dev wiki does not: deferred updates after the response, jobs
# on page views; and the extension loaded from extensions/ when the flag file is there.
ADMIN_LIKE_SETTINGS = """
$wgForceDeferredUpdatesPreSend = false;
$wgHooks['APIAfterExecute'] = [];
if ( file_exists( __DIR__ . '/webhook.on' ) ) {
	wfLoadExtension( 'WikiLedger' );
	$wgWikiLedgerWebhookUrl = 'http://127.0.0.1:%(port)d/webhook';
	$wgWikiLedgerWebhookSecret = '%(secret)s';
	$wgWikiLedgerSkipUsers = [ 'WikiLedgerBot' ];
	$wgDebugLogGroups['WikiLedger'] = __DIR__ . '/logs/wikiledger.log';
}
"""

NGINX_CONF = """
daemon off;
user www-data;
worker_processes 1;
pid %(root)s/nginx.pid;
error_log %(root)s/nginx-error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path %(root)s/nginx-tmp;
  fastcgi_temp_path %(root)s/nginx-tmp;
  server {
    listen 127.0.0.1:%(port)d;
    root %(mediawiki)s;
    index index.php;
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_pass unix:%(root)s/fpm.sock;
    }
  }
}
"""

FPM_CONF = """
[global]
pid = %(root)s/fpm.pid
error_log = %(root)s/fpm-error.log
daemonize = no
[wiki]
user = www-data
group = www-data
listen = %(root)s/fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 4
clear_env = no
env[MW_CONFIG_FILE] = %(config)s
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_delay", description=__doc__)
    parser.add_argument("--saves", type=int, default=30, help="saves timed per case")
    parser.add_argument("--keep", action="store_true", help="keep the trial's folder")
    args = parser.parse_args(argv)
    fpm = shutil.which("php-fpm8.4") or shutil.which("php-fpm8.2")
    if os.geteuid() != 0 or not fpm or not shutil.which("nginx"):
        print("needs root, nginx and php-fpm (apt-get install nginx php8.2-fpm)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="webhook-delay-"))
    root.chmod(0o755)  # nginx and PHP-FPM's workers run as www-data
    try:
        print(measure(root, fpm, args.saves))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


def measure(root: Path, fpm: str, saves: int) -> str:
    service_port = free_port()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    venv = install_package(root)
    mediawiki_dir = versions.mediawiki_dir()
    copied = mediawiki_dir / "extensions" / "WikiLedger"
    already = copied.exists()
    run([str(venv / "bin" / "wikiledger"), "install-extension", str(mediawiki_dir)])
    try:
        return _measure(root, fpm, saves, venv, mediawiki_dir, service_port, secret)
    finally:
        if not already:  # leave the machine's MediaWiki as it was
            shutil.rmtree(copied, ignore_errors=True)


def _measure(
    root: Path,
    fpm: str,
    saves: int,
    venv: Path,
    mediawiki_dir: Path,
    service_port: int,
    secret: str,
) -> str:
    web_port = free_port()
    wiki = create_wiki(
        root / "wiki",
        port=web_port,
        extra_settings=ADMIN_LIKE_SETTINGS % {"port": service_port, "secret": secret},
    )
    subprocess.run(["chown", "-R", "www-data:www-data", str(root / "wiki")], check=True)
    rows = []
    with serving(root, wiki, fpm, mediawiki_dir):
        site = connect(wiki, admin=True)
        rows.append(("extension off", time_saves(site, saves)))
        (root / "wiki" / "webhook.on").touch()
        with service(venv, wiki, service_port, secret, root):
            rows.append(("service running", time_saves(site, saves)))
        rows.append(("service stopped (refused)", time_saves(site, saves)))
        with hanging(service_port):
            rows.append(("service hanging (no answer)", time_saves(site, saves)))
            # A member saves now and then, not back to back: a worker is free for each save.
            rows.append(("hanging, one save a second", time_saves(site, saves, pause=1.0)))
        delivered = (root / "wiki" / "logs" / "wikiledger.log").read_text(errors="replace")
    lines = [
        f"MediaWiki {wiki.mediawiki_version}, nginx + {Path(fpm).name}, {saves} API saves a case",
        f"{'case':<30} {'median ms':>10} {'p90 ms':>8}",
    ]
    for name, times in rows:
        ordered = sorted(times)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        lines.append(f"{name:<30} {statistics.median(times):>10.1f} {p90:>8.1f}")
    lines.append(f"webhooks accepted by the running service: {delivered.count('HTTP 202')}")
    return "\n".join(lines)


def install_package(root: Path) -> Path:
    """The package installed as an admin would: `pip install .` into a virtual environment."""
    checkout = Path(__file__).resolve().parents[1]
    run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")])
    uv = shutil.which("uv")
    if uv is None:
        raise RuntimeError("uv is needed to install the package")
    run([uv, "pip", "install", "--quiet", "--python", str(root / "venv" / "bin" / "python"),
         str(checkout)])  # fmt: skip
    return root / "venv"


def time_saves(site: object, count: int, *, pause: float = 0.0) -> list[float]:
    """Milliseconds of COUNT API saves of a page, each changing its text, PAUSE s apart."""
    page = site.pages["Utilisateur:Membre Essai/Contributions 2026"]  # type: ignore[attr-defined]
    times = []
    for index in range(count + 2):
        text = f"Essai {index} {secrets.token_hex(4)}"
        began = time.perf_counter()
        page.edit(text, "essai de délai")
        elapsed = (time.perf_counter() - began) * 1000
        if index >= 2:  # the first saves warm the caches
            times.append(elapsed)
        time.sleep(pause)
    return times


@contextmanager
def serving(root: Path, wiki: LocalWiki, fpm: str, mediawiki_dir: Path) -> Iterator[None]:
    facts = {
        "root": root,
        "port": wiki.port,
        "mediawiki": mediawiki_dir,
        "config": wiki.config_file,
    }
    (root / "nginx-tmp").mkdir()
    (root / "fpm.conf").write_text(FPM_CONF % facts)
    (root / "nginx.conf").write_text(NGINX_CONF % facts)
    processes = [
        subprocess.Popen([fpm, "-y", str(root / "fpm.conf"), "-F"], start_new_session=True),
        subprocess.Popen(["nginx", "-c", str(root / "nginx.conf")], start_new_session=True),
    ]
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{wiki.api_url}?action=query&format=json", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


@contextmanager
def service(venv: Path, wiki: LocalWiki, port: int, secret: str, root: Path) -> Iterator[None]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIKILEDGER_")},
        "WIKILEDGER_WIKI_URL": wiki.url,
        "WIKILEDGER_BOT_USER": wiki.bot_login,
        "WIKILEDGER_BOT_PASSWORD": wiki.bot_password,
        "WIKILEDGER_WEBHOOK_SECRET": secret,
        "WIKILEDGER_DATA_DIR": str(root / "data"),
    }
    command = [str(venv / "bin" / "wikiledger"), "serve", "--port", str(port)]
    with (root / "service.log").open("ab") as log:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def hanging(port: int) -> Iterator[None]:
    """A server on PORT that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", port))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
