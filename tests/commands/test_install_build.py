"""`satchel install` of things that have to be built (PEP 517 / PEP 660), end to end through the
real CLI, side by side with the test environment's pip.

Each parity test makes two environments of the same basename with `satchel venv --without-pip`
(`<tmp>/pip/env` and `<tmp>/satchel/env`), installs into one with pip (`python -m pip --python
ENV install --no-compile --no-cache-dir --index-url BUILD_INDEX ...`) and into the other with
`satchel install -p ENV -i BUILD_INDEX ...`, and compares the installed files (build_helpers.tree),
`pip freeze --all` of both, `satchel freeze --all`, PEP 610 records and pip's closing line.

The build index (`build_index_server`) serves the backends (setuptools, hatchling, flit_core,
editables, wheel and what they need), `leaf` 1.0/2.0 wheels and the SOURCE_PROJECTS sdists.
Bytecode is allowed (PYTHONDONTWRITEBYTECODE dropped) but goes to a private PYTHONPYCACHEPREFIX,
so every backend hook doesn't recompile setuptools and no environment gets __pycache__ dirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from build_helpers import (
    PY,
    Pair,
    direct_url,
    freeze_pip,
    freeze_satchel,
    git,
    last_line,
    new_env,
    pip_install,
    run_in_env,
    satchel_install,
    site_packages,
    tree,
)
from support.index_server import IndexServer
from support.projects import make_project, package_init
from support.snapshots import snapshot

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pycache_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture(autouse=True)
def fast_bytecode(isolated: dict[str, str], monkeypatch: pytest.MonkeyPatch, pycache_prefix: Path) -> None:
    """The same for pip and satchel (and the hooks they run): bytecode written, but elsewhere."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(pycache_prefix))


#: The local projects: name -> (backend, has the console script / dependency on leaf).
LOCAL = {"loc-st": "setuptools", "loc-legacy": "setuptools-setup-py", "loc-hatch": "hatchling", "loc-flit": "flit"}


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """A directory holding one project per backend (LOCAL); `loc-st` depends on leaf>=1 and has
    the console script `loc-st`."""
    root = tmp_path / "projects"
    for name, backend in LOCAL.items():
        extra = {"dependencies": ["leaf>=1"], "scripts": {"loc-st": "loc_st:main"}} if name == "loc-st" else {}
        make_project(root, name, "1.0", backend=backend, **extra)  # type: ignore[arg-type]
    return root


def _setuptools_project(root: Path, name: str, version: str) -> Path:
    return make_project(root, name, version, backend="setuptools", scripts={name: f"{name.replace('-', '_')}:main"})


