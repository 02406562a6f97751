"""A small HTTP/1.1 client of satchel's own, for the replay of an unchanged install: GETs on
one keep-alive connection, direct, through a plain-http proxy, or tunnelled through one
(CONNECT) for https.

    connection = Connection("host", 443, proxy=None, context=tls_context(...), timeout=15.0)
    status, headers, body = connection.get("/simple/demo/", {"Host": "host", "If-None-Match": etag})
    connection.close()

Only what a conditional GET needs: a status line, headers (names lower-cased), and a body
framed by Content-Length, chunked transfer coding, or the end of the connection; 1xx answers
are skipped. Anything else the server does (a reset, a truncated body, a malformed status
line or header, a line over 64 KiB, more than 200 headers) is an `OSError`, and the
connection is closed. urllib3's import costs ~70 ms, http.client's (the email package) and
the socket module's enums ~15 ms, half of a replayed install: plain http here uses the C
`_socket` directly (https needs `socket` for ssl anyway).

Import rule: the stdlib only (`_socket`, and `socket` for https, inside functions).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any

__all__ = ["Connection"]


class Connection:
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
    """A TCP connection with the C socket module (see `Connection`)."""
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
