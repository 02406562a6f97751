"""`satchel install` of things that have to be built (PEP 517 / PEP 660), end to end through the
real CLI, side by side with the test environment's pip.

Each parity test has two sides (build_helpers.Pair): `<tmp>/satchel` and `<tmp>/pip`, each with an
environment `env` made by `satchel venv --without-pip` and its own copy of any project directory
(they are built in place). pip (`python -m pip --python ENV install --no-compile --no-cache-dir
--index-url BUILD_INDEX ...`) and satchel (`satchel install -p ENV -i BUILD_INDEX ...`) run at the
same time, one per side, with the same arguments; then the installed files (build_helpers.tree,
with each side's directory replaced by <ROOT>), `satchel freeze --all` against `pip freeze --all`,
PEP 610 records and pip's closing line are compared.

The build index (`build_index_server`) serves the backends (setuptools, hatchling, flit_core,
editables, wheel and what they need), `leaf` 1.0/2.0 wheels and the SOURCE_PROJECTS sdists.
Bytecode is allowed (PYTHONDONTWRITEBYTECODE dropped, for pip and satchel alike) but goes to a
private PYTHONPYCACHEPREFIX: backend hooks don't recompile setuptools every time, and no
environment gets __pycache__ directories.

Where satchel differs from pip, the test asserts pip's behaviour and is a strict xfail.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from build_helpers import (
    Pair,
    assert_no_crash,
    direct_url,
    freeze_satchel,
    git,
    last_line,
    new_env,
    run_in_env,
    satchel_install,
    site_packages,
    tree,
    tree_diff,
)
from support.fixtures import Corpus
from support.index_server import IndexServer
from support.projects import make_project, package_init
from support.snapshots import snapshot

# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="session")
def pycache_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture(autouse=True)
def fast_bytecode(isolated: dict[str, str], monkeypatch: pytest.MonkeyPatch, pycache_prefix: Path) -> None:
    """The same for pip and satchel (and the hooks they run): bytecode written, but elsewhere."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(pycache_prefix))


#: One local project per backend: name -> backend. `loc-st` depends on leaf>=1 and has the
#: console script `loc-st`.
LOCAL = {"loc-st": "setuptools", "loc-legacy": "setuptools-setup-py", "loc-hatch": "hatchling", "loc-flit": "flit"}


def write_projects(root: Path) -> Path:
    """The LOCAL projects, in `root/projects` (returned)."""
    for name, backend in LOCAL.items():
        extra = {"dependencies": ["leaf>=1"], "scripts": {"loc-st": "loc_st:main"}} if name == "loc-st" else {}
        make_project(root / "projects", name, "1.0", backend=backend, **extra)  # type: ignore[arg-type]
    return root / "projects"


@pytest.fixture
def pair(tmp_path: Path, build_index_server: IndexServer) -> Pair:
    return Pair(tmp_path, build_index_server.url)


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """The LOCAL projects, for tests of satchel alone."""
    return write_projects(tmp_path)


def _spelled(names: list[str], relative: set[str]) -> list[str]:
    """Paths of LOCAL projects for Pair.install: `./name` (the cwd being `{root}/projects`) for
    the names in `relative`, else absolute paths."""
    return [f"./{name}" if name in relative else f"{{root}}/projects/{name}" for name in names]


