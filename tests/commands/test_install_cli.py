"""`satchel install` end to end through the real CLI, side by side with pip.

Each parity test makes two environments with `satchel venv`, installs into one with
`satchel install -p A ...` and into the other with `B/bin/python -m pip install ...` (same
index, same options), then compares what pip itself reports (`pip freeze --all`), the file
trees (modulo bytecode, INSTALLER and RECORD contents) and pip's closing line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SRC, run_satchel, target_interpreters
from support.fixtures import Corpus
from support.index_server import IndexServer
from support.wheels import make_wheel
from support.snapshots import snapshot

PY = target_interpreters()[-1][1]  # the newest target interpreter: the default
PY_OLD = target_interpreters()[0][1]  # the oldest (3.8 under pyenv)


# ---------------------------------------------------------------- helpers


def new_env(path: Path, python: str = PY, *, with_pip: bool = True) -> Path:
    result = run_satchel("venv", *(() if with_pip else ("--without-pip",)), "-p", python, str(path))
    assert result.returncode == 0, result
    return path


def pip(env: Path, *args: str, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", *args],
        capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    if check:
        assert proc.returncode == 0, f"pip {' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc


def freeze(env: Path) -> str:
    return pip(env, "freeze", "--all").stdout


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3.*/site-packages"))


def tree(env: Path) -> dict[str, str]:
    """Relative path -> content hash (the env's own path replaced, so two envs compare) for
    every file, ignoring bytecode, satchel's state dir, and the contents of INSTALLER/RECORD."""
    out: dict[str, str] = {}
    marker = str(env).encode()
    for root, dirs, files in os.walk(env):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".satchel")]
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(env))
            if name.endswith(".pyc"):
                continue
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path).replace(str(env), "<ENV>")
            elif path.is_dir():
                out[rel] = "dir"
            elif (name in ("INSTALLER", "RECORD") and root.endswith(".dist-info")) or _env_specific(rel) or "/site-packages/pip/" in rel:
                out[rel] = "file"
            else:
                data = path.read_bytes().replace(marker, b"<ENV>")
                if rel.startswith("bin/"):  # console-script launchers: pip's template quotes with '
                    data = data.replace(b"'", b'"')
                out[rel] = hashlib.sha256(data).hexdigest()[:16] + oct(path.stat().st_mode & 0o111)
    return out


def _env_specific(rel: str) -> bool:
    """Files that name the environment (its prompt, its path): they differ between two envs."""
    return rel == "pyvenv.cfg" or rel.startswith(("bin/activate", "bin/Activate"))


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def dists(env: Path) -> dict[str, str]:
    """name -> version from the dist-info directories (cheap; pip freeze is the reference)."""
    found = {}
    for info in site_packages(env).glob("*.dist-info"):
        name, _, version = info.name[: -len(".dist-info")].partition("-")
        found[name.lower().replace("_", "-")] = version
    return found


class Pair:
    """One environment path, installed into twice: first by pip, then (from a copy of the
    same starting state, at the same path) by satchel. Same path, so outputs and file trees
    compare directly; one environment and one preparation per test, which keeps pip's slow
    start-up (about a second a call) to what is needed."""

    def __init__(self, tmp_path: Path, python: str = PY, prepare: tuple[str, ...] = ()) -> None:
        self.tmp_path = tmp_path
        self.env = new_env(tmp_path / "env", python)
        if prepare:  # the same starting state for both: made once, with pip
            pip(self.env, "install", "--no-compile", *prepare)
        self.before = snapshot(self.env)
        self.pristine = tmp_path / "pristine"
        shutil.copytree(self.env, self.pristine, symlinks=True)
        self.pip_tree: dict[str, str] = {}
        self.pip_freeze = ""

    @property
    def a(self) -> Path:
        return self.env

    def run_pip(self, *args: str, cwd: Path | None = None, freeze_too: bool = False) -> subprocess.CompletedProcess[str]:
        theirs = pip(self.env, "install", "--no-compile", *args, check=False, cwd=cwd)
        self.pip_tree = tree(self.env)
        if freeze_too:
            self.pip_freeze = freeze(self.env)
        self.reset()
        return theirs

    def reset(self) -> None:
        """Back to the starting state, at the same path."""
        shutil.rmtree(self.env)
        shutil.copytree(self.pristine, self.env, symlinks=True)

    def install(self, *args: str, satchel_only: tuple[str, ...] = (), cwd: Path | None = None, freeze_too: bool = False):
        theirs = self.run_pip(*args, cwd=cwd, freeze_too=freeze_too)
        ours = run_satchel("install", "-p", str(self.env), *args, *satchel_only, cwd=cwd)
        return ours, theirs

    def assert_same(self, ours, theirs, *, closing: bool = True, ignore: tuple[str, ...] = ()) -> None:
        assert ours.returncode == theirs.returncode == 0, (ours, theirs.stdout, theirs.stderr)
        assert "Traceback" not in ours.stderr
        mine = {k: v for k, v in tree(self.env).items() if not k.startswith(ignore or ("\0",))}
        reference = {k: v for k, v in self.pip_tree.items() if not k.startswith(ignore or ("\0",))}
        assert mine == reference
        if self.pip_freeze:
            assert freeze(self.env) == self.pip_freeze
        if closing:
            assert last_line(ours.stdout) == last_line(theirs.stdout)