@pytest.fixture
def git_repo(tmp_path: Path) -> dict[str, object]:
    """A git repository with `git-proj` at its root and `git-sub` in `sub/`:

    - commit A: git-proj 1.0 and git-sub 1.0, tagged v1.0
    - commit B (main, HEAD): git-proj 1.1
    - commit C (branch `feature`, from A): git-proj 1.5
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")

    def write_root(version: str) -> None:
        for path in list(repo.iterdir()):
            if path.name not in (".git", "sub"):
                _remove(path)
        staging = tmp_path / f"staging-{version}"
        project = _setuptools_project(staging, "git-proj", version)
        for path in project.iterdir():
            path.rename(repo / path.name)

    write_root("1.0")
    _setuptools_project(tmp_path / "staging-sub", "git-sub", "1.0").rename(repo / "sub")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A")
    a = git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "v1.0")
    write_root("1.1")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "B")
    b = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature", a)
    write_root("1.5")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "C")
    c = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    return {"path": repo, "url": "git+" + repo.as_uri(), "A": a, "B": b, "C": c}


def _remove(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    assert theirs.returncode == 1, (theirs.stdout, theirs.stderr)
    assert ours.returncode == 1, ours
    assert "Traceback" not in ours.stderr, ours


# ---------------------------------------------------------------- 1. sdists from the index


def test_sdists_of_every_backend_from_the_index(tmp_path: Path, build_index_server: IndexServer) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install("st-proj", "legacy-proj", "hatch-proj", "flit-proj")
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == (
        "Successfully installed flit-proj-1.0 hatch-proj-1.0 leaf-2.0 legacy-proj-1.0 st-proj-1.1"
    )
    assert _hello(pair.ours, "st-proj", "legacy-proj", "hatch-proj", "flit-proj") == [
        "st-proj 1.1", "legacy-proj 1.0", "hatch-proj 1.0", "flit-proj 1.0",
    ]  # fmt: skip
    assert _script(pair.ours, "st-proj") == "st-proj 1.1"
    assert not list(site_packages(pair.ours).glob("*.dist-info/direct_url.json"))  # from an index: no PEP 610


def test_sdist_extra_pulls_its_requirement(tmp_path: Path, build_index_server: IndexServer) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install("st-proj==1.1", "leaf==1.0")
    pair.assert_same(ours, theirs)
    assert "leaf-1.0" in ours.stdout
    ours, theirs = pair.install("st-proj[two]==1.1")  # the extra wants leaf>=2
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == "Successfully installed leaf-2.0"
    assert "leaf==2.0\n" in freeze_satchel(pair.ours)


# ---------------------------------------------------------------- 2. project directories


@pytest.mark.parametrize("spelling", ["relative", "absolute"])
def test_project_directories(tmp_path: Path, build_index_server: IndexServer, projects: Path, spelling: str) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    args = [f"./{name}" if spelling == "relative" else str(projects / name) for name in LOCAL]
    ours, theirs = pair.install(*args, cwd=projects)
    pair.assert_same(ours, theirs)
    frozen = freeze_satchel(pair.ours).splitlines()
    for name in LOCAL:
        assert f"{name} @ {(projects / name).as_uri()}" in frozen
        assert direct_url(pair.ours, name) == direct_url(pair.theirs, name) == {
            "url": (projects / name).as_uri(), "dir_info": {},
        }  # fmt: skip
    assert _script(pair.ours, "loc-st") == "loc-st 1.0"


# ---------------------------------------------------------------- 3. editable installs


def test_editable_project_directories(tmp_path: Path, build_index_server: IndexServer, projects: Path) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    args = [arg for name in LOCAL for arg in ("-e", f"./{name}")]
    ours, theirs = pair.install(*args, cwd=projects)
    pair.assert_same(ours, theirs)
    frozen = freeze_satchel(pair.ours)
    for name in LOCAL:
        assert f"# Editable install with no version control ({name}==1.0)\n-e {projects / name}\n" in frozen
        assert direct_url(pair.ours, name) == direct_url(pair.theirs, name) == {
            "url": (projects / name).as_uri(), "dir_info": {"editable": True},
        }  # fmt: skip
    for name in LOCAL:  # edits show without reinstalling
        init = package_init(projects / name)
        init.write_text(init.read_text().replace(f'return "{name} 1.0"', f'return "{name} edited"'))
    expected = [f"{name} edited" for name in LOCAL]
    assert _hello(pair.ours, *LOCAL) == expected
    assert _hello(pair.theirs, *LOCAL) == expected
    assert _script(pair.ours, "loc-st") == "loc-st edited"


# ---------------------------------------------------------------- 4. sdists by path and URL


def test_sdist_paths_and_urls(
    tmp_path: Path, build_index_server: IndexServer, source_corpus, projects: Path
) -> None:  # type: ignore[no-untyped-def]
    st, hatch, flit = (source_corpus / f for f in ("st_proj-1.0.tar.gz", "hatch_proj-1.0.tar.gz", "flit_proj-1.0.tar.gz"))
    url = build_index_server.file_url(flit.name)
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install(f"st-proj @ {st.as_uri()}", str(hatch), f"flit-proj @ {url}#sha256={_sha256(flit)}")
    pair.assert_same(ours, theirs)
    for name, archive, where in (("st-proj", st, st.as_uri()), ("hatch-proj", hatch, hatch.as_uri()), ("flit-proj", flit, url)):
        digest = _sha256(archive)
        record = direct_url(pair.theirs, name)
        assert record == {"url": where, "archive_info": {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}}
        assert direct_url(pair.ours, name) == record


# ---------------------------------------------------------------- 5. git


@pytest.mark.parametrize("form", ["tag", "branch", "commit", "named-tag-and-subdirectory"])
def test_git_urls(tmp_path: Path, build_index_server: IndexServer, git_repo: dict[str, object], form: str) -> None:
    url = str(git_repo["url"])
    a, b, c = git_repo["A"], git_repo["B"], git_repo["C"]
    requests, expected = {
        "tag": ([f"{url}@v1.0"], {"git-proj": ("1.0", a, "v1.0")}),
        "branch": ([f"{url}@feature"], {"git-proj": ("1.5", c, "feature")}),
        "commit": ([f"{url}@{b}"], {"git-proj": ("1.1", b, b)}),
        "named-tag-and-subdirectory": (
            [f"git-proj @ {url}@v1.0", f"{url}#subdirectory=sub"],
            {"git-proj": ("1.0", a, "v1.0"), "git-sub": ("1.0", b, None)},
        ),
    }[form]
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install(*requests)
    pair.assert_same(ours, theirs)
    frozen = freeze_satchel(pair.ours).splitlines()
    for name, (version, commit, rev) in expected.items():
        sub = "#subdirectory=sub" if name == "git-sub" else ""
        assert f"{name} @ {url}@{commit}{sub}" in frozen
        info = {"vcs": "git", "commit_id": commit} | ({"requested_revision": rev} if rev else {})
        record = {"url": url[len("git+"):], "vcs_info": info} | ({"subdirectory": "sub"} if sub else {})
        assert direct_url(pair.theirs, name) == record
        assert direct_url(pair.ours, name) == record
        assert _hello(pair.ours, name) == [f"{name} {version}"]


# ---------------------------------------------------------------- 6. requirements files, --only-binary / --no-binary


def test_requirements_file_with_editable_directory_and_sdist(
    tmp_path: Path, build_index_server: IndexServer, projects: Path
) -> None:
    (projects / "requirements.txt").write_text("-e ./loc-st\n./loc-hatch\nst-proj==1.0\n")
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install("-r", "requirements.txt", cwd=projects)
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == "Successfully installed leaf-2.0 loc-hatch-1.0 loc-st-1.0 st-proj-1.0"
    assert direct_url(pair.ours, "loc-st") == {"url": (projects / "loc-st").as_uri(), "dir_info": {"editable": True}}


def test_only_binary_all_refuses_an_sdist_only_project(tmp_path: Path, build_index_server: IndexServer) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--only-binary", ":all:", "st-proj")
    _same_failure(ours, theirs)
    assert "No matching distribution found for st-proj" in theirs.stderr
    assert "st-proj" in ours.stderr.splitlines()[0]
    assert snapshot(pair.ours) == before


def test_no_binary_for_a_wheel_only_dependency_fails(tmp_path: Path, build_index_server: IndexServer) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--no-binary", "leaf", "st-proj")  # leaf has only wheels
    _same_failure(ours, theirs)
    assert "leaf" in ours.stderr.splitlines()[0]
    assert snapshot(pair.ours) == before


@pytest.mark.xfail(
    strict=True,
    reason="pip applies --no-binary :all: to the build environment (no setuptools sdist: the build "
    "dependencies can't be installed); satchel installs the setuptools wheel there and fails later, on leaf",
)
def test_no_binary_all_applies_to_build_dependencies(tmp_path: Path, build_index_server: IndexServer) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install("--no-binary", ":all:", "st-proj==1.0")
    _same_failure(ours, theirs)
    assert "No matching distribution found for setuptools>=61" in theirs.stderr
    assert "setuptools" in ours.stderr


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
    second = satchel_install(envs[1], url, "st-proj==1.0")
    assert second.returncode == 0, second
    assert _building(second.stderr) == [], second
    assert "/files/st_proj-1.0.tar.gz" not in build_index_server.paths()  # not even downloaded
    assert tree(envs[1]) == tree(envs[0])
    third = satchel_install(envs[2], url, "--no-cache-dir", "st-proj==1.0")
    assert third.returncode == 0, third
    assert _building(third.stderr) == ["Building st_proj-1.0.tar.gz"]
    assert tree(envs[2]) == tree(envs[0])
    # a project directory is built every time, as pip does
    for env in envs[:2]:
        again = satchel_install(env, url, str(projects / "loc-hatch"))
        assert again.returncode == 0, again
        assert len(_building(again.stderr)) == 1, again


# ---------------------------------------------------------------- 8. reinstall rules


def _normalised(text: str, env: Path) -> str:
    return text.replace(str(env), "<ENV>").replace(os.path.relpath(env), "<ENV>")


def test_reinstall_rules(tmp_path: Path, build_index_server: IndexServer, projects: Path, source_corpus) -> None:  # type: ignore[no-untyped-def]
    pair = Pair(tmp_path, build_index_server.url)
    project = str(projects / "loc-hatch")
    for _ in range(2):  # a directory is reinstalled every time
        ours, theirs = pair.install(project)
        pair.assert_same(ours, theirs)
        assert last_line(ours.stdout) == "Successfully installed loc-hatch-1.0"
    flit = source_corpus / "flit_proj-1.0.tar.gz"
    request = f"flit-proj @ {build_index_server.file_url(flit.name)}#sha256={_sha256(flit)}"
    ours, theirs = pair.install(request)
    pair.assert_same(ours, theirs)
    ours, theirs = pair.install(request)  # the same archive URL: satisfied
    pair.assert_same(ours, theirs, closing=False)
    assert last_line(theirs.stdout).startswith("Requirement already satisfied: flit-proj")
    assert _normalised(last_line(ours.stdout), pair.ours) == _normalised(last_line(theirs.stdout), pair.theirs)


# ---------------------------------------------------------------- 9. errors


def _failing(env: Path, url: str, *args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    before = snapshot(env)
    result = satchel_install(env, url, *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result
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
    assert "RuntimeError: setup.py exploded: xyzzy-42" in result.stderr
    logs = [Path(p) for p in re.findall(r"(/\S+\.log)\b", result.stderr)]
    assert logs and all(log.is_file() for log in logs), result
    assert "xyzzy-42" in logs[0].read_text()

    no_backend = tmp_path / "no-backend"
    no_backend.mkdir()
    (no_backend / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "nonexistent_backend"\n')
    result = _failing(env, url, str(no_backend))
    assert result.returncode == 1, result
    assert "nonexistent_backend" in result.stderr


def test_usage_errors(tmp_path: Path, build_index_server: IndexServer, git_repo: dict[str, object]) -> None:
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
    assert "bad.tar.gz" in result.stderr


# ---------------------------------------------------------------- 10. build isolation and config settings


def test_no_build_isolation(tmp_path: Path, build_index_server: IndexServer, projects: Path) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    for env in (pair.ours, pair.theirs):
        done = satchel_install(env, build_index_server.url, "setuptools")
        assert done.returncode == 0, done
    ours, theirs = pair.install("--no-build-isolation", str(projects / "loc-st"))
    pair.assert_same(ours, theirs)
    assert _script(pair.ours, "loc-st") == "loc-st 1.0"


def test_check_build_dependencies_without_setuptools(
    tmp_path: Path, build_index_server: IndexServer, projects: Path
) -> None:
    pair = Pair(tmp_path, build_index_server.url)
    before = snapshot(pair.ours)
    ours, theirs = pair.install("--no-build-isolation", "--check-build-dependencies", str(projects / "loc-st"))
    _same_failure(ours, theirs)
    assert "setuptools" in theirs.stderr
    assert "setuptools>=61" in ours.stderr
    assert snapshot(pair.ours) == before


_CONFIG_BACKEND = '''
"""A build backend that records the config_settings each hook gets (in $HOOK_LOG) and ships
the ones build_wheel got as cfg_proj/settings.json."""
import base64, hashlib, json, os, zipfile

DIST, VERSION = "cfg_proj", "1.0"


def _log(hook, config_settings):
    with open(os.environ["HOOK_LOG"], "a") as out:
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
def test_config_settings_reach_the_backend(
    tmp_path: Path, build_index_server: IndexServer, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], expected: dict
) -> None:  # type: ignore[type-arg]
    project = tmp_path / "cfg-proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "cfg_backend"\nbackend-path = ["."]\n'
    )
    (project / "cfg_backend.py").write_text(_CONFIG_BACKEND)
    pair = Pair(tmp_path, build_index_server.url)
    logs = {}
    for who, env in (("pip", pair.theirs), ("satchel", pair.ours)):
        logs[who] = tmp_path / f"{who}-hooks.log"
        monkeypatch.setenv("HOOK_LOG", str(logs[who]))
        run = pip_install if who == "pip" else satchel_install
        result = run(env, build_index_server.url, *options, str(project))
        assert result.returncode == 0, (result.stdout, result.stderr)
    hooks = {who: {tuple(json.dumps(x) for x in json.loads(line)) for line in path.read_text().splitlines()} for who, path in logs.items()}
    assert hooks["satchel"] == hooks["pip"]
    for env in (pair.ours, pair.theirs):
        assert json.loads((site_packages(env) / "cfg_proj" / "settings.json").read_text()) == expected
    assert tree(pair.ours) == tree(pair.theirs)
