"""satchel.index.revalidate's `unchanged()` against a real server on 127.0.0.1 that the tests
script byte by byte (304, same body, changed body, chunked and gzip bodies, failures as
"changed", keep-alive and parallel checks, max-age freshness, local stamps), with records
made by `satchel.index.consulted.Consulted` as IndexClient makes them, and what Consulted
refuses to record. The HTTP/1.1 client itself is tested in test_http11.py."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripted_server import ACCEPT, BODY, ETAG, LAST_MODIFIED, Route, Scripted, conditional, http, plain, serve

from satchel.index.consulted import Consulted, local_stamp
from satchel.index.http import HttpClient, Response
from satchel.index.httpcache import entry_path, load_entry, save_entry
from satchel.index.revalidate import unchanged


@pytest.fixture
def server() -> Iterator[Scripted]:
    yield from serve()


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(timeout=5.0, retries=0, netrc=False)


@pytest.fixture
def cache_dir(tmp_path: Path) -> str:
    return str(tmp_path / "http-cache")


def response_for(url: str, status: int, body: bytes = b"", **headers: str) -> Response:
    return Response(url, status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


def record_of(client: HttpClient, *pages: tuple[str, Response], local: tuple[str, ...] = ()) -> dict[str, Any]:
    consulted = Consulted()
    for url, response in pages:
        consulted.page(client, url, ACCEPT, response)
    for path in local:
        consulted.local(path)
    record = consulted.record()
    assert record is not None, consulted.refusal
    return record


def page_record(client: HttpClient, server: Scripted, path: str, body: bytes = BODY, **validators: str) -> dict[str, Any]:
    url = server.url + path
    return record_of(client, (url, response_for(url, 200, body, **validators)))


# ---------------------------------------------------------------- unchanged()


def test_304_is_unchanged_and_the_request_is_conditional(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/demo/"] = Route(conditional())
    record = page_record(client, server, "/simple/demo/", etag=ETAG, last_modified=LAST_MODIFIED)
    assert unchanged(record, directory=cache_dir) is True
    [(path, headers)] = server.requests
    assert path == "/simple/demo/"
    assert headers["if-none-match"] == ETAG and headers["if-modified-since"] == LAST_MODIFIED
    assert headers["accept"] == ACCEPT and headers["host"] == f"127.0.0.1:{server.port}"


def test_200_with_the_same_body_and_no_validators_is_unchanged(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/demo/"] = Route(plain())
    record = page_record(client, server, "/simple/demo/")
    assert unchanged(record, directory=cache_dir) is True
    [(_, headers)] = server.requests
    assert "if-none-match" not in headers and "if-modified-since" not in headers


def test_200_with_another_body_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/demo/"] = Route(conditional(body=BODY + b" ", etag='"v2"'))
    record = page_record(client, server, "/simple/demo/", etag=ETAG)
    assert unchanged(record, directory=cache_dir) is False
    # the new page is left in the page cache for the full resolution that follows
    stored = load_entry(entry_path(cache_dir, server.url + "/simple/demo/", ACCEPT))
    assert stored is not None and stored[1] == BODY + b" " and stored[0]["etag"] == '"v2"'


def test_changed_status_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    url = server.url + "/simple/gone/"
    record = record_of(client, (url, response_for(url, 200, BODY)))
    assert unchanged(record, directory=cache_dir) is False  # a 404 now


def test_a_404_still_404_is_unchanged_and_a_new_page_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    url = server.url + "/simple/newproj/"
    record = record_of(client, (url, response_for(url, 404, b"no\n")))
    assert unchanged(record, directory=cache_dir) is True
    server.routes["/simple/newproj/"] = Route(plain())
    assert unchanged(record, directory=cache_dir) is False


def test_chunked_body_that_differs(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    def chunked(_headers: dict[str, str]) -> bytes:
        return http(200, b"3\r\nabc\r\n0\r\n\r\n", {"Transfer-Encoding": "chunked"}, length=False)

    server.routes["/a/"] = Route(chunked)
    assert unchanged(page_record(client, server, "/a/", body=b"abd"), directory=cache_dir) is False
    assert unchanged(page_record(client, server, "/a/", body=b"abc"), directory=cache_dir) is True


def test_gzip_content_encoding(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/gz/"] = Route(lambda _h: http(200, gzip.compress(BODY), {"Content-Encoding": "gzip"}))
    assert unchanged(page_record(client, server, "/gz/"), directory=cache_dir) is True
    assert unchanged(page_record(client, server, "/gz/", body=b"other"), directory=cache_dir) is False


def test_an_unknown_content_encoding_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/br/"] = Route(lambda _h: http(200, BODY, {"Content-Encoding": "br"}))
    assert unchanged(page_record(client, server, "/br/"), directory=cache_dir) is False


def test_reset_connection_is_changed_not_an_exception(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/reset/"] = Route(reset=True)
    assert unchanged(page_record(client, server, "/reset/", etag=ETAG), directory=cache_dir) is False


def test_connection_closed_mid_body_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    truncated = http(200, BODY)[:-10]
    server.routes["/cut/"] = Route(lambda _h: truncated, close=True)
    assert unchanged(page_record(client, server, "/cut/"), directory=cache_dir) is False


@pytest.mark.parametrize("garbage", [b"SPDY/3 200 OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", b""])
def test_malformed_answers_are_changed(server: Scripted, client: HttpClient, cache_dir: str, garbage: bytes) -> None:
    server.routes["/bad/"] = Route(lambda _h: garbage, close=True)
    assert unchanged(page_record(client, server, "/bad/"), directory=cache_dir) is False


def test_closed_port_is_changed(client: HttpClient, cache_dir: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/simple/demo/"
    record = record_of(client, (url, response_for(url, 200, BODY, etag=ETAG)))
    started = time.monotonic()
    assert unchanged(record, directory=cache_dir) is False
    assert time.monotonic() - started < 5


def test_server_error_is_changed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/err/"] = Route(lambda _h: http(500, b"oops"))
    assert unchanged(page_record(client, server, "/err/", etag=ETAG), directory=cache_dir) is False


def test_keep_alive_one_connection_for_pages_on_one_server(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    for path in ("/simple/a/", "/simple/b/", "/simple/c/"):
        server.routes[path] = Route(conditional())
    record = record_of(
        client, *((server.url + p, response_for(server.url + p, 200, BODY, etag=ETAG)) for p in ("/simple/a/", "/simple/b/"))
    )
    assert unchanged(record, directory=cache_dir) is True
    assert server.connections == 1 and [p for p, _ in server.requests] == ["/simple/a/", "/simple/b/"]


def test_many_pages_are_checked_in_parallel_and_one_change_is_seen(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    paths = [f"/simple/p{i}/" for i in range(12)]
    for path in paths:
        server.routes[path] = Route(conditional())
    record = record_of(client, *((server.url + p, response_for(server.url + p, 200, BODY, etag=ETAG)) for p in paths))
    assert unchanged(record, directory=cache_dir) is True
    assert sorted(p for p, _ in server.requests) == sorted(paths)
    assert server.connections <= 8  # at most one per worker thread
    server.routes[paths[7]] = Route(conditional(body=b"new", etag='"v2"'))
    assert unchanged(record, directory=cache_dir) is False


def test_pages_on_two_servers(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/a/"] = Route(conditional())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    here = server.url + "/simple/a/"
    there = f"http://127.0.0.1:{closed}/simple/a/"
    good = record_of(client, (here, response_for(here, 200, BODY, etag=ETAG)))
    bad = record_of(client, (here, response_for(here, 200, BODY, etag=ETAG)), (there, response_for(there, 200, BODY)))
    assert unchanged(good, directory=cache_dir) is True
    assert unchanged(bad, directory=cache_dir) is False


# ---------------------------------------------------------------- freshness by max-age


def _cache_page(cache_dir: str, url: str, body: bytes, *, fetched: float, cache_control: str, etag: str = ETAG) -> None:
    meta = {"url": url, "content_type": ACCEPT, "etag": etag, "last_modified": "", "cache_control": cache_control, "fetched": fetched}
    save_entry(entry_path(cache_dir, url, ACCEPT), meta, body)


def test_page_fresh_by_max_age_needs_no_request(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/demo/"] = Route(conditional(**{"Cache-Control": "max-age=600"}))
    url = server.url + "/simple/demo/"
    record = record_of(client, (url, response_for(url, 200, BODY, etag=ETAG, cache_control="max-age=600")))
    _cache_page(cache_dir, url, BODY, fetched=time.time(), cache_control="max-age=600")
    assert unchanged(record, directory=cache_dir) is True
    assert server.requests == []


def test_stale_page_is_revalidated_and_renewed(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    server.routes["/simple/demo/"] = Route(conditional(**{"Cache-Control": "max-age=600"}))
    url = server.url + "/simple/demo/"
    record = record_of(client, (url, response_for(url, 200, BODY, etag=ETAG, cache_control="max-age=600")))
    old = time.time() - 3600
    _cache_page(cache_dir, url, BODY, fetched=old, cache_control="max-age=600")
    assert unchanged(record, directory=cache_dir) is True
    assert len(server.requests) == 1
    stored = load_entry(entry_path(cache_dir, url, ACCEPT))
    assert stored is not None and stored[0]["fetched"] > old + 3000  # renewed: fresh again
    assert unchanged(record, directory=cache_dir) is True
    assert len(server.requests) == 1


def test_fresh_cache_entry_of_another_body_is_not_trusted(server: Scripted, client: HttpClient, cache_dir: str) -> None:
    """The page cache holds a newer page (another command fetched it): the record's page is not it."""
    server.routes["/simple/demo/"] = Route(conditional(body=b"newer", etag='"v2"'))
    url = server.url + "/simple/demo/"
    record = record_of(client, (url, response_for(url, 200, BODY, etag=ETAG, cache_control="max-age=600")))
    _cache_page(cache_dir, url, b"newer", fetched=time.time(), cache_control="max-age=600", etag='"v2"')
    assert unchanged(record, directory=cache_dir) is False


