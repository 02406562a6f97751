"""What a resolution read from its indexes and find-links locations, and a cheap check, much
later, that all of it is still so (then the resolution's answer is too).

Import rule: an edge module. Imports the stdlib (http.client, and ssl for https, only when
checking), satchel.cache, and the index modules `httpcache` (its entry format) and `tls`.
It never imports urllib3 or packaging: checking must cost a fraction of resolving.

    consulted = Consulted()                   # IndexClient fills it as it reads
    ...
    record = consulted.record()               # JSON-able, or None: can't be re-checked cheaply
    ...
    unchanged(record)                         # True: every page and file is as it was

A record holds, for every index or find-links page: its URL and Accept header, the status,
validators (ETag, Last-Modified) and the sha256 of the body as it was used, with the proxy
and TLS verification the request used; for every local directory or file that was listed or
read: its stamp. `unchanged` re-reads local things, and asks each server with a conditional
GET (one keep-alive connection per server, a few in parallel when there are many pages); a
page still fresh by its Cache-Control max-age in the page cache needs no request, as in
`HttpCache`. A 304, or a 200 whose body has the recorded sha256, means unchanged; the page
cache is updated as `HttpCache.fetch` would update it, so the next full resolution finds it
revalidated. Any failure (network, TLS, an unexpected status) is "changed": the caller then
does the real work, which reports errors properly.

What makes a reading impossible to re-check this way (the record is then None): credentials
sent with a request (they are never written to the cache), a redirect, a proxy with
credentials or one that isn't plain http, a remote file read without a hash to pin it, a
`file:` page on Windows.
"""

from __future__ import annotations

import hashlib
import os
import time

from satchel import __version__
from satchel.cache.store import cache_root
from satchel.urls import file_url_to_path, is_file_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any

    from satchel.index.http import HttpClient, Response

__all__ = ["Consulted", "local_stamp", "unchanged"]

_INLINE = 3  # up to this many requests: one after the other on one connection, no threads
_WORKERS = 8


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


def _same_validators(meta: dict[str, Any], page: dict[str, Any]) -> bool:
    """A cache entry and a recorded page are the same answer: equal, non-empty validators."""
    found = (meta.get("etag") or "", meta.get("last_modified") or "")
    return any(found) and found == (page.get("etag") or "", page.get("last_modified") or "")


def unchanged(record: dict[str, Any], *, directory: str | None = None) -> bool:
    """Whether everything `record` read is still as it was. `directory`: the page cache's
    (default: the cache root's)."""
    try:
        for path, found in record["local"].items():
            if local_stamp(path) != found:
                return False
        pending = []
        cache = directory or os.path.join(cache_root(), "http-v1")  # (httpcache.BUCKET, not imported)
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
        self._connections: dict[tuple[Any, ...], _Connection] = {}
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

    def _connection(self, page: dict[str, Any]) -> _Connection:
        connections = self._connections if self._local is None else self._local.__dict__.setdefault("connections", {})
        proxy = tuple(page["proxy"]) if page.get("proxy") else None
        verify = bool(page.get("verify", True))
        key = (page["https"], page["host"], page["port"], proxy, verify)
        if key not in connections:
            connections[key] = _Connection(
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


class _Connection:
    """HTTP/1.1 GETs on one keep-alive connection, opened on first use: direct, through a
    plain-http proxy, or tunnelled through one (CONNECT) for https.

    Only what a conditional GET needs: a status line, headers, and a body framed by
    Content-Length, chunked transfer coding, or the end of the connection. http.client would
    do, but it imports the email package, and the socket module builds enums: together
    ~15 ms, half of a replayed install; plain http here uses the C `_socket` directly (https
    needs `socket` for ssl anyway).
    """

    def __init__(
        self, host: str, port: int, *, proxy: tuple[str, int] | None, context: ssl.SSLContext | None, timeout: float
    ) -> None:
        self._host, self._port = host, port
        self._proxy, self._context, self._timeout = proxy, context, timeout
        self._socket: Any = None
        self._buffer = bytearray()

    def get(self, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self._socket is None:
            self._open()
        lines = [f"GET {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        try:
            self._socket.sendall("\r\n".join(lines).encode("latin-1"))
            status, answer = self._head()
            body = self._body(status, answer)
        except BaseException:
            self.close()
            raise
        if answer.get("connection", "").lower() == "close":
            self.close()
        return status, answer, body

    def close(self) -> None:
        sock, self._socket = self._socket, None
        self._buffer.clear()
        if sock is not None:
            sock.close()

    def _open(self) -> None:
        host, port = self._proxy if self._proxy is not None else (self._host, self._port)
        if self._context is None:
            self._socket = _connect(host, port, self._timeout)
            return
        import socket

        self._socket = socket.create_connection((host, port), timeout=self._timeout)
        if self._proxy is not None:
            tunnel = f"{self._host}:{self._port}"
            self._socket.sendall(f"CONNECT {tunnel} HTTP/1.1\r\nHost: {tunnel}\r\n\r\n".encode("latin-1"))
            status, _ = self._head()
            if status != 200:
                raise OSError(f"the proxy answered {status} to CONNECT")
        self._socket = self._context.wrap_socket(self._socket, server_hostname=self._host)

    def _fill(self) -> None:
        data = self._socket.recv(1 << 16)
        if not data:
            raise OSError("the connection closed early")
        self._buffer += data

    def _line(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line.rstrip(b"\r")
            if len(self._buffer) > 65536:
                raise OSError("a line longer than 64 KiB")
            self._fill()

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _head(self) -> tuple[int, dict[str, str]]:
        while True:
            version, _, rest = self._line().partition(b" ")
            if not version.startswith(b"HTTP/1."):
                raise OSError("not an HTTP/1.x answer")
            status = int(rest[:3])
            answer: dict[str, str] = {}
            for _ in range(200):
                line = self._line()
                if not line:
                    break
                name, sep, value = line.decode("latin-1").partition(":")
                if not sep:
                    raise OSError("a malformed header")
                answer[name.strip().lower()] = value.strip()
            else:
                raise OSError("too many headers")
            if status >= 200 or status == 101:
                return status, answer
            # 1xx (100 Continue, 103 Early Hints): the real answer follows

    def _body(self, status: int, answer: dict[str, str]) -> bytes:
        if status in (204, 304):
            return b""
        if "chunked" in answer.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self._line().split(b";", 1)[0], 16)
                if size == 0:
                    while self._line():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self._exactly(size))
                self._line()
        if "content-length" in answer:
            return self._exactly(int(answer["content-length"]))
        while True:  # framed by the end of the connection
            data = self._socket.recv(1 << 16)
            if not data:
                break
            self._buffer += data
        body = bytes(self._buffer)
        self.close()
        return body


def _connect(host: str, port: int, timeout: float) -> Any:
    """A TCP connection with the C socket module (see `_Connection`)."""
    import _socket

    try:
        address: str | bytes = host.encode("ascii")  # (a str host loads the idna codec: ~3 ms)
    except UnicodeEncodeError:
        address = host
    error: OSError | None = None
    for family, kind, proto, _name, where in _socket.getaddrinfo(address, port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(where)
            return sock
        except OSError as e:
            error = e
            sock.close()
    raise error or OSError(f"no address for {host}")
