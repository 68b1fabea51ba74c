"""Copying the WikiLedger MediaWiki extension, shipped inside the package, into a wiki."""

from __future__ import annotations

import shutil
from pathlib import Path

EXTENSION_NAME = "WikiLedger"
EXTENSION_DIR = (
    Path(__file__).resolve().parents[1] / "wiki_templates" / "extension" / EXTENSION_NAME
)

LOCAL_SETTINGS = """\
wfLoadExtension( 'WikiLedger' );
$wgWikiLedgerWebhookUrl = 'http://127.0.0.1:8000/webhook';
$wgWikiLedgerWebhookSecret = '…';  // the same value as WIKILEDGER_WEBHOOK_SECRET
$wgWikiLedgerSkipUsers = [ 'WikiLedgerBot' ];  // the bot's user name, without "@app"
"""


class ExtensionTargetError(Exception):
    """DIR is neither a MediaWiki folder nor its extensions/ folder."""


def extensions_dir(target: Path) -> Path:
    """The extensions/ folder of TARGET: a MediaWiki folder, or that extensions/ folder itself."""
    target = Path(target)
    if (target / "extensions").is_dir():
        return target / "extensions"
    if target.name == "extensions" and target.is_dir():
        return target
    raise ExtensionTargetError(
        f"{target} is not a MediaWiki folder (no extensions/ in it) nor its extensions/ folder"
    )


def install_extension(target: Path) -> Path:
    """Copy the extension to TARGET's extensions/WikiLedger, replacing an older copy; return it.

    An older copy's files that the new version no longer has are removed, so an upgrade is the
    same command. Files are left readable by the web server (0644, folders 0755).
    """
    destination = extensions_dir(target) / EXTENSION_NAME
    staging = destination.with_name(f".{EXTENSION_NAME}.installing")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(EXTENSION_DIR, staging, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in [staging, *staging.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    if destination.is_symlink() or destination.is_file():
        destination.unlink()
    elif destination.exists():
        shutil.rmtree(destination)
    staging.rename(destination)
    return destination