@pytest.fixture
def git_repo(tmp_path: Path) -> dict[str, str]:
    """A git repository with the setuptools project `git-proj` at its root and `git-sub` in `sub/`:

    - commit A: git-proj 1.0 and git-sub 1.0; tag v1.0
    - commit B (main, HEAD): git-proj 1.1
    - commit C (branch `feature`, from A): git-proj 1.5
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")

    def write_root(version: str) -> None:
        for path in repo.iterdir():
            if path.name not in (".git", "sub"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        project = make_project(tmp_path / f"staging-{version}", "git-proj", version, backend="setuptools")
        for path in project.iterdir():
            path.rename(repo / path.name)

    def commit(message: str) -> str:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)
        return git(repo, "rev-parse", "HEAD")

    write_root("1.0")
    make_project(tmp_path / "staging-sub", "git-sub", "1.0", backend="setuptools").rename(repo / "sub")
    a = commit("A")
    git(repo, "tag", "v1.0")
    write_root("1.1")
    b = commit("B")
    git(repo, "checkout", "-q", "-b", "feature", a)
    write_root("1.5")
    c = commit("C")
    git(repo, "checkout", "-q", "main")
    return {"url": "git+" + repo.as_uri(), "A": a, "B": b, "C": c}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _archive_info(path: Path) -> dict[str, object]:
    digest = _sha256(path)
    return {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}


def _hello(env: Path, *names: str) -> list[str]:
    """hello() of each project's package, imported by the env's interpreter."""
    modules = [n.replace("-", "_") for n in names]
    code = "import importlib\n" + "".join(f"print(importlib.import_module({m!r}).hello())\n" for m in modules)
    return run_in_env(env, code).splitlines()


def _script(env: Path, name: str) -> str:
    proc = subprocess.run([str(env / "bin" / name)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _building(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Building")]


def _same_failure(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    """Both exit 1; satchel reports an error rather than crashing."""
    assert theirs.returncode == 1, (theirs.stdout, theirs.stderr)
    assert ours.returncode == 1, ours
    assert_no_crash(ours)


# ---------------------------------------------------------------- 1. sdists from the index


def test_sdists_of_every_backend_from_the_index(pair: Pair) -> None:
    ours, theirs = pair.install("st-proj", "leaf==1.0", "legacy-proj", "hatch-proj", "flit-proj")
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == (
        "Successfully installed flit-proj-1.0 hatch-proj-1.0 leaf-1.0 legacy-proj-1.0 st-proj-1.1"
    )
    assert _hello(pair.ours, "st-proj", "legacy-proj", "hatch-proj", "flit-proj") == [
        "st-proj 1.1", "legacy-proj 1.0", "hatch-proj 1.0", "flit-proj 1.0",
    ]  # fmt: skip
    assert _script(pair.ours, "st-proj") == "st-proj 1.1"
    assert not list(site_packages(pair.ours).glob("*.dist-info/direct_url.json"))  # from an index: no PEP 610

    ours, theirs = pair.install("st-proj[two]==1.1")  # the extra wants leaf>=2
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == "Successfully installed leaf-2.0"


# ---------------------------------------------------------------- 2. project directories


def test_project_directories(pair: Pair) -> None:
    projects = write_projects(pair.ours_root)
    write_projects(pair.theirs_root)
    ours, theirs = pair.install(*_spelled(list(LOCAL), relative={"loc-st", "loc-legacy"}), cwd="{root}/projects")
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == (
        "Successfully installed leaf-2.0 loc-flit-1.0 loc-hatch-1.0 loc-legacy-1.0 loc-st-1.0"
    )
    frozen = freeze_satchel(pair.ours).splitlines()
    for name in LOCAL:
        assert f"{name} @ {(projects / name).as_uri()}" in frozen
        mine, theirs_ = pair.direct_urls(name)
        assert mine == theirs_ == {"url": f"file://<ROOT>/projects/{name}", "dir_info": {}}
    assert _script(pair.ours, "loc-st") == "loc-st 1.0"


# ---------------------------------------------------------------- 3. editable installs


def test_editable_project_directories(pair: Pair) -> None:
    projects = write_projects(pair.ours_root)
    write_projects(pair.theirs_root)
    args = [arg for path in _spelled(list(LOCAL), relative={"loc-hatch", "loc-flit"}) for arg in ("-e", path)]
    ours, theirs = pair.install(*args, cwd="{root}/projects")
    pair.assert_same(ours, theirs)
    frozen = freeze_satchel(pair.ours)
    for name in LOCAL:
        assert f"# Editable install with no version control ({name}==1.0)\n-e {projects / name}\n" in frozen
        mine, theirs_ = pair.direct_urls(name)
        assert mine == theirs_ == {"url": f"file://<ROOT>/projects/{name}", "dir_info": {"editable": True}}
    for root in (pair.ours_root, pair.theirs_root):  # edits show without reinstalling
        for name in LOCAL:
            init = package_init(root / "projects" / name)
            init.write_text(init.read_text().replace(f'return "{name} 1.0"', f'return "{name} edited"'))
    expected = [f"{name} edited" for name in LOCAL]
    assert _hello(pair.ours, *LOCAL) == expected
    assert _hello(pair.theirs, *LOCAL) == expected
    assert _script(pair.ours, "loc-st") == "loc-st edited"


# ---------------------------------------------------------------- 4. sdists by path and URL


def test_sdist_paths_and_urls(pair: Pair, build_index_server: IndexServer, source_corpus: Corpus) -> None:
    st, hatch, flit = (source_corpus / f"{name}-1.0.tar.gz" for name in ("st_proj", "hatch_proj", "flit_proj"))
    url = build_index_server.file_url(flit.name)
    ours, theirs = pair.install(f"st-proj @ {st.as_uri()}", str(hatch), f"flit-proj @ {url}#sha256={_sha256(flit)}")
    pair.assert_same(ours, theirs)
    where = {"st-proj": (st, st.as_uri()), "hatch-proj": (hatch, hatch.as_uri()), "flit-proj": (flit, url)}
    for name, (archive, location) in where.items():
        record = direct_url(pair.theirs, name)
        assert record == {"url": location, "archive_info": _archive_info(archive)}
        assert direct_url(pair.ours, name) == record


# ---------------------------------------------------------------- 5. git


@pytest.mark.parametrize("form", ["tag-and-commit-subdirectory", "branch", "named-tag-and-subdirectory"])
def test_git_urls(pair: Pair, git_repo: dict[str, str], form: str) -> None:
    url, a, b, c = git_repo["url"], git_repo["A"], git_repo["B"], git_repo["C"]
    # name -> (the version installed, the commit, the revision asked for, a subdirectory)
    requests, expected = {
        "tag-and-commit-subdirectory": (
            [f"{url}@v1.0", f"{url}@{b}#subdirectory=sub"],
            {"git-proj": ("1.0", a, "v1.0", None), "git-sub": ("1.0", b, b, "sub")},
        ),
        "branch": ([f"{url}@feature"], {"git-proj": ("1.5", c, "feature", None)}),
        "named-tag-and-subdirectory": (
            [f"git-proj @ {url}@v1.0", f"{url}#subdirectory=sub"],
            {"git-proj": ("1.0", a, "v1.0", None), "git-sub": ("1.0", b, None, "sub")},
        ),
    }[form]
    ours, theirs = pair.install(*requests)
    pair.assert_same(ours, theirs)
    frozen = freeze_satchel(pair.ours).splitlines()
    for name, (version, commit, rev, sub) in expected.items():
        assert f"{name} @ {url}@{commit}" + (f"#subdirectory={sub}" if sub else "") in frozen
        info = {"vcs": "git", "commit_id": commit} | ({"requested_revision": rev} if rev else {})
        record = {"url": url[len("git+") :], "vcs_info": info} | ({"subdirectory": sub} if sub else {})
        assert direct_url(pair.theirs, name) == record
        assert direct_url(pair.ours, name) == record
        assert _hello(pair.ours, name) == [f"{name} {version}"]


def test_editable_git_url(pair: Pair, git_repo: dict[str, str]) -> None:
    """pip clones it into <env>/src/<name> and installs that directory in editable mode."""
    ours, theirs = pair.install("-e", f"{git_repo['url']}@v1.0#egg=git-proj")
    pair.assert_same(ours, theirs)
    assert f"-e {git_repo['url']}@{git_repo['A']}#egg=git_proj\n" in freeze_satchel(pair.ours)
    mine, theirs_ = pair.direct_urls("git-proj")
    assert mine == theirs_ == {"url": "file://<ROOT>/env/src/git-proj", "dir_info": {"editable": True}}
    init = package_init(pair.ours / "src" / "git-proj")
    init.write_text(init.read_text().replace('"git-proj 1.0"', '"git-proj edited"'))
    assert _hello(pair.ours, "git-proj") == ["git-proj edited"]


# ---------------------------------------------------------------- 6. requirements files, --only-binary / --no-binary


def test_requirements_file_with_editable_directory_and_sdist(pair: Pair) -> None:
    def write(root: Path) -> None:
        write_projects(root)
        (root / "projects" / "requirements.txt").write_text("-e ./loc-st\n./loc-flit\nst-proj==1.0\n")

    pair.write(write)
    ours, theirs = pair.install("-r", "requirements.txt", cwd="{root}/projects")
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == "Successfully installed leaf-2.0 loc-flit-1.0 loc-st-1.0 st-proj-1.0"
    assert pair.direct_urls("loc-st")[0] == {"url": "file://<ROOT>/projects/loc-st", "dir_info": {"editable": True}}
    assert pair.direct_urls("loc-flit")[0] == {"url": "file://<ROOT>/projects/loc-flit", "dir_info": {}}


def test_only_binary_all_refuses_an_sdist_only_project(pair: Pair) -> None:
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--only-binary", ":all:", "st-proj")
    _same_failure(ours, theirs)
    assert "No matching distribution found for st-proj" in theirs.stderr
    assert "st-proj" in ours.stderr.splitlines()[0]
    assert snapshot(pair.ours) == before


def test_no_binary_for_a_wheel_only_dependency_fails(pair: Pair) -> None:
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--no-binary", "leaf", "st-proj==1.0")  # leaf has only wheels
    _same_failure(ours, theirs)
    assert "leaf" in theirs.stderr
    assert "leaf" in ours.stderr.splitlines()[0]
    assert snapshot(pair.ours) == before


def test_no_binary_all_applies_to_build_dependencies(pair: Pair) -> None:
    """flit_core has only a wheel: the build environment can't be made. (No cache, on both sides:
    a wheel built before from the same sdist would be used, by pip too.)"""
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--no-cache-dir", "--no-binary", ":all:", "flit-proj")
    _same_failure(ours, theirs)
    assert "No matching distribution found for flit_core>=3.2" in theirs.stderr
    assert re.search(r"flit[-_]core>=3\.2", ours.stderr.splitlines()[0]), ours
    assert snapshot(pair.ours) == before


# ---------------------------------------------------------------- 7. the built-wheel cache


def test_built_wheel_cache(
    tmp_path: Path, build_index_server: IndexServer, projects: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(tmp_path / "cache"))  # this test's own cache
    url = build_index_server.url
    envs = [new_env(tmp_path / where / "env") for where in ("first", "second", "no-cache")]
    first = satchel_install(envs[0], url, "st-proj==1.0")
    assert first.returncode == 0, first
    assert _building(first.stderr) == ["Building st_proj-1.0.tar.gz"]
    build_index_server.clear_log()
    second = satchel_install(envs[1], url, "st-proj==1.0")  # a fresh env, the same sdist
    assert second.returncode == 0, second
    assert _building(second.stderr) == [], second
    assert "/files/st_proj-1.0.tar.gz" not in build_index_server.paths()  # not even downloaded
    assert tree(envs[1]) == tree(envs[0])
    third = satchel_install(envs[2], url, "--no-cache-dir", "st-proj==1.0")
    assert third.returncode == 0, third
    assert _building(third.stderr) == ["Building st_proj-1.0.tar.gz"]
    assert tree(envs[2]) == tree(envs[0])
    for env in envs[:2]:  # a project directory is built every time, as pip does
        again = satchel_install(env, url, str(projects / "loc-flit"))
        assert again.returncode == 0, again
        assert _building(again.stderr) == [f"Building {projects / 'loc-flit'}"], again


# ---------------------------------------------------------------- 8. reinstall rules


def test_reinstall_rules(pair: Pair, build_index_server: IndexServer, source_corpus: Corpus) -> None:
    pair.write(write_projects)
    for _ in range(2):  # a directory is reinstalled every time
        ours, theirs = pair.install("{root}/projects/loc-flit")
        pair.assert_same(ours, theirs, freeze=False)
        assert last_line(ours.stdout) == "Successfully installed loc-flit-1.0"
    flit = source_corpus / "flit_proj-1.0.tar.gz"
    request = f"flit-proj @ {build_index_server.file_url(flit.name)}#sha256={_sha256(flit)}"
    ours, theirs = pair.install(request)
    pair.assert_same(ours, theirs)
    before = snapshot(pair.ours)
    ours, theirs = pair.install(request)  # the same archive URL again: nothing to do
    assert ours.returncode == theirs.returncode == 0, (ours, theirs.stderr)
    assert "Successfully installed" not in theirs.stdout and "Successfully installed" not in ours.stdout
    assert "Requirement already satisfied" not in theirs.stdout  # pip says nothing
    assert snapshot(pair.ours) == before
    assert tree_diff(*pair.trees()) == {}


def test_same_archive_url_again_prints_what_pip_prints(
    tmp_path: Path, build_index_server: IndexServer, source_corpus: Corpus
) -> None:
    env = new_env(tmp_path / "env")
    flit = source_corpus / "flit_proj-1.0.tar.gz"
    request = f"flit-proj @ {build_index_server.file_url(flit.name)}#sha256={_sha256(flit)}"
    for _ in range(2):
        result = satchel_install(env, build_index_server.url, request)
        assert result.returncode == 0, result
    assert "Requirement already satisfied" not in result.stdout  # as pip (test_reinstall_rules checks pip)


# ---------------------------------------------------------------- 9. errors


def _failing(env: Path, url: str, *args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    """satchel's result for an install that must fail: an error, not a crash; the env untouched."""
    before = snapshot(env)
    result = satchel_install(env, url, *args, cwd=cwd)
    assert_no_crash(result)
    assert snapshot(env) == before, result
    return result


