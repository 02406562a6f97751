"""A cheap check, much later, that everything a resolution read is still so (then the
resolution's answer is too): `unchanged(record)` for a record that `Consulted` made.

    unchanged(record)                         # True: every page and file is as it was

`unchanged` re-reads local things, and asks each server with a conditional GET (one
keep-alive connection per server, a few in parallel when there are many pages); a page still
fresh by its Cache-Control max-age in the page cache needs no request, as in `HttpCache`. A
304, or a 200 whose body has the recorded sha256, means unchanged; the page cache is updated
as `HttpCache.fetch` would update it, so the next full resolution finds it revalidated. Any
failure (network, TLS, an unexpected status) is "changed": the caller then does the real
work, which reports errors properly.

Import rule: an edge module. Imports the stdlib (ssl for https, only when checking),
satchel.cache, and the index modules `consulted` (stamps), `http11` (the requests),
`httpcache` (its entry format) and `tls`. It never imports urllib3 or packaging: checking
must cost a fraction of resolving.
"""

from __future__ import annotations

import hashlib
import os
import time

from satchel import __version__
from satchel.index.consulted import local_stamp
from satchel.index.http11 import Connection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["unchanged"]

_INLINE = 3  # up to this many requests: one after the other on one connection, no threads
_WORKERS = 8


def _same_validators(meta: dict[str, Any], page: dict[str, Any]) -> bool:
    """A cache entry and a recorded page are the same answer: equal, non-empty validators."""
    found = (meta.get("etag") or "", meta.get("last_modified") or "")
    return any(found) and found == (page.get("etag") or "", page.get("last_modified") or "")


def unchanged(record: dict[str, Any], *, directory: str) -> bool:
    """Whether everything `record` read is still as it was. `directory`: the page cache's
    (`cache.part("http")`)."""
    try:
        for path, found in record["local"].items():
            if local_stamp(path) != found:
                return False
        pending = []
        cache = directory
        for page in record["pages"]:
            if "file" in page:
                if not _file_unchanged(page):
                    return False
            elif not _fresh(cache, page):
                pending.append(page)
        if not pending:
            return True
        checker = _Checker(record, cache)
        if len(pending) <= _INLINE:
            return all(checker.check(page) for page in pending)
        return checker.check_all(pending)
    except (KeyError, TypeError, ValueError):  # a damaged record
        return False


def _file_unchanged(page: dict[str, Any]) -> bool:
    try:
        with open(page["file"], "rb") as handle:
            body = handle.read()
    except OSError:
        return bool(page["status"] == 404)
    return bool(page["status"] == 200 and hashlib.sha256(body).hexdigest() == page["sha256"])


def _fresh(cache: str, page: dict[str, Any]) -> bool:
    """The page cache holds this very page, still fresh by its max-age: no request needed."""
    if page["status"] != 200 or "max-age" not in page.get("cache_control", "").lower():
        return False  # (always revalidated: the page cache's entry isn't even read)
    from satchel.index.httpcache import entry_path, is_fresh, load_entry

    entry = load_entry(entry_path(cache, page["url"], page["accept"]))
    if entry is None or not is_fresh(entry[0], time.time()):
        return False
    meta, body = entry
    return _same_validators(meta, page) or hashlib.sha256(body).hexdigest() == page["sha256"]


class _Checker:
    """Conditional GETs: a keep-alive connection per (server, proxy, TLS verification), per
    thread when there are threads."""

    def __init__(self, record: dict[str, Any], cache: str) -> None:
        self._record = record
        self._cache = cache
        self._connections: dict[tuple[Any, ...], Connection] = {}
        self._local: Any = None
        self._contexts: dict[bool, Any] = {}

    def check_all(self, pages: list[dict[str, Any]]) -> bool:
        import concurrent.futures
        import threading

        self._local = threading.local()
        for page in pages:  # TLS contexts are made once, before the threads need them
            if page["https"]:
                self._context(bool(page.get("verify", True)))
        with concurrent.futures.ThreadPoolExecutor(min(_WORKERS, len(pages))) as pool:
            results = list(pool.map(self.check, pages))
        return all(results)

    def check(self, page: dict[str, Any]) -> bool:
        try:
            return self._check(page)
        except Exception:  # network, TLS, a malformed answer: "changed"; the full path reports it
            return False

    def _check(self, page: dict[str, Any]) -> bool:
        headers = {
            "Host": page["host_header"], "User-Agent": f"satchel/{__version__}", "Accept": page["accept"],
            "Accept-Encoding": "identity",
        }  # fmt: skip
        if page.get("etag"):
            headers["If-None-Match"] = page["etag"]
        if page.get("last_modified"):
            headers["If-Modified-Since"] = page["last_modified"]
        status, answer, body = self._connection(page).get(page["target"], headers)
        if status == 304:
            self._renew(page, answer)
            return True
        if status != page["status"]:
            return False
        if status != 200:
            return True  # (still 404 / 410: not on this index)
        encoding = answer.get("content-encoding", "").lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            import zlib

            body = zlib.decompress(body, 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
        elif encoding not in ("", "identity"):
            return False
        self._store(page, answer, body)
        return bool(hashlib.sha256(body).hexdigest() == page["sha256"])

    def _connection(self, page: dict[str, Any]) -> Connection:
        connections = self._connections if self._local is None else self._local.__dict__.setdefault("connections", {})
        proxy = tuple(page["proxy"]) if page.get("proxy") else None
        verify = bool(page.get("verify", True))
        key = (page["https"], page["host"], page["port"], proxy, verify)
        if key not in connections:
            connections[key] = Connection(
                page["host"], page["port"], proxy=proxy, context=self._context(verify) if page["https"] else None,
                timeout=float(self._record.get("timeout") or 15.0),
            )  # fmt: skip
        return connections[key]

    def _context(self, verify: bool) -> Any:
        if verify not in self._contexts:
            from satchel.index.tls import tls_context

            self._contexts[verify] = tls_context(
                cert=self._record.get("cert"), client_cert=self._record.get("client_cert"), verify=verify
            )
        return self._contexts[verify]

    def _renew(self, page: dict[str, Any], answer: dict[str, str]) -> None:
        """A 304: the page cache's entry, if it holds this very page, is renewed as
        `HttpCache.fetch` renews it. Only a max-age makes the renewed fetch time matter: pages
        always revalidated are left as they are (their validators still hold)."""
        if "max-age" not in (answer.get("cache-control", "") + page.get("cache_control", "")).lower():
            return
        from satchel.index.httpcache import entry_path, load_entry, renew, save_entry, storable

        path = entry_path(self._cache, page["url"], page["accept"])
        entry = load_entry(path)
        if entry is None:
            return
        meta, body = entry
        if not _same_validators(meta, page) and hashlib.sha256(body).hexdigest() != page.get("sha256"):
            return
        renew(meta, answer, time.time())
        if storable(meta):
            save_entry(path, meta, body)

    def _store(self, page: dict[str, Any], answer: dict[str, str], body: bytes) -> None:
        """A 200: stored as `HttpCache.fetch` stores it, so the full resolution that follows a
        changed page can revalidate instead of fetching it again."""
        from satchel.index.httpcache import entry_path, fetched_meta, save_entry, storable

        path = entry_path(self._cache, page["url"], page["accept"])
        meta = fetched_meta(page["url"], answer, time.time())
        if storable(meta):
            save_entry(path, meta, body)
            return
        try:
            os.unlink(path)
        except OSError:
            pass
