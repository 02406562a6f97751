"""Replayed installs (`satchel.memory.replay`) end to end: the real CLI, a real index
on 127.0.0.1, real venvs made again at the same path, the same cache for both runs.

A run is proved to be a replay by what it did *not* do: with PYTHONPROFILEIMPORTTIME=1 the
interpreter lists every module it imported on stderr, and a replay never imports packaging,
resolvelib or urllib3; the index's request log shows only conditional GETs of pages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from conftest import Result, run_satchel
from support.index_server import IndexServer, _Response
from support.snapshots import snapshot
from support.wheels import make_wheel, record_hash

RESOLVING_MODULES = ("packaging", "resolvelib", "urllib3")


# ---------------------------------------------------------------- helpers


def new_env(path: Path) -> Path:
    result = run_satchel("venv", "--without-pip", str(path))
    assert result.returncode == 0, result
    return path


def remake(path: Path) -> Path:
    """The venv deleted and made again from scratch at the same path (what CI does)."""
    shutil.rmtree(path)
    return new_env(path)


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3.*/site-packages"))


def install(env: Path, *args: str, cwd: Path | None = None, profile: bool = False, extra: Mapping[str, str] | None = None) -> Result:
    environ = dict(os.environ, **(extra or {}))
    if profile:
        environ["PYTHONPROFILEIMPORTTIME"] = "1"
    return run_satchel("install", "-p", str(env), *args, cwd=cwd, env=environ)


def imported(result: Result) -> set[str]:
    """Top-level names of the modules a PYTHONPROFILEIMPORTTIME=1 run imported."""
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    assert "satchel" in names, "PYTHONPROFILEIMPORTTIME gave no import list"
    return names


def replayed(result: Result) -> bool:
    """Whether a profiled run got by without the resolver's modules."""
    return not (imported(result) & set(RESOLVING_MODULES))


def errors(result: Result) -> str:
    """stderr without the import-time lines."""
    return "\n".join(line for line in result.stderr.splitlines() if not line.startswith("import time:"))


def pip_freeze(env: Path) -> str:
    """pip's own view of the env's site-packages (the test interpreter's pip, `--path`)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--path", str(site_packages(env))],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def pip_into(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pip (the test interpreter's, `--python`) running an install into `env`, no cache."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "--disable-pip-version-check",
         "install", "--no-cache-dir", "--no-compile", *args],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    return proc


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def state(env: Path) -> dict[str, str]:
    """The env's whole tree (its .satchel state dir aside), by exact content."""
    return snapshot(env)


def record_consistent(env: Path) -> None:
    """Every RECORD row names a file that exists with that hash and size; every file of a
    distribution's package directory is in its RECORD."""
    site = site_packages(env)
    for info in site.glob("*.dist-info"):
        rows = (info / "RECORD").read_text().splitlines()
        listed = set()
        for row in rows:
            path, digest, size = row.rsplit(",", 2)
            target = (site / path).resolve()
            listed.add(target)
            assert target.exists(), f"{info.name}: RECORD names {path}, which is missing"
            if digest:
                data = target.read_bytes()
                assert record_hash(data) == digest and int(size) == len(data), f"{info.name}: {path} differs from RECORD"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def replay_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small wheels, each test publishing the ones it needs (`publish`)."""
    root = tmp_path_factory.mktemp("replay-wheels")
    return {
        "app-1.0": make_wheel(root, "app", "1.0", requires_dist=["base>=1.0"]),
        "app-2.0": make_wheel(root, "app", "2.0", requires_dist=["base>=2.0"]),
        "base-1.0": make_wheel(root, "base", "1.0"),
        "base-2.0": make_wheel(root, "base", "2.0"),
        "extra-1.0": make_wheel(root, "extra", "1.0"),
        "lib-1.0": make_wheel(root, "lib", "1.0", files={"lib/old.py": "OLD = True\n"}),
        "lib-2.0": make_wheel(root, "lib", "2.0", files={"lib/new.py": "NEW = True\n"}),
    }


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, the same for every run of the test."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "index"
    directory.mkdir()
    return directory


@pytest.fixture
def publish(index_dir: Path, replay_wheels: dict[str, Path]) -> Callable[..., None]:
    def publish(*names: str) -> None:
        for name in names:
            shutil.copy(replay_wheels[name], index_dir / replay_wheels[name].name)

    return publish


@pytest.fixture
def index(make_index: Callable[..., IndexServer], index_dir: Path, cache: Path) -> IndexServer:
    """A server of the test's own over `index_dir` (add wheels with `publish` at any time)."""
    return make_index(index_dir)