# ---------------------------------------------------------------- local things


def test_local_file_stamp_change_is_changed(tmp_path: Path, cache_dir: str) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(b"one")
    record = {"pages": [], "local": {str(wheel): local_stamp(str(wheel))}}
    assert unchanged(record, directory=cache_dir) is True
    os.utime(wheel, ns=(1, 1))
    assert unchanged(record, directory=cache_dir) is False


def test_local_directory_listing_change_is_changed(tmp_path: Path, client: HttpClient, cache_dir: str) -> None:
    links = tmp_path / "links"
    links.mkdir()
    (links / "demo-1.0-py3-none-any.whl").write_bytes(b"one")
    record = record_of(client, local=(str(links),))
    assert unchanged(record, directory=cache_dir) is True
    (links / "demo-2.0-py3-none-any.whl").write_bytes(b"two")
    assert unchanged(record, directory=cache_dir) is False
    (links / "demo-2.0-py3-none-any.whl").unlink()
    assert unchanged(record, directory=cache_dir) is True  # the same files, the same stamps
    (links / "demo-1.0-py3-none-any.whl").write_bytes(b"uno")  # same size, rewritten
    os.utime(links / "demo-1.0-py3-none-any.whl", ns=(5, 5))
    assert unchanged(record, directory=cache_dir) is False


