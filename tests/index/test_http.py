"""satchel.index.http, httpcache and sources against the real loopback index server:
retries, faults, timeouts, credentials (URL, index prefix, netrc), redirects, file:// URLs,
the revalidating page cache, and the location rules."""

from __future__ import annotations

import urllib.parse

import socket
import threading
import time
from pathlib import Path

import pytest

from satchel.index.http import HttpClient, IndexAuthError, IndexUnavailable, InsecureLocation
from satchel.index.httpcache import HttpCache
from satchel.index.pages import ACCEPT, parse_page
from satchel.index.sources import (
    Credentials,
    classify_find_links,
    index_for_url,
    is_of_project,
    is_secure_origin,
    locations,
    project_url,
    proxy_for,
    split_credentials,
)
from support.index_server import JSON_TYPE, IndexServer

PASSWORD = "s3cr3t-p@ss"


def fast(**options: object) -> HttpClient:
    """A client with tiny backoff, so retry tests take milliseconds."""
    defaults: dict[str, object] = {"timeout": 5.0, "retries": 3, "backoff": 0.01, "max_wait": 0.05}
    return HttpClient(**{**defaults, **options})  # type: ignore[arg-type]


def page_requests(index: IndexServer, path: str) -> list[int | None]:
    return [r.status for r in index.requests if r.path == path]


# ---------------------------------------------------------------- retries and faults


def test_get_parses_json_page(index_server: IndexServer) -> None:
    with fast() as http:
        response = http.get(index_server.project_url("demo"), {"Accept": ACCEPT})
    assert response.status == 200 and response.headers["content-type"] == JSON_TYPE
    page = parse_page(response.body, response.headers["content-type"], response.url)
    assert {link.filename for link in page.links} == {f.filename for f in index_server.files("demo")}


def test_503_twice_then_success(index_server: IndexServer) -> None:
    index_server.faults.status(503, times=2, path="/simple/demo/")
    with fast() as http:
        response = http.get(index_server.project_url("demo"))
    assert response.status == 200
    assert page_requests(index_server, "/simple/demo/") == [503, 503, 200]


def test_503_forever_fails_clearly_within_bounded_time(index_server: IndexServer) -> None:
    index_server.faults.status(503)
    started = time.monotonic()
    with fast(retries=2) as http:
        response = http.get(index_server.project_url("demo"))
        error = response.error()
    assert time.monotonic() - started < 3
    assert response.status == 503 and len(index_server.requests) == 3
    assert "503" in str(error) and "/simple/demo/" in str(error) and error.retryable
    assert error.code == "index-unreachable" and error.hint and "--timeout" in error.hint


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_5xx_are_retried(index_server: IndexServer, status: int) -> None:
    index_server.faults.status(status, times=1)
    with fast() as http:
        assert http.get(index_server.project_url("leaf")).status == 200
    assert len(index_server.requests) == 2


def test_4xx_is_not_retried(index_server: IndexServer) -> None:
    with fast() as http:
        assert http.get(index_server.project_url("no-such-project")).status == 404
    assert len(index_server.requests) == 1


def test_retry_after_is_respected_and_capped() -> None:
    http = HttpClient(backoff=0.25, max_wait=2.0)
    assert http.retry_delay(0) == 0.25 and http.retry_delay(2) == 1.0 and http.retry_delay(10) == 2.0
    assert http.retry_delay(0, "1") == 1.0
    assert http.retry_delay(0, "3600") == 2.0
    assert http.retry_delay(0, "Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
    assert http.retry_delay(0, "garbage") == 0.0


def test_connection_reset_once_recovers(index_server: IndexServer) -> None:
    index_server.faults.reset(times=1)
    with fast() as http:
        assert http.get(index_server.project_url("demo")).status == 200
    assert page_requests(index_server, "/simple/demo/") == [None, 200]


def test_connection_reset_forever_is_a_clear_error(index_server: IndexServer) -> None:
    index_server.faults.reset()
    with fast(retries=1) as http, pytest.raises(IndexUnavailable) as caught:
        http.get(index_server.project_url("demo"))
    assert "dropped the connection" in str(caught.value) and index_server.project_url("demo") in str(caught.value)


def test_truncated_body_is_detected_and_retried(index_server: IndexServer) -> None:
    index_server.faults.truncate(50, times=1)
    with fast() as http:
        response = http.get(index_server.project_url("demo"), {"Accept": ACCEPT})
    assert response.status == 200 and response.body.endswith(b"}")
    index_server.faults.truncate(50)
    with fast(retries=1) as http, pytest.raises(IndexUnavailable, match="truncated") as caught:
        http.get(index_server.project_url("demo"))
    assert caught.value.retryable


def test_slow_server_and_short_timeout_is_a_clear_error(index_server: IndexServer) -> None:
    index_server.faults.slow(1.0)
    started = time.monotonic()
    with fast(timeout=0.2, retries=1) as http, pytest.raises(IndexUnavailable, match="timed out") as caught:
        http.get(index_server.project_url("demo"))
    assert time.monotonic() - started < 1.5
    assert "/simple/demo/" in str(caught.value)


def test_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with fast(retries=1) as http, pytest.raises(IndexUnavailable, match="could not connect") as caught:
        http.get(f"http://user:{PASSWORD}@127.0.0.1:{port}/simple/demo/")
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.__dict__)
    assert f"127.0.0.1:{port}" in str(caught.value)