class _NoValidators(IndexServer):
    """An index that sends neither ETag nor Last-Modified and ignores conditional requests."""

    def respond(self, path: str, headers: Mapping[str, str]) -> _Response:
        plain = {k: v for k, v in headers.items() if k not in ("if-none-match", "if-modified-since")}
        response = super().respond(path, plain)
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
        return response


# ---------------------------------------------------------------- 1. replay is used


def test_same_command_on_a_remade_venv_is_replayed(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0, first
    assert first.stdout == "Successfully installed app-1.0 base-1.0\n"
    after_first, freeze_first = state(env), pip_freeze(env)
    assert freeze_first == "app==1.0\nbase==1.0\n"

    remake(env)
    index.clear_log()
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0, second
    assert second.stdout == first.stdout
    assert state(env) == after_first
    assert pip_freeze(env) == freeze_first
    record_consistent(env)
    assert not imported(second) & set(RESOLVING_MODULES), sorted(imported(second) & set(RESOLVING_MODULES))
    # only conditional GETs of the pages the resolution read: no wheel, no .metadata
    requests = list(index.requests)
    assert sorted(r.path for r in requests) == ["/simple/app/", "/simple/base/"]
    for request in requests:
        assert request.method == "GET"
        assert "if-none-match" in request.headers or "if-modified-since" in request.headers, request
        assert request.status == 304


def test_replay_marks_requested_like_the_full_path(tmp_path: Path, index: IndexServer, publish) -> None:
    """REQUESTED is written for what was named on the command line only, replayed or not."""
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    site = site_packages(env)
    assert (site / "app-1.0.dist-info" / "REQUESTED").exists()
    assert not (site / "base-1.0.dist-info" / "REQUESTED").exists()
    remake(env)
    again = install(env, "-i", index.url, "app", profile=True)
    assert again.returncode == 0 and replayed(again), again
    assert (site / "app-1.0.dist-info" / "REQUESTED").exists()
    assert not (site / "base-1.0.dist-info" / "REQUESTED").exists()


# ---------------------------------------------------------------- 2. a new version published


def test_new_version_published_between_runs_is_installed(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-1.0\n", first

    publish("app-2.0", "base-2.0")
    remake(env)
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0, second
    assert not replayed(second), "the page of app changed: this must be resolved again"
    reference = new_env(tmp_path / "pip-env")
    theirs = pip_into(reference, "-i", index.url, "app")
    assert pip_freeze(env) == pip_freeze(reference) == "app==2.0\nbase==2.0\n"
    assert last_line(second.stdout) == last_line(theirs.stdout)
    record_consistent(env)

    # what the full path did is now what is replayed
    after_second = state(env)
    remake(env)
    third = install(env, "-i", index.url, "app", profile=True)
    assert third.returncode == 0 and replayed(third), third
    assert third.stdout == second.stdout
    assert state(env) == after_second


def test_a_new_version_of_a_dependency_is_seen(tmp_path: Path, index: IndexServer, publish) -> None:
    """Every page read counts, not only the requested project's."""
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    publish("base-2.0")
    remake(env)
    second = install(env, "-i", index.url, "app")
    assert second.returncode == 0, second
    assert second.stdout == "Successfully installed app-1.0 base-2.0\n"
    assert pip_freeze(env) == "app==1.0\nbase==2.0\n"


# ---------------------------------------------------------------- 3. the env's contents differ


def test_different_env_contents_resolve_again(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0", "base-2.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-2.0\n", first

    remake(env)
    assert install(env, "-i", index.url, "base==1.0").returncode == 0  # already there: kept, as pip keeps it
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0, second
    assert not replayed(second)
    reference = new_env(tmp_path / "pip-env")
    pip_into(reference, "-i", index.url, "base==1.0")
    theirs = pip_into(reference, "-i", index.url, "app")
    assert pip_freeze(env) == pip_freeze(reference) == "app==1.0\nbase==1.0\n"
    assert last_line(second.stdout) == last_line(theirs.stdout) == "Successfully installed app-1.0"
    record_consistent(env)


def test_an_unrelated_package_installed_first_is_not_replayed_over(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0", "extra-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    remake(env)
    assert install(env, "-i", index.url, "extra").returncode == 0
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and not replayed(second), second
    assert second.stdout == "Successfully installed app-1.0 base-1.0\n"
    assert pip_freeze(env) == "app==1.0\nbase==1.0\nextra==1.0\n"


# ---------------------------------------------------------------- 4. requirements files


def test_nested_requirements_file_change_is_seen_by_noop_and_replay(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0", "extra-1.0")
    work = tmp_path / "work"
    work.mkdir()
    (work / "req.txt").write_text("-r base.txt\n")
    (work / "base.txt").write_text("app\n")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "-r", "req.txt", cwd=work)
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-1.0\n", first

    # a nested file is no obstacle to a replay...
    remake(env)
    second = install(env, "-i", index.url, "-r", "req.txt", cwd=work, profile=True)
    assert second.returncode == 0 and replayed(second) and second.stdout == first.stdout, second
    # ... nor to a remembered no-op
    noop = install(env, "-i", index.url, "-r", "req.txt", cwd=work)
    assert noop.returncode == 0 and noop.stdout.startswith("Requirement already satisfied: app in "), noop

    (work / "base.txt").write_text("app\nextra\n")
    # the same venv: the no-op answer no longer holds
    changed = install(env, "-i", index.url, "-r", "req.txt", cwd=work)
    assert changed.returncode == 0, changed
    assert last_line(changed.stdout) == "Successfully installed extra-1.0"
    assert pip_freeze(env) == "app==1.0\nbase==1.0\nextra==1.0\n"
    # a fresh venv: the replay no longer holds
    remake(env)
    fresh = install(env, "-i", index.url, "-r", "req.txt", cwd=work, profile=True)
    assert fresh.returncode == 0, fresh
    assert not replayed(fresh)
    assert fresh.stdout == "Successfully installed app-1.0 base-1.0 extra-1.0\n"
    assert pip_freeze(env) == "app==1.0\nbase==1.0\nextra==1.0\n"


def test_nested_file_changed_back_and_forth_by_content(tmp_path: Path, index: IndexServer, publish) -> None:
    """A nested file touched (new stamp, same content) still replays; its content decides."""
    publish("app-1.0", "base-1.0")
    work = tmp_path / "work"
    work.mkdir()
    (work / "req.txt").write_text("-r base.txt\n")
    (work / "base.txt").write_text("app\n")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "-r", "req.txt", cwd=work).returncode == 0
    (work / "base.txt").unlink()
    (work / "base.txt").write_text("app\n")
    remake(env)
    again = install(env, "-i", index.url, "-r", "req.txt", cwd=work, profile=True)
    assert again.returncode == 0 and replayed(again), again
    assert pip_freeze(env) == "app==1.0\nbase==1.0\n"


def test_requirements_file_with_a_variable_is_never_answered_from_memory(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0", "extra-1.0")
    work = tmp_path / "work"
    work.mkdir()
    (work / "req.txt").write_text("${WANTED_PACKAGE}\n")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "-r", "req.txt", cwd=work, extra={"WANTED_PACKAGE": "app"})
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-1.0\n", first
    # the same venv, the variable changed: not "already satisfied"
    same = install(env, "-i", index.url, "-r", "req.txt", cwd=work, extra={"WANTED_PACKAGE": "extra"})
    assert same.returncode == 0 and same.stdout == "Successfully installed extra-1.0\n", same
    # a fresh venv, the variable changed: not a replay of app
    remake(env)
    fresh = install(env, "-i", index.url, "-r", "req.txt", cwd=work, extra={"WANTED_PACKAGE": "extra"}, profile=True)
    assert fresh.returncode == 0 and fresh.stdout == "Successfully installed extra-1.0\n", fresh
    assert pip_freeze(env) == "extra==1.0\n"
    assert not replayed(fresh)


# ---------------------------------------------------------------- 5. the cache cleaned


@pytest.mark.parametrize(
    "removed",
    [("wheels-v1",), ("http-v1",), ("wheels-v1", "http-v1", "downloads-v1", "metadata-v1")],
    ids=["wheels", "pages", "all-but-memory"],
)
def test_cache_trees_deleted_between_runs(tmp_path: Path, index: IndexServer, publish, cache: Path, removed: tuple[str, ...]) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0, first
    after_first = state(env)
    for name in removed:
        assert (cache / name).is_dir(), sorted(p.name for p in cache.iterdir())
        shutil.rmtree(cache / name)
    remake(env)
    index.clear_log()
    second = install(env, "-i", index.url, "app")
    assert second.returncode == 0, second
    assert second.stdout == first.stdout
    assert state(env) == after_first
    record_consistent(env)
    if "wheels-v1" in removed:  # the trees had to come from somewhere
        assert any(path.startswith("/files/") for path in index.paths())


# ---------------------------------------------------------------- 6. the server unreachable


def test_server_gone_at_the_second_run(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    args = ("-i", index.url, "--retries", "0", "app")  # (no retries: the refusal is immediate)
    assert install(env, *args).returncode == 0
    remake(env)
    before = state(env)
    index.stop()
    second = install(env, *args)
    assert second.returncode == 1, second
    assert "Traceback" not in second.stderr
    message = second.stderr.strip()
    assert message.startswith("error:") and "\n\n" not in message and message.count("error:") == 1, message
    assert second.stdout == ""
    assert state(env) == before
    assert not list(site_packages(env).iterdir())


def test_server_failing_at_the_second_run(tmp_path: Path, index: IndexServer, publish) -> None:
    """A 503 on the re-check: the full path runs and reports it (no half-replayed env)."""
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    remake(env)
    before = state(env)
    index.faults.status(503, path="/simple/base/")
    second = install(env, "-i", index.url, "--retries", "0", "app")
    assert second.returncode == 1, second
    assert "Traceback" not in second.stderr and "503" in second.stderr
    assert state(env) == before


# ---------------------------------------------------------------- 7. credentials


@pytest.fixture
def auth_index(make_index: Callable[..., IndexServer], index_dir: Path, cache: Path, publish) -> IndexServer:
    publish("app-1.0", "base-1.0")
    return make_index(index_dir, basic_auth=("user", "s3cr3t-pw"))


def test_credentials_in_the_index_url_are_not_replayed(tmp_path: Path, auth_index: IndexServer, cache: Path) -> None:
    url = auth_index.authenticated_url()
    assert "s3cr3t-pw" in url
    env = new_env(tmp_path / "env")
    first = install(env, "-i", url, "app")
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-1.0\n", first
    assert all(r.headers.get("authorization") for r in auth_index.requests)  # the server did want them
    assert not list(cache.glob("replay-v1/*")), "an entry was recorded for a reading with credentials"
    remake(env)
    second = install(env, "-i", url, "app", profile=True)
    assert second.returncode == 0, second
    assert not replayed(second)
    assert pip_freeze(env) == "app==1.0\nbase==1.0\n"


def _files_holding(directory: Path, secret: bytes) -> list[str]:
    return sorted(
        str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file() and secret in path.read_bytes()
    )


def test_no_cache_file_holds_the_password(tmp_path: Path, auth_index: IndexServer, cache: Path) -> None:
    url = auth_index.authenticated_url()
    env = new_env(tmp_path / "env")
    assert install(env, "-i", url, "app").returncode == 0
    assert install(env, "-i", url, "app").returncode == 0  # (the no-op, answered or remembered)
    remake(env)
    assert install(env, "-i", url, "app").returncode == 0
    assert _files_holding(cache, b"s3cr3t-pw") == []


def test_credentials_leave_no_trace_in_replay_and_page_caches(tmp_path: Path, auth_index: IndexServer, cache: Path) -> None:
    """The replay memory, the no-op memory and the page cache never see the password."""
    url = auth_index.authenticated_url()
    env = new_env(tmp_path / "env")
    assert install(env, "-i", url, "app").returncode == 0
    remake(env)
    assert install(env, "-i", url, "app").returncode == 0
    assert _files_holding(cache, b"s3cr3t-pw") == []


# ---------------------------------------------------------------- 8. an upgrade with a removal


def test_upgrade_with_removal_is_replayed(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("lib-1.0", "lib-2.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "lib==1.0").returncode == 0
    site = site_packages(env)
    assert (site / "lib" / "old.py").exists()
    first = install(env, "-i", index.url, "-U", "lib")
    assert first.returncode == 0 and last_line(first.stdout) == "Successfully installed lib-2.0", first
    after_first = state(env)

    remake(env)
    assert install(env, "-i", index.url, "lib==1.0").returncode == 0
    assert (site / "lib" / "old.py").exists() and (site / "lib-1.0.dist-info").is_dir()
    second = install(env, "-i", index.url, "-U", "lib", profile=True)
    assert second.returncode == 0, second
    assert replayed(second)
    assert second.stdout == first.stdout
    assert not (site / "lib" / "old.py").exists()
    assert not (site / "lib-1.0.dist-info").exists()
    assert (site / "lib" / "new.py").exists()
    assert '__version__ = "2.0"' in (site / "lib" / "__init__.py").read_text()
    assert state(env) == after_first
    record_consistent(env)
    assert pip_freeze(env) == "lib==2.0\n"
    check = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "check"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_upgrade_replay_refused_when_the_removed_version_differs(tmp_path: Path, index: IndexServer, publish) -> None:
    """The remembered removal is of lib 1.0; with nothing installed the key differs anyway, and
    with lib 2.0 installed there is nothing to do: either way the answer is pip's."""
    publish("lib-1.0", "lib-2.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "lib==1.0").returncode == 0
    assert install(env, "-i", index.url, "-U", "lib").returncode == 0
    remake(env)
    fresh = install(env, "-i", index.url, "-U", "lib")
    assert fresh.returncode == 0 and fresh.stdout == "Successfully installed lib-2.0\n", fresh
    assert pip_freeze(env) == "lib==2.0\n"
    record_consistent(env)


# ---------------------------------------------------------------- 9. output


def test_quiet_replay_prints_nothing(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-q", "-i", index.url, "app")
    assert first.returncode == 0 and first.stdout == "", first
    after_first = state(env)
    remake(env)
    second = install(env, "-q", "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert second.stdout == ""
    assert errors(second) == ""
    assert state(env) == after_first


def test_replay_prints_pips_closing_line(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    reference = new_env(tmp_path / "pip-env")
    theirs = pip_into(reference, "-i", index.url, "app")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    remake(env)
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert second.stdout == first.stdout == last_line(theirs.stdout) + "\n"
    assert last_line(theirs.stdout) == "Successfully installed app-1.0 base-1.0"
    assert errors(second) == ""


# ---------------------------------------------------------------- 10. an interrupted transaction


def test_interrupted_transaction_is_recovered_not_replayed_over(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0, first
    after_first = state(env)

    remake(env)
    # an install killed half-way: one file moved into place, the journal saying "applying"
    site = site_packages(env)
    txdir = env / ".satchel" / "tx-99999-deadbeef"
    (txdir / "stage").mkdir(parents=True)
    half = site / "halfdone.py"
    half.write_text("HALF = 1\n")
    st = os.lstat(half)
    journal = {
        "version": 1, "state": "applying", "backups": [], "created_dirs": [],
        "moves": [[str(txdir / "stage" / "halfdone.py"), str(half), [st.st_dev, st.st_ino]]],
        "added": ["ghost-1.0"], "removed": [],
    }  # fmt: skip
    (txdir / "journal.json").write_text(json.dumps(journal))
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0, second
    assert "undid an interrupted install (ghost-1.0)" in second.stderr, second
    assert not replayed(second)
    assert not half.exists()
    assert not list((env / ".satchel").glob("tx-*"))
    assert second.stdout == first.stdout
    assert state(env) == after_first


# ---------------------------------------------------------------- 11. no validators


@pytest.fixture
def bare_index(index_dir: Path, cache: Path) -> Iterator[IndexServer]:
    with _NoValidators(index_dir) as server:
        yield server


def test_server_without_validators(tmp_path: Path, bare_index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, "-i", bare_index.url, "app")
    assert first.returncode == 0, first
    assert not any("etag" in {k.lower() for k in r.headers} for r in bare_index.requests)
    after_first = state(env)

    remake(env)
    bare_index.clear_log()
    second = install(env, "-i", bare_index.url, "app", profile=True)
    assert second.returncode == 0, second
    assert replayed(second)  # the same bodies: unchanged
    assert second.stdout == first.stdout and state(env) == after_first
    assert sorted(bare_index.paths()) == ["/simple/app/", "/simple/base/"]
    assert all(r.status == 200 for r in bare_index.requests)

    publish("app-2.0", "base-2.0")
    remake(env)
    third = install(env, "-i", bare_index.url, "app", profile=True)
    assert third.returncode == 0 and not replayed(third), third
    assert third.stdout == "Successfully installed app-2.0 base-2.0\n"
    assert pip_freeze(env) == "app==2.0\nbase==2.0\n"


# ---------------------------------------------------------------- 12. fresh by max-age


def test_pages_fresh_by_max_age_need_no_request(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    index.cache_control = "max-age=600"
    env = new_env(tmp_path / "env")
    first = install(env, "-i", index.url, "app")
    assert first.returncode == 0, first
    after_first = state(env)
    remake(env)
    index.clear_log()
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert index.requests == []
    assert second.stdout == first.stdout and state(env) == after_first


def test_max_age_zero_pages_are_revalidated(tmp_path: Path, index: IndexServer, publish) -> None:
    """The server's default `max-age=0, must-revalidate`: every page is asked for again."""
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    remake(env)
    index.clear_log()
    second = install(env, "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert sorted(index.paths()) == ["/simple/app/", "/simple/base/"]


# ---------------------------------------------------------------- find-links


def test_find_links_directory_change_is_seen(tmp_path: Path, cache: Path, replay_wheels: dict[str, Path]) -> None:
    links = tmp_path / "links"
    links.mkdir()
    for name in ("app-1.0", "base-1.0"):
        shutil.copy(replay_wheels[name], links)
    env = new_env(tmp_path / "env")
    args = ("--no-index", "--find-links", str(links), "app")
    first = install(env, *args)
    assert first.returncode == 0 and first.stdout == "Successfully installed app-1.0 base-1.0\n", first
    after_first = state(env)
    remake(env)
    second = install(env, *args, profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert state(env) == after_first
    for name in ("app-2.0", "base-2.0"):
        shutil.copy(replay_wheels[name], links)
    remake(env)
    third = install(env, *args, profile=True)
    assert third.returncode == 0 and not replayed(third), third
    assert third.stdout == "Successfully installed app-2.0 base-2.0\n"


# ---------------------------------------------------------------- commands that are never replayed


@pytest.mark.parametrize("option", ["--no-cache-dir", "--dry-run"])
def test_commands_that_are_not_replayed(tmp_path: Path, index: IndexServer, publish, option: str) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    first = install(env, option, "-i", index.url, "app")
    assert first.returncode == 0, first
    remake(env)
    second = install(env, option, "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and not replayed(second), second
    assert second.stdout == first.stdout
    expected = "" if option == "--dry-run" else "app==1.0\nbase==1.0\n"
    assert pip_freeze(env) == expected


def test_a_command_with_its_own_cache_dir_is_replayed_from_it(tmp_path: Path, index: IndexServer, publish) -> None:
    """--cache-dir DIR: the entry is kept in DIR, and the same command finds it there."""
    publish("app-1.0", "base-1.0")
    own = tmp_path / "own-cache"
    env = new_env(tmp_path / "env")
    first = install(env, "--cache-dir", str(own), "-i", index.url, "app")
    assert first.returncode == 0, first
    assert (own / "replay-v1").is_dir()
    remake(env)
    second = install(env, "--cache-dir", str(own), "-i", index.url, "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert second.stdout == first.stdout
    assert pip_freeze(env) == "app==1.0\nbase==1.0\n"


# ---------------------------------------------------------------- more shapes of a replay


def test_many_pages_scripts_and_data_files_replayed(tmp_path: Path, make_index, wheel_corpus, cache: Path) -> None:
    """demo[all] from the session corpus: five pages (checked in parallel), console and gui
    scripts, data and header files; the replay leaves the same tree."""
    server = make_index(wheel_corpus.path)
    env = new_env(tmp_path / "env")
    first = install(env, "-i", server.url, "demo[all]")
    assert first.returncode == 0, first
    assert (env / "bin" / "scripted").exists()
    after_first = state(env)
    remake(env)
    server.clear_log()
    second = install(env, "-i", server.url, "demo[all]", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert len(server.requests) >= 4 and all(r.status == 304 for r in server.requests)
    assert second.stdout == first.stdout and state(env) == after_first
    record_consistent(env)
    run = subprocess.run([str(env / "bin" / "scripted")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "scripted 1.0", run


def test_noop_right_after_a_replay_is_the_full_paths_answer(tmp_path: Path, index: IndexServer, publish, cache: Path) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    noop_first = install(env, "-i", index.url, "app")
    remake(env)
    assert replayed(install(env, "-i", index.url, "app", profile=True))
    noop_after_replay = install(env, "-i", index.url, "app")
    shutil.rmtree(cache / "noop-v3")
    noop_computed = install(env, "-i", index.url, "app")
    assert noop_first.stdout == noop_after_replay.stdout == noop_computed.stdout
    assert noop_computed.stdout.startswith("Requirement already satisfied: app in ")
    # the remembered no-op still follows the env: base taken away -> installed again
    assert run_satchel("uninstall", "-y", "-p", str(env), "base").returncode == 0
    again = install(env, "-i", index.url, "app")
    assert again.returncode == 0 and again.stdout == "Successfully installed base-1.0\n", again


def test_force_reinstall_is_replayed(tmp_path: Path, index: IndexServer, publish) -> None:
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    assert install(env, "-i", index.url, "app").returncode == 0
    first = install(env, "-i", index.url, "--force-reinstall", "app")
    assert first.returncode == 0 and last_line(first.stdout) == "Successfully installed app-1.0 base-1.0", first
    after_first = state(env)
    remake(env)
    assert install(env, "-i", index.url, "app").returncode == 0
    second = install(env, "-i", index.url, "--force-reinstall", "app", profile=True)
    assert second.returncode == 0 and replayed(second), second
    assert second.stdout == first.stdout and state(env) == after_first
    record_consistent(env)


def test_project_appearing_on_the_first_index_is_seen(tmp_path: Path, make_index, replay_wheels, cache: Path) -> None:
    """A 404 read on the first index counts as much as a page: with the first-index strategy
    a project published there later wins over the extra index's."""
    first_dir, extra_dir = tmp_path / "first", tmp_path / "extra"
    first_dir.mkdir()
    extra_dir.mkdir()
    shutil.copy(replay_wheels["base-1.0"], extra_dir)
    main, extra = make_index(first_dir), make_index(extra_dir)
    shutil.copy(replay_wheels["extra-1.0"], first_dir)  # (the first index isn't empty)
    env = new_env(tmp_path / "env")
    args = ("-i", main.url, "--extra-index-url", extra.url, "base")
    first = install(env, *args)
    assert first.returncode == 0 and first.stdout == "Successfully installed base-1.0\n", first
    shutil.copy(replay_wheels["base-2.0"], first_dir)
    remake(env)
    second = install(env, *args, profile=True)
    assert second.returncode == 0 and not replayed(second), second
    assert pip_freeze(env) == "base==2.0\n"



# ---------------------------------------------------------------- nothing written before a replay is known


def test_looking_for_a_replay_writes_nothing_into_the_environment(tmp_path: Path, index: IndexServer, publish) -> None:
    """Looking for a replay happens before argparse, for every install: it must not create the
    environment's state directory (`<env>/.satchel`, the lock) unless there is something to
    replay, so a command that fails before the full path touches the environment (a bad
    requirement) leaves it exactly as it was."""
    publish("app-1.0", "base-1.0")
    env = new_env(tmp_path / "env")
    shutil.rmtree(env / ".satchel", ignore_errors=True)
    before = state(env)
    result = install(env, "-i", index.url, "app[")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert not (env / ".satchel").exists()
    assert state(env) == before


# ---------------------------------------------------------------- a real third-party index server


def test_replay_against_pypiserver(tmp_path: Path, cache: Path, pypiserver_index) -> None:
    """pypiserver (a real index server, not the tests' own) answers conditional GETs with 304:
    the installs on the venv made again are replayed, and right."""
    env = new_env(tmp_path / "env")
    first = install(env, "-i", pypiserver_index.url, "demo==1.0")
    assert first.returncode == 0, first
    after_first = state(env)
    results = []
    for _ in range(2):
        remake(env)
        again = install(env, "-i", pypiserver_index.url, "demo==1.0", profile=True)
        assert again.returncode == 0, again
        assert again.stdout == first.stdout and state(env) == after_first
        results.append(replayed(again))
    assert results == [True, True]
