"""Shared fixtures: isolation from the machine's pip/satchel configuration, a per-session
cache, the CPython interpreters present (pyenv's 3.8-3.13), and a runner for the real CLI."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

from satchel.cache.layout import Cache

pytest_plugins = ["support.fixtures"]
SRC = Path(__file__).resolve().parent.parent / "src"
TARGET_MINORS = range(8, 14)


def pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def target_interpreters() -> list[tuple[str, str]]:
    """(version, real interpreter path) for each CPython 3.8-3.13 under pyenv, newest patch."""
    found: dict[int, tuple[tuple[int, ...], str]] = {}
    for exe in glob.glob(str(pyenv_root() / "versions" / "3.*.*" / "bin" / "python3.*")):
        version_dir = Path(exe).parent.parent.name
        parts = version_dir.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or exe.endswith("-config"):
            continue
        version = tuple(int(p) for p in parts)
        if version[1] in TARGET_MINORS and Path(exe).name == f"python3.{version[1]}":
            if version[1] not in found or found[version[1]][0] < version:
                found[version[1]] = (version, exe)
    if not found:  # no pyenv: the interpreter running the tests
        base = getattr(sys, "_base_executable", sys.executable)
        return [("%d.%d.%d" % sys.version_info[:3], base)]
    return [(".".join(map(str, v)), exe) for _, (v, exe) in sorted(found.items())]


def own_cache() -> Cache:
    """The cache of the running test (the autouse fixture points SATCHEL_CACHE_DIR at it), for
    calls into satchel that take the cache explicitly."""
    found = Cache.from_variables(os.environ)
    assert found is not None
    return found


def isolated_environ(cache_dir: Path, config_file: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "SATCHEL_", "UV_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env["PIP_CONFIG_FILE"] = str(config_file)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env["SATCHEL_CACHE_DIR"] = str(cache_dir)
    return env


@pytest.fixture(scope="session")
def session_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("satchel-session")
    config = base / "empty-pip.conf"
    config.write_text("")
    return base / "cache", config


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, session_dirs: tuple[Path, Path]) -> dict[str, str]:
    """Every test runs without the machine's PIP_*/SATCHEL_* settings and with its own cache."""
    cache_dir, config = session_dirs
    env = isolated_environ(cache_dir, config)
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self) -> str:
        return f"<exit {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}>"


def run_satchel(*args: str, cwd: str | Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the real CLI (`python -m satchel ...`) in a subprocess."""
    full_env = dict(os.environ if env is None else env)
    full_env["PYTHONPATH"] = str(SRC)
    proc = subprocess.run(
        [sys.executable, "-m", "satchel", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    return Result(proc)


@pytest.fixture
def satchel():
    return run_satchel
