"""pytest fixtures for anything that needs an index: a corpus of wheels built once per session,
a loopback `IndexServer` serving it, a factory for private servers, and the real third-party
pypiserver serving the same corpus. Loaded by tests/conftest.py (`pytest_plugins`).

    def test_download(index_server, tmp_path):
        index_server.json = False                     # reset after the test
        pip("download", "--no-deps", "--index-url", index_server.url, "-d", str(tmp_path), "demo==1.0")
        assert "/files/demo-1.0-py3-none-any.whl" in index_server.paths()

Under pytest-xdist every worker builds its own corpus and runs its own servers; the wheels are
reproducible, so their hashes are the same everywhere.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .backends import backend_wheels
from .index_server import IndexServer
from .projects import make_project_sdist
from .wheels import make_sdist, make_wheel

__all__ = [
    "CORPUS_YANKED",
    "Corpus",
    "ExternalIndex",
    "SOURCE_PROJECTS",
    "build_corpus",
    "build_index_server",
    "build_source_corpus",
    "index_server",
    "make_index",
    "pypiserver_index",
    "source_corpus",
    "wheel_corpus",
]

#: Yanked releases of the corpus (pypiserver cannot express these; IndexServer serves them).
CORPUS_YANKED: Mapping[str, str] = {"demo==1.1": "broken build, use 1.2"}

_NATIVE_TAGS = (  # `native` 1.0 exists only as platform wheels
    "cp38-abi3-manylinux2014_x86_64",
    "cp311-cp311-musllinux_1_1_x86_64",
    "cp312-cp312-macosx_11_0_arm64",
    "cp312-cp312-win_amd64",
)


@dataclass(frozen=True)
class Corpus:
    """The session's distributions: `path` (a flat directory) and the releases to serve as yanked."""

    path: Path
    yanked: Mapping[str, str]

    def __truediv__(self, filename: str) -> Path:
        return self.path / filename

    def __fspath__(self) -> str:
        return str(self.path)

    def filenames(self) -> list[str]:
        return sorted(p.name for p in self.path.iterdir())


def _demo(directory: Path) -> None:
    make_wheel(directory, "demo", "1.0")
    make_wheel(directory, "demo", "1.1")
    make_wheel(directory, "demo", "1.2", requires_dist=["leaf>=1.0"])
    make_wheel(
        directory,
        "demo",
        "2.0",
        requires_dist=["middle>=1.0", 'wincompat>=1.0; sys_platform == "win32"', 'leaf<1; python_version < "3"'],
        extras={"async": ["asynclib>=1.0"], "all": ["asynclib>=1.0", "scripted"]},
        requires_python=">=3.8",
    )
    make_wheel(directory, "demo", "2.1rc1", requires_dist=["middle>=1.0"])
    make_wheel(directory, "demo", "3.0", requires_python=">=4")


def _dependencies(directory: Path) -> None:
    make_wheel(directory, "middle", "1.0", requires_dist=["leaf>=1.0,<2"])
    make_wheel(directory, "middle", "1.5", requires_dist=["leaf>=2.0"])
    make_wheel(directory, "leaf", "1.0")
    make_wheel(directory, "leaf", "2.0")
    make_wheel(directory, "asynclib", "1.0")
    make_wheel(directory, "wincompat", "1.0", tag="py3-none-win_amd64")
    make_wheel(directory, "clash", "1.0", requires_dist=["leaf<2", "middle>=1.5"])
    make_wheel(directory, "localver", "1.0")
    make_wheel(directory, "localver", "1.0+local.7")
    make_wheel(directory, "Foo_Bar", "1.0")


def _native(directory: Path) -> None:
    for tag in _NATIVE_TAGS:
        make_wheel(directory, "native", "1.0", tag=tag)
    make_wheel(directory, "native", "1.0", tag=_NATIVE_TAGS[0], build_tag=2)
    make_wheel(directory, "winonly", "1.0", tag="cp312-cp312-win_amd64")


def _scripted(directory: Path) -> None:
    make_wheel(
        directory,
        "scripted",
        "1.0",
        entry_points={"console_scripts": {"scripted": "scripted:main"}, "gui_scripts": {"scripted-gui": "scripted:main"}},
        data_files={
            "scripts/scripted-sh": "#!/bin/sh\necho scripted-sh\n",
            "scripts/scripted-py": "#!python\nprint('scripted-py')\n",
            "data/share/scripted/readme.txt": "data file\n",
            "headers/scripted.h": "#define SCRIPTED 1\n",
            "purelib/scripted_extra.py": "EXTRA = 1\n",
        },
    )


def build_corpus(directory: Path) -> Corpus:
    """Write the corpus (about 30 small, reproducible files) into `directory`."""
    for part in (_demo, _dependencies, _native, _scripted):
        part(directory)
    make_sdist(directory, "sdistonly", "1.0", requires_dist=["leaf>=1.0"])
    return Corpus(directory, CORPUS_YANKED)


@pytest.fixture(scope="session")
def wheel_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The session's corpus; read-only: tests that need other files use `make_index`."""
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def _session_index_server(wheel_corpus: Corpus) -> Iterator[IndexServer]:
    with IndexServer(wheel_corpus.path, yanked=wheel_corpus.yanked) as server:
        yield server