# ---------------------------------------------------------------- module fixtures


@pytest.fixture(scope="module")
def extra_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wheels this module needs beyond the session corpus."""
    root = tmp_path_factory.mktemp("install-cli-wheels")
    for version in ("1.0", "1.5", "2.0", "2.5"):
        make_wheel(root, "lib", version)
    make_wheel(root, "app", "1.0", requires_dist=["base>=1.0"])
    make_wheel(root, "app", "2.0", requires_dist=["base>=1.0"])
    make_wheel(root, "base", "1.0")
    make_wheel(root, "base", "2.0")
    make_wheel(root, "modern", "1.0")
    make_wheel(root, "modern", "2.0", requires_python=">=3.9")
    make_wheel(root, "prerel", "1.0")
    make_wheel(root, "prerel", "2.0b1")
    make_wheel(root, "yanky", "1.0")
    make_wheel(root, "yanky", "2.0")
    make_wheel(root, "tool", "1.0", entry_points={"console_scripts": {"tool": "tool:main"}},
               files={"tool/util.py": "def f():\n    return 1\n"})  # fmt: skip
    return root


@pytest.fixture(scope="module")
def extra_index(extra_corpus: Path) -> Iterator[IndexServer]:
    with IndexServer(extra_corpus, yanked={"yanky==2.0": "do not use"}) as server:
        yield server


@pytest.fixture(scope="module")
def bulk_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("install-cli-bulk")
    many = {f"bulk/sub{i // 100}/mod{i}.py": f"X = {i}\n" for i in range(2000)}
    return {
        "1.0": make_wheel(root, "bulk", "1.0", files=many),
        "2.0": make_wheel(root, "bulk", "2.0", files={k.replace("mod", "m2_"): v for k, v in many.items()}),
        "dir": root,
    }


# ---------------------------------------------------------------- by name, specifiers, extras, markers


def test_install_by_name_matches_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo", freeze_too=True)
    pair.assert_same(ours, theirs)
    assert last_line(ours.stdout) == "Successfully installed demo-2.0 leaf-2.0 middle-1.5"


def test_version_range_matches_pip(tmp_path: Path, extra_index: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", extra_index.url, "lib>=1,<2")
    pair.assert_same(ours, theirs)
    assert dists(pair.a)["lib"] == "1.5"


def test_extras_match_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo[async]")
    pair.assert_same(ours, theirs)
    assert "asynclib-1.0" in ours.stdout


def test_extras_with_scripts_and_data_match_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo[all]")
    pair.assert_same(ours, theirs, ignore=("include/site",))  # headers: see the test below
    run = subprocess.run([str(pair.a / "bin" / "scripted")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "scripted 1.0"
    assert (pair.a / "share" / "scripted" / "readme.txt").read_text() == "data file\n"


def test_headers_go_where_pip_puts_them(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "--no-deps", "scripted")
    pair.assert_same(ours, theirs)


def test_marker_that_does_not_apply_installs_nothing(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, 'demo; python_version<"3"')
    pair.assert_same(ours, theirs, closing=False)
    assert snapshot(pair.a) == pair.before
    assert "Successfully installed" not in ours.stdout
    assert not [p for p in index_server.paths() if "/files/" in p]


def test_marker_skipped_next_to_a_real_requirement(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, 'demo; python_version<"3"', "leaf==1.0")
    pair.assert_same(ours, theirs)


# ---------------------------------------------------------------- requirements files and constraints


def test_requirements_file_forms_match_pip(tmp_path: Path, index_server: IndexServer) -> None:
    reqs = tmp_path / "reqs"
    reqs.mkdir()
    (reqs / "requirements.txt").write_text(
        "# the app's requirements\n"
        f"--index-url {index_server.url}\n"
        "\n"
        "demo[async] \\\n"
        "    >=1.0   # a trailing comment\n"
        "-r nested/more.txt\n"
        "-c constraints.txt\n"
    )
    (reqs / "nested").mkdir()
    (reqs / "nested" / "more.txt").write_text("localver==1.0  # not the +local one\n")
    (reqs / "constraints.txt").write_text("middle==1.0\nnot-requested==9.9  # constraints don't install\n")
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-r", str(reqs / "requirements.txt"))
    pair.assert_same(ours, theirs)
    assert dists(pair.a)["middle"] == "1.0" and dists(pair.a)["leaf"] == "1.0"
    assert index_server.paths()  # the index came from the file


def test_constraint_on_the_command_line(tmp_path: Path, index_server: IndexServer) -> None:
    constraints = tmp_path / "c.txt"
    constraints.write_text("middle<1.5\n")
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "-c", str(constraints), "demo")
    pair.assert_same(ours, theirs)
    assert dists(pair.a)["middle"] == "1.0"


# ---------------------------------------------------------------- pre-releases, yanked, Requires-Python, tags


def test_pre_flag_matches_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "--pre", "demo")
    pair.assert_same(ours, theirs)
    assert "demo-2.1rc1" in ours.stdout


def test_prerelease_specifier_matches_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo>=2.1rc1")
    pair.assert_same(ours, theirs)
    assert "demo-2.1rc1" in ours.stdout


def test_only_prereleases_match_takes_the_prerelease(tmp_path: Path, extra_index: IndexServer) -> None:
    # pip 24 refuses this; pip 25+ (packaging 25) takes the pre-release when nothing else matches
    env = new_env(tmp_path / "env", with_pip=False)
    result = run_satchel("install", "-p", str(env), "-i", extra_index.url, "prerel>1.0")
    assert result.returncode == 0, result
    assert dists(env)["prerel"] == "2.0b1"


def test_yanked_is_skipped_unless_pinned(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo<1.2")
    pair.assert_same(ours, theirs)
    assert "demo-1.0" in ours.stdout


def test_yanked_pinned_is_installed(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo==1.1")
    pair.assert_same(ours, theirs)
    assert "demo-1.1" in ours.stdout


def test_newest_yanked_skipped_for_plain_name(tmp_path: Path, extra_index: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", extra_index.url, "yanky")
    pair.assert_same(ours, theirs)
    assert "yanky-1.0" in ours.stdout


def test_requires_python_excludes_versions(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "demo>=2")  # 3.0 needs Python >= 4
    pair.assert_same(ours, theirs)
    assert "demo-2.0" in ours.stdout


def test_requires_python_on_the_oldest_interpreter(tmp_path: Path, extra_index: IndexServer, monkeypatch) -> None:
    monkeypatch.setattr(extra_index, "json", False)  # pip 23.0 (3.8's) breaks on PEP 691 core-metadata objects
    pair = Pair(tmp_path, PY_OLD)
    ours, theirs = pair.install("-i", extra_index.url, "modern")
    pair.assert_same(ours, theirs)
    expected = "1.0" if target_interpreters()[0][0].startswith("3.8.") else "2.0"
    assert dists(pair.a)["modern"] == expected


@pytest.mark.parametrize("python", [PY, PY_OLD], ids=["newest", "oldest"])
def test_platform_wheel_picked_like_pip(tmp_path: Path, index_server: IndexServer, python: str) -> None:
    index_server.json = python == PY  # pip 23.0 (3.8's) needs the HTML pages
    pair = Pair(tmp_path, python)
    ours, theirs = pair.install("-i", index_server.url, "native")
    pair.assert_same(ours, theirs)
    wheel = (site_packages(pair.a) / "native-1.0.dist-info" / "WHEEL").read_text()
    assert "Tag: cp38-abi3-manylinux2014_x86_64" in wheel and "Build: 2" in wheel


# ---------------------------------------------------------------- upgrades and reinstalls


@pytest.mark.parametrize("strategy", ["only-if-needed", "eager"])
def test_upgrade_strategies_match_pip(tmp_path: Path, extra_index: IndexServer, strategy: str) -> None:
    pair = Pair(tmp_path, prepare=("-i", extra_index.url, "app==1.0", "base==1.0"))
    ours, theirs = pair.install("-i", extra_index.url, "-U", "--upgrade-strategy", strategy, "app")
    pair.assert_same(ours, theirs)
    assert dists(pair.a)["app"] == "2.0"
    assert dists(pair.a)["base"] == ("2.0" if strategy == "eager" else "1.0")


def test_upgrade_when_up_to_date_says_satisfied_like_pip(tmp_path: Path, extra_index: IndexServer) -> None:
    pair = Pair(tmp_path, prepare=("-i", extra_index.url, "lib"))
    ours, theirs = pair.install("-i", extra_index.url, "-U", "lib", cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0
    assert snapshot(pair.a) == pair.before
    assert last_line(theirs.stdout).startswith("Requirement already satisfied: lib in ./env/")
    assert last_line(ours.stdout) == last_line(theirs.stdout)


def test_force_reinstall_matches_pip(tmp_path: Path, extra_index: IndexServer) -> None:
    pair = Pair(tmp_path, prepare=("-i", extra_index.url, "tool==1.0"))
    damaged = site_packages(pair.a) / "tool" / "util.py"
    for _ in range(2):
        damaged.write_text("broken\n")
        shutil.rmtree(pair.pristine)
        shutil.copytree(pair.env, pair.pristine, symlinks=True)
    ours, theirs = pair.install("-i", extra_index.url, "--force-reinstall", "tool")
    pair.assert_same(ours, theirs)
    assert damaged.read_text() == "def f():\n    return 1\n"


def test_no_deps_matches_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "--no-deps", "demo")
    pair.assert_same(ours, theirs)
    assert set(dists(pair.a)) == {"pip", "demo"}


def test_ignore_installed_matches_pip(tmp_path: Path, extra_index: IndexServer) -> None:
    pair = Pair(tmp_path, prepare=("-i", extra_index.url, "lib==1.0"))
    ours, theirs = pair.install("-i", extra_index.url, "-I", "lib", freeze_too=True)
    # pip overwrites without uninstalling and leaves lib-1.0.dist-info behind; satchel removes
    # it (a deliberate, cleaner difference): everything else is the same
    stale = "lib/python3.13/site-packages/lib-1.0.dist-info".replace("python3.13", site_packages(pair.a).parent.name)
    pair.pip_tree = {k: v for k, v in pair.pip_tree.items() if not k.startswith(stale)}
    pair.pip_freeze = ""
    pair.assert_same(ours, theirs)


# ---------------------------------------------------------------- where packages come from


def test_find_links_with_no_index(tmp_path: Path, wheel_corpus: Corpus) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("--no-index", "--find-links", str(wheel_corpus.path), "demo[async]")
    pair.assert_same(ours, theirs)


@pytest.fixture
def two_indexes(make_index) -> tuple[IndexServer, IndexServer]:
    first, second = make_index(), make_index()
    make_wheel(first.directory, "shared", "1.0")
    make_wheel(first.directory, "only-first", "1.0")
    make_wheel(second.directory, "shared", "2.0")
    make_wheel(second.directory, "only-second", "1.0", requires_dist=["shared"])
    return first, second


def test_extra_index_first_index_strategy(tmp_path: Path, two_indexes: tuple[IndexServer, IndexServer]) -> None:
    first, second = two_indexes
    env = new_env(tmp_path / "a", with_pip=False)
    result = run_satchel(
        "install", "-p", str(env), "-i", first.url, "--extra-index-url", second.url, "shared", "only-second", "only-first"
    )
    assert result.returncode == 0, result
    assert last_line(result.stdout) == "Successfully installed only-first-1.0 only-second-1.0 shared-1.0"
    assert not [p for p in second.paths() if "/files/shared" in p], second.paths()
    assert [p for p in second.paths() if "/files/only_second" in p]


def test_extra_index_unsafe_best_match_is_pip(tmp_path: Path, two_indexes: tuple[IndexServer, IndexServer]) -> None:
    first, second = two_indexes
    pair = Pair(tmp_path)
    ours, theirs = pair.install(
        "-i", first.url, "--extra-index-url", second.url, "shared", "only-second",
        satchel_only=("--index-strategy", "unsafe-best-match"),
    )  # fmt: skip
    pair.assert_same(ours, theirs)
    assert "shared-2.0" in ours.stdout


BUG_DIRECT_URL = "BUG: a wheel given as a path or a file:// URL gets no direct_url.json (pip writes one; freeze shows `name @ url`)"


def test_local_wheel_path_matches_pip(tmp_path: Path, extra_corpus: Path) -> None:
    wheel = extra_corpus / "lib-2.0-py3-none-any.whl"
    pair = Pair(tmp_path)
    ours, theirs = pair.install("--no-index", str(wheel))
    pair.assert_same(ours, theirs)  # direct_url.json included, byte for byte


def test_direct_file_url_matches_pip(tmp_path: Path, extra_corpus: Path) -> None:
    wheel = extra_corpus / "base-2.0-py3-none-any.whl"
    pair = Pair(tmp_path)
    ours, theirs = pair.install("--no-index", f"base @ {wheel.as_uri()}")
    pair.assert_same(ours, theirs)


def test_direct_url_with_dependencies_from_the_index(tmp_path: Path, extra_corpus: Path, extra_index: IndexServer) -> None:
    wheel = extra_corpus / "app-2.0-py3-none-any.whl"
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", extra_index.url, f"app @ {wheel.as_uri()}")
    pair.assert_same(ours, theirs, ignore=(str(site_packages(pair.a).relative_to(pair.a) / "app-2.0.dist-info/direct_url.json"),))


# ---------------------------------------------------------------- --dry-run, --report, --compile, -q


def test_dry_run_prints_would_install_and_changes_nothing(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "--dry-run", "demo[async]")
    pair.assert_same(ours, theirs)
    assert snapshot(pair.a) == pair.before
    assert last_line(ours.stdout) == "Would install asynclib-1.0 demo-2.0 leaf-2.0 middle-1.5"


def _report_summary(report: dict) -> set[tuple[str, str, bool]]:
    return {(item["metadata"]["name"], item["metadata"]["version"], item["requested"]) for item in report["install"]}


def test_report_matches_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path, prepare=("-i", index_server.url, "leaf==1.0"))
    args = ("-i", index_server.url, "--dry-run", "demo[async]", "leaf>=1", "--report")
    pair.run_pip(*args, str(tmp_path / "pip.json"))
    ours = run_satchel("install", "-p", str(pair.env), *args, str(tmp_path / "ours.json"))
    assert ours.returncode == 0, ours
    mine, theirs = (json.loads((tmp_path / name).read_text()) for name in ("ours.json", "pip.json"))
    assert set(mine) == set(theirs)
    assert _report_summary(mine) == _report_summary(theirs)
    assert set(mine["environment"]) == set(theirs["environment"])
    assert mine["environment"] == theirs["environment"]
    assert snapshot(pair.env) == pair.before


def test_report_lists_requested_extras(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "a", with_pip=False)
    result = run_satchel("install", "-p", str(env), "-i", index_server.url, "--dry-run", "-q", "--report", "-", "demo[async]")
    assert result.returncode == 0, result
    demo = next(item for item in json.loads(result.stdout)["install"] if item["metadata"]["name"] == "demo")
    assert demo.get("requested_extras") == ["async"]


def test_report_to_stdout_is_json(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "a", with_pip=False)
    result = run_satchel("install", "-p", str(env), "-i", index_server.url, "--dry-run", "-q", "--report", "-", "leaf")
    assert result.returncode == 0, result
    report = json.loads(result.stdout)
    assert _report_summary(report) == {("leaf", "2.0", True)}


def test_compile_writes_bytecode_and_default_does_not(tmp_path: Path, index_server: IndexServer) -> None:
    plain, compiled = new_env(tmp_path / "plain", with_pip=False), new_env(tmp_path / "compiled", with_pip=False)
    assert run_satchel("install", "-p", str(plain), "-i", index_server.url, "leaf").returncode == 0
    result = run_satchel("install", "-p", str(compiled), "-i", index_server.url, "--compile", "leaf")
    assert result.returncode == 0, result
    assert not list((site_packages(plain) / "leaf").glob("__pycache__/*.pyc"))
    assert list((site_packages(compiled) / "leaf").glob("__pycache__/*.pyc"))


def test_quiet_prints_what_pip_prints(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "-q", "leaf")
    pair.assert_same(ours, theirs, closing=False)
    assert ours.stdout == theirs.stdout == ""


def test_closing_line_names_like_pip(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path)
    ours, theirs = pair.install("-i", index_server.url, "Foo_Bar", "leaf")
    pair.assert_same(ours, theirs)


# ---------------------------------------------------------------- no-op installs


def _satisfied(stdout: str) -> list[str]:
    """pip's "already satisfied" lines for the requested packages (not those "(from ...)")."""
    return sorted(
        line for line in stdout.splitlines() if line.startswith("Requirement already satisfied") and "(from " not in line
    )


