"""Where to look for distributions: settings turned into index URLs and find-links locations,
and the URL rules the HTTP layer shares with them (credentials in URLs, host matching).

Import rule: imports only the stdlib, `satchel.names`, `satchel.urls` and the pure
`satchel.index.links`. No network; the only contacts with the world are `classify_find_links` asking the file system
what a path is and `Credentials` reading ~/.netrc (once, lazily).

    where = locations("https://host/simple", ["https://extra/simple"], ["./wheels"], no_index=False)
    where.index_urls   -> ("https://host/simple/", "https://extra/simple/")
    where.find_links   -> (FindLinks(kind="dir", url="file:///.../wheels", path="/.../wheels"),)
    project_url(where.index_urls[0], "Foo_Bar")  -> "https://host/simple/foo-bar/"

pip's semantics: `--no-index` drops every index URL but keeps find-links; index URLs are
deduplicated in order; an index URL that is an existing local directory becomes a file://
URL; a find-links entry is a local directory (every archive in it), a local archive (that
one file), a URL or a local non-archive file (a page of links; a URL naming an archive is
that one file); a path that doesn't exist is kept as "missing" with a warning (pip ignores
it with a warning too).
"""

from __future__ import annotations

import os
import posixpath
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Literal

from satchel.index.links import archive_extension
from satchel.names import canonical_name
from satchel.urls import file_url_to_path, is_file_url, path_to_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.settings.model import Settings

__all__ = [
    "INDEX_STRATEGIES",
    "Credentials",
    "FindLinks",
    "IndexStrategy",
    "Locations",
    "classify_find_links",
    "host_matches",
    "index_for_url",
    "is_secure_origin",
    "is_trusted",
    "is_of_project",
    "locations",
    "locations_from_settings",
    "normalize_index_url",
    "project_url",
    "proxy_for",
    "split_credentials",
]

IndexStrategy = Literal["first-index", "unsafe-best-match"]
INDEX_STRATEGIES: tuple[IndexStrategy, ...] = ("first-index", "unsafe-best-match")
FindLinksKind = Literal["dir", "file", "url", "missing"]


@dataclass(frozen=True, slots=True)
class FindLinks:
    """One --find-links entry: `kind`, its URL (file:// for local paths) and local `path`."""

    kind: FindLinksKind
    url: str
    path: str | None
    original: str


@dataclass(frozen=True, slots=True)
class Locations:
    """Every place to look, in order. Index URLs end with "/" and may carry user:password@."""

    index_urls: tuple[str, ...]
    find_links: tuple[FindLinks, ...]

    @property
    def warnings(self) -> list[str]:
        return [
            f"find-links location {entry.original!r} is ignored: it is neither an existing path nor a URL"
            for entry in self.find_links
            if entry.kind == "missing"
        ]


def locations(
    index_url: str | None,
    extra_index_urls: tuple[str, ...] | list[str] = (),
    find_links: tuple[str, ...] | list[str] = (),
    *,
    no_index: bool = False,
    cwd: str | None = None,
) -> Locations:
    """The locations pip would search for these options."""
    indexes: list[str] = []
    if not no_index:
        for url in ([index_url] if index_url else []) + list(extra_index_urls):
            normalized = normalize_index_url(url, cwd=cwd)
            if normalized not in indexes:
                indexes.append(normalized)
    found: list[FindLinks] = []
    for entry in find_links:
        classified = classify_find_links(entry, cwd=cwd)
        if all(classified.url.rstrip("/") != seen.url.rstrip("/") for seen in found):
            found.append(classified)
    return Locations(tuple(indexes), tuple(found))


def locations_from_settings(settings: Settings, *, cwd: str | None = None) -> Locations:
    return locations(
        settings.index_url,
        settings.extra_index_urls,
        settings.find_links,
        no_index=settings.no_index,
        cwd=cwd,
    )


def normalize_index_url(url: str, *, cwd: str | None = None) -> str:
    """`https://host/simple` -> `https://host/simple/`; a local directory -> its file:// URL."""
    url = url.strip()
    if "://" not in url and not is_file_url(url):
        path = os.path.join(cwd or os.getcwd(), os.path.expanduser(url))
        if os.path.isdir(path):
            url = path_to_url(path)
    return url if url.endswith("/") else url + "/"


def project_url(index_url: str, name: str) -> str:
    """PEP 503: `<index>/<normalized name>/`."""
    base = index_url if index_url.endswith("/") else index_url + "/"
    return base + urllib.parse.quote(canonical_name(name)) + "/"


def classify_find_links(entry: str, *, cwd: str | None = None) -> FindLinks:
    """A --find-links entry as a local directory, local file, URL, or a missing path."""
    text = entry.strip()
    if is_file_url(text):
        path = file_url_to_path(text)
        return _local(path, text)
    if "://" in text:
        return FindLinks("url", text, None, entry)
    path = os.path.join(cwd or os.getcwd(), os.path.expanduser(text))
    return _local(os.path.abspath(path), entry)


def _local(path: str, original: str) -> FindLinks:
    if os.path.isdir(path):
        return FindLinks("dir", path_to_url(path), path, original)
    if os.path.isfile(path):  # an archive is one link; any other file a page of links (pip)
        return FindLinks("file" if archive_extension(path) else "url", path_to_url(path), path, original)
    return FindLinks("missing", path_to_url(path), path, original)


