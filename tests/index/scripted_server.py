"""A server on 127.0.0.1 that the tests script byte by byte, for the replay's HTTP/1.1 client
(`test_http11.py`) and its re-check of pages (`test_revalidate.py`): each path answers the raw
bytes a `Route` gives (or resets the connection), and the server counts connections and
records every request's path and headers.

    @pytest.fixture
    def server() -> Iterator[Scripted]:
        yield from serve()

    server.routes["/x"] = Route(lambda headers: http(200, b"hello"), close=True)
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ACCEPT", "BODY", "ETAG", "LAST_MODIFIED", "Route", "Scripted", "conditional", "http", "plain", "serve"]

ACCEPT = "application/vnd.pypi.simple.v1+json"
BODY = b'{"meta": {"api-version": "1.1"}, "name": "demo", "files": []}\n'
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


@dataclass
class Route:
    """What the server sends for one path: raw bytes from `answer(request headers)`; `close`
    ends the connection after it; `reset` drops it with an RST instead of answering."""

    answer: Callable[[dict[str, str]], bytes] | None = None
    close: bool = False
    reset: bool = False


@dataclass
class Scripted:
    url: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    connections: int = 0


def http(status: int, body: bytes = b"", headers: dict[str, str] | None = None, *, length: bool = True) -> bytes:
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Server Error", 103: "Early Hints"}.get(status, "X")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length and status not in (304, 204) and status >= 200:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def conditional(body: bytes = BODY, etag: str = ETAG, **extra: str) -> Callable[[dict[str, str]], bytes]:
    """A page with validators that answers 304 to a matching If-None-Match."""

    def answer(headers: dict[str, str]) -> bytes:
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED, **extra}
        if headers.get("if-none-match") == etag:
            return http(304, headers=validators)
        return http(200, body, {"Content-Type": ACCEPT, **validators})

    return answer


def plain(body: bytes = BODY, **extra: str) -> Callable[[dict[str, str]], bytes]:
    """A page without validators: always a 200 with the body."""
    return lambda _headers: http(200, body, {"Content-Type": ACCEPT, **extra})


def serve() -> Iterator[Scripted]:
    """A scripted server on 127.0.0.1 for as long as the generator runs (a fixture's body)."""
    state: Scripted

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append((self.path, headers))
            route = state.routes.get(self.path)
            if route is None:
                self.wfile.write(http(404, b"no\n"))
                return
            if route.reset:
                self.close_connection = True
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            assert route.answer is not None
            self.wfile.write(route.answer(headers))
            self.wfile.flush()
            if route.close:
                self.close_connection = True

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: Any, client_address: Any) -> bool:
            state.connections += 1
            return True

    httpd = Server(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    state = Scripted(f"http://127.0.0.1:{port}", port)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)
