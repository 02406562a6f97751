"""satchel.index.client.IndexClient against real servers (the loopback IndexServer in its
HTML-only and JSON forms, with and without PEP 658 files, and pypiserver), file:// indexes
and find-links directories: pages, strategies, metadata, downloads, prefetch, threads."""

from __future__ import annotations

import hashlib
import html
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from satchel.errors import OperationError
from satchel.index.client import IndexClient, MetadataUnavailable
from satchel.index.http import HttpClient, IndexUnavailable
from satchel.index.httpcache import HttpCache
from satchel.index.links import FileLink
from satchel.index.verified_download import HashMismatch
from satchel.protocols import ProjectSource
from support.fixtures import Corpus, ExternalIndex
from support.index_server import JSON_TYPE, IndexServer
from support.wheels import core_metadata, make_wheel

PASSWORD = "pa55-w0rd!"
MakeIndex = Callable[..., IndexServer]


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with HttpClient(timeout=5.0, retries=3, backoff=0.01, max_wait=0.05) as client:
        yield client


@pytest.fixture
def client_for(http: HttpClient, tmp_path: Path) -> Iterator[Callable[..., IndexClient]]:
    """`client_for(*index_urls, **options)`: an IndexClient with a cache of the test's own."""
    made: list[IndexClient] = []

    def make(*index_urls: str, **options: object) -> IndexClient:
        options.setdefault("cache", HttpCache(str(tmp_path / "http-cache")))
        client = IndexClient(http, index_urls=index_urls, **options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def filenames(links: tuple[FileLink, ...] | list[FileLink]) -> list[str]:
    return sorted(link.filename for link in links)


def wheel_link(client: IndexClient, project: str, version: str) -> FileLink:
    [link] = [l for l in client.project_page(project).links if l.filename == f"{project}-{version}-py3-none-any.whl"]
    return link


# ---------------------------------------------------------------- pages


def test_is_a_project_source(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    source: ProjectSource = client_for(index_server.url)
    assert source.project_page("demo").name == "demo"


@pytest.mark.parametrize("json_on", [True, False], ids=["json", "html-only"])
def test_project_page(client_for: Callable[..., IndexClient], index_server: IndexServer, json_on: bool) -> None:
    index_server.json = json_on
    page = client_for(index_server.url).project_page("demo")
    assert filenames(page.links) == sorted(f.filename for f in index_server.files("demo"))
    [request] = index_server.requests
    assert request.headers["accept"].startswith(JSON_TYPE)
    assert request.content_type == (JSON_TYPE if json_on else "text/html")
    yanked = [l for l in page.links if l.yanked]
    assert [l.filename for l in yanked] == ["demo-1.1-py3-none-any.whl"] and yanked[0].yanked_reason
    assert all(l.has_metadata and l.hashes["sha256"] for l in page.links if l.is_wheel)
    assert (page.versions is not None) == json_on


def test_json_and_html_pages_give_equal_links(client_for: Callable[..., IndexClient], make_index: MakeIndex,
                                              wheel_corpus: Corpus) -> None:  # fmt: skip
    json_server, html_server = make_index(wheel_corpus.path), make_index(wheel_corpus.path, json=False)

    def described(server: IndexServer) -> list[tuple[object, ...]]:
        links = client_for(server.url).project_page("demo").links
        return [(l.filename, l.hashes, l.requires_python, l.yanked, l.metadata) for l in links]

    assert described(json_server) == described(html_server)
    assert json_server.requests[0].content_type == JSON_TYPE and html_server.requests[0].content_type == "text/html"


def test_missing_project_is_an_empty_page(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    page = client_for(index_server.url).project_page("no-such-thing")
    assert page.name == "no-such-thing" and page.links == ()


def test_names_are_normalised(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    client = client_for(index_server.url)
    page = client.project_page("FOO.bar")
    assert page.name == "foo-bar" and filenames(page.links) == ["foo_bar-1.0-py3-none-any.whl"]
    assert client.project_page("Foo_Bar") is page  # memoised under the normalised name
    assert index_server.paths() == ["/simple/foo-bar/"]


def test_server_errors_are_raised_not_skipped(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    index_server.faults.status(503)
    with pytest.raises(IndexUnavailable, match="503") as caught:
        client_for(index_server.url).project_page("demo")
    assert isinstance(caught.value, OperationError) and caught.value.exit_code == 1


def test_pypiserver(client_for: Callable[..., IndexClient], pypiserver_index: ExternalIndex, wheel_corpus: Corpus) -> None:
    client = client_for(pypiserver_index.url)
    page = client.project_page("Demo")
    expected = sorted(n for n in wheel_corpus.filenames() if n.startswith("demo-"))
    assert filenames(page.links) == expected
    assert client.project_page("no-such-thing").links == ()
    link = next(l for l in page.links if l.filename == "demo-1.2-py3-none-any.whl")
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)


# ---------------------------------------------------------------- strategies


@pytest.fixture
def two_indexes(make_index: MakeIndex, tmp_path: Path) -> tuple[IndexServer, IndexServer]:
    first, second = make_index(tmp_path / "first"), make_index(tmp_path / "second")
    make_wheel(first.directory, "shared", "1.0")
    make_wheel(second.directory, "shared", "9.0")  # the "dependency confusion" upload
    make_wheel(second.directory, "only-second", "1.0")
    return first, second


def test_first_index_never_asks_later_indexes(
    client_for: Callable[..., IndexClient], two_indexes: tuple[IndexServer, IndexServer]
) -> None:
    first, second = two_indexes
    client = client_for(first.url, second.url)
    assert filenames(client.project_page("shared").links) == ["shared-1.0-py3-none-any.whl"]
    assert second.paths() == []
    assert filenames(client.project_page("only-second").links) == ["only_second-1.0-py3-none-any.whl"]
    assert first.paths() == ["/simple/shared/", "/simple/only-second/"]
    assert second.paths() == ["/simple/only-second/"]


def test_unsafe_best_match_merges_all(client_for: Callable[..., IndexClient], two_indexes: tuple[IndexServer, IndexServer]) -> None:
    first, second = two_indexes
    client = client_for(first.url, second.url, index_strategy="unsafe-best-match")
    assert filenames(client.project_page("shared").links) == ["shared-1.0-py3-none-any.whl", "shared-9.0-py3-none-any.whl"]
    assert first.paths() == second.paths() == ["/simple/shared/"]


# ---------------------------------------------------------------- find-links and file:// indexes


def test_find_links_directory_and_local_metadata(client_for: Callable[..., IndexClient], tmp_path: Path) -> None:
    links_dir = tmp_path / "wheels"
    wheel = make_wheel(links_dir, "local-only", "1.0", requires_dist=["leaf"])
    make_wheel(links_dir, "other", "1.0")
    (links_dir / "notes.txt").write_text("not a distribution")
    client = client_for(find_links=[str(links_dir)])
    [link] = client.project_page("Local_Only").links
    assert link.url == wheel.as_uri() and link.filename == wheel.name
    assert client.metadata(link) == core_metadata(wheel)
    copied = client.download(link, str(tmp_path / "out"))
    assert Path(copied).read_bytes() == wheel.read_bytes()


def test_find_links_are_merged_under_first_index(
    client_for: Callable[..., IndexClient], index_server: IndexServer, tmp_path: Path
) -> None:
    local = make_wheel(tmp_path / "wheels", "leaf", "3.0")
    page = client_for(index_server.url, find_links=[str(tmp_path / "wheels")]).project_page("leaf")
    assert page.links[0].filename == local.name  # local files first, as in pip
    assert filenames(page.links) == sorted([local.name, "leaf-1.0-py3-none-any.whl", "leaf-2.0-py3-none-any.whl"])


def test_find_links_url_page(client_for: Callable[..., IndexClient], index_server: IndexServer, tmp_path: Path) -> None:
    links_page = tmp_path / "links.html"
    anchors = [f'<a href="{html.escape(index_server.file_url(n))}">{n}</a>' for n in ("leaf-1.0-py3-none-any.whl", "middle-1.0-py3-none-any.whl")]
    links_page.write_text("<html><body>" + "\n".join(anchors) + "</body></html>")
    client = client_for(find_links=[links_page.as_uri(), index_server.project_url("leaf")])
    page = client.project_page("leaf")
    assert filenames(page.links) == ["leaf-1.0-py3-none-any.whl", "leaf-1.0-py3-none-any.whl", "leaf-2.0-py3-none-any.whl"]
    assert filenames(client.project_page("middle").links) == ["middle-1.0-py3-none-any.whl"]
    assert index_server.paths() == ["/simple/leaf/"]  # each find-links page is fetched once


def write_static_index(root: Path, corpus: Corpus, projects: list[str]) -> Path:
    """A PEP 503 tree on disk: simple/<project>/index.html linking ../../files/<file>#sha256=."""
    (root / "files").mkdir(parents=True)
    for project in projects:
        (root / "simple" / project).mkdir(parents=True)
        anchors = []
        for name in corpus.filenames():
            if name.startswith(project.replace("-", "_") + "-"):
                data = (corpus / name).read_bytes()
                (root / "files" / name).write_bytes(data)
                anchors.append(f'<a href="../../files/{name}#sha256={hashlib.sha256(data).hexdigest()}">{name}</a>')
        (root / "simple" / project / "index.html").write_text("<html><body>" + "\n".join(anchors) + "</body></html>")
    return root / "simple"


def test_file_index(client_for: Callable[..., IndexClient], wheel_corpus: Corpus, tmp_path: Path) -> None:
    simple = write_static_index(tmp_path / "static", wheel_corpus, ["leaf", "middle"])
    client = client_for(simple.as_uri())
    page = client.project_page("leaf")
    assert filenames(page.links) == ["leaf-1.0-py3-none-any.whl", "leaf-2.0-py3-none-any.whl"]
    assert all(l.url.startswith("file:///") and "sha256" in l.hashes for l in page.links)
    assert client.project_page("demo").links == ()
    link = page.links[0]
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)
    path = client.download(link, str(tmp_path / "out"))
    assert Path(path).read_bytes() == (wheel_corpus / link.filename).read_bytes()


# ---------------------------------------------------------------- metadata


def test_pep658_metadata_without_touching_the_wheel(
    client_for: Callable[..., IndexClient], index_server: IndexServer, wheel_corpus: Corpus
) -> None:
    client = client_for(index_server.url)
    link = wheel_link(client, "demo", "2.0")
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)  # memoised
    assert index_server.paths() == ["/simple/demo/", "/files/demo-2.0-py3-none-any.whl.metadata"]


@pytest.mark.parametrize("json_on", [True, False], ids=["json", "html-only"])
def test_metadata_by_range_requests(
    client_for: Callable[..., IndexClient], index_server: IndexServer, wheel_corpus: Corpus, json_on: bool,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(tmp_path))  # metadata read before stays on disk: start empty
    index_server.metadata, index_server.json = False, json_on
    client = client_for(index_server.url)
    link = wheel_link(client, "scripted", "1.0")
    assert not link.has_metadata
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)
    wheel_requests = [r for r in index_server.requests if r.path.startswith("/files/")]
    assert wheel_requests and all(r.headers.get("range", "").startswith("bytes=") for r in wheel_requests)
    assert all(r.status == 206 for r in wheel_requests)


def test_metadata_by_range_in_a_big_wheel(client_for: Callable[..., IndexClient], make_index: MakeIndex, tmp_path: Path) -> None:
    """The central directory is beyond the first tail read: later Range reads fetch it."""
    import os

    server = make_index(metadata=False)
    files = {f"big/a_rather_long_module_name_to_grow_the_central_directory_{i}.py": os.urandom(64) for i in range(900)}
    wheel = make_wheel(server.directory, "big", "1.0", files=files, requires_dist=["leaf"])
    client = client_for(server.url)
    link = wheel_link(client, "big", "1.0")
    assert client.metadata(link) == core_metadata(wheel)
    ranges = [r.headers["range"] for r in server.requests if r.path.startswith("/files/")]
    assert len(ranges) >= 2 and all(r.startswith("bytes=") for r in ranges)
    assert wheel.stat().st_size > 64 * 1024


def test_metadata_from_a_server_that_ignores_range(client_for: Callable[..., IndexClient], wheel_corpus: Corpus) -> None:
    """The stdlib's SimpleHTTPRequestHandler answers every Range request with the whole file."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(wheel_corpus.path))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        try:
            name = "middle-1.0-py3-none-any.whl"
            link = FileLink.build(f"http://127.0.0.1:{server.server_address[1]}/{name}", "http://127.0.0.1/")
            assert client_for().metadata(link) == core_metadata(wheel_corpus / name)
        finally:
            server.shutdown()


def test_metadata_hash_mismatch(client_for: Callable[..., IndexClient], make_index: MakeIndex) -> None:
    server = make_index()
    make_wheel(server.directory, "changing", "1.0", requires_dist=["leaf"])
    client = client_for(server.url)
    link = wheel_link(client, "changing", "1.0")
    make_wheel(server.directory, "changing", "1.0", requires_dist=["middle"])  # replaced after the page was read
    with pytest.raises(HashMismatch) as caught:
        client.metadata(link)
    message = str(caught.value)
    assert "changing-1.0-py3-none-any.whl.metadata" in message and link.metadata_hashes["sha256"] in message
    assert "got sha256" in message and caught.value.code == "hash-mismatch"


def test_sdist_without_metadata_file(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    [link] = client_for(index_server.url).project_page("sdistonly").links
    with pytest.raises(MetadataUnavailable, match="source distribution"):
        client_for(index_server.url).metadata(link)


# ---------------------------------------------------------------- downloads


def test_download(client_for: Callable[..., IndexClient], index_server: IndexServer, wheel_corpus: Corpus, tmp_path: Path) -> None:
    client = client_for(index_server.url)
    link = wheel_link(client, "demo", "1.2")
    digest = hashlib.sha256((wheel_corpus / link.filename).read_bytes()).hexdigest()
    path = client.download(link, str(tmp_path / "dl"), expected_hashes={"sha256": ["0" * 64, digest]})
    assert Path(path) == tmp_path / "dl" / link.filename
    assert Path(path).read_bytes() == (wheel_corpus / link.filename).read_bytes()
    assert [p.name for p in (tmp_path / "dl").iterdir()] == [link.filename]


def test_download_hash_mismatch_leaves_nothing(client_for: Callable[..., IndexClient], make_index: MakeIndex,
                                               tmp_path: Path) -> None:  # fmt: skip
    server = make_index()
    make_wheel(server.directory, "changing", "1.0", requires_dist=["leaf"])
    client = client_for(server.url)
    link = wheel_link(client, "changing", "1.0")
    new = make_wheel(server.directory, "changing", "1.0", requires_dist=["middle"])
    dest = tmp_path / "dl"
    with pytest.raises(HashMismatch) as caught:
        client.download(link, str(dest))
    message = str(caught.value)
    assert link.filename in message and link.hashes["sha256"] in message
    assert hashlib.sha256(new.read_bytes()).hexdigest() in message
    assert list(dest.iterdir()) == []


def test_download_requirement_hash_mismatch(client_for: Callable[..., IndexClient], index_server: IndexServer,
                                            tmp_path: Path) -> None:  # fmt: skip
    client = client_for(index_server.url)
    link = wheel_link(client, "leaf", "1.0")
    with pytest.raises(HashMismatch, match="from your requirements"):
        client.download(link, str(tmp_path / "dl"), expected_hashes={"sha256": ["ab" * 32]})
    assert list((tmp_path / "dl").iterdir()) == []


def test_download_survives_one_truncation_and_reports_persistent_ones(
    client_for: Callable[..., IndexClient], index_server: IndexServer, tmp_path: Path
) -> None:
    client = client_for(index_server.url)
    link = wheel_link(client, "scripted", "1.0")
    index_server.faults.truncate(100, times=1, path="/files/*")
    assert Path(client.download(link, str(tmp_path / "a"))).stat().st_size == link.size
    index_server.faults.truncate(100, path="/files/*")
    with pytest.raises(IndexUnavailable, match="truncated"):
        client.download(link, str(tmp_path / "b"))
    assert list((tmp_path / "b").iterdir()) == []


# ---------------------------------------------------------------- credentials


def test_private_index_end_to_end(client_for: Callable[..., IndexClient], make_index: MakeIndex, wheel_corpus: Corpus,
                                  tmp_path: Path) -> None:  # fmt: skip
    server = make_index(wheel_corpus.path, basic_auth=("alice", PASSWORD), metadata=False)
    client = client_for(server.authenticated_url())
    link = wheel_link(client, "demo", "1.0")
    assert PASSWORD not in link.url and PASSWORD not in repr(link)
    assert client.metadata(link) == core_metadata(wheel_corpus / link.filename)
    assert Path(client.download(link, str(tmp_path))).exists()
    assert all(r.status in (200, 206) for r in server.requests)
    wrong = client_for(server.url.replace("://", f"://alice:x{PASSWORD}@"))
    with pytest.raises(IndexUnavailable) as caught:
        wrong.project_page("demo")
    assert PASSWORD not in str(caught.value) and PASSWORD not in str(caught.value.input)


# ---------------------------------------------------------------- caching, threads, prefetch


def test_second_client_revalidates_with_304(http: HttpClient, index_server: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(str(tmp_path / "shared-cache"))
    with IndexClient(http, cache, index_urls=[index_server.url]) as one:
        first = one.project_page("demo")
    with IndexClient(http, cache, index_urls=[index_server.url]) as two:
        assert two.project_page("demo") == first
    plain, conditional = index_server.requests
    assert conditional.headers["if-none-match"] and conditional.status == 304 and plain.status == 200


def test_concurrent_pages_from_eight_threads(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    index_server.faults.slow(0.2, times=1)
    client = client_for(index_server.url)
    names = ["demo", "leaf", "middle", "Demo", "LEAF", "asynclib", "demo", "middle"]
    results: dict[int, list[str]] = {}

    def work(i: int) -> None:
        results[i] = filenames(client.project_page(names[i]).links)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, name in enumerate(names):
        assert results[i] == sorted(f.filename for f in index_server.files(name))
    assert sorted(index_server.paths()) == ["/simple/asynclib/", "/simple/demo/", "/simple/leaf/", "/simple/middle/"]


def test_prefetch_fetches_in_the_background(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    client = client_for(index_server.url)
    client.prefetch(["demo", "Leaf", "middle", "no-such-thing"])
    deadline = time.monotonic() + 10
    while len(index_server.paths()) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(index_server.paths()) == ["/simple/demo/", "/simple/leaf/", "/simple/middle/", "/simple/no-such-thing/"]
    time.sleep(0.05)
    assert filenames(client.project_page("leaf").links) == ["leaf-1.0-py3-none-any.whl", "leaf-2.0-py3-none-any.whl"]
    client.project_page("demo")
    assert len(index_server.paths()) == 4  # nothing fetched twice
    client.close()
    client.prefetch(["asynclib"])  # usable after close: a new pool is made


def test_prefetch_failure_surfaces_on_use(client_for: Callable[..., IndexClient], index_server: IndexServer) -> None:
    index_server.faults.status(500, times=4, path="/simple/demo/")
    client = client_for(index_server.url)
    client.prefetch(["demo"])
    deadline = time.monotonic() + 10
    while len(index_server.paths()) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert client.project_page("demo").links  # the failed prefetch is not remembered


def test_bad_strategy(http: HttpClient) -> None:
    with pytest.raises(ValueError):
        IndexClient(http, index_urls=[], index_strategy="best")  # type: ignore[arg-type]



def test_metadata_is_kept_on_disk_by_hash(
    client_for: Callable[..., IndexClient], index_server: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm resolve asks the index nothing about metadata it has seen: the file is named by its
    hash, so the copy on disk is the same bytes."""
    kept = str(tmp_path / "metadata")
    first = client_for(index_server.url, metadata_dir=kept)
    link = wheel_link(first, "scripted", "1.0")
    body = first.metadata(link)
    index_server.clear_log()
    second = client_for(index_server.url, metadata_dir=kept)
    assert second.metadata(wheel_link(second, "scripted", "1.0")) == body
    assert not [r for r in index_server.requests if r.path.endswith(".metadata") or r.path.startswith("/files/")]
