"""Shared fixtures: one real local MediaWiki per session, a clean-pages `wiki`, a bot session.

Nothing here starts the wiki unless a test asks for it: tests/unit stays fast and offline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devwiki.client import connect, delete_pages_except
from devwiki.mediawiki import LocalWiki, create_wiki

if TYPE_CHECKING:
    import mwclient

TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests/wiki as `wiki`, tests/e2e as `wiki` and `e2e`, tests/browser as `wiki` and
    `browser` (select with -m)."""
    for item in items:
        path = Path(str(item.path))
        if (TESTS / "wiki") in path.parents:
            item.add_marker(pytest.mark.wiki)
        elif (TESTS / "e2e") in path.parents:
            item.add_marker(pytest.mark.wiki)
            item.add_marker(pytest.mark.e2e)
        elif (TESTS / "browser") in path.parents:
            item.add_marker(pytest.mark.wiki)
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _devwiki(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalWiki, set[tuple[int, str]]]]:
    # create_wiki installs MediaWiki when it is missing and fails loudly when it cannot:
    # a wiki test is never skipped.
    wiki = create_wiki(tmp_path_factory.mktemp("devwiki"))
    wiki.start()
    try:
        yield wiki, wiki.page_keys()
    finally:
        wiki.stop()
    # An exception MediaWiki logged and answered anyway (a deferred update or a job that
    # threw) is a defect of the dev wiki that the tests above would only catch by chance.
    assert wiki.logged_errors() == {}


@pytest.fixture(scope="session")
def local_wiki(_devwiki: tuple[LocalWiki, set[tuple[int, str]]]) -> LocalWiki:
    """The session's running wiki. Pages made through it are NOT cleaned up: prefer `wiki`."""
    return _devwiki[0]


@pytest.fixture(scope="session")
def wiki_baseline(_devwiki: tuple[LocalWiki, set[tuple[int, str]]]) -> set[tuple[int, str]]:
    """(namespace, title) of the pages `wiki` keeps. A session fixture that creates pages for
    every test adds them here (`wiki_baseline |= local_wiki.page_keys()`)."""
    return _devwiki[1]


@pytest.fixture(scope="session")
def admin_site(local_wiki: LocalWiki) -> mwclient.Site:
    """mwclient session of the administrator's bot password (delete, protect, edit anything)."""
    return connect(local_wiki, admin=True)


@pytest.fixture(scope="session")
def _bot_session(local_wiki: LocalWiki) -> mwclient.Site:
    return connect(local_wiki)


@pytest.fixture
def wiki(
    local_wiki: LocalWiki, wiki_baseline: set[tuple[int, str]], admin_site: mwclient.Site
) -> Iterator[LocalWiki]:
    """The running wiki; every page created during the test is deleted afterwards."""
    yield local_wiki
    delete_pages_except(local_wiki, wiki_baseline, admin_site)


@pytest.fixture
def bot_site(wiki: LocalWiki, _bot_session: mwclient.Site) -> mwclient.Site:
    """mwclient Site logged in as the wikiledger bot, with the `wiki` fixture's clean-up."""
    return _bot_session
