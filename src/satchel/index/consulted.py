"""The record of what a resolution read from its indexes and find-links locations: every
page with its validators and the sha256 of its body as it was used, and the stamp of every
local directory or file listed or read. `satchel.index.revalidate.unchanged` re-checks it.

    consulted = Consulted()                   # IndexClient fills it as it reads
    ...
    record = consulted.record()               # JSON-able, or None: can't be re-checked cheaply

A record holds, for every index or find-links page: its URL and Accept header, the status,
validators (ETag, Last-Modified) and the sha256 of the body as it was used, with the proxy
and TLS verification the request used (and where the request goes, split once here so a
check needs no URL parsing); for every local directory or file: its stamp.

What makes a reading impossible to re-check cheaply (the record is then None): credentials
sent with a request (they are never written to the cache), a redirect, a proxy with
credentials or one that isn't plain http, a remote file read without a hash to pin it, a
`file:` page on Windows.

Import rule: the stdlib, satchel.urls and the index module `http` (types only). It never
imports urllib3 or packaging: it is on the path of a replayed install.
"""

from __future__ import annotations

import hashlib
import os

from satchel.urls import file_url_to_path, is_file_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from satchel.index.http import HttpClient, Response

__all__ = ["Consulted", "local_stamp"]


def local_stamp(path: str) -> str:
    """A local file's stamp (size, mtime, inode), or a directory's: the same for each file in it."""
    try:
        if not os.path.isdir(path):
            st = os.stat(path)
            return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        rows = []
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_file():
                    st = entry.stat()
                    rows.append(f"{entry.name}\0{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        return "dir:" + hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()
    except OSError:
        return "-"


def _file_path(url: str) -> str:
    """The file a `file:` page URL reads (a directory's index.html, as `HttpClient` reads it)."""
    path = file_url_to_path(url)
    return os.path.join(path, "index.html") if os.path.isdir(path) else path


class Consulted:
    """Everything one client read, as it read it. Thread-safe."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._pages: dict[tuple[str, str], dict[str, Any]] = {}
        self._local: dict[str, str] = {}
        self._http: HttpClient | None = None
        self.refusal: str | None = None

    def refuse(self, reason: str) -> None:
        """This reading can't be re-checked cheaply (the first reason is kept, for -v)."""
        with self._lock:
            self.refusal = self.refusal or reason

    def local(self, path: str) -> None:
        """A local directory was listed, or a local file read (stamped the first time only:
        the resolver reads a file's metadata many times)."""
        with self._lock:
            if path in self._local:
                return
        found = local_stamp(path)
        with self._lock:
            self._local.setdefault(path, found)

    def page(self, http: HttpClient, url: str, accept: str, response: Response) -> None:
        """`url` was fetched (through the page cache) with `accept`, and this came back."""
        page: dict[str, Any] = {"url": url, "accept": accept, "status": response.status}
        if response.status == 200:
            page["sha256"] = hashlib.sha256(response.body).hexdigest()
        if is_file_url(url):
            if os.name == "nt":
                return self.refuse(f"{url}: a file: page")
            page["file"] = _file_path(url)
        else:
            if response.url != url:
                return self.refuse(f"{url} redirected")
            if http.sends_credentials(url):
                return self.refuse(f"{url}: credentials")
            proxy, verify = http.route(url)
            if proxy is not None and (not proxy.lower().startswith("http://") or "@" in proxy):
                return self.refuse(f"{url}: proxy")
            page.update(
                etag=response.headers.get("etag", ""), last_modified=response.headers.get("last-modified", ""),
                cache_control=response.headers.get("cache-control", ""), verify=verify, **_route(url, proxy),
            )  # fmt: skip
            with self._lock:
                self._http = http
        with self._lock:
            self._pages.setdefault((url, accept), page)

    def record(self) -> dict[str, Any] | None:
        """What was read, JSON-able; None if it can't be re-checked cheaply."""
        with self._lock:
            if self.refusal is not None:
                return None
            http = self._http
            cert, client_cert = http.tls_files if http is not None else (None, None)
            return {
                "pages": list(self._pages.values()),
                "local": dict(self._local),
                "timeout": http.timeout if http is not None else 15.0,
                "cert": cert,
                "client_cert": client_cert,
            }


def _route(url: str, proxy: str | None) -> dict[str, Any]:
    """Where a request for `url` goes, split once here so a check needs no URL parsing."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    https = parts.scheme.lower() == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    shown = f"[{host}]" if ":" in host else host  # (an IPv6 literal)
    route: dict[str, Any] = {
        "https": https, "host": host, "port": port,
        "host_header": shown if port == (443 if https else 80) else f"{shown}:{port}",
        "target": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    }  # fmt: skip
    if proxy is not None:
        via = urllib.parse.urlsplit(proxy)
        route["proxy"] = [via.hostname or "", via.port or 80]
        if not https:
            route["target"] = url  # through a plain proxy: the whole URL
    return route
