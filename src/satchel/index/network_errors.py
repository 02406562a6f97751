"""What failed when a request did, in plain words: urllib3's, ssl's and the OS's exceptions
read into one short phrase naming the host:port and the failure ("could not connect to
127.0.0.1:9: connection refused", "the host name 'x.invalid' could not be resolved", "TLS
with host:443 failed: its certificate is not trusted (self-signed certificate)"), and
whether trying again may help. urllib3's own text (connection object reprs and all) stays
out of it: the caller chains the exception, so `-v` shows it.

    failure = describe(error, url)      # Failure(what=..., kind="network" | "tls" | "url" | "other")

Pure: no I/O. Import rule: the standard library and satchel.urls; urllib3's exception classes,
http.client and socket are imported when a failure is described (never on a request's way).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass

from satchel.urls import redact_url

__all__ = ["Failure", "describe"]


@dataclass(frozen=True, slots=True)
class Failure:
    """`what` failed (a phrase, no URL: the caller names it); `kind` is "network" (worth
    retrying), "tls" (the TLS handshake), "url" (not a URL that can be fetched) or "other"
    (not a network failure at all)."""

    what: str
    kind: str


def describe(error: BaseException, url: str) -> Failure:
    """The plain-words failure of a request for `url` that raised `error`."""
    import http.client
    import socket

    import urllib3.exceptions as u

    chain = causes(error)

    def found(*kinds: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kinds)), None)

    host, where = _host_and_port(url)
    if found(ssl.SSLError, u.SSLError):
        return Failure(f"TLS with {where} failed: {_tls_problem(chain)}", "tls")
    if isinstance(error, (u.LocationValueError, u.URLSchemeUnknown, u.ProxySchemeUnknown)):
        return Failure(_reason(error), "url")
    if isinstance(error, u.ProxyError):
        what = f"could not go through the proxy: {_os_problem(chain) or 'it refused the connection'}"
    elif found(u.NameResolutionError, socket.gaierror):
        what = f"the host name {host!r} could not be resolved"
    elif isinstance(error, u.NewConnectionError):  # before timeouts: urllib3 makes it one of them
        what = f"could not connect to {where}: {_os_problem(chain) or 'no connection was made'}"
    elif isinstance(error, (u.ConnectTimeoutError, u.ReadTimeoutError, TimeoutError)):
        doing = "connecting to" if isinstance(error, u.ConnectTimeoutError) else "waiting for an answer from"
        what = f"timed out {doing} {where}"
    elif found(u.IncompleteRead, http.client.IncompleteRead):
        what = f"{where} sent a truncated response (the connection closed early)"
    elif isinstance(error, (u.ProtocolError, ConnectionError)):
        closed = "closed without an answer" if found(http.client.RemoteDisconnected) else ""
        what = f"{where} dropped the connection ({closed or _os_problem(chain) or 'closed'})"
    elif isinstance(error, (u.HTTPError, OSError)):
        what = f"talking to {where}: {_os_problem(chain) or type(error).__name__}"
    else:  # not a network failure: say what it was, don't retry
        return Failure(f"{type(error).__name__}: {_reason(error)}", "other")
    return Failure(what, "network")


def causes(error: BaseException) -> list[BaseException]:
    """`error` and what it wraps (urllib3's `reason`/`original_error`, exceptions among its
    args, `__cause__`, `__context__`), nearest first."""
    chain: list[BaseException] = []
    todo = [error]
    while todo and len(chain) < 16:
        current = todo.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        wrapped = (getattr(current, "reason", None), getattr(current, "original_error", None), *current.args)
        todo += [e for e in (*wrapped, current.__cause__, current.__context__) if isinstance(e, BaseException)]
    return chain


def _host_and_port(url: str) -> tuple[str, str]:
    """(host, "host:port") of `url`, the port the scheme's default when it names none."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is no number: urllib3 refused the URL already
        port = 0
    return host, (f"[{host}]:{port}" if ":" in host else f"{host}:{port}")


def _os_problem(chain: list[BaseException]) -> str:
    """The operating system's words for the first OS error in `chain` ("connection refused")."""
    for e in chain:
        if isinstance(e, OSError) and isinstance(e.errno, int) and e.errno > 0:
            return os.strerror(e.errno).lower()
    return ""


def _tls_problem(chain: list[BaseException]) -> str:
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"its certificate is not trusted ({e.verify_message or 'verification failed'})"
        if isinstance(e, ssl.SSLError) and e.reason:
            return str(e.reason).lower().replace("_", " ")
    return "the handshake did not complete"


def _reason(error: BaseException) -> str:
    """The innermost description urllib3 gives, with any URL in it redacted."""
    inner: BaseException = error
    while isinstance(getattr(inner, "reason", None), BaseException):
        inner = inner.reason  # type: ignore[attr-defined]
    text = str(inner) or type(inner).__name__
    return " ".join(redact_url(word) if "@" in word else word for word in text.split(" "))
