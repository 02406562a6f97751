"""HTTP for the index layer: one `HttpClient` owning a urllib3 pool, with retries, TLS,
proxies, credentials and `file://` URLs behind one `get()`.

Import rule: an edge module. Imports the stdlib, urllib3 (lazily: when a client is made),
truststore (optionally, lazily), satchel.errors, satchel.urls and the pure `satchel.index.sources`.

    http = HttpClient(timeout=15.0, retries=5, cert=None, trusted_hosts=("intranet:8080",))
    response = http.get("https://user:pw@host/simple/demo/", {"Accept": ACCEPT})
    response.status, response.url, response.headers["content-type"], response.body   # or response.error()

What it does, pip's way unless noted:
- retries (`retries` after the first try) on connect errors, read errors and timeouts,
  dropped connections, truncated bodies and 500/502/503/504, waiting `backoff * 2**n`
  seconds, or what Retry-After asks, both capped at `max_wait`; then `IndexUnavailable`.
- TLS: `cert` (a CA bundle, pip's --cert), else $SSL_CERT_FILE/$SSL_CERT_DIR, else truststore
  (the OS trust store) when importable, else certifi when importable, else OpenSSL's default.
  `client_cert` is a PEM holding key and certificate. `trusted_hosts` ("host" or "host:port")
  skip verification for those hosts.
- proxies: `proxy` (pip's --proxy) for every scheme, else $HTTPS_PROXY/$HTTP_PROXY; $NO_PROXY
  is honoured either way.
- credentials: `sources.Credentials` decides which request gets which (pip's MultiDomainBasicAuth
  rules, without prompting or keyring); they travel only as an Authorization header, never
  in a URL, a message, a log line or an exception.
- redirects are followed here (up to 10), so credentials are chosen again for each hop and
  `Response.url` is the final, credential-free URL (the base for a page's relative links).
- `file://` URLs read the disk (a directory reads its `index.html`, as pip does); missing: 404.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import os
import ssl
import threading
import time
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from satchel import __version__
from satchel.errors import OperationError, UsageError
from satchel.index.tls import tls_context
from satchel.index.sources import Credentials, is_secure_origin, is_trusted, proxy_for, split_credentials
from satchel.urls import file_url_to_path, is_file_url, redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import urllib3

__all__ = ["HttpClient", "IndexAuthError", "IndexUnavailable", "InsecureLocation", "Response"]

logger = logging.getLogger("satchel.index")
RETRY_STATUSES = frozenset({500, 502, 503, 504})
_MAX_REDIRECTS = 10
_NETWORK_HINT = "check the URL or your network; --timeout raises the wait, --retries the tries"
_TLS_HINT = "--cert or $SSL_CERT_FILE name a CA bundle; --trusted-host HOST skips verification"


class IndexUnavailable(OperationError):
    """An index (or a file on it) could not be fetched. `retryable`: worth another try."""

    code = "index-unreachable"

    def __init__(
        self, message: str, *, input: str | None = None, hint: str | None = _NETWORK_HINT, retryable: bool = False
    ) -> None:
        super().__init__(message, input=input, hint=hint)
        self.retryable = retryable


class IndexAuthError(IndexUnavailable):
    """The index refused the request (401/403)."""

    code = "index-auth"


class InsecureLocation(UsageError):
    """A plain-http location on a host that is neither local nor a trusted host."""

    code = "index-insecure"


class Response:
    """One answer: `status`, final `url` (no credentials), `headers` (lower-case keys), `body`;
    `from_cache` says how `HttpCache` answered ("fresh", "revalidated"), None: from the network.

    A streamed response (`get(..., stream=True)`) has an empty `body`: read it with
    `iter_bytes()` (read failures raise `IndexUnavailable`) and `close()` it.
    """

    def __init__(self, url: str, status: int, headers: Mapping[str, str], body: bytes = b"", raw: Any = None) -> None:
        self.url = url
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.from_cache: str | None = None
        self._raw = raw

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_bytes(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        if self._raw is None:
            if self.body:
                yield self.body
            return
        while True:
            try:
                chunk = self._raw.read(chunk_size)
            except Exception as e:  # urllib3 / OSError while reading the body
                raise _wrap(e, self.url) from e
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        if self._raw is not None:
            raw, self._raw = self._raw, None
            raw.close()  # a half-read body can't go back to the pool: close the connection first
            if hasattr(raw, "release_conn"):
                raw.release_conn()

    def error(self) -> IndexUnavailable:
        """The error to raise for this (4xx/5xx) response."""
        shown = redact_url(self.url)
        if self.status in (401, 403):
            return IndexAuthError(
                f"{shown} answered {self.status} ({'credentials needed' if self.status == 401 else 'forbidden'})",
                input=shown,
                hint="give credentials as https://user:password@host/... in the index URL, or in ~/.netrc",
            )
        retryable = self.status in RETRY_STATUSES
        return IndexUnavailable(f"{shown} answered HTTP {self.status}", input=shown, retryable=retryable)


class HttpClient:
    """A thread-safe HTTP(S) + file:// client; see the module docstring. Close it when done."""

    def __init__(
        self,
        timeout: float = 15.0,
        retries: int = 5,
        cert: str | None = None,
        client_cert: str | None = None,
        trusted_hosts: tuple[str, ...] | list[str] = (),
        proxy: str | None = None,
        netrc: bool = True,
        *,
        backoff: float = 0.25,
        max_wait: float = 10.0,
    ) -> None:
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.trusted_hosts = tuple(trusted_hosts)
        self.credentials = Credentials(use_netrc=netrc)
        self._cert, self._client_cert, self._proxy = cert, client_cert, proxy
        self._lock = threading.Lock()
        self._pools: dict[tuple[str | None, bool, bool], urllib3.PoolManager] = {}
        self._env_proxies = {k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https", "no")}

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop every pooled connection (the client stays usable)."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.clear()

    # ---------------------------------------------------------------- policy

    def add_index_url(self, url: str) -> None:
        """An index (maybe with user:password@): its credentials serve every URL under it."""
        self.credentials.add_index(url)

    def check_secure(self, url: str) -> None:
        """InsecureLocation for plain http to a host that is neither loopback nor trusted (pip's rule)."""
        if not is_secure_origin(url, self.trusted_hosts):
            host = urllib.parse.urlsplit(url).hostname or ""
            raise InsecureLocation(
                f"{redact_url(url)} is plain http on a host that is not trusted",
                input=redact_url(url),
                hint=f"use https, or allow it with --trusted-host {host}",
            )

    def retry_delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before try `attempt + 1` (Retry-After wins, both capped)."""
        if retry_after:
            seconds: float
            try:
                seconds = float(retry_after)
            except ValueError:
                try:
                    seconds = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    seconds = 0.0
            return min(max(seconds, 0.0), self.max_wait)
        return min(self.backoff * 2.0**attempt, self.max_wait)

    # ---------------------------------------------------------------- requests

    def get(self, url: str, headers: Mapping[str, str] | None = None, *, stream: bool = False) -> Response:
        """GET `url`; any final status comes back as a Response (retryable ones after the
        last try). Network failures raise `IndexUnavailable` naming the redacted URL."""
        if is_file_url(url):
            return _get_file(url, stream)
        attempt = 0
        while True:
            try:
                response = self._get_following_redirects(url, dict(headers or {}), stream)
            except IndexUnavailable as e:
                if not e.retryable or attempt >= self.retries:
                    raise
                delay = self.retry_delay(attempt)
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.retries:
                    return response
                response.close()
                delay = self.retry_delay(attempt, response.headers.get("retry-after"))
            attempt += 1
            logger.debug("retrying %s in %.2fs (try %d of %d)", redact_url(url), delay, attempt + 1, self.retries + 1)
            time.sleep(delay)

    def _get_following_redirects(self, url: str, headers: dict[str, str], stream: bool) -> Response:
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            clean, auth = self.credentials.for_url(current)
            sent = {"User-Agent": f"satchel/{__version__}", **headers}
            if auth is not None:
                token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
                sent["Authorization"] = f"Basic {token}"
            raw = self._request(clean, sent)
            location = raw.headers.get("location")
            if raw.status in (301, 302, 303, 307, 308) and location:
                raw.drain_conn()
                raw.release_conn()
                current = urllib.parse.urljoin(clean, location)
                continue
            if stream:
                return Response(clean, raw.status, dict(raw.headers), raw=raw)
            try:
                body = raw.read()
            except Exception as e:
                raise _wrap(e, clean) from e
            finally:
                raw.release_conn()
            return Response(clean, raw.status, dict(raw.headers), body)
        raise IndexUnavailable(f"{redact_url(url)} redirected more than {_MAX_REDIRECTS} times", input=redact_url(url))

    def _request(self, url: str, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
        import urllib3

        pool = self._pool_for(url)
        try:
            return pool.urlopen(
                "GET", url, headers=headers, redirect=False, retries=False, preload_content=False,
                timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
            )  # fmt: skip
        except Exception as e:
            raise _wrap(e, url) from e

    # ---------------------------------------------------------------- pools

    def _pool_for(self, url: str) -> urllib3.PoolManager:
        proxy = proxy_for(url, self._proxy, self._env_proxies)
        tls = url[:6].lower() == "https:"
        insecure = tls and is_trusted(url, self.trusted_hosts)
        key = (proxy, tls, insecure)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = self._make_pool(proxy, tls, insecure)
        return pool

    def _make_pool(self, proxy: str | None, tls: bool, insecure: bool) -> urllib3.PoolManager:
        import urllib3

        options: dict[str, Any] = {"num_pools": 20, "maxsize": 10, "block": False}
        if tls:  # loading trust stores costs time: only pools that speak TLS do it
            options["ssl_context"] = self._ssl_context(verify=not insecure)
        if insecure:  # asked for with --trusted-host: urllib3's warning about it is noise (pip hides it too)
            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            options["cert_reqs"] = "CERT_NONE"
            options["assert_hostname"] = False
        if proxy is None:
            return urllib3.PoolManager(**options)
        clean, auth = split_credentials(proxy)
        proxy_headers = urllib3.make_headers(proxy_basic_auth=f"{auth[0]}:{auth[1]}") if auth else None
        return urllib3.ProxyManager(clean, proxy_headers=proxy_headers, **options)

    def _ssl_context(self, *, verify: bool) -> ssl.SSLContext:
        return tls_context(cert=self._cert, client_cert=self._client_cert, verify=verify)

    # ---------------------------------------------------------------- what a request needs

    def route(self, url: str) -> tuple[str | None, bool]:
        """(the proxy a request for `url` goes through, whether its TLS is verified)."""
        proxy = proxy_for(url, self._proxy, self._env_proxies)
        return proxy, not (url[:6].lower() == "https:" and is_trusted(url, self.trusted_hosts))

    def sends_credentials(self, url: str) -> bool:
        """Whether a request for `url` carries credentials (from the URL, its index or ~/.netrc)."""
        return self.credentials.for_url(url)[1] is not None

    @property
    def tls_files(self) -> tuple[str | None, str | None]:
        """(--cert, --client-cert)."""
        return self._cert, self._client_cert


def _get_file(url: str, stream: bool) -> Response:
    path = file_url_to_path(url)
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
        url = urllib.parse.urljoin(url if url.endswith("/") else url + "/", "index.html")
    content_type = "text/html" if path.endswith((".html", ".htm")) else "application/octet-stream"
    try:
        handle: BinaryIO = open(path, "rb")
        headers = {"content-type": content_type, "content-length": str(os.fstat(handle.fileno()).st_size)}
        if stream:
            return Response(url, 200, headers, raw=handle)
        with handle:
            return Response(url, 200, headers, handle.read())
    except (FileNotFoundError, NotADirectoryError):
        return Response(url, 404, {"content-type": "text/plain"})
    except OSError as e:
        raise IndexUnavailable(f"can't read {path}: {e.strerror or e}", input=path, hint=None) from None


def _wrap(error: BaseException, url: str) -> IndexUnavailable:
    """A urllib3/ssl/OS error as the satchel error that says in plain words what failed with
    `url` (redacted) and where; callers chain `error` (`-v` shows the library's own text)."""
    from satchel.index.network_errors import describe

    shown, failure = redact_url(url), describe(error, url)
    if failure.kind == "url":
        return IndexUnavailable(f"{shown} is not a URL satchel can fetch: {failure.what}", input=shown, hint=None)
    hint = _TLS_HINT if failure.kind == "tls" else _NETWORK_HINT
    return IndexUnavailable(f"fetching {shown} failed: {failure.what}", input=shown, hint=hint, retryable=failure.kind == "network")