@pytest.fixture
def index_server(_session_index_server: IndexServer) -> Iterator[IndexServer]:
    """The session's server over `wheel_corpus`, with an empty request log; switches and faults
    a test sets are undone afterwards."""
    _session_index_server.reset()
    yield _session_index_server
    _session_index_server.reset()


@pytest.fixture
def make_index(tmp_path: Path) -> Iterator[Callable[..., IndexServer]]:
    """`make_index(directory=None, **IndexServer options)`: a started server of the test's own,
    stopped after the test. Without `directory`, a new empty one under tmp_path (add files any time)."""
    servers: list[IndexServer] = []

    def make(directory: Path | None = None, **options: Any) -> IndexServer:
        if directory is None:
            directory = tmp_path / f"index-{len(servers)}"
        directory.mkdir(parents=True, exist_ok=True)
        server = IndexServer(directory, **options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


# ---------------------------------------------------------------- pypiserver


@dataclass(frozen=True)
class ExternalIndex:
    """A third-party index server running as a subprocess."""

    url: str  # http://127.0.0.1:PORT/simple (no trailing slash, like IndexServer.url)
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    return False


def _start_pypiserver(directory: Path, log: Path) -> ExternalIndex | None:
    port = _free_port()
    command = [
        sys.executable, "-m", "pypiserver", "run", "-p", str(port), "-i", "127.0.0.1",
        "--disable-fallback", "-a", ".", "-P", ".", "--server", "wsgiref", str(directory),
    ]  # fmt: skip
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=os.environ.copy()
        )
    url = f"http://127.0.0.1:{port}/simple"
    if _wait_until_up(url, process):
        return ExternalIndex(url, process, log)
    process.kill()
    process.wait()
    return None


@pytest.fixture(scope="session")
def pypiserver_index(wheel_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalIndex]:
    """The real pypiserver serving `wheel_corpus` (no yanking, no PEP 658: it doesn't do those);
    skipped when pypiserver isn't installed."""
    if importlib.util.find_spec("pypiserver") is None:
        pytest.skip("pypiserver is not installed (it is in the test extras)")
    log = tmp_path_factory.mktemp("pypiserver") / "server.log"
    for _ in range(3):  # the free port may be taken between probing and binding
        index = _start_pypiserver(wheel_corpus.path, log)
        if index is not None:
            break
    else:
        pytest.fail(f"pypiserver did not start; its output:\n{log.read_text(errors='replace')}")
    yield index
    index.process.terminate()
    try:
        index.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        index.process.kill()
        index.process.wait()


# ---------------------------------------------------------------- building from source

#: The sdists of `source_corpus`: project -> (backend, versions). `st-proj` depends on `leaf>=1`
#: and has a console script `st-proj` (1.1 also an extra `two` = `leaf>=2`); the others have
#: no dependencies. Each package's `hello()` returns "<project> <version>".
SOURCE_PROJECTS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "st-proj": ("setuptools", ("1.0", "1.1")),
    "legacy-proj": ("setuptools-setup-py", ("1.0",)),
    "hatch-proj": ("hatchling", ("1.0",)),
    "flit-proj": ("flit", ("1.0",)),
}


def build_source_corpus(directory: Path) -> Corpus:
    """Write the distributions builds from source need into `directory`: wheels of the build
    backends installed in the test environment (`backend_wheels`, which raises saying to
    `pip install -e '.[test]'` if one is missing), `leaf` 1.0 and 2.0, and the SOURCE_PROJECTS sdists."""
    backend_wheels(directory)
    make_wheel(directory, "leaf", "1.0")
    make_wheel(directory, "leaf", "2.0")
    for version, extras in (("1.0", {}), ("1.1", {"two": ["leaf>=2"]})):
        make_project_sdist(
            directory, "st-proj", version, backend="setuptools", dependencies=["leaf>=1"],
            optional_dependencies=extras, scripts={"st-proj": "st_proj:main"},
        )  # fmt: skip
    make_project_sdist(directory, "legacy-proj", "1.0", backend="setuptools-setup-py")
    make_project_sdist(directory, "hatch-proj", "1.0", backend="hatchling")
    make_project_sdist(directory, "flit-proj", "1.0", backend="flit")
    return Corpus(directory, {})


@pytest.fixture(scope="session")
def source_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The session's corpus for builds from source (`build_source_corpus`); read-only."""
    return build_source_corpus(tmp_path_factory.mktemp("source-corpus"))


@pytest.fixture(scope="session")
def _session_build_index_server(source_corpus: Corpus) -> Iterator[IndexServer]:
    with IndexServer(source_corpus.path, yanked=source_corpus.yanked) as server:
        yield server


@pytest.fixture
def build_index_server(_session_build_index_server: IndexServer) -> Iterator[IndexServer]:
    """The session's server over `source_corpus` (backends, `leaf`, the SOURCE_PROJECTS sdists),
    with an empty request log; switches and faults a test sets are undone afterwards."""
    _session_build_index_server.reset()
    yield _session_build_index_server
    _session_build_index_server.reset()
