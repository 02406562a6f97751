"""The test index and the built wheels, proved with real clients: pip (as a subprocess, with
the isolated environment of tests/conftest.py) and urllib for what pip hides (faults, 304, Range)."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from support.fixtures import Corpus, ExternalIndex
from support.index_server import HTML_TYPE, JSON_TYPE, IndexServer, negotiate
from support.wheels import core_metadata, make_sdist, make_wheel, record_hash

PIP_ACCEPT = f"{JSON_TYPE}, {HTML_TYPE}; q=0.1, text/html; q=0.01"


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    """Real pip in the test interpreter, with the isolated environment and no HTTP cache."""
    return subprocess.run(
        [sys.executable, "-m", "pip", *args, "--no-cache-dir"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=180,
    )


def resolve(index_url: str, tmp_path: Path, *requirements: str) -> dict[str, str]:
    """`pip install --dry-run --report` -> {name: version} of what pip would install."""
    report = tmp_path / "report.json"
    options = ["--dry-run", "--ignore-installed", "--report", str(report), "--index-url", index_url]
    result = pip("install", *options, *requirements)
    assert result.returncode == 0, result.stderr
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in json.loads(report.read_text())["install"]}


def get(url: str, **headers: str) -> http.client.HTTPResponse:
    """GET with urllib; HTTP errors (304, 401, 416, 5xx) come back as responses, not exceptions."""
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as error:
        return error  # type: ignore[return-value]


def page(index: IndexServer, project: str) -> dict[str, Any]:
    with get(index.project_url(project), Accept=JSON_TYPE) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


# ---------------------------------------------------------------- pip as the client


@pytest.mark.parametrize("json_on", [False, True], ids=["html", "json"])
def test_pip_downloads_over_html_and_json(
    index_server: IndexServer, wheel_corpus: Corpus, tmp_path: Path, json_on: bool
) -> None:
    index_server.json = json_on
    result = pip("download", "--no-deps", "--index-url", index_server.url, "-d", str(tmp_path), "demo==1.0")
    assert result.returncode == 0, result.stderr
    wheel = "demo-1.0-py3-none-any.whl"
    assert (tmp_path / wheel).read_bytes() == (wheel_corpus / wheel).read_bytes()
    [page_request] = [r for r in index_server.requests if r.path == "/simple/demo/"]
    assert page_request.headers["accept"].startswith(JSON_TYPE)  # pip prefers JSON either way
    assert page_request.content_type == (JSON_TYPE if json_on else "text/html")
    assert f"/files/{wheel}" in index_server.paths("GET")


def test_pip_resolves_a_chain_from_metadata_files_only(index_server: IndexServer, tmp_path: Path) -> None:
    pins = resolve(index_server.url, tmp_path, "demo[async]")
    # 3.0 wants Python >= 4, 2.1rc1 is a pre-release: 2.0 -> middle 1.5 -> leaf 2.0, plus the extra
    assert pins == {"demo": "2.0", "middle": "1.5", "leaf": "2.0", "asynclib": "1.0"}
    downloads = [p for p in index_server.paths() if p.startswith("/files/")]
    assert downloads and all(p.endswith(".whl.metadata") for p in downloads)  # PEP 658: no wheel fetched
    assert "wincompat" not in str(index_server.paths())  # its marker is false here


def test_pip_falls_back_to_wheels_without_metadata_files(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.metadata = False
    assert resolve(index_server.url, tmp_path, "middle==1.0") == {"middle": "1.0", "leaf": "1.0"}
    assert not [p for p in index_server.paths() if p.endswith(".metadata")]


def test_pip_skips_yanked_and_pre_releases_and_picks_platform_wheels(index_server: IndexServer, tmp_path: Path) -> None:
    pins = resolve(index_server.url, tmp_path, "--no-deps", "demo<1.2", "native", "localver==1.0")
    assert pins == {"demo": "1.0", "native": "1.0", "localver": "1.0+local.7"}
    assert resolve(index_server.url, tmp_path, "--pre", "--no-deps", "demo<3") == {"demo": "2.1rc1"}
    native = [p for p in index_server.paths() if p.startswith("/files/native")]
    assert native == ["/files/native-1.0-2-cp38-abi3-manylinux2014_x86_64.whl.metadata"]  # highest build tag


def test_pip_reports_impossible_and_unmatched_requests(index_server: IndexServer) -> None:
    clash = pip("install", "--dry-run", "--ignore-installed", "--index-url", index_server.url, "clash")
    assert clash.returncode != 0 and "ResolutionImpossible" in clash.stderr
    win = pip("install", "--dry-run", "--ignore-installed", "--index-url", index_server.url, "winonly")
    assert win.returncode != 0 and "No matching distribution found for winonly" in win.stderr


def test_pip_with_basic_auth(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.basic_auth = ("alice", "s3cret")
    assert get(index_server.url + "/").status == 401
    refused = pip("download", "--no-deps", "--index-url", index_server.url, "-d", str(tmp_path), "demo==1.0")
    assert refused.returncode != 0
    result = pip("download", "--no-deps", "--index-url", index_server.authenticated_url(), "-d", str(tmp_path), "demo==1.0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo-1.0-py3-none-any.whl").exists()


def test_pypiserver_serves_the_corpus_to_pip(pypiserver_index: ExternalIndex, tmp_path: Path) -> None:
    result = pip("download", "--no-deps", "--index-url", pypiserver_index.url, "-d", str(tmp_path), "demo==1.0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo-1.0-py3-none-any.whl").exists()
    assert resolve(pypiserver_index.url, tmp_path, "middle") == {"middle": "1.5", "leaf": "2.0"}


# ---------------------------------------------------------------- pages and files


def test_pages_describe_files_metadata_and_hashes(index_server: IndexServer, wheel_corpus: Corpus) -> None:
    files = {f["filename"]: f for f in page(index_server, "demo")["files"]}
    assert files["demo-1.1-py3-none-any.whl"]["yanked"] == "broken build, use 1.2"
    assert files["demo-3.0-py3-none-any.whl"]["requires-python"] == ">=4"
    for name, entry in files.items():
        data = (wheel_corpus / name).read_bytes()
        assert entry["hashes"] == {"sha256": hashlib.sha256(data).hexdigest()} and entry["size"] == len(data)
        with get(index_server.file_url(name) + ".metadata") as response:
            metadata = response.read()
        assert metadata == core_metadata(wheel_corpus / name)
        digest = {"sha256": hashlib.sha256(metadata).hexdigest()}
        assert entry["core-metadata"] == entry["dist-info-metadata"] == digest


def test_html_page_attributes(index_server: IndexServer) -> None:
    with get(index_server.project_url("demo"), Accept="text/html") as response:
        assert response.headers["Content-Type"] == "text/html"
        text = response.read().decode()
    assert 'data-requires-python="&gt;=4"' in text and 'data-yanked="broken build, use 1.2"' in text
    assert text.count("data-core-metadata=") == text.count("data-dist-info-metadata=") == 6
    assert 'href="../../files/demo-1.0-py3-none-any.whl#sha256=' in text
    index_server.metadata = False
    with get(index_server.project_url("demo"), Accept="text/html") as response:
        assert "metadata" not in response.read().decode()
    assert get(index_server.file_url("demo-1.0-py3-none-any.whl") + ".metadata").status == 404


def test_root_lists_projects_and_names_are_normalised(index_server: IndexServer) -> None:
    root = json.loads(get(index_server.url + "/", Accept=JSON_TYPE).read())
    assert {"name": "foo-bar"} in root["projects"] and {"name": "demo"} in root["projects"]
    response = get(index_server.url + "/Foo_Bar/")
    assert response.status == 200 and response.url.endswith("/simple/foo-bar/")
    assert [r.status for r in index_server.requests] == [200, 301, 200]
    index_server.redirect_names = False
    assert get(index_server.url + "/Foo.BAR/").status == 200
    assert get(index_server.url + "/nothing-here/").status == 404


@pytest.mark.parametrize(
    ("accept", "json_ok", "html_ok", "expected"),
    [
        (PIP_ACCEPT, True, True, JSON_TYPE),
        (PIP_ACCEPT, False, True, HTML_TYPE),
        (None, True, True, "text/html"),
        (None, True, False, JSON_TYPE),
        ("text/html", True, False, None),
        ("application/vnd.pypi.simple.latest+json", True, True, JSON_TYPE),
        (f"text/html;q=0.5, {JSON_TYPE};q=0.6", True, True, JSON_TYPE),
        (f"{JSON_TYPE};q=0, */*;q=0.1", True, True, "text/html"),
    ],
)
def test_negotiation(accept: str | None, json_ok: bool, html_ok: bool, expected: str | None) -> None:
    assert negotiate(accept, json_ok=json_ok, html_ok=html_ok) == expected


def test_json_off_is_a_legacy_server_and_html_off_refuses_html(index_server: IndexServer) -> None:
    index_server.json = False
    assert get(index_server.project_url("demo"), Accept=JSON_TYPE).headers["Content-Type"] == "text/html"
    index_server.json, index_server.html = True, False
    assert get(index_server.project_url("demo"), Accept="text/html").status == 406


@pytest.mark.parametrize("path", ["/simple/demo/", "/files/demo-1.0-py3-none-any.whl"])
def test_revalidation_gives_304(index_server: IndexServer, path: str) -> None:
    url = index_server.root_url + path
    first = get(url, Accept=JSON_TYPE)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status == 200 and etag and modified
    assert get(url, Accept=JSON_TYPE, **{"If-None-Match": etag}).status == 304
    assert get(url, Accept=JSON_TYPE, **{"If-Modified-Since": modified}).status == 304
    assert get(url, Accept=JSON_TYPE, **{"If-None-Match": '"other"', "If-Modified-Since": modified}).status == 200
    assert get(url, Accept=JSON_TYPE, **{"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}).status == 200


def test_a_page_changes_when_a_file_is_added(make_index: Any, tmp_path: Path) -> None:
    index: IndexServer = make_index()
    assert get(index.project_url("late")).status == 404
    make_wheel(index.directory, "late", "1.0")
    first = get(index.project_url("late"))
    make_wheel(index.directory, "late", "2.0")
    again = get(index.project_url("late"), **{"If-None-Match": first.headers["ETag"]})
    assert again.status == 200 and b"late-2.0-py3-none-any.whl" in again.read()


def test_ranges(index_server: IndexServer, wheel_corpus: Corpus) -> None:
    name = "demo-2.0-py3-none-any.whl"
    data, url = (wheel_corpus / name).read_bytes(), index_server.file_url(name)
    head = get(url, Range="bytes=0-9")
    assert head.status == 206 and head.read() == data[:10]
    assert head.headers["Content-Range"] == f"bytes 0-9/{len(data)}"
    tail = get(url, Range="bytes=-22")  # where a zip's end-of-central-directory record lives
    assert tail.status == 206 and tail.read() == data[-22:]
    assert get(url, Range=f"bytes={len(data)}-").status == 416
    stale = get(url, Range="bytes=0-9", **{"If-Range": '"stale"'})
    assert stale.status == 200 and stale.read() == data
    request = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Length"] == str(len(data)) and response.read() == b""
        assert response.headers["Accept-Ranges"] == "bytes"


def test_concurrent_requests(index_server: IndexServer, wheel_corpus: Corpus) -> None:
    names = [n for n in wheel_corpus.filenames() if n.endswith(".whl")]
    failures: list[str] = []

    def fetch(name: str) -> None:
        for _ in range(5):
            if get(index_server.file_url(name)).read() != (wheel_corpus / name).read_bytes():
                failures.append(name)

    threads = [threading.Thread(target=fetch, args=(name,)) for name in names * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and len(index_server.requests) == len(names) * 10


# ---------------------------------------------------------------- faults


def test_status_fault_then_ok(index_server: IndexServer) -> None:
    fault = index_server.faults.status(503, times=2, path="/simple/demo/")
    assert [get(index_server.project_url("demo")).status for _ in range(3)] == [503, 503, 200]
    assert get(index_server.project_url("leaf")).status == 200
    assert fault.hits == 2 and fault.remaining == 0


def test_reset_fault_drops_the_connection(index_server: IndexServer) -> None:
    index_server.faults.reset(times=1, path="*.whl")
    with pytest.raises(ConnectionResetError):
        get(index_server.file_url("leaf-1.0-py3-none-any.whl"))
    assert get(index_server.file_url("leaf-1.0-py3-none-any.whl")).status == 200
    assert [r.status for r in index_server.requests] == [None, 200]


def test_truncate_fault_sends_a_short_body(index_server: IndexServer, wheel_corpus: Corpus) -> None:
    name = "demo-2.0-py3-none-any.whl"
    index_server.faults.truncate(bytes=100, path=f"/files/{name}")
    response = get(index_server.file_url(name))
    assert response.headers["Content-Length"] == str((wheel_corpus / name).stat().st_size)
    with pytest.raises(http.client.IncompleteRead) as error:
        response.read()
    assert len(error.value.partial) == 100


def test_slow_fault(index_server: IndexServer) -> None:
    index_server.faults.slow(seconds=0.5, times=1)
    with pytest.raises(TimeoutError):
        urllib.request.urlopen(index_server.url + "/", timeout=0.2)
    started = time.monotonic()
    assert get(index_server.url + "/").status == 200
    assert time.monotonic() - started < 0.4
    index_server.faults.slow(seconds=0.3)
    started = time.monotonic()
    assert get(index_server.url + "/").status == 200
    assert time.monotonic() - started >= 0.3


def test_pip_retries_through_5xx(index_server: IndexServer, tmp_path: Path) -> None:
    index_server.faults.status(503, times=2, path="*.whl")
    result = pip("download", "--no-deps", "--index-url", index_server.url, "-d", str(tmp_path), "demo==1.0")
    assert result.returncode == 0, result.stderr
    wheel_gets = [r.status for r in index_server.requests if r.path.endswith(".whl")]
    assert wheel_gets == [503, 503, 200]


# ---------------------------------------------------------------- the built distributions


def test_overrides_by_file_and_release(make_index: Any) -> None:
    index: IndexServer = make_index(yanked={"Thing==1.0": ""}, requires_python={"thing-2.0-py3-none-any.whl": "<3"})
    make_wheel(index.directory, "thing", "1.0")
    make_wheel(index.directory, "thing", "2.0", requires_python=">=3.8")
    files = {f["filename"]: f for f in page(index, "thing")["files"]}
    assert files["thing-1.0-py3-none-any.whl"]["yanked"] is True
    assert files["thing-2.0-py3-none-any.whl"]["requires-python"] == "<3"


def test_wheels_are_reproducible_and_their_record_is_right(tmp_path: Path, wheel_corpus: Corpus) -> None:
    options: dict[str, Any] = {"requires_dist": ["leaf>=1; python_version >= '3'"], "extras": {"async": ["x>=1"]}}
    first = make_wheel(tmp_path / "a", "Demo.Thing", "2.0", **options).read_bytes()
    assert first == make_wheel(tmp_path / "b", "Demo.Thing", "2.0", **options).read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("demo_thing-2.0.dist-info/RECORD").decode())))
        for path, digest, size in rows[:-1]:
            data = archive.read(path)
            assert digest == record_hash(data) and int(size) == len(data)
        metadata = archive.read("demo_thing-2.0.dist-info/METADATA").decode()
    assert rows[-1] == ["demo_thing-2.0.dist-info/RECORD", "", ""]
    assert 'Requires-Dist: x>=1; extra == "async"' in metadata and "Provides-Extra: async" in metadata
    assert "Requires-Dist: leaf>=1; python_version >= '3'" in metadata
    with zipfile.ZipFile(wheel_corpus / "native-1.0-cp38-abi3-manylinux2014_x86_64.whl") as archive:
        assert b"Root-Is-Purelib: false" in archive.read("native-1.0.dist-info/WHEEL")


def test_pip_installs_a_built_wheel_with_scripts_and_data(wheel_corpus: Corpus, tmp_path: Path) -> None:
    target = tmp_path / "target"
    wheel = wheel_corpus / "scripted-1.0-py3-none-any.whl"
    result = pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel))
    assert result.returncode == 0, result.stderr
    assert {"scripted", "scripted-gui", "scripted-sh", "scripted-py"} <= {p.name for p in (target / "bin").iterdir()}
    assert (target / "scripted_extra.py").exists()
    run = subprocess.run(
        [sys.executable, "-c", "import scripted; scripted.main()"],
        env=dict(os.environ, PYTHONPATH=str(target)),
        capture_output=True,
        text=True,
    )
    assert run.stdout == "scripted 1.0\n"


def test_sdist_layout(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "Foo_Bar", "1.0", requires_dist=["leaf"], requires_python=">=3.8")
    assert sdist.name == "foo_bar-1.0.tar.gz"
    with tarfile.open(sdist) as archive:
        names = sorted(archive.getnames())
        assert names == ["foo_bar-1.0/PKG-INFO", "foo_bar-1.0/foo_bar/__init__.py", "foo_bar-1.0/pyproject.toml"]
        pyproject = archive.extractfile("foo_bar-1.0/pyproject.toml").read().decode()  # type: ignore[union-attr]
    assert 'build-backend = "setuptools.build_meta"' in pyproject and 'dependencies = ["leaf"]' in pyproject