def test_a_missing_local_path_recorded_missing(tmp_path: Path, cache_dir: str) -> None:
    missing = str(tmp_path / "nowhere")
    record = {"pages": [], "local": {missing: local_stamp(missing)}}
    assert unchanged(record, directory=cache_dir) is True
    Path(missing).write_text("x")
    assert unchanged(record, directory=cache_dir) is False


def test_file_page_compared_by_content(tmp_path: Path, client: HttpClient, cache_dir: str) -> None:
    page = tmp_path / "simple" / "demo"
    page.mkdir(parents=True)
    (page / "index.html").write_bytes(b"<a>one</a>")
    url = page.as_uri() + "/"
    record = record_of(client, (url, response_for(url, 200, b"<a>one</a>")))
    assert record["pages"][0]["file"] == str(page / "index.html")
    assert unchanged(record, directory=cache_dir) is True
    (page / "index.html").write_bytes(b"<a>two</a>")
    assert unchanged(record, directory=cache_dir) is False
    (page / "index.html").unlink()
    assert unchanged(record, directory=cache_dir) is False


def test_damaged_record_is_changed(cache_dir: str) -> None:
    assert unchanged({}, directory=cache_dir) is False
    assert unchanged({"pages": [{"url": "http://x/"}], "local": {}}, directory=cache_dir) is False
    assert unchanged({"pages": None, "local": {}}, directory=cache_dir) is False


# ---------------------------------------------------------------- what can't be re-checked


def test_redirected_page_is_refused(client: HttpClient) -> None:
    consulted = Consulted()
    consulted.page(client, "http://127.0.0.1:9/simple/Demo/", ACCEPT, response_for("http://127.0.0.1:9/simple/demo/", 200, BODY))
    assert consulted.record() is None and "redirected" in (consulted.refusal or "")


def test_credentials_are_refused(client: HttpClient) -> None:
    with_credentials = HttpClient(timeout=5.0, retries=0, netrc=False)
    with_credentials.credentials.add_index("http://user:secret@127.0.0.1:9/simple")
    clean = "http://127.0.0.1:9/simple/demo/"
    assert with_credentials.sends_credentials(clean)
    consulted = Consulted()
    consulted.page(with_credentials, clean, ACCEPT, response_for(clean, 200, BODY))
    assert consulted.record() is None and "credentials" in (consulted.refusal or "")
    assert "secret" not in (consulted.refusal or "")


@pytest.mark.parametrize("proxy", ["http://user:pw@127.0.0.1:3128", "socks5://127.0.0.1:1080"])
def test_proxies_that_cant_be_rechecked_are_refused(proxy: str) -> None:
    proxied = HttpClient(timeout=5.0, retries=0, netrc=False, proxy=proxy)
    url = "http://127.0.0.1:9/simple/demo/"
    consulted = Consulted()
    consulted.page(proxied, url, ACCEPT, response_for(url, 200, BODY))
    assert consulted.record() is None and "proxy" in (consulted.refusal or "")


def test_refusal_keeps_the_first_reason() -> None:
    consulted = Consulted()
    consulted.refuse("first")
    consulted.refuse("second")
    assert consulted.refusal == "first" and consulted.record() is None


def test_record_keeps_validators_and_route(server: Scripted, client: HttpClient) -> None:
    url = server.url + "/simple/demo/?x=1"
    record = record_of(client, (url, response_for(url, 200, BODY, etag=ETAG, last_modified=LAST_MODIFIED)))
    [page] = record["pages"]
    assert page["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert (page["etag"], page["last_modified"]) == (ETAG, LAST_MODIFIED)
    assert (page["host"], page["port"], page["https"]) == ("127.0.0.1", server.port, False)
    assert page["target"] == "/simple/demo/?x=1" and page["host_header"] == f"127.0.0.1:{server.port}"
