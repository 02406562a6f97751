"""index.network_errors.describe: a failed request in plain words (host:port and what went
wrong), never urllib3's connection repr; real failures against closed and misbehaving local
ports, and urllib3's exception shapes for those a test can't provoke offline."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest
import urllib3.exceptions as u

from satchel.index.http import HttpClient, IndexUnavailable
from satchel.index.network_errors import describe
from support.index_server import IndexServer


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _failure(url: str) -> IndexUnavailable:
    with HttpClient(timeout=2, retries=0) as client, pytest.raises(IndexUnavailable) as caught:
        client.get(url)
    return caught.value


def test_connection_refused_on_a_closed_port() -> None:
    port = _closed_port()
    error = _failure(f"http://alice:s3cret-pw@127.0.0.1:{port}/simple/demo/")
    assert str(error) == (
        f"fetching http://127.0.0.1:{port}/simple/demo/ failed: "  # credentials travel in a header only
        f"could not connect to 127.0.0.1:{port}: connection refused"
    )
    assert error.retryable and error.hint and "--retries" in error.hint
    assert isinstance(error.__cause__, u.NewConnectionError), "the library's detail stays, as the cause (for -v)"
    assert "s3cret-pw" not in str(error.__cause__)


def test_tls_to_a_plain_http_server(index_server: IndexServer) -> None:
    url = index_server.url.replace("http://", "https://")
    error = _failure(url)
    port = url.split(":")[2].split("/")[0]
    assert str(error).startswith(f"fetching {url}") and f"failed: TLS with 127.0.0.1:{port} failed: " in str(error)
    assert not error.retryable and error.hint and "--cert" in error.hint
    assert "SSLError(" not in str(error) and "_ssl.c" not in str(error)


URL = "https://index.test/simple/demo/"


@pytest.mark.parametrize(
    ("error", "kind", "what"),
    [
        (
            u.NameResolutionError("index.test", None, socket.gaierror(-2, "Name or service not known")),  # type: ignore[arg-type]
            "network", "the host name 'index.test' could not be resolved",
        ),
        (u.ConnectTimeoutError(None, "timed out"), "network", "timed out connecting to index.test:443"),
        (u.ReadTimeoutError(None, URL, "Read timed out."), "network", "timed out waiting for an answer from index.test:443"),  # type: ignore[arg-type]
        (
            u.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection")),
            "network", "index.test:443 dropped the connection (closed without an answer)",
        ),
        (
            u.ProtocolError("Connection broken", ConnectionResetError(104, "Connection reset by peer")),
            "network", "index.test:443 dropped the connection (connection reset by peer)",
        ),
        (
            u.ProtocolError("Connection broken: IncompleteRead", u.IncompleteRead(10, 90)),
            "network", "index.test:443 sent a truncated response (the connection closed early)",
        ),
        (u.ProxyError("Unable to connect to proxy", OSError(113, "No route to host")), "network",
         "could not go through the proxy: no route to host"),
        (u.LocationValueError("No host specified."), "url", "No host specified."),
        (ValueError("odd"), "other", "ValueError: odd"),
    ],
)  # fmt: skip
def test_urllib3_shapes_in_words(error: BaseException, kind: str, what: str) -> None:
    failure = describe(error, URL)
    assert (failure.kind, failure.what) == (kind, what)


def test_an_untrusted_certificate_says_so() -> None:
    verify = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    verify.verify_message = "self-signed certificate"
    failure = describe(u.SSLError(verify), URL)
    assert failure == type(failure)("TLS with index.test:443 failed: its certificate is not trusted (self-signed certificate)", "tls")


def test_ipv6_hosts_and_default_ports() -> None:
    refused = u.NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert describe(refused, "http://[::1]:8080/simple/").what == "could not connect to [::1]:8080: connection refused"
    assert describe(refused, "http://index.test/simple/").what == "could not connect to index.test:80: connection refused"