def test_noop_prints_already_satisfied_and_changes_nothing(tmp_path: Path, index_server: IndexServer) -> None:
    args = ("-i", index_server.url, "demo[async]", "leaf")
    pair = Pair(tmp_path, prepare=args)
    theirs = pair.run_pip(*args, cwd=tmp_path)
    for _ in range(2):  # the second run may be answered from memory: the same answer
        ours = run_satchel("install", "-p", str(pair.env), *args, cwd=tmp_path)
        assert ours.returncode == theirs.returncode == 0
        assert snapshot(pair.a) == pair.before
        # pip's order is its resolver's visiting order; the lines are the same
        assert sorted(ours.stdout.splitlines()) == _satisfied(theirs.stdout)
        assert len(_satisfied(theirs.stdout)) == 2


def test_noop_is_still_right_after_the_env_changes(tmp_path: Path, index_server: IndexServer) -> None:
    args = ("-i", index_server.url, "demo")
    pair = Pair(tmp_path, prepare=args)

    def change(step: int) -> None:
        if step == 0:
            pip(pair.env, "uninstall", "-y", "leaf")  # a dependency goes away behind satchel's back
        else:
            pip(pair.env, "install", "--no-deps", "-i", index_server.url, "middle==1.0")  # now too old for leaf 2.0

    theirs = []
    for step in range(2):
        change(step)
        out = pip(pair.env, "install", "--no-compile", *args)
        theirs.append((last_line(out.stdout), tree(pair.env)))
    pair.reset()
    for _ in range(2):  # satisfied: the second answer may come from memory
        noop = run_satchel("install", "-p", str(pair.env), *args)
        assert noop.returncode == 0 and noop.stdout.startswith("Requirement already satisfied: demo in "), noop
    assert snapshot(pair.env) == pair.before
    for step in range(2):
        change(step)
        out = run_satchel("install", "-p", str(pair.env), *args)
        assert out.returncode == 0, out
        assert (last_line(out.stdout), tree(pair.env)) == theirs[step]
    assert theirs[0][0] == "Successfully installed leaf-2.0" and theirs[1][0] == "Successfully installed leaf-1.0"


