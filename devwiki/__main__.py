"""`python -m devwiki start|stop|status|credentials DIR`: run a local wiki from the shell;
`python -m devwiki mediawiki [VERSION...]`: make MediaWiki 1.39 / 1.43 runnable here."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from devwiki import versions
from devwiki.install import ensure_installed
from devwiki.mediawiki import STATE_FILE, LocalWiki, create_wiki


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devwiki", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="create the wiki if DIR has none, then serve it")
    start.add_argument("dir", type=Path)
    start.add_argument("--port", type=int, default=None)
    start.add_argument(
        "--mediawiki",
        choices=versions.SUPPORTED,
        default=None,
        help=f"MediaWiki version of a new wiki (default: ${versions.ENV}, else Debian's)",
    )
    start.add_argument(
        "--extra-settings",
        type=Path,
        default=None,
        help="a PHP file whose text is appended to LocalSettings.php when the wiki is created",
    )
    for name, text in (
        ("stop", "stop the wiki's server"),
        ("status", "say whether the wiki runs"),
        ("credentials", "print the wiki's URL and bot credentials as environment lines"),
    ):
        commands.add_parser(name, help=text).add_argument("dir", type=Path)
    mediawiki = commands.add_parser(
        "mediawiki",
        help="install or fetch MediaWiki VERSION (default: the selected one); print its tree",
    )
    mediawiki.add_argument("versions", nargs="*", metavar="VERSION")
    args = parser.parse_args(argv)

    if args.command == "mediawiki":
        for series in args.versions or [versions.selected_series()]:
            tree = ensure_installed(series)
            print(f"MediaWiki {versions.read_mediawiki_version(tree)}: {tree}")
        return 0

    root: Path = args.dir.resolve()
    if args.command == "start":
        return _start(root, args.port, args.extra_settings, args.mediawiki)
    if not (root / STATE_FILE).is_file():
        print(f"no wiki in {root}", file=sys.stderr)
        return 1
    wiki = LocalWiki.load(root)
    if args.command == "stop":
        wiki.stop()
        print(f"stopped {wiki.url}")
    elif args.command == "status":
        running = wiki.is_running()
        state = f"running (pid {wiki.pid})" if running else "stopped"
        print(f"{wiki.url} {state} — {root}")
        return 0 if running else 3
    else:
        print(f"WIKILEDGER_WIKI_URL={wiki.url}")
        print(f"WIKILEDGER_BOT_USER={wiki.bot_login}")
        print(f"WIKILEDGER_BOT_PASSWORD={wiki.bot_password}")
    return 0


def _start(root: Path, port: int | None, extra_settings: Path | None, mediawiki: str | None) -> int:
    began = time.monotonic()
    if (root / STATE_FILE).is_file():
        wiki = LocalWiki.load(root)
        if port is not None and port != wiki.port and not wiki.is_running():
            wiki.set_port(port)
    else:
        extra = extra_settings.read_text(encoding="utf-8") if extra_settings else ""
        wiki = create_wiki(root, port=port, extra_settings=extra, mediawiki=mediawiki)
        print(
            f"created {root} (MediaWiki {wiki.mediawiki_version}) in "
            f"{time.monotonic() - began:.1f} s"
        )
    wiki.start()
    # The server runs in its own session and outlives this command; `stop DIR` ends it.
    print(f"{wiki.url} (pid {wiki.pid}, log {wiki.server_log})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
