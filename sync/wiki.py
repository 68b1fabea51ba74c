"""The wiki adapter: every call wikiledger makes to MediaWiki's API, through mwclient.

Reads are batched generator queries (500 pages a request with `apihighlimits`, else 50) with
continuation followed; writes send the base revision so a concurrent human edit is never
overwritten. Infrastructure failures become `WikiError`s with a one-line message saying what
to fix and a short `reason` for health checks; they never carry the password.

Every request asserts that the bot is logged in (`assert=user`) and carries `maxlag`: a session
the wiki lost (its object cache flushed, the bot password changed) is noticed at the next request
and the client logs in again and repeats it once; a refused login is not tried again before a
backoff (30 s, doubling up to 5 minutes), so a wrong password never becomes a hot loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import mwclient
import mwclient.errors
import requests

from sync import revisions
from sync.port import (
    EditConflict,
    LoginRefused,
    PageInfo,
    PageRefused,
    PageText,
    RecentChange,
    Saved,
    WikiError,
    WikiUnreachable,
)
from sync.revisions import RevisionText

log = logging.getLogger(__name__)

# What a wiki that does not answer raises (stopped, network down, timeouts).
_NO_ANSWER = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    mwclient.errors.MaximumRetriesExceeded,
)


# API errors that mean the bot's session is gone: log in again and repeat the request once.
SESSION_ERRORS = frozenset({"assertuserfailed", "assertbotfailed", "badtoken", "notloggedin"})
# After a refused login: 30 s, 1, 2, 4, then 5 minutes. Fewer than five failures in any five
# minutes, so MediaWiki's default login throttle ($wgPasswordAttemptThrottle) never answers
# "Throttled" once the password works again.
LOGIN_BACKOFF_SECONDS = 30.0
MAX_LOGIN_BACKOFF_SECONDS = 300.0
DEFAULT_MAXLAG = 5  # seconds of replication lag above which the wiki asks bots to wait


def split_url(url: str) -> tuple[str, str, str]:
    """`http://127.0.0.1:8080/w` -> (scheme, host, path ending with '/'), where api.php lives."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WikiError(
            f"WIKILEDGER_WIKI_URL is not a wiki URL: {url!r} "
            "(expected e.g. https://wiki.example.org/w, the folder where api.php lives)"
        )
    path = parts.path
    if path.endswith("api.php"):
        path = path[: -len("api.php")]
    if not path.endswith("/"):
        path += "/"
    return parts.scheme, parts.netloc, path


__all__ = [
    "EditConflict",
    "LoginRefused",
    "PageInfo",
    "PageRefused",
    "PageText",
    "RecentChange",
    "Saved",
    "WikiClient",
    "WikiError",
    "WikiUnreachable",
    "split_url",
]


