"""The dev wiki's own safety nets, on a wiki of their own: deprecations our settings cause are
reported (the tests' wikis fail on them), and generated passwords that start with "-" reach
MediaWiki's maintenance scripts as passwords, not options."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import mwclient
import pytest

from devwiki import install
from devwiki.mediawiki import LocalWiki, create_wiki

# A settings file whose hook calls a deprecated API on every api.php request, as an extension
# or LocalSettings.php using a removed-soon MediaWiki function would.
DEPRECATED_CALL = r"""
$wgHooks['ApiBeforeMain'][] = static function () {
	wfDeprecated( 'devwikiDeprecationProbe', '1.39' );
};
"""


@pytest.fixture(scope="module")
def probe_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWiki]:
    wiki = create_wiki(tmp_path_factory.mktemp("probe") / "wiki", extra_settings=DEPRECATED_CALL)
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


def siteinfo(wiki: LocalWiki) -> dict[str, object]:
    query = f"{wiki.api_url}?action=query&meta=siteinfo&format=json"
    with urllib.request.urlopen(query, timeout=10) as response:
        general: dict[str, object] = json.load(response)["query"]["general"]
        return general


def test_a_deprecated_call_from_the_wikis_settings_is_reported_at_teardown(
    probe_wiki: LocalWiki,
) -> None:
    # the API still answers with clean JSON: the warning goes to the log, not the response
    assert siteinfo(probe_wiki)["sitename"] == "Documentation Optéos"
    deprecations = probe_wiki.deprecations()
    assert deprecations  # one per api.php request since the wiki started
    for deprecation in deprecations:
        assert "devwikiDeprecationProbe" in deprecation
        assert str(probe_wiki.config_file) in deprecation
    assert set(probe_wiki.logged_errors()) == {"deprecations"}


def test_a_generated_password_starting_with_a_dash_is_given_as_a_password(
    probe_wiki: LocalWiki,
) -> None:
    # "-fxx…" read as options was "Option given twice" (about 1.6 % of wiki creations)
    password = "-ff-" + "x" * 20
    install.create_account(
        probe_wiki.config_file, "Membre Tiret", password, mediawiki_dir=probe_wiki.mediawiki_dir
    )
    site = mwclient.Site(f"127.0.0.1:{probe_wiki.port}", path="/", scheme="http")
    assert site.clientlogin(username="Membre Tiret", password=password) is True
    userinfo = site.api("query", meta="userinfo")["query"]["userinfo"]
    assert userinfo["name"] == "Membre Tiret"


def test_the_wikis_of_both_versions_have_their_own_pristine_cache(probe_wiki: LocalWiki) -> None:
    pristine = install.pristine_dir(probe_wiki.mediawiki)
    assert pristine.name.startswith(f"devwiki-{probe_wiki.mediawiki_version}-")
    assert (pristine / "LocalSettings.php").is_file()
    assert Path(probe_wiki.mediawiki_dir, "maintenance", "install.php").is_file()