def test_build_failures(tmp_path: Path, build_index_server: IndexServer) -> None:
    url = build_index_server.url
    env = new_env(tmp_path / "env")
    broken = make_project(
        tmp_path, "broken-proj", backend="setuptools-setup-py",
        extra_files={"setup.py": "raise RuntimeError('setup.py exploded: xyzzy-42')\n"},
    )  # fmt: skip
    result = _failing(env, url, str(broken))
    assert result.returncode == 1, result
    assert "broken-proj" in result.stderr.splitlines()[0]
    assert "RuntimeError: setup.py exploded: xyzzy-42" in result.stderr  # the backend's last lines
    logs = [Path(p) for p in re.findall(r"(/\S+\.log)\b", result.stderr)]
    assert logs and all(log.is_file() for log in logs), result
    assert "xyzzy-42" in logs[0].read_text()

    no_backend = tmp_path / "no-backend"
    no_backend.mkdir()
    (no_backend / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "nonexistent_backend"\n'
    )
    result = _failing(env, url, str(no_backend))
    assert result.returncode == 1, result
    assert "nonexistent_backend" in result.stderr.splitlines()[0]


def test_usage_errors(tmp_path: Path, build_index_server: IndexServer, git_repo: dict[str, str]) -> None:
    url = build_index_server.url
    env = new_env(tmp_path / "env")
    (tmp_path / "not-a-project").mkdir()
    (tmp_path / "not-a-project" / "README").write_text("nothing to build\n")
    result = _failing(env, url, "./not-a-project", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "not-a-project" in result.stderr and "pyproject.toml" in result.stderr

    result = _failing(env, url, f"{git_repo['url']}@no-such-rev")
    assert result.returncode == 2, result
    assert "no-such-rev" in result.stderr

    result = _failing(env, url, "./does-not-exist", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "does-not-exist" in result.stderr

    bad = tmp_path / "bad.tar.gz"
    bad.write_text("this is not a tar archive\n")
    result = _failing(env, url, str(bad))
    assert result.returncode in (1, 2), result
    assert "bad.tar.gz" in result.stderr.splitlines()[0]


# ---------------------------------------------------------------- 10. build isolation and config settings


def test_no_build_isolation(pair: Pair, build_index_server: IndexServer) -> None:
    pair.write(write_projects)
    for env in (pair.ours, pair.theirs):  # the same setuptools in both, installed by satchel
        done = satchel_install(env, build_index_server.url, "setuptools")
        assert done.returncode == 0, done
    build_index_server.clear_log()
    ours, theirs = pair.install("--no-build-isolation", "{root}/projects/loc-st")
    pair.assert_same(ours, theirs)
    assert not [path for path in build_index_server.paths() if "setuptools" in path]  # the env's own was used
    assert _script(pair.ours, "loc-st") == "loc-st 1.0"


def test_check_build_dependencies_without_setuptools(pair: Pair) -> None:  # the env has no setuptools
    pair.write(write_projects)
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--no-build-isolation", "--check-build-dependencies", "{root}/projects/loc-st")
    assert snapshot(pair.ours) == before
    _same_failure(ours, theirs)
    assert "are missing: 'setuptools>=61'" in theirs.stderr
    assert "setuptools>=61" in ours.stderr and "Traceback" not in ours.stderr


def test_no_build_isolation_without_setuptools_fails(
    tmp_path: Path, build_index_server: IndexServer, projects: Path
) -> None:
    """What does hold today: an error (exit 1, no crash) that names setuptools; the env untouched."""
    env = new_env(tmp_path / "env")
    args = ("--no-build-isolation", "--check-build-dependencies", str(projects / "loc-st"))
    result = _failing(env, build_index_server.url, *args)
    assert result.returncode == 1, result
    assert "setuptools" in result.stderr


_CONFIG_BACKEND = '''
"""A build backend that logs the config_settings each hook gets (to hooks.log beside it) and
ships the ones build_wheel got as cfg_proj/settings.json."""
import base64, hashlib, json, os, zipfile

DIST, VERSION = "cfg_proj", "1.0"


def _log(hook, config_settings):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hooks.log"), "a") as out:
        out.write(json.dumps([hook, config_settings], sort_keys=True) + "\\n")


def get_requires_for_build_wheel(config_settings=None):
    _log("get_requires_for_build_wheel", config_settings)
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _log("build_wheel", config_settings)
    info = f"{DIST}-{VERSION}.dist-info"
    files = {
        f"{DIST}/__init__.py": "",
        f"{DIST}/settings.json": json.dumps(config_settings, sort_keys=True),
        f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: cfg-proj\\nVersion: {VERSION}\\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: cfg\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    name = f"{DIST}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
            wheel.writestr(path, data)
        wheel.writestr(f"{info}/RECORD", "\\n".join(record + [f"{info}/RECORD,,"]) + "\\n")
    return name
'''


@pytest.mark.parametrize(
    "options, expected",
    [(("-C", "key=value"), {"key": "value"}), (("-C", "key=a", "--config-settings", "key=b"), {"key": ["a", "b"]})],
    ids=["one", "repeated"],
)
def test_config_settings_reach_the_backend(pair: Pair, options: tuple[str, ...], expected: dict[str, object]) -> None:
    def write(root: Path) -> None:
        project = root / "cfg-proj"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            '[build-system]\nrequires = []\nbuild-backend = "cfg_backend"\nbackend-path = ["."]\n'
        )
        (project / "cfg_backend.py").write_text(_CONFIG_BACKEND)

    pair.write(write)
    ours, theirs = pair.install(*options, "{root}/cfg-proj")
    pair.assert_same(ours, theirs)
    hooks = []  # satchel's, pip's: {(hook, the settings it got)}
    for root in (pair.ours_root, pair.theirs_root):
        lines = (root / "cfg-proj" / "hooks.log").read_text().splitlines()
        hooks.append({(hook, json.dumps(settings)) for hook, settings in map(json.loads, lines)})
    assert hooks[1] == {("get_requires_for_build_wheel", json.dumps(expected)), ("build_wheel", json.dumps(expected))}
    assert hooks[0] == hooks[1]
    assert json.loads((site_packages(pair.ours) / "cfg_proj" / "settings.json").read_text()) == expected
