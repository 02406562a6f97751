"""A revalidating cache for index pages (not for distribution files: those are
content-addressed elsewhere), kept in the cache's `http` part; and `Memo`, the in-memory
memo with which a client shares one fetch among every thread that asks for it.

Import rule: an edge module. Imports the stdlib, satchel.cache and the index modules
`http` (for `Response`, `HttpClient`) and `sources`, and `satchel.urls`.

    cache = HttpCache(cache.part("http"))     # or HttpCache(None): no page cache (pip's --no-cache-dir)
    response = cache.fetch(http, "https://host/simple/demo/", ACCEPT)
    response.from_cache                       # "fresh", "revalidated" or None (fetched)

One file per (credential-free URL, Accept header), named by the sha256 of both and written
atomically (readers see an old entry or a new one, never a part; a damaged entry counts as
none), so concurrent processes can share the directory. An entry is a JSON line (final URL,
Content-Type, ETag, Last-Modified, Cache-Control, fetch time) followed by the body.

- `Cache-Control: max-age=N`: the entry is used without a request for N seconds;
- otherwise (and after that) the request carries If-None-Match / If-Modified-Since, and a
  304 answer reuses the stored body (the entry's fetch time and validators are renewed);
- `no-store` keeps a response out of the cache (and drops an older entry), `no-cache`
  always revalidates; only 200 answers are stored; file:// pages are never cached.

Deliberately unlike pip: plain-http pages from loopback or trusted hosts are cached too (pip
caches https only); satchel refuses plain http elsewhere anyway (`HttpClient.check_secure`).
"""

from __future__ import annotations

import hashlib
import os
import time

from satchel.cache.store import atomic_write_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:  # (typing and threading cost ~5 ms: a replay reads entries without them)
    import concurrent.futures
    from collections.abc import Callable, Hashable, Mapping
    from typing import Any, TypeVar

    from satchel.index.http import HttpClient, Response

    T = TypeVar("T")

__all__ = [
    "HttpCache", "Memo", "entry_path", "fetched_meta", "is_fresh", "load_entry", "renew", "save_entry",
    "storable",
]  # fmt: skip


class HttpCache:
    """Index pages on disk with their validators; see the module docstring. Thread-safe."""

    def __init__(
        self,
        directory: str | None,
        *,
        no_cache: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import threading

        self._directory = directory
        self.no_cache = no_cache or directory is None
        self._clock = clock
        self._write_lock = threading.Lock()  # atomic_write_bytes' temp name is per process

    @property
    def directory(self) -> str:
        assert self._directory is not None, "no page cache (no_cache)"
        return self._directory

    def path_for(self, url: str, accept: str) -> str:
        from satchel.index.sources import split_credentials

        return entry_path(self.directory, split_credentials(url)[0], accept)

    def fetch(self, http: HttpClient, url: str, accept: str) -> Response:
        """GET `url` with `Accept: accept`, through the cache."""
        from satchel.urls import is_file_url

        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}  # stored decoded
        if self.no_cache or is_file_url(url):
            return http.get(url, headers)
        path = self.path_for(url, accept)
        entry = load_entry(path)
        now = self._clock()
        if entry is not None:
            meta, body = entry
            if is_fresh(meta, now):
                return _response(meta, body, "fresh")
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        response = http.get(url, headers)
        if response.status == 304 and entry is not None:
            meta, body = entry
            renew(meta, response.headers, now)
            if storable(meta):
                self._save(path, meta, body)
            return _response(meta, body, "revalidated")
        if response.status == 200:
            meta = fetched_meta(response.url, response.headers, now)
            if storable(meta):
                self._save(path, meta, response.body)
            else:
                self._remove(path)
        return response

    def _save(self, path: str, meta: dict[str, Any], body: bytes) -> None:
        with self._write_lock:
            save_entry(path, meta, body)

    def _remove(self, path: str) -> None:
        try:
            os.unlink(path)
        except OSError:
            pass


def entry_path(directory: str, clean_url: str, accept: str) -> str:
    """The entry of a credential-free URL asked for with `accept`, in the cache `directory`."""
    digest = hashlib.sha256(f"{clean_url}\n{accept}".encode()).hexdigest()
    return os.path.join(directory, digest[:2], digest[2:4], digest)


def save_entry(path: str, meta: dict[str, Any], body: bytes) -> None:
    import json

    data = json.dumps(meta, separators=(",", ":")).encode() + b"\n" + body
    try:
        atomic_write_bytes(path, data)
    except OSError:  # a full disk or a read-only cache costs speed, never correctness
        pass


def load_entry(path: str) -> tuple[dict[str, Any], bytes] | None:
    import json

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    header, sep, body = data.partition(b"\n")
    if not sep:
        return None
    try:
        meta = json.loads(header)
    except ValueError:
        return None
    if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
        return None
    return {str(k): v for k, v in meta.items()}, body


def _response(meta: dict[str, Any], body: bytes, how: str) -> Response:
    from satchel.index.http import Response

    headers = {"content-type": meta.get("content_type", "")}
    for name in ("etag", "last_modified", "cache_control"):
        if meta.get(name):
            headers[name.replace("_", "-")] = meta[name]
    response = Response(meta["url"], 200, headers, body)
    response.from_cache = how
    return response


def _directives(cache_control: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in cache_control.lower().split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value.strip().strip('"')
    return found


def is_fresh(meta: dict[str, Any], now: float) -> bool:
    """An entry still fresh by its max-age: used without a request."""
    fresh_for = max_age(meta.get("cache_control", ""))
    return fresh_for is not None and 0 <= now - float(meta.get("fetched", 0)) < fresh_for


def renew(meta: dict[str, Any], headers: Mapping[str, str], now: float) -> None:
    """A 304 for an entry (`headers` with lower-case names): its validators and fetch time renewed."""
    for name in ("etag", "last_modified", "cache_control"):
        value = headers.get(name.replace("_", "-"))
        if value:
            meta[name] = value
    meta["fetched"] = now


def fetched_meta(url: str, headers: Mapping[str, str], now: float) -> dict[str, Any]:
    """The entry's first line for a 200 from `url` (`headers` with lower-case names)."""
    return {
        "url": url,
        "content_type": headers.get("content-type", ""),
        "etag": headers.get("etag", ""),
        "last_modified": headers.get("last-modified", ""),
        "cache_control": headers.get("cache-control", ""),
        "fetched": now,
    }


def storable(meta: dict[str, Any]) -> bool:
    """`no-store` keeps an answer out of the cache."""
    return "no-store" not in _directives(meta.get("cache_control", ""))


def max_age(cache_control: str) -> int | None:
    """Seconds the stored answer is fresh for; None when it must be revalidated."""
    directives = _directives(cache_control)
    if "no-cache" in directives or "no-store" in directives:
        return None
    try:
        return int(directives["max-age"]) if "max-age" in directives else None
    except ValueError:
        return None


class Memo:
    """An in-memory memo for one client: key -> result, computed once; callers of a key being
    computed wait for that computation (one fetch however many threads ask). Failures are not
    remembered: the next caller tries again."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._futures: dict[Hashable, concurrent.futures.Future[Any]] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                import concurrent.futures

                future = self._futures[key] = concurrent.futures.Future()
        if not owner:
            return future.result()  # type: ignore[no-any-return]
        try:
            result = compute()
        except BaseException as e:
            with self._lock:
                del self._futures[key]
            future.set_exception(e)
            raise
        future.set_result(result)
        return result

    def has(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._futures
