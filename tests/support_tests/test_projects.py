"""The support for builds from source, proved with real pip: the build backends repacked from the
test environment (`support.backends`) are served by the local index and pip builds the projects
and sdists of `support.projects` with them, with no network; editable installs follow edits.

pip is the test environment's own (`python -m pip --python <venv python>`), run with the
isolated environment of tests/conftest.py, into venvs made `--without-pip` (fast); the pip runs
of one test go in parallel.
"""

from __future__ import annotations

import concurrent.futures
import csv
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from email.parser import BytesParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from support import backends
from support.backends import BackendMissing, backend_wheels
from support.fixtures import SOURCE_PROJECTS, Corpus
from support.index_server import IndexServer
from support.projects import (
    BACKEND_NAMES,
    make_project,
    make_project_sdist,
    package_init,
    project_files,
    sdist_filename,
)
from support.wheels import dist_name, module_name, record_hash

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The interpreter the venvs are made with: the one under the test environment, so requirement
#: markers (tomli for hatchling below 3.11) agree with the backends repacked from it.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def run(command: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`command` with the test's (isolated) environment, except PYTHONDONTWRITEBYTECODE: with it,
    each backend hook pip runs in a subprocess compiles setuptools again (some 1.5 s a time)."""
    env = os.environ.copy()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout)


def run_parallel(commands: dict[str, list[str]]) -> dict[str, subprocess.CompletedProcess[str]]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = {key: pool.submit(run, command) for key, command in commands.items()}
        return {key: future.result() for key, future in futures.items()}


def make_venv(path: Path) -> Path:
    """A fresh venv without pip; returns its python."""
    result = run([BASE_PYTHON, "-m", "venv", "--without-pip", str(path)])
    assert result.returncode == 0, result.stderr
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pip_install(python: Path, index: IndexServer, *args: str) -> list[str]:
    """The command for real pip installing into `python`'s venv, from `index` only."""
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-cache-dir"]
    return [*pip, "--index-url", index.url, *args]


def hello(python: Path, name: str) -> subprocess.CompletedProcess[str]:
    return run([str(python), "-c", f"import {module_name(name)} as m; print(m.hello())"])


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


