"""`scripts/demo`: a local demo wiki with sample Optéos pages, the service, a first sync.

Everything lives under `var/demo/`: the wiki (MediaWiki on 127.0.0.1, with the WikiLedger
extension loaded), the service's data, logs and pid files. Running it again reuses them.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from devwiki.client import connect
from devwiki.mediawiki import STATE_FILE, LocalWiki, create_wiki, free_port
from devwiki.seed import save_seed
from devwiki.settings import extension_settings
from render.config import SyncConfig
from service.settings import Settings
from service.wiring import build_engine, build_wiki
from sync.templates import install_templates

ROOT = Path(__file__).resolve().parents[1]


def _facts(home: Path) -> dict[str, object]:
    path = home / "demo.json"
    if path.exists():
        facts: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return facts
    home.mkdir(parents=True, exist_ok=True)
    facts = {"service_port": free_port(), "secret": secrets.token_urlsafe(32)}
    path.write_text(json.dumps(facts), encoding="utf-8")
    path.chmod(0o600)
    return facts


def _environment(wiki: LocalWiki, facts: dict[str, object], home: Path) -> dict[str, str]:
    return {
        "WIKILEDGER_WIKI_URL": wiki.url,
        "WIKILEDGER_BOT_USER": wiki.bot_login,
        "WIKILEDGER_BOT_PASSWORD": wiki.bot_password,
        "WIKILEDGER_WEBHOOK_SECRET": str(facts["secret"]),
        "WIKILEDGER_DATA_DIR": str(home / "data"),
    }


def _page_url(wiki: LocalWiki, title: str) -> str:
    return f"{wiki.url}/index.php?title={quote(title.replace(' ', '_'))}"


def start(home: Path) -> int:
    facts = _facts(home)
    port = int(str(facts["service_port"]))
    wiki_dir = home / "wiki"
    if (wiki_dir / STATE_FILE).exists():
        wiki = LocalWiki.load(wiki_dir)
    else:
        print("== creating the demo wiki")
        wiki = create_wiki(
            wiki_dir, extra_settings=extension_settings(port, str(facts["secret"]), debug_log=True)
        )
    wiki.start()
    env = _environment(wiki, facts, home)
    os.environ.update(env)
    settings, config = Settings(), SyncConfig()
    client = build_wiki(settings)
    engine = build_engine(settings, config, wiki=client)  # logs the client in
    saved = install_templates(client, config)
    print(f"== templates: {len(saved)} saved" if saved else "== templates already up to date")
    if not (home / "seeded").exists():
        count = save_seed(connect(wiki, admin=True))
        (home / "seeded").touch()
        print(f"== seeded {count} sample pages")
    print("== first sync")
    result = engine.full_sync()
    for edit in result.edits:
        print(f"   edited {edit.title}")
    print(
        f"   {result.pages_listed} source pages, {len(result.edits)} edits, "
        f"{result.problems} problems, {result.duration:.1f} s"
    )
    computation = engine.compute()
    engine.state.close()
    _start_service(home, env, port)
    pages = [config.pages.registry_for(y) for y in sorted(computation.contributions)]
    pages += [config.pages.bilan_for(c) for c in sorted(computation.campaigns)]
    pages += [config.pages.anomalies]
    print("\nThe demo is running:")
    print(f"  wiki              {wiki.url}/index.php  (log in as Admin / {wiki.admin_password})")
    for title in pages:
        print(f"  {title:<40} {_page_url(wiki, title)}")
    print(f"  service status    http://127.0.0.1:{port}/")
    print(f"  JSON              http://127.0.0.1:{port}/api/contributions/2026")
    print(
        "\nEdit a declaration, e.g. "
        f"{_page_url(wiki, 'Utilisateur:Alice Martin/Contributions 2026')}"
        " — the registre updates within seconds. Stop everything with: scripts/demo stop"
    )
    return 0


def _start_service(home: Path, env: dict[str, str], port: int) -> None:
    pid_file = home / "service.pid"
    if pid_file.exists() and _alive(int(pid_file.read_text())):
        print(f"== service already running on port {port}")
        return
    log = (home / "service.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service stopped at start; see {home / 'service.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if json.load(answer).get("status") == "ok":
                    print(f"== service running on http://127.0.0.1:{port}")
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the service did not become ready; see {home / 'service.log'}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def stop(home: Path) -> int:
    pid_file = home / "service.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
        pid_file.unlink()
        print("stopped the service")
    if (home / "wiki" / STATE_FILE).exists():
        LocalWiki.load(home / "wiki").stop()
        print("stopped the wiki")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    home = ROOT / "var" / "demo"
    if args and args[0] == "stop":
        return stop(home)
    return start(home)


if __name__ == "__main__":
    sys.exit(main())
