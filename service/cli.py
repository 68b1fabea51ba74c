"""The `wikiledger` command line: install-templates, install-extension, sync, report, check,
export, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ledger.record import Severity, format_problem
from ledger.report import campaign_report_to_json, contribution_report_to_json
from render.compute import Computation
from render.config import SyncConfig
from service.config import read_config
from service.export import (
    Dialect,
    export_campaign_csv,
    export_campaign_ods,
    export_contributions_csv,
    export_contributions_ods,
)
from service.extension import LOCAL_SETTINGS, ExtensionTargetError, install_extension
from service.progress import TerminalProgress
from service.settings import ConfigError, Settings
from service.wiring import build_engine, build_wiki
from sync.engine import SyncEngine
from sync.templates import install_templates
from sync.wiki import WikiError

log = logging.getLogger("wikiledger")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wikiledger",
        description="Contribution ledgers and co-budget totals from MediaWiki templates.",
    )
    parser.add_argument(
        "--config", type=Path, help="configuration file (default ./wikiledger.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install-templates", help="create or update the Modèle: pages")
    install_extension = commands.add_parser(
        "install-extension",
        help="copy the WikiLedger MediaWiki extension into a wiki's extensions/ folder",
    )
    install_extension.add_argument(
        "dir", type=Path, help="the wiki's MediaWiki folder (or its extensions/ folder)"
    )
    sync = commands.add_parser("sync", help="full sync: read, compute, write summary pages")
    sync.add_argument("--dry-run", action="store_true", help="print the diffs, write nothing")
    sync.add_argument(
        "--rebuild",
        action="store_true",
        help="read the whole revision history of the source pages again",
    )
    report = commands.add_parser("report", help="compute and print a report; writes nothing")
    report_kinds = report.add_subparsers(dest="kind", required=True)
    contributions = report_kinds.add_parser("contributions")
    contributions.add_argument("year", type=int)
    contributions.add_argument("--json", action="store_true", help="print the JSON report")
    cobudget = report_kinds.add_parser("cobudget")
    cobudget.add_argument("campagne")
    cobudget.add_argument("--json", action="store_true", help="print the JSON report")
    _add_export_parser(commands)
    commands.add_parser("check", help="list the problems; exit 1 when there is an error")
    serve = commands.add_parser("serve", help="run the HTTP service (webhook, API, pages)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    return parser


def _add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write a CSV or ODS export; writes no page")
    kinds = export.add_subparsers(dest="kind", required=True)
    for kind, key, what in (
        ("contributions", "year", "one row per declaration of the year"),
        ("cobudget", "campagne", "one row per pledge of the campagne"),
    ):
        sub = kinds.add_parser(kind, help=what)
        sub.add_argument(key, type=int if key == "year" else str)
        sub.add_argument(
            "--format", choices=("csv", "ods"), help="default: from -o's extension, else csv"
        )
        sub.add_argument(
            "--dialect",
            choices=("fr", "rfc4180"),
            help="CSV only: fr (';', decimal comma, BOM; default) or rfc4180 (',', ISO dates)",
        )
        sub.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")


def _export(args: argparse.Namespace, computation: Computation) -> int:
    """Write the export to `-o FILE` or to binary stdout; unknown year/campagne is an error."""
    fmt = args.format or ("ods" if args.output and args.output.suffix == ".ods" else "csv")
    if fmt == "ods" and args.dialect:
        raise ConfigError("--dialect applies to CSV exports only")
    dialect: Dialect = "rfc4180" if args.dialect == "rfc4180" else "fr"
    if args.kind == "contributions":
        report = computation.contributions.get(args.year)
        if report is None:
            known = ", ".join(str(y) for y in sorted(computation.contributions)) or "none"
            raise ConfigError(f"no declarations for {args.year} on the wiki (years: {known})")
        if fmt == "ods":
            data = export_contributions_ods(report)
        else:
            data = export_contributions_csv(report, dialect=dialect)
        rows = f"{len(report.contributions)} declaration(s)"
    else:
        campaign = computation.campaigns.get(args.campagne)
        if campaign is None:
            known = ", ".join(sorted(computation.campaigns)) or "none"
            raise ConfigError(f"no campaign named {args.campagne!r} on the wiki (known: {known})")
        if fmt == "ods":
            data = export_campaign_ods(campaign)
        else:
            data = export_campaign_csv(campaign, dialect=dialect)
        rows = f"{len(campaign.pledges)} pledge(s)"
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as err:
        raise ConfigError(f"cannot write {args.output}: {err.strerror or err}") from err
    print(f"wrote {args.output} ({fmt}, {rows})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _run(args)
    except (ConfigError, WikiError) as err:
        print(f"wikiledger: {err}", file=sys.stderr)
        return 2
    except ValueError as err:  # pydantic validation of the environment
        print(f"wikiledger: invalid environment: {err}".splitlines()[0], file=sys.stderr)
        return 2


def _install_extension(target: Path) -> int:
    try:
        destination = install_extension(target)
    except ExtensionTargetError as err:
        raise ConfigError(str(err)) from err
    except OSError as err:
        raise ConfigError(f"cannot copy the extension to {target}: {err}") from err
    print(f"copied the WikiLedger extension to {destination}")
    print("add to the wiki's LocalSettings.php (once):\n")
    print(LOCAL_SETTINGS)
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "install-extension":
        return _install_extension(args.dir)
    settings = Settings()
    loaded = read_config(args.config)
    config = loaded.config
    if args.command == "check":  # before the wiki is read, so it shows even if that fails
        print(loaded.describe(), flush=True)
    if args.command == "serve":
        from service.server import serve

        return serve(settings, config, host=args.host, port=args.port)
    if args.command == "install-templates":
        saved = install_templates(build_wiki(settings).connect(), config)
        for title in saved:
            print(f"saved {title}")
        print(f"{len(saved)} template page(s) saved" if saved else "templates already up to date")
        return 0
    engine = build_engine(settings, config)
    # -v logs each step to stderr: a bar redrawn on the same line would garble it.
    progress = TerminalProgress(sys.stderr, enabled=not args.verbose)
    engine.progress = progress
    try:
        return _run_engine(args, engine, config, progress)
    finally:
        progress.close()


def _run_engine(
    args: argparse.Namespace, engine: SyncEngine, config: SyncConfig, progress: TerminalProgress
) -> int:
    if args.command == "sync":
        result = engine.full_sync(dry_run=args.dry_run, rebuild=args.rebuild)
        progress.close()
        for edit in result.edits:
            if args.dry_run:
                print(edit.diff or f"--- {edit.title}: no textual change")
            else:
                print(f"edited {edit.title}: {edit.summary}")
        for held in result.held:  # refused, markers broken, {{nobots}}: the others are written
            print(f"not written {held.title}: {held.message}")
        verb = "would edit" if args.dry_run else "edited"
        print(
            f"{result.pages_listed} source pages, {result.pages_read} read, "
            f"{verb} {len(result.edits)} page(s), {result.problems} problem(s) "
            f"in {result.duration:.1f}s"
        )
        return 1 if result.refused else 0
    engine.full_sync(write=False)
    progress.close()
    computation = engine.compute()
    if args.command == "check":
        for problem in computation.problems:
            print(format_problem(problem))
        errors = sum(1 for p in computation.problems if p.severity == Severity.ERROR)
        print(f"{errors} error(s), {len(computation.problems) - errors} warning(s)")
        return 1 if errors else 0
    if args.command == "export":
        return _export(args, computation)
    if args.kind == "contributions":
        from ledger.contribution import compute_contributions

        report = computation.contributions.get(args.year) or compute_contributions(
            computation.records,
            args.year,
            default_rate=config.default_rate,
            floor=config.closing_floor,
        )
        payload = contribution_report_to_json(report)
    else:
        if args.campagne not in computation.campaigns:
            known = ", ".join(sorted(computation.campaigns)) or "none"
            raise ConfigError(f"no campaign named {args.campagne!r} on the wiki (known: {known})")
        payload = campaign_report_to_json(computation.campaigns[args.campagne])
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