class WikiClient:
    """A logged-in connection to one wiki, counting its API requests; implements `WikiPort`."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        timeout: float = 30,
        max_retries: int = 2,
        maxlag: int | None = DEFAULT_MAXLAG,
    ) -> None:
        self.url = url
        self._user = user
        self._password = password
        self._timeout = timeout
        self._max_retries = max_retries
        self.maxlag = maxlag  # sent with every API request; None: not sent
        self._site: mwclient.Site | None = None
        self.requests = 0  # API requests made, for benchmarks and metrics
        self.logins = 0  # successful logins, the first one included
        self.rights: frozenset[str] = frozenset()
        self._login_error: LoginRefused | None = None
        self._login_failures = 0
        self._login_retry_at = 0.0  # time.monotonic() before which a refused login is not retried

    # -- connection ---------------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        """Whether the bot holds a session the wiki accepted (False before the first request,
        after a refused login, and while a lost session is being replaced)."""
        return self._site is not None

    def connect(self) -> WikiClient:
        """Open the session and log in; raises WikiError with what to fix.

        After a refused login, the next attempts within the backoff raise the same
        `LoginRefused` at once, without asking the wiki.
        """
        if self._login_error is not None and time.monotonic() < self._login_retry_at:
            wait = self._login_retry_at - time.monotonic()
            raise LoginRefused(f"{self._login_error} (next try in {wait:.0f} s)")
        scheme, host, path = split_url(self.url)
        try:
            site = mwclient.Site(
                host,
                path=path,
                scheme=scheme,
                do_init=False,
                max_retries=self._max_retries,
                retry_timeout=2,
                clients_useragent="wikiledger/0.1 (cooperative ledger bot)",
                connection_options={"timeout": self._timeout},
            )
            site.site_init()
            self.requests += 1
        except _NO_ANSWER as err:
            raise WikiUnreachable(
                f"cannot reach the wiki at {self.url}: check WIKILEDGER_WIKI_URL and that "
                f"the wiki is running ({type(err).__name__})"
            ) from None
        except (requests.exceptions.HTTPError, ValueError, mwclient.errors.MwClientError) as err:
            raise WikiError(
                f"no MediaWiki API at {self.url}api.php: check WIKILEDGER_WIKI_URL "
                f"(the folder where api.php lives) ({type(err).__name__})"
            ) from None
        if self._user:
            try:
                site.login(self._user, self._password)
                self.requests += 2
            except mwclient.errors.LoginError as err:
                raise self._refused(
                    f"login refused for {self._user!r} ({err.code}): check WIKILEDGER_BOT_USER "
                    "(as User@app for a bot password) and WIKILEDGER_BOT_PASSWORD"
                ) from None
            except _NO_ANSWER as err:
                raise WikiUnreachable(
                    f"login failed at {self.url}: the wiki stopped answering ({type(err).__name__})"
                ) from None
            except (requests.exceptions.RequestException, mwclient.errors.MwClientError) as err:
                raise WikiError(f"login failed at {self.url}: {type(err).__name__}") from None
            self.logins += 1
            if self._login_error is not None:
                log.warning("the wiki accepts the bot's login again")
            self._login_error, self._login_failures, self._login_retry_at = None, 0, 0.0
        self._site = site
        self.rights = frozenset(site.rights)
        return self

    def _refused(self, message: str) -> LoginRefused:
        """Remember a refused login and when to try again (doubling backoff)."""
        self._login_failures += 1
        backoff = min(
            MAX_LOGIN_BACKOFF_SECONDS, LOGIN_BACKOFF_SECONDS * 2 ** (self._login_failures - 1)
        )
        self._login_retry_at = time.monotonic() + backoff
        self._login_error = LoginRefused(message)
        log.warning("%s; next login attempt in %.0f s", message, backoff)
        return self._login_error

    def relogin(self) -> None:
        """Drop the session the wiki no longer knows and log in again."""
        self._site = None
        self.connect()

    @property
    def site(self) -> mwclient.Site:
        if self._site is None:
            self.connect()
        assert self._site is not None
        return self._site

    @property
    def user_name(self) -> str:
        """The bot's user name (without a bot password's `@app`), as `{{bots|deny=…}}` names it."""
        return self._user.split("@", 1)[0]

    @property
    def max_page_bytes(self) -> int:
        """The wiki's maximum page size in bytes (`$wgMaxArticleSize`, from siteinfo); 0 when
        the wiki does not say."""
        return int(self.site.site.get("maxarticlesize", 0) or 0)

    @property
    def batch_size(self) -> int:
        return 500 if "apihighlimits" in self.rights else 50

    def _api(self, action: str, *, api_errors: bool = False, **params: Any) -> dict[str, Any]:
        """One API call; infrastructure failures (and API errors, unless `api_errors` asks
        for them to be raised as they are) become WikiError.

        A lost session (`SESSION_ERRORS`) is replaced by a new login and the call repeated
        once, with a fresh edit token when it carried one.
        """
        if self._user:
            params.setdefault("assert", "user")
        if self.maxlag is not None:
            params.setdefault("maxlag", self.maxlag)
        for attempt in range(2):
            try:
                return self._call(action, params)
            except mwclient.errors.APIError as err:
                if err.code in SESSION_ERRORS and self._user and attempt == 0:
                    log.warning("the wiki lost the bot's session (%s): logging in again", err.code)
                    self.relogin()
                    if "token" in params:
                        params["token"] = self.csrf_token()
                    continue
                if err.code in SESSION_ERRORS and self._user:
                    self._site = None  # a new session at the next request
                if api_errors:
                    raise
                raise WikiError(
                    f"the wiki at {self.url} refused {action}: {err.code} {err.info}"
                ) from None
        raise AssertionError("unreachable")  # the loop returns or raises

    def _call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        site = self.site  # logs in first when needed (or raises LoginRefused within a backoff)
        self.requests += 1
        try:
            result: dict[str, Any] = site.api(action, **params)
            return result
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as err:
            raise WikiUnreachable(
                f"the wiki at {self.url} stopped answering ({type(err).__name__})"
            ) from None
        except requests.exceptions.HTTPError as err:
            raise WikiUnreachable(f"the wiki at {self.url} answered an HTTP error: {err}") from None
        except mwclient.errors.MaximumRetriesExceeded:
            raise WikiUnreachable(
                f"the wiki at {self.url} kept failing or asked to wait (replication lag over "
                f"{self.maxlag} s); try again later"
            ) from None

    def csrf_token(self) -> str:
        """An edit token of the current session."""
        try:
            token: str = self.site.get_token("csrf", force=True)
            self.requests += 1
            return token
        except (requests.exceptions.RequestException, mwclient.errors.MwClientError) as err:
            raise WikiUnreachable(f"no edit token from {self.url}: {type(err).__name__}") from None

    def _query(self, **params: Any) -> Iterator[dict[str, Any]]:
        """Run a query and follow `continue` until done, yielding each result's `query`."""
        params = {"formatversion": 2, **params}
        cont: dict[str, Any] = {}
        while True:
            result = self._api("query", **params, **cont)
            if "query" in result:
                yield result["query"]
            if "continue" not in result:
                return
            cont = result["continue"]

    # -- reading ------------------------------------------------------------------------

    def template_redirects(self, template_titles: Iterable[str]) -> dict[str, str]:
        """Redirects to each template: {redirect title: template title} (titles prefixed)."""
        titles = list(template_titles)
        found: dict[str, str] = {}
        for query in self._query(titles="|".join(titles), prop="redirects", rdlimit="max"):
            for page in query.get("pages", []):
                for redirect in page.get("redirects", []):
                    found[redirect["title"]] = page["title"]
        return found

    def transcluding_templates(self, template_titles: Iterable[str]) -> set[str]:
        """Titles of the templates (namespace 10) that transclude any of these templates."""
        found: set[str] = set()
        for query in self._query(
            titles="|".join(sorted(set(template_titles))),
            prop="transcludedin",
            tinamespace=10,
            tilimit="max",
            tiprop="title",
        ):
            for template in query.get("pages", []):
                found.update(page["title"] for page in template.get("transcludedin", []))
        return found

    def list_transclusions(self, template_titles: Iterable[str]) -> dict[int, PageInfo]:
        """Every page that transcludes any of the templates (directly or through a redirect),
        with its current revision id, in one query for all of them (`transcludedin`) rather
        than one per template."""
        pages: dict[int, PageInfo] = {}
        for query in self._query(
            titles="|".join(sorted(set(template_titles))),
            generator="transcludedin",
            gtilimit="max",
            prop="info",
        ):
            for page in query.get("pages", []):
                if "missing" in page or "lastrevid" not in page:
                    continue
                pages[page["pageid"]] = PageInfo(
                    page["pageid"], page["title"], page["ns"], page["lastrevid"]
                )
        return pages

    def template_sources(
        self, template_titles: Iterable[str]
    ) -> tuple[dict[str, str], dict[int, PageInfo]]:
        """In one query: the redirects to each template ({redirect title: template title}) and
        every page that transcludes any of them, without revision ids (`rev_id` 0) — for a
        first sync, where the content read next brings them."""
        redirects: dict[str, str] = {}
        pages: dict[int, PageInfo] = {}
        for query in self._query(
            titles="|".join(sorted(set(template_titles))),
            prop="redirects|transcludedin",
            rdlimit="max",
            tilimit="max",
            tiprop="pageid|title",
        ):
            for template in query.get("pages", []):
                for redirect in template.get("redirects", []):
                    redirects[redirect["title"]] = template["title"]
                for page in template.get("transcludedin", []):
                    pages[page["pageid"]] = PageInfo(page["pageid"], page["title"], page["ns"], 0)
        return redirects, pages

    def fetch_texts(self, page_ids: Iterable[int]) -> list[PageText]:
        """The current text of these pages, batched (deleted ones are simply absent)."""
        ids = sorted(set(page_ids))
        texts: list[PageText] = []
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start : start + self.batch_size]
            texts.extend(self._fetch(pageids="|".join(map(str, batch))))
        return texts

    def fetch_titles(self, titles: Iterable[str]) -> dict[str, PageText]:
        """Current text of pages by title; missing pages are absent. Keys are normalised titles."""
        unique = sorted(set(titles))
        found: dict[str, PageText] = {}
        for start in range(0, len(unique), self.batch_size):
            for page in self._fetch(titles="|".join(unique[start : start + self.batch_size])):
                found[page.title] = page
        return found

    def _fetch(self, **selector: str) -> Iterator[PageText]:
        for query in self._query(
            prop="revisions", rvprop="ids|timestamp|user|content", rvslots="main", **selector
        ):
            for page in query.get("pages", []):
                revisions = page.get("revisions")
                if "missing" in page or not revisions:
                    continue
                revision = revisions[0]
                slot = revision.get("slots", {}).get("main", {})
                if "content" not in slot:  # continued in the next request
                    continue
                yield PageText(
                    page["pageid"],
                    page["title"],
                    page["ns"],
                    revision["revid"],
                    revision["timestamp"],
                    slot["content"],
                    user="" if revision.get("userhidden") else revision.get("user", ""),
                    anonymous=bool(revision.get("anon")),
                    user_hidden=bool(revision.get("userhidden")),
                    parent_id=int(revision.get("parentid", 0)),
                )

    def page_infos(self, titles: Iterable[str]) -> dict[str, PageInfo]:
        """Current revision of pages by title (id, timestamp, SHA-1 of the content), without
        the content; missing pages are absent."""
        unique = sorted(set(titles))
        found: dict[str, PageInfo] = {}
        for start in range(0, len(unique), self.batch_size):
            for query in self._query(
                titles="|".join(unique[start : start + self.batch_size]),
                prop="revisions",
                rvprop="ids|timestamp|sha1",
            ):
                for page in query.get("pages", []):
                    revisions = page.get("revisions")
                    if "missing" in page or "invalid" in page or not revisions:
                        continue
                    revision = revisions[0]
                    found[page["title"]] = PageInfo(
                        page["pageid"],
                        page["title"],
                        page["ns"],
                        revision["revid"],
                        revision["timestamp"],
                        revision.get("sha1", ""),
                    )
        return found

    def normalize_titles(self, titles: Iterable[str]) -> dict[str, str]:
        """How the wiki spells each title (`Modèle:contribution` -> `Modèle:Contribution`)."""
        unique = sorted(set(titles))
        mapping = {title: title for title in unique}
        for start in range(0, len(unique), 50):
            for query in self._query(titles="|".join(unique[start : start + 50])):
                for item in query.get("normalized", []):
                    mapping[item["from"]] = item["to"]
        return mapping

    def recent_changes(self, since: str, *, limit: int = 5000) -> list[RecentChange]:
        """Changes after `since` (ISO timestamp), oldest first, edits and page logs."""
        changes: list[RecentChange] = []
        for query in self._query(
            list="recentchanges",
            rcstart=since,
            rcdir="newer",
            rcprop="title|ids|timestamp|loginfo",
            rctype="edit|new|log",
            rclimit="max",
        ):
            for rc in query.get("recentchanges", []):
                params = rc.get("logparams", {})
                changes.append(
                    RecentChange(
                        rc["rcid"],
                        rc["type"],
                        rc.get("title", ""),
                        rc.get("pageid", 0),
                        rc.get("revid", 0),
                        rc["timestamp"],
                        rc.get("logtype", ""),
                        rc.get("logaction", ""),
                        params.get("target_title", ""),
                    )
                )
            if len(changes) >= limit:
                break
        return changes

    # -- writing ------------------------------------------------------------------------

    def edit(
        self,
        title: str,
        text: str,
        summary: str,
        *,
        base: PageText | None,
    ) -> Saved:
        """Save `text` as a bot edit based on `base` (None: the page must not exist yet).

        Raises EditConflict when the page changed since `base`
        was read (or was created meanwhile), so the caller re-reads and recomputes.
        """
        params: dict[str, Any] = {
            "title": title,
            "text": text,
            "summary": summary,
            "bot": 1,
            "assert": "user",
            "formatversion": 2,
        }
        if base is None:
            params["createonly"] = 1
        else:
            params["baserevid"] = base.rev_id
            params["basetimestamp"] = base.timestamp
            params["nocreate"] = 1
        try:
            params["token"] = self.site.get_token("csrf")
        except (requests.exceptions.RequestException, mwclient.errors.MwClientError) as err:
            raise WikiUnreachable(f"no edit token from {self.url}: {type(err).__name__}") from None
        try:
            result = self._api("edit", api_errors=True, **params)
        except mwclient.errors.APIError as err:
            if err.code in ("editconflict", "articleexists", "missingtitle", "pagedeleted"):
                raise EditConflict(f"{title}: {err.code}") from None
            raise PageRefused(title, err.code or "", err.info or "") from None
        edit = result.get("edit", {})
        if edit.get("result") != "Success":
            raise PageRefused(title, str(edit.get("result", "")), str(edit))
        if "nochange" in edit:  # the same text: MediaWiki made no revision
            rev_id = base.rev_id if base else 0
            return Saved(rev_id, rev_id, base.timestamp if base else "")
        return Saved(int(edit["newrevid"]), int(edit.get("oldrevid") or 0), edit["newtimestamp"])

    def purge(self, titles: list[str]) -> None:
        """Have the wiki render these pages again now, and record their link tables."""
        for start in range(0, len(titles), 50):
            self._api("purge", titles="|".join(titles[start : start + 50]), forcelinkupdate=1)

    def fetch_revision(self, rev_id: int) -> PageText | None:
        """One revision's text by its id (None when it is gone)."""
        pages = list(self._fetch(revids=str(rev_id)))
        return pages[0] if pages else None

    # -- history (who declared, validated and paid) ---------------------------------------

    def read_histories(self, pages: Mapping[int, int]) -> list[RevisionText]:
        """Every revision of the pages ({page id: namespace}), each once, authors included."""
        namespaces = set(pages.values())
        return list(revisions.read_histories(self._query, pages, namespaces, self.batch_size))

    def missed_revisions(self, page_id: int, after: int, before: int) -> list[RevisionText]:
        """The revisions of one page strictly between two revision ids, oldest first."""
        return revisions.missed_revisions(self._query, page_id, after, before, self.batch_size)

    def group_members(self, group: str) -> frozenset[str]:
        """The members of a wiki user group (the treasury's)."""
        return revisions.group_members(self._query, group)

    def renamed_users(self) -> dict[str, str]:
        """{old name: new name} of the users renamed on the wiki."""
        return revisions.renamed_users(self._query)