# ---------------------------------------------------------------- backend wheels


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), (wheel.name, info.filename)
        return {name: archive.read(name) for name in archive.namelist()}


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def test_backend_wheels_are_complete_valid_wheels(tmp_path: Path) -> None:
    wheels = backend_wheels(tmp_path)
    names = {w.name.split("-")[0] for w in wheels}
    assert {"setuptools", "hatchling", "flit_core", "editables"} <= names
    for requirement in map(Requirement, importlib.metadata.requires("hatchling") or []):
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            assert dist_name(requirement.name) in names  # packaging, pathspec, pluggy, trove-classifiers, ...
    if Version(importlib.metadata.version("setuptools")) < Version("70.1") or _installed("wheel"):
        assert "wheel" in names  # what setuptools < 70.1 asks for to build a wheel

    for wheel in wheels:
        name, version, tag = wheel.name.removesuffix(".whl").split("-", 2)
        assert tag == "py3-none-any"
        installed = importlib.metadata.distribution(name)
        assert version == installed.version
        dist_info = f"{name}-{version}.dist-info"
        members = _members(wheel)
        installer_files = {f"{dist_info}/{file}" for file in ("INSTALLER", "REQUESTED", "direct_url.json")}
        *files, last = members
        assert files == sorted(files) and last == f"{dist_info}/RECORD"
        assert members[f"{dist_info}/WHEEL"] == (
            b"Wheel-Version: 1.0\nGenerator: satchel-tests (1.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        assert members[f"{dist_info}/METADATA"].decode() == installed.read_text("METADATA")
        for member in members:
            assert not member.endswith(".pyc") and member not in installer_files, member
            assert "__pycache__" not in member and not member.startswith(("..", "/")), member
            assert member.startswith(dist_info + "/") or not member.split("/")[0].endswith(".dist-info"), member
        record = list(csv.reader(io.StringIO(members[f"{dist_info}/RECORD"].decode())))
        assert {row[0] for row in record} == set(members)
        for path, digest, size in record:
            if path != f"{dist_info}/RECORD":
                assert (digest, size) == (record_hash(members[path]), str(len(members[path]))), path
        if installed.read_text("entry_points.txt"):
            assert members[f"{dist_info}/entry_points.txt"].decode() == installed.read_text("entry_points.txt")


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_backend_wheels_and_sdists_are_the_same_bytes_in_another_process(tmp_path: Path, source_corpus: Corpus) -> None:
    """What lets every pytest-xdist worker build its own corpus: the same hashes everywhere."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from support.fixtures import build_source_corpus; build_source_corpus(Path(sys.argv[2]))"
    )
    result = run([sys.executable, "-c", script, str(Path(__file__).parent.parent), str(tmp_path)])
    assert result.returncode == 0, explain(result)
    assert _digests(tmp_path) == _digests(source_corpus.path)


def test_a_missing_backend_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "BACKENDS", ("hatchling", "no-such-backend-for-satchel"))
    with pytest.raises(BackendMissing, match=r"no-such-backend-for-satchel .*pip install -e '\.\[test\]'"):
        backend_wheels(tmp_path)


# ---------------------------------------------------------------- projects and sdists


@pytest.mark.parametrize("layout", ["src", "flat"])
@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_project_trees(tmp_path: Path, backend: str, layout: str) -> None:
    project = make_project(
        tmp_path, "Demo.Proj", "1.0", backend=backend, dependencies=["leaf>=1"],  # type: ignore[arg-type]
        optional_dependencies={"two": ["leaf>=2"]}, scripts={"demo": "demo_proj:main"},
        requires_python=">=3.8", extra_files={"README.txt": "hi"}, layout=layout,  # type: ignore[arg-type]
    )  # fmt: skip
    assert project == tmp_path / "Demo.Proj"
    init = package_init(project)
    assert init == project / ("src/demo_proj" if layout == "src" else "demo_proj") / "__init__.py"
    namespace: dict[str, object] = {}
    exec(init.read_text(), namespace)
    assert namespace["__version__"] == "1.0" and namespace["__doc__"]
    assert namespace["hello"]() == "Demo.Proj 1.0"  # type: ignore[operator]
    assert (project / "README.txt").read_text() == "hi"
    assert not (project / "setup.cfg").exists()
    if backend == "setuptools-setup-py":
        assert not (project / "pyproject.toml").exists()
        setup_py = (project / "setup.py").read_text()
        assert "install_requires=['leaf>=1']" in setup_py and "'demo = demo_proj:main'" in setup_py
        return
    assert not (project / "setup.py").exists()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    hooks = {"setuptools": "setuptools.build_meta", "hatchling": "hatchling.build", "flit": "flit_core.buildapi"}
    assert pyproject["build-system"]["build-backend"] == hooks[backend]
    assert pyproject["project"] == {
        "name": "Demo.Proj",
        "version": "1.0",
        "description": "Demo.Proj 1.0, built by satchel's test suite",
        "dependencies": ["leaf>=1"],
        "requires-python": ">=3.8",
        "optional-dependencies": {"two": ["leaf>=2"]},
        "scripts": {"demo": "demo_proj:main"},
    }


def test_build_requires_and_extra_files_replace_the_defaults() -> None:
    files = project_files("p", backend="hatchling", build_requires=["hatchling>=1.18", "x"])
    assert tomllib.loads(str(files["pyproject.toml"]))["build-system"]["requires"] == ["hatchling>=1.18", "x"]
    legacy = project_files("p", backend="setuptools-setup-py", build_requires=["setuptools>=64"])
    assert tomllib.loads(str(legacy["pyproject.toml"])) == {"build-system": {"requires": ["setuptools>=64"]}}
    replaced = project_files("p", backend="flit", extra_files={"pyproject.toml": "mine"})
    assert replaced["pyproject.toml"] == "mine"
    with pytest.raises(ValueError, match="unknown backend"):
        project_files("p", backend="poetry")  # type: ignore[arg-type]


def test_project_sdists_are_reproducible_with_accurate_pkg_info(tmp_path: Path) -> None:
    first, again = (
        make_project_sdist(
            tmp_path / where, "Demo.Proj", "1.0.0", backend="hatchling", dependencies=["leaf>=1"],
            optional_dependencies={"two": ["leaf>=2"]}, requires_python=">=3.8",
        )  # fmt: skip
        for where in ("a", "b")
    )
    assert first.name == sdist_filename("Demo.Proj", "1.0.0") == "demo_proj-1.0.0.tar.gz"
    assert first.read_bytes() == again.read_bytes()
    assert gzip.open(first).read() and first.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0
    with tarfile.open(first) as archive:
        members = archive.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        assert names == [
            "demo_proj-1.0.0/PKG-INFO",
            "demo_proj-1.0.0/pyproject.toml",
            "demo_proj-1.0.0/src/demo_proj/__init__.py",
        ]
        assert {(m.uid, m.gid, m.mtime, m.mode, m.isfile()) for m in members} == {(0, 0, 315532800, 0o644, True)}
        pkg_info = archive.extractfile("demo_proj-1.0.0/PKG-INFO").read()  # type: ignore[union-attr]
    headers = BytesParser().parsebytes(pkg_info)
    assert headers["Metadata-Version"] == "2.1"
    assert (headers["Name"], headers["Version"], headers["Requires-Python"]) == ("Demo.Proj", "1.0.0", ">=3.8")
    assert headers.get_all("Provides-Extra") == ["two"]
    assert headers.get_all("Requires-Dist") == ["leaf>=1", 'leaf>=2; extra == "two"']


def test_source_corpus_is_served(build_index_server: IndexServer, source_corpus: Corpus) -> None:
    for project, (_, versions) in SOURCE_PROJECTS.items():
        served = [d.filename for d in build_index_server.files(project)]
        assert served == [sdist_filename(project, v) for v in versions]
    leaf = [d.filename for d in build_index_server.files("leaf")]
    assert leaf == ["leaf-1.0-py3-none-any.whl", "leaf-2.0-py3-none-any.whl"]
    assert {d.project for d in build_index_server.files("hatchling")} == {"hatchling"}
    assert source_corpus.yanked == {}


# ---------------------------------------------------------------- real pip


def _report_metadata(report: Path) -> dict[str, dict[str, object]]:
    return {item["metadata"]["name"]: item["metadata"] for item in json.loads(report.read_text())["install"]}


def _pkg_info(sdist: Path) -> dict[str, object]:
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
        headers = BytesParser().parsebytes(archive.extractfile(member).read())  # type: ignore[union-attr]
    return {
        "version": headers["Version"],
        "requires_dist": headers.get_all("Requires-Dist") or [],
        "provides_extra": headers.get_all("Provides-Extra") or [],
        "requires_python": headers["Requires-Python"],
    }


@pytest.mark.slow  # some 20 s of CPU: four builds, each with its own build environment
def test_pip_builds_every_backend_from_the_local_index(
    build_index_server: IndexServer, source_corpus: Corpus, tmp_path: Path
) -> None:
    """`pip install <name>`: the newest sdist, its build requirements (and `leaf`) all from the
    local index; the built metadata agrees with the sdist's PKG-INFO (what the index serves)."""
    pythons = {project: make_venv(tmp_path / project) for project in SOURCE_PROJECTS}
    reports = {project: tmp_path / f"{project}.json" for project in SOURCE_PROJECTS}
    results = run_parallel(
        {p: pip_install(pythons[p], build_index_server, "--report", str(reports[p]), p) for p in SOURCE_PROJECTS}
    )
    for project, (_, versions) in SOURCE_PROJECTS.items():
        assert results[project].returncode == 0, explain(results[project])
        greeting = hello(pythons[project], project)
        assert greeting.stdout == f"{project} {versions[-1]}\n", explain(greeting)
        built = _report_metadata(reports[project])[project]
        expected = _pkg_info(source_corpus / sdist_filename(project, versions[-1]))
        assert {key: built.get(key, [] if key != "requires_python" else None) for key in expected} == expected
    assert "leaf" in _report_metadata(reports["st-proj"])
    script = run([str(pythons["st-proj"].parent / "st-proj")])
    assert script.stdout == "st-proj 1.1\n", explain(script)
    fetched = build_index_server.paths("GET")
    for backend_file in ("setuptools-", "hatchling-", "flit_core-", "packaging-"):
        assert any(path.startswith(f"/files/{backend_file}") for path in fetched), backend_file


#: The editable installs, one per backend, both layouts: setuptools' editable wheel puts a src
#: directory on sys.path with a .pth file but maps a flat layout's package with an import hook.
EDITABLES = {
    "ed-setuptools": ("setuptools", "src"),
    "ed-setuptools-setup-py": ("setuptools-setup-py", "flat"),
    "ed-hatchling": ("hatchling", "src"),
    "ed-flit": ("flit", "flat"),
}


@pytest.mark.slow  # some 20 s of CPU, like the test above
def test_pip_editable_installs_of_every_backend_follow_edits(build_index_server: IndexServer, tmp_path: Path) -> None:
    """`pip install -e <dir>` (PEP 660) with the build requirements (hatchling's `editables`,
    setuptools' `wheel` before 70.1) from the local index; an edit to the source shows at once."""
    projects = {
        name: make_project(tmp_path / "src", name, backend=backend, layout=layout)  # type: ignore[arg-type]
        for name, (backend, layout) in EDITABLES.items()
    }
    pythons = {name: make_venv(tmp_path / "venvs" / name) for name in EDITABLES}
    results = run_parallel(
        {name: pip_install(pythons[name], build_index_server, "-e", str(projects[name])) for name in EDITABLES}
    )
    for name, project in projects.items():
        assert results[name].returncode == 0, explain(results[name])
        greeting = hello(pythons[name], name)
        assert greeting.stdout == f"{name} 1.0\n", explain(greeting)
        init = package_init(project)
        init.write_text(init.read_text().replace(f'return "{name} 1.0"', 'return "edited"'))
        edited = hello(pythons[name], name)
        assert edited.stdout == "edited\n", explain(edited)
        read = f"import importlib.metadata as m; print(m.distribution({name!r}).read_text('direct_url.json'))"
        direct_url = run([str(pythons[name]), "-c", read])
        assert json.loads(direct_url.stdout)["dir_info"] == {"editable": True}, explain(direct_url)
    assert any(path.startswith("/files/editables-") for path in build_index_server.paths("GET"))