def is_of_project(filename: str, name: str) -> bool:
    """Whether an archive's file name says it is a distribution of canonical project `name`
    (a wheel's first field; for an sdist, the part before any dash, as pip reads it)."""
    ext = archive_extension(filename)
    stem = filename[: -len(ext)] if ext else ""
    if ext == ".whl":
        return canonical_name(stem.split("-", 1)[0]) == name
    return any(canonical_name(stem[:i]) == name for i, c in enumerate(stem) if c == "-")


# ---------------------------------------------------------------- URL rules for the HTTP layer


def split_credentials(url: str) -> tuple[str, tuple[str, str | None] | None]:
    """(the URL without `user:password@`, (user, password or None) unquoted, or None)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, sep, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return clean, (urllib.parse.unquote(user), urllib.parse.unquote(password) if sep else None)


def host_matches(parts: urllib.parse.SplitResult, trusted: str) -> bool:
    """Whether a URL's host is `trusted` ("host", "host:port", "[::1]:8080"); no port = any."""
    spec = urllib.parse.urlsplit("//" + trusted.strip())
    try:
        port = spec.port
    except ValueError:
        return False
    if (spec.hostname or "") != (parts.hostname or "").lower():
        return False
    return port is None or port == (parts.port or {"http": 80, "https": 443}.get(parts.scheme))


def is_trusted(url: str, trusted_hosts: tuple[str, ...] | list[str]) -> bool:
    parts = urllib.parse.urlsplit(url)
    return any(host_matches(parts, trusted) for trusted in trusted_hosts)


def is_secure_origin(url: str, trusted_hosts: tuple[str, ...] | list[str] = ()) -> bool:
    """pip's rule: https, file, loopback hosts and trusted hosts are secure; plain http elsewhere isn't."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("https", "file") or is_trusted(url, trusted_hosts):
        return True
    host = (parts.hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def proxy_for(url: str, explicit: str | None, environment: dict[str, str]) -> str | None:
    """The proxy for `url`: `explicit` (pip's --proxy), else the environment's for its scheme
    (`urllib.request.getproxies()`); none for hosts that $NO_PROXY (`environment["no"]`) lists."""
    parts = urllib.parse.urlsplit(url)
    proxy = explicit or environment.get(parts.scheme)
    if not proxy:
        return None
    host, port = (parts.hostname or "").lower(), parts.port
    for entry in (e.strip().lower() for e in environment.get("no", "").split(",")):
        name, _, wanted_port = entry.partition(":")
        if entry == "*" or (name and (host == name.lstrip(".") or host.endswith("." + name.lstrip(".")))
                            and (not wanted_port or wanted_port == str(port))):  # fmt: skip
            return None
    return proxy if "://" in proxy else f"http://{proxy}"


def index_for_url(url: str, index_urls: list[str] | tuple[str, ...]) -> str | None:
    """pip's `_get_index_url`: the index (as given, credentials and all) a credential-free
    `url` belongs to: on the same host and port, the one sharing the longest path prefix."""
    target = urllib.parse.urlsplit(url.rstrip("/") + "/")
    best: tuple[int, str] | None = None
    for index in index_urls:
        index = index.rstrip("/") + "/"
        parsed = urllib.parse.urlsplit(split_credentials(index)[0])
        if parsed == target:
            return index
        if parsed.netloc != target.netloc:
            continue
        shared = posixpath.commonprefix([target.path, parsed.path]).rfind("/")
        if best is None or shared > best[0]:
            best = (shared, index)
    return best[1] if best else None


class Credentials:
    """Which user and password go with which URL, pip's order: the URL's own `user:password@`;
    else those of the index the URL belongs to (same host and port, longest shared path, see
    `sources.index_for_url`); else ~/.netrc ($NETRC) for the host; else the last ones used
    for that host and port (so files linked from an index page carry the index's)."""

    def __init__(self, *, use_netrc: bool = True) -> None:
        self._lock = threading.Lock()
        self._indexes: list[str] = []
        self._by_netloc: dict[str, tuple[str, str]] = {}
        self._use_netrc = use_netrc
        self._netrc: Any = None
        self._netrc_loaded = False

    def add_index(self, url: str) -> None:
        with self._lock:
            if url not in self._indexes:
                self._indexes.append(url)

    def for_url(self, url: str) -> tuple[str, tuple[str, str] | None]:
        """(the URL without credentials, (user, password) to send or None)."""
        clean, given = split_credentials(url)
        user, password = given if given is not None else (None, None)
        netloc = urllib.parse.urlsplit(clean).netloc
        with self._lock:
            if user is None or password is None:
                index = index_for_url(clean, self._indexes)
                found = split_credentials(index)[1] if index else None
                if found is None or found[1] is None:
                    found = self._from_netrc(urllib.parse.urlsplit(clean).hostname or "")
                if found is not None and (user is None or found[0] == user):
                    user, password = found
            if (user is None or password is None) and netloc in self._by_netloc:
                known = self._by_netloc[netloc]
                if user is None or user == known[0]:
                    user, password = known
            if user is None and password is None:
                return clean, None
            chosen = (user or "", password or "")
            self._by_netloc[netloc] = chosen
        return clean, chosen

    def _from_netrc(self, host: str) -> tuple[str, str | None] | None:
        if not self._use_netrc or not host:
            return None
        if not self._netrc_loaded:
            self._netrc_loaded = True
            import netrc

            path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
            try:
                self._netrc = netrc.netrc(path)
            except (OSError, netrc.NetrcParseError):  # absent or unreadable: like requests, no netrc
                self._netrc = None
        if self._netrc is None:
            return None
        entry = self._netrc.authenticators(host)
        if not entry:
            return None
        login, account, password = entry
        return (login or account or ""), password