def test_noop_with_a_marker_skipped_request(tmp_path: Path, index_server: IndexServer) -> None:
    pair = Pair(tmp_path, prepare=("-i", index_server.url, "leaf"))
    args = ("-i", index_server.url, 'demo; python_version<"3"', "leaf")
    theirs = pair.run_pip(*args, cwd=tmp_path)
    ours = run_satchel("install", "-p", str(pair.env), *args, cwd=tmp_path)
    assert ours.returncode == theirs.returncode == 0
    assert _satisfied(ours.stdout) == _satisfied(theirs.stdout)


# ---------------------------------------------------------------- configuration


def test_pip_index_url_variable_is_honoured(tmp_path: Path, index_server: IndexServer, monkeypatch) -> None:
    env = new_env(tmp_path / "a", with_pip=False)
    monkeypatch.setenv("PIP_INDEX_URL", index_server.url)
    result = run_satchel("install", "-p", str(env), "leaf")
    assert result.returncode == 0, result
    assert dists(env)["leaf"] == "2.0" and "/simple/leaf/" in index_server.paths()


def test_pip_conf_index_url_is_honoured(tmp_path: Path, index_server: IndexServer, monkeypatch) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {index_server.url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    pair = Pair(tmp_path)
    ours, theirs = pair.install("leaf==1.0")
    pair.assert_same(ours, theirs)
    assert "/simple/leaf/" in index_server.paths()


# ---------------------------------------------------------------- satchel and pip share environments


def test_pip_uninstalls_what_satchel_installed(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "a")
    before = snapshot(env)
    result = run_satchel("install", "-p", str(env), "-i", index_server.url, "demo[all]")
    assert result.returncode == 0, result
    names = [line.split("==")[0] for line in freeze(env).splitlines() if not line.startswith("pip==")]
    assert len(names) == 5
    pip(env, "uninstall", "-y", *names)
    after = snapshot(env)
    for kept in ("share", "include/site", "include/site/python3.13".replace("3.13", site_packages(env).parent.name[6:])):
        after.pop(kept, None)  # pip leaves emptied parents of data and header files
    assert after == before


def test_satchel_uninstalls_what_pip_installed(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "a")
    before = snapshot(env)
    pip(env, "install", "--no-compile", "-i", index_server.url, "demo[async]")
    result = run_satchel("uninstall", "-y", "-p", str(env), "demo", "asynclib", "middle", "leaf")
    assert result.returncode == 0, result
    assert snapshot(env) == before


# ---------------------------------------------------------------- interrupts


def _satchel_popen(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "satchel", *args], env=dict(os.environ, PYTHONPATH=str(SRC)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _pending(env: Path) -> bool:
    state = env / ".satchel"
    return state.is_dir() and any(p.name.startswith("tx-") for p in state.iterdir())


@pytest.fixture(scope="module")
def bulk_states(tmp_path_factory: pytest.TempPathFactory, bulk_wheels: dict[str, Path]) -> dict[str, object]:
    """Portable snapshots of an env named `env`: empty, with bulk 1.0, with 2.0 installed fresh,
    and with 2.0 after an upgrade from 1.0, each made by clean satchel commands; and how long
    (wall clock, warm cache) the fresh install and the upgrade take."""
    links = ("--no-index", "--find-links", str(bulk_wheels["dir"]))
    found: dict[str, object] = {}

    def timed(env: Path, *args: str) -> float:
        started = time.monotonic()
        result = run_satchel("install", "-p", str(env), *links, *args)
        assert result.returncode == 0, result
        return time.monotonic() - started

    fresh = new_env(tmp_path_factory.mktemp("bulk-fresh") / "env", with_pip=False)
    found["empty"] = snapshot(fresh, portable=True)
    timed(fresh, "bulk==2.0")  # fills the unpacked-wheel cache
    found["fresh-2.0"] = snapshot(fresh, portable=True)
    assert run_satchel("uninstall", "-y", "-p", str(fresh), "bulk").returncode == 0
    found["fresh-seconds"] = timed(fresh, "bulk==2.0")
    upgraded = new_env(tmp_path_factory.mktemp("bulk-upgrade") / "env", with_pip=False)
    timed(upgraded, "bulk==1.0")
    found["1.0"] = snapshot(upgraded, portable=True)
    found["upgrade-seconds"] = timed(upgraded, "bulk==2.0")
    found["upgraded-2.0"] = snapshot(upgraded, portable=True)
    return found


def _journal_left(env: Path) -> bool:
    """An interrupted transaction that got as far as its journal (it may have changed the env)."""
    return any((env / ".satchel").glob("tx-*/journal.json"))


@pytest.mark.parametrize("upgrade", [False, True], ids=["fresh", "upgrade"])
def test_sigkill_then_next_command_recovers(
    tmp_path: Path, bulk_wheels: dict[str, Path], bulk_states: dict[str, object], upgrade: bool
) -> None:
    """SIGKILL `satchel install` of a 2000-file wheel at several points of its run (fractions of
    how long it takes here); the next satchel command leaves the env as before or as after, and
    says so on stderr when it had something to finish or undo."""
    env = new_env(tmp_path / "env", with_pip=False)
    links = ("--no-index", "--find-links", str(bulk_wheels["dir"]))
    before = bulk_states["1.0" if upgrade else "empty"]
    after = bulk_states["upgraded-2.0" if upgrade else "fresh-2.0"]
    seconds = float(bulk_states["upgrade-seconds" if upgrade else "fresh-seconds"])  # type: ignore[arg-type]
    interrupted_any = False
    # kills at fractions of a whole run (mostly staging), then kills timed from the moment the
    # journal appears (the renames into place, the commit, the clean-up)
    attempts = [("run", 0.4), ("journal", 0.0), ("journal", 0.005), ("journal", 0.03)]
    for clock, extra in attempts:
        back = ("install", "-p", str(env), *links, "bulk==1.0") if upgrade else ("uninstall", "-y", "-p", str(env), "bulk")
        if snapshot(env, portable=True) != before:
            assert run_satchel(*back).returncode == 0
        assert snapshot(env, portable=True) == before
        proc = _satchel_popen("install", "-p", str(env), *links, "bulk==2.0")
        if clock == "run":
            time.sleep(seconds * extra)
        else:
            deadline = time.monotonic() + 30
            while proc.poll() is None and not _journal_left(env) and time.monotonic() < deadline:
                time.sleep(0.0005)
            time.sleep(extra)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        interrupted = _journal_left(env)
        interrupted_any |= interrupted
        if upgrade:  # something already satisfied, or a no-op uninstall: either recovers first
            follow_up = run_satchel("install", "-p", str(env), *links, "bulk")
        else:
            follow_up = run_satchel("uninstall", "-y", "-p", str(env), "nonexistent")
        assert "Traceback" not in follow_up.stderr, follow_up
        assert snapshot(env, portable=True) in (before, after), f"killed at {clock}+{extra}: the env is in between"
        if interrupted:
            said = follow_up.stderr
            assert "undid an interrupted install" in said or "finished an interrupted install" in said, follow_up
        assert not list((env / ".satchel").glob("tx-*"))
    if upgrade:  # (a fresh install's journaled window is a few renames: too short to hit reliably)
        assert interrupted_any, f"no kill landed inside the transaction (an upgrade takes {seconds:.2f} s here)"
    final = run_satchel("install", "-p", str(env), *links, "bulk==2.0")  # usable afterwards
    assert final.returncode == 0, final
    assert snapshot(env, portable=True) == after


# ---------------------------------------------------------------- environment selection


def test_relative_env_dir_as_python(tmp_path: Path, index_server: IndexServer) -> None:
    new_env(tmp_path / "myenv", with_pip=False)
    result = run_satchel("install", "-p", "myenv", "-i", index_server.url, "leaf", cwd=tmp_path)
    assert result.returncode == 0, result
    assert dists(tmp_path / "myenv")["leaf"] == "2.0"


def test_active_virtual_env_is_used(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "active", with_pip=False)
    result = run_satchel("install", "-i", index_server.url, "leaf", env=dict(os.environ, VIRTUAL_ENV=str(env)))
    assert result.returncode == 0, result
    assert dists(env)["leaf"] == "2.0"


def test_dot_venv_upward_is_used(tmp_path: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / ".venv", with_pip=False)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    result = run_satchel("install", "-i", index_server.url, "leaf", cwd=tmp_path / "deep" / "er")
    assert result.returncode == 0, result
    assert dists(env)["leaf"] == "2.0"


def test_release_control_lines_in_a_requirements_file_match_pip(tmp_path: Path, make_index) -> None:
    """--all-releases NAME in a requirements file lets NAME resolve to a pre-release (and
    --only-final keeps another to finals), as pip 26 applies them (the pip running the tests:
    the ensurepip one in a venv is older); they used to be read and dropped."""
    server = make_index()
    for name in ("app", "other"):
        make_wheel(server.directory, name, "1.0")
        make_wheel(server.directory, name, "2.0b1")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(f"--index-url {server.url}\n--all-releases app\n--only-final other\napp\nother\n")
    ours_env, theirs_env = (new_env(tmp_path / name, with_pip=False) for name in ("ours", "theirs"))
    ours = run_satchel("install", "-p", str(ours_env), "-r", str(reqs))
    assert ours.returncode == 0, ours
    assert ours.stdout == "Successfully installed app-2.0b1 other-1.0\n"
    theirs = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(theirs_env / "bin" / "python"), "install", "--no-compile",
         "-r", str(reqs)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    listed = [
        subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--path", str(site_packages(env))], capture_output=True, text=True
        ).stdout
        for env in (ours_env, theirs_env)
    ]
    assert listed == ["app==2.0b1\nother==1.0\n"] * 2