def test_redirects_are_followed_and_url_is_final(index_server: IndexServer) -> None:
    with fast() as http:
        response = http.get(index_server.url + "/Foo_Bar/", {"Accept": ACCEPT})
    assert response.status == 200 and response.url == index_server.project_url("foo-bar")
    [link] = parse_page(response.body, response.headers["content-type"], response.url).links
    assert link.url == index_server.file_url("foo_bar-1.0-py3-none-any.whl")
    assert [r.status for r in index_server.requests] == [301, 200]


# ---------------------------------------------------------------- credentials


@pytest.fixture
def private_index(make_index, wheel_corpus) -> IndexServer:  # type: ignore[no-untyped-def]
    return make_index(wheel_corpus.path, basic_auth=("alice", PASSWORD))  # type: ignore[no-any-return]


def test_basic_auth_from_url_userinfo_and_remembered_for_files(private_index: IndexServer) -> None:
    authenticated = private_index.authenticated_url()
    with fast() as http:
        page = http.get(authenticated + "/demo/", {"Accept": ACCEPT})
        assert page.status == 200 and PASSWORD not in page.url and "alice" not in page.url
        # a file linked from the page has no credentials of its own: the host's are reused
        assert http.get(private_index.file_url("leaf-1.0-py3-none-any.whl")).status == 200
    assert all(r.headers.get("authorization", "").startswith("Basic ") for r in private_index.requests)


def test_index_url_credentials_apply_under_the_index(private_index: IndexServer) -> None:
    with fast() as http:
        http.add_index_url(private_index.authenticated_url() + "/")
        assert http.get(private_index.project_url("leaf")).status == 200


def test_wrong_password_is_an_auth_error_without_the_password(private_index: IndexServer) -> None:
    with fast() as http:
        response = http.get(private_index.url.replace("://", f"://alice:wrong-{PASSWORD}@") + "/demo/")
    error = response.error()
    assert isinstance(error, IndexAuthError) and response.status == 401
    shown = " ".join(str(part) for part in (error, error.input, error.hint, error.context, repr(error)))
    assert PASSWORD not in shown and "401" in str(error) and error.hint and "netrc" in error.hint


