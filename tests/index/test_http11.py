"""satchel.index.http11.Connection, the replay's own HTTP/1.1 client, against a real server on
127.0.0.1 that the tests script byte by byte, well-behaved and not: status line and headers,
bodies framed by Content-Length (in many packets), chunked coding (extensions, trailers) or
the end of the connection, 1xx answers, keep-alive and reopening; and every misbehaviour
(a reset, a truncated body, garbage, a closed port, endless lines or headers) an OSError
that leaves the connection closed and usable again."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
from scripted_server import BODY, Route, Scripted, conditional, http, plain, serve

from satchel.index.http11 import Connection

HOST = {"Host": "127.0.0.1"}


@pytest.fixture
def server() -> Iterator[Scripted]:
    yield from serve()


@pytest.fixture
def connection(server: Scripted) -> Iterator[Connection]:
    opened = Connection("127.0.0.1", server.port, proxy=None, context=None, timeout=5.0)
    yield opened
    opened.close()


# ---------------------------------------------------------------- well-formed answers


def test_connection_get_returns_status_headers_body(server: Scripted) -> None:
    server.routes["/x"] = Route(lambda _h: http(200, b"hello", {"X-Thing": " spaced value "}))
    connection = Connection("127.0.0.1", server.port, proxy=None, context=None, timeout=5.0)
    try:
        status, headers, body = connection.get("/x", {"Host": "127.0.0.1"})
        assert (status, body, headers["x-thing"]) == (200, b"hello", "spaced value")
        status, headers, body = connection.get("/missing", {"Host": "127.0.0.1"})
        assert (status, body) == (404, b"no\n")
    finally:
        connection.close()
    assert server.connections == 1


def test_connection_reopens_after_close(server: Scripted) -> None:
    server.routes["/x"] = Route(lambda _h: http(200, b"hi", {"Connection": "close"}), close=True)
    connection = Connection("127.0.0.1", server.port, proxy=None, context=None, timeout=5.0)
    try:
        for _ in range(3):
            assert connection.get("/x", {"Host": "127.0.0.1"})[::2] == (200, b"hi")
    finally:
        connection.close()
    assert server.connections == 3


def test_the_request_carries_the_headers_given(server: Scripted, connection: Connection) -> None:
    server.routes["/c"] = Route(conditional())
    status, headers, body = connection.get("/c", {**HOST, "If-None-Match": '"v1"', "Accept": "text/html"})
    assert (status, body) == (304, b"") and headers["etag"] == '"v1"'
    [(path, sent)] = server.requests
    assert path == "/c" and sent["if-none-match"] == '"v1"' and sent["accept"] == "text/html"


def test_chunked_body_with_extensions_and_trailers(server: Scripted, connection: Connection) -> None:
    def chunked(_headers: dict[str, str]) -> bytes:
        parts = [BODY[:7], BODY[7:20], BODY[20:]]
        framed = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\nX-Trailer: yes\r\n\r\n"
        return http(200, framed, {"Transfer-Encoding": "chunked"}, length=False)

    server.routes["/a/"] = Route(chunked)
    server.routes["/b/"] = Route(plain())  # the same connection afterwards: the chunked body was read exactly
    assert connection.get("/a/", HOST)[::2] == (200, BODY)
    assert connection.get("/b/", HOST)[::2] == (200, BODY)
    assert server.connections == 1 and len(server.requests) == 2


def test_body_framed_by_the_connection_closing(server: Scripted, connection: Connection) -> None:
    server.routes["/a/"] = Route(lambda _h: http(200, BODY, {"Connection": "close"}, length=False), close=True)
    server.routes["/b/"] = Route(plain())
    assert connection.get("/a/", HOST)[::2] == (200, BODY)
    assert connection.get("/b/", HOST)[::2] == (200, BODY)
    assert server.connections == 2  # a new connection after the one that ended the body


def test_content_length_body_in_several_packets(server: Scripted, connection: Connection) -> None:
    big = os.urandom(300_000)
    server.routes["/big/"] = Route(plain(big))
    assert connection.get("/big/", HOST)[::2] == (200, big)
    assert connection.get("/big/", HOST)[::2] == (200, big)
    assert server.connections == 1


def test_1xx_answers_are_skipped(server: Scripted, connection: Connection) -> None:
    early = http(100) + http(103, headers={"Link": "</x>; rel=preload"})
    server.routes["/hints/"] = Route(lambda h: early + http(200, b"real", {"X-Final": "yes"}))
    status, headers, body = connection.get("/hints/", HOST)
    assert (status, body, headers.get("x-final"), "link" in headers) == (200, b"real", "yes", False)


@pytest.mark.parametrize("status", [204, 304])
def test_no_body_for_204_and_304_even_with_a_length(server: Scripted, connection: Connection, status: int) -> None:
    server.routes["/n"] = Route(lambda _h: http(status, headers={"Content-Length": "5"}, length=False))
    server.routes["/after"] = Route(plain(b"next"))
    assert connection.get("/n", HOST)[::2] == (status, b"")
    assert connection.get("/after", HOST)[::2] == (200, b"next")


# ---------------------------------------------------------------- misbehaving servers


def _fails_and_recovers(server: Scripted, connection: Connection, path: str) -> None:
    """`path` raises OSError; the connection is closed, and the next GET works on a new one."""
    with pytest.raises(OSError):
        connection.get(path, HOST)
    server.routes["/ok"] = Route(plain(b"ok"))
    before = server.connections
    assert connection.get("/ok", HOST)[::2] == (200, b"ok")
    assert server.connections == before + 1


def test_a_reset_connection_raises_oserror(server: Scripted, connection: Connection) -> None:
    server.routes["/reset"] = Route(reset=True)
    _fails_and_recovers(server, connection, "/reset")


def test_connection_error_raises_oserror(server: Scripted) -> None:
    server.routes["/reset"] = Route(reset=True)
    connection = Connection("127.0.0.1", server.port, proxy=None, context=None, timeout=5.0)
    with pytest.raises(OSError):
        connection.get("/reset", {"Host": "127.0.0.1"})
    connection.close()


def test_a_body_cut_short_raises_oserror(server: Scripted, connection: Connection) -> None:
    server.routes["/cut/"] = Route(lambda _h: http(200, BODY)[:-10], close=True)
    _fails_and_recovers(server, connection, "/cut/")


def test_a_chunked_body_cut_short_raises_oserror(server: Scripted, connection: Connection) -> None:
    server.routes["/cut/"] = Route(lambda _h: http(200, b"a\r\nonly", {"Transfer-Encoding": "chunked"}, length=False), close=True)
    _fails_and_recovers(server, connection, "/cut/")


@pytest.mark.parametrize(
    "garbage",
    [
        b"SPDY/3 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n",
    ],
)
def test_malformed_answers_raise_oserror_or_valueerror(server: Scripted, connection: Connection, garbage: bytes) -> None:
    server.routes["/bad/"] = Route(lambda _h: garbage, close=True)
    with pytest.raises((OSError, ValueError)):  # the re-check counts either as "changed"
        connection.get("/bad/", HOST)
    server.routes["/ok"] = Route(plain(b"ok"))
    assert connection.get("/ok", HOST)[::2] == (200, b"ok")


def test_a_line_longer_than_64_kib_raises_oserror(server: Scripted, connection: Connection) -> None:
    server.routes["/long"] = Route(lambda _h: b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 300_000 + b"\r\n\r\n", close=True)
    _fails_and_recovers(server, connection, "/long")


def test_too_many_headers_raise_oserror(server: Scripted, connection: Connection) -> None:
    server.routes["/many"] = Route(lambda _h: http(200, b"x", {f"X-{i}": "y" for i in range(250)}), close=True)
    _fails_and_recovers(server, connection, "/many")


def test_a_closed_port_raises_oserror_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = Connection("127.0.0.1", port, proxy=None, context=None, timeout=5.0)
    started = time.monotonic()
    with pytest.raises(OSError):
        connection.get("/", HOST)
    assert time.monotonic() - started < 5
    connection.close()


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts (in the kernel's backlog), never answers
        connection = Connection("127.0.0.1", silent.getsockname()[1], proxy=None, context=None, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(OSError):  # (socket.timeout is an OSError)
            connection.get("/", HOST)
        assert time.monotonic() - started < 5
        connection.close()