def test_netrc_credentials(private_index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login alice\n  password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with fast() as http:
        assert http.get(private_index.project_url("demo")).status == 200
    with fast(netrc=False) as http:
        assert http.get(private_index.project_url("demo")).status == 401


def test_netrc_in_home(private_index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".netrc").write_text(f"machine 127.0.0.1 login alice password {PASSWORD}\n")
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with fast() as http:
        assert http.get(private_index.project_url("demo")).status == 200


def test_credential_rules_follow_pip() -> None:
    creds = Credentials(use_netrc=False)
    creds.add_index("https://bob:pw1@host.test/a/simple/")
    creds.add_index("https://carol:pw2@host.test/b/simple/")
    assert creds.for_url("https://host.test/b/simple/demo/") == ("https://host.test/b/simple/demo/", ("carol", "pw2"))
    assert creds.for_url("https://host.test/a/files/x.whl")[1] == ("bob", "pw1")
    assert creds.for_url("https://dave:pw3@other.test/x")[1] == ("dave", "pw3")
    assert creds.for_url("https://other.test/y") == ("https://other.test/y", ("dave", "pw3"))  # remembered per host
    assert creds.for_url("https://third.test/z") == ("https://third.test/z", None)
    assert creds.for_url("https://tok%40en@fourth.test/")[1] == ("tok@en", "")


# ---------------------------------------------------------------- file:// and policy


def test_file_urls(tmp_path: Path) -> None:
    (tmp_path / "simple" / "demo").mkdir(parents=True)
    (tmp_path / "simple" / "demo" / "index.html").write_text("<a href='x.whl'>x</a>")
    with fast() as http:
        response = http.get((tmp_path / "simple" / "demo").as_uri() + "/")
        assert response.status == 200 and response.headers["content-type"] == "text/html"
        assert response.url.endswith("/simple/demo/index.html") and b"x.whl" in response.body
        assert http.get((tmp_path / "missing").as_uri()).status == 404


def test_insecure_origins_need_trusted_host() -> None:
    http = HttpClient(trusted_hosts=("intranet.test:8080",))
    with pytest.raises(InsecureLocation, match="plain http") as caught:
        http.check_secure("http://plain.test/simple/demo/")
    assert caught.value.exit_code == 2 and "--trusted-host plain.test" in (caught.value.hint or "")
    for url in ("https://plain.test/", "http://127.0.0.1:9/", "http://localhost/", "http://intranet.test:8080/x"):
        http.check_secure(url)
    assert not is_secure_origin("http://intranet.test:8081/", ["intranet.test:8080"])
    assert is_secure_origin("http://intranet.test:8081/", ["intranet.test"])


def test_bad_cert_file_is_a_usage_error(tmp_path: Path, index_server: IndexServer) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    from satchel.errors import UsageError

    with HttpClient(cert=str(bogus)) as http, pytest.raises(UsageError, match="ca.pem"):
        http.get("https://127.0.0.1:9/")


def test_proxy_selection() -> None:
    env = {"http": "http://proxy.test:3128", "https": "proxy.test:3129", "no": "localhost,.internal.test,10.0.0.1:80"}
    assert proxy_for("https://host.test/x", None, env) == "http://proxy.test:3129"
    assert proxy_for("http://host.test/x", None, env) == "http://proxy.test:3128"
    assert proxy_for("http://a.internal.test/x", None, env) is None
    assert proxy_for("http://localhost:8080/x", "http://explicit.test:1", env) is None
    assert proxy_for("https://host.test/", "http://explicit.test:1", {}) == "http://explicit.test:1"
    assert proxy_for("http://10.0.0.1:8080/", None, env) == "http://proxy.test:3128"
    assert proxy_for("https://host.test/", None, {}) is None


# ---------------------------------------------------------------- the page cache


def test_304_revalidation_reuses_the_cached_body(index_server: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(str(tmp_path / "cache"))
    url = index_server.project_url("demo")
    with fast() as http:
        first = cache.fetch(http, url, ACCEPT)
        second = cache.fetch(http, url, ACCEPT)
    assert first.from_cache is None and second.from_cache == "revalidated"
    assert second.body == first.body and second.url == first.url and second.status == 200
    assert second.headers["content-type"] == JSON_TYPE
    path = urllib.parse.urlsplit(url).path  # the session's server may still see a late request of another test
    [plain, conditional] = [r for r in index_server.requests if r.path == path]
    assert "if-none-match" not in plain.headers and plain.status == 200
    assert conditional.headers["if-none-match"] == first.headers["etag"] and conditional.status == 304
    assert conditional.headers["if-modified-since"] == first.headers["last-modified"]


def test_max_age_serves_without_a_request(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.cache_control = "max-age=600"
    cache = HttpCache(str(tmp_path / "cache"))
    with fast() as http:
        cache.fetch(http, index_server.project_url("leaf"), ACCEPT)
        again = cache.fetch(http, index_server.project_url("leaf"), ACCEPT)
    assert again.from_cache == "fresh" and len(index_server.requests) == 1
    later = HttpCache(str(tmp_path / "cache"), clock=lambda: time.time() + 601)
    with fast() as http:
        assert later.fetch(http, index_server.project_url("leaf"), ACCEPT).from_cache == "revalidated"


def test_no_store_and_no_cache_switch(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.cache_control = "no-store"
    cache = HttpCache(str(tmp_path / "a"))
    with fast() as http:
        cache.fetch(http, index_server.project_url("leaf"), ACCEPT)
        cache.fetch(http, index_server.project_url("leaf"), ACCEPT)
    assert not any("if-none-match" in r.headers for r in index_server.requests)
    index_server.reset()
    off = HttpCache(str(tmp_path / "b"), no_cache=True)
    with fast() as http:
        off.fetch(http, index_server.project_url("leaf"), ACCEPT)
        off.fetch(http, index_server.project_url("leaf"), ACCEPT)
    assert not any("if-none-match" in r.headers for r in index_server.requests)
    assert not (tmp_path / "b").exists()


def test_cache_is_keyed_without_credentials_and_keeps_none(private_index: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(str(tmp_path / "cache"))
    with fast() as http:
        cache.fetch(http, private_index.authenticated_url() + "/demo/", ACCEPT)
    assert cache.path_for(private_index.authenticated_url() + "/demo/", ACCEPT) == cache.path_for(
        private_index.project_url("demo"), ACCEPT
    )
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes()


def test_damaged_cache_entry_is_ignored(index_server: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(str(tmp_path / "cache"))
    url = index_server.project_url("leaf")
    with fast() as http:
        good = cache.fetch(http, url, ACCEPT)
        Path(cache.path_for(url, ACCEPT)).write_bytes(b"\x00garbage")
        assert cache.fetch(http, url, ACCEPT).body == good.body


def test_cache_from_many_threads(index_server: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(str(tmp_path / "cache"))
    bodies: list[bytes] = []
    with fast() as http:
        def work() -> None:
            for name in ("demo", "leaf", "middle"):
                bodies.append(cache.fetch(http, index_server.project_url(name), ACCEPT).body)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(bodies) == 24 and len(set(bodies)) == 3
    assert not [p for p in (tmp_path / "cache").rglob("*.tmp")]


# ---------------------------------------------------------------- locations


def test_locations_from_options(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    (tmp_path / "one.whl").write_bytes(b"")
    where = locations(
        "https://host.test/simple",
        ["https://extra.test/simple/", "https://host.test/simple/"],
        ["wheels", str(tmp_path / "one.whl"), "https://links.test/page.html", "nowhere", (tmp_path / "wheels").as_uri()],
        cwd=str(tmp_path),
    )
    assert where.index_urls == ("https://host.test/simple/", "https://extra.test/simple/")
    kinds = [(f.kind, f.path) for f in where.find_links]
    assert kinds == [
        ("dir", str(tmp_path / "wheels")),
        ("file", str(tmp_path / "one.whl")),
        ("url", None),
        ("missing", str(tmp_path / "nowhere")),
    ]  # the file:// spelling of wheels/ is the same location: kept once
    assert len(where.warnings) == 1 and "nowhere" in where.warnings[0]
    assert locations("https://host.test/simple", ["https://x.test/"], ["wheels"], no_index=True, cwd=str(tmp_path)).index_urls == ()
    assert locations(str(tmp_path / "wheels"), cwd=str(tmp_path)).index_urls == ((tmp_path / "wheels").as_uri() + "/",)


def test_url_helpers() -> None:
    assert project_url("https://host.test/simple/", "Foo_Bar.baz") == "https://host.test/simple/foo-bar-baz/"
    assert split_credentials("https://u:p%2F@h.test/x") == ("https://h.test/x", ("u", "p/"))
    assert split_credentials("https://h.test/x") == ("https://h.test/x", None)
    assert index_for_url("https://h.test/simple/x/", ["https://o.test/simple/", "https://a:b@h.test/simple"]) == (
        "https://a:b@h.test/simple/"
    )
    assert classify_find_links("https://h.test/links/").kind == "url"
    assert is_of_project("foo_bar-1.0-py3-none-any.whl", "foo-bar")
    assert is_of_project("foo-bar-1.0.tar.gz", "foo-bar") and is_of_project("foo-bar-1.0.tar.gz", "foo")
    assert not is_of_project("foobar-1.0.tar.gz", "foo") and not is_of_project("foo.txt", "foo")


# ---------------------------------------------------------------- TLS (a loopback server with a test CA)


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 it signed, made with the openssl CLI."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=satchel test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nauthorityKeyIdentifier=keyid\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return {"ca": d / "ca.pem", "cert": d / "server.pem", "key": d / "server.key"}


@pytest.fixture
def tls_index(make_index, wheel_corpus, test_ca: dict[str, Path]) -> str:  # type: ignore[no-untyped-def]
    """An IndexServer speaking HTTPS with the test CA's certificate; returns its https URL."""
    import ssl

    server = make_index(wheel_corpus.path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(test_ca["cert"], test_ca["key"])
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    return f"https://127.0.0.1:{server.port}/simple/demo/"


def test_tls_with_cert_bundle(tls_index: str, test_ca: dict[str, Path]) -> None:
    with fast(cert=str(test_ca["ca"])) as http:
        assert http.get(tls_index).status == 200


def test_tls_unknown_ca_is_a_clear_error(tls_index: str) -> None:
    with fast() as http, pytest.raises(IndexUnavailable, match="TLS") as caught:
        http.get(tls_index)
    assert not caught.value.retryable and "--cert" in (caught.value.hint or "")


def test_tls_trusted_host_skips_verification(tls_index: str) -> None:
    with fast(trusted_hosts=["127.0.0.1"]) as http:
        assert http.get(tls_index).status == 200


def test_tls_ssl_cert_file(tls_index: str, test_ca: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca["ca"]))
    with fast() as http:
        assert http.get(tls_index).status == 200
