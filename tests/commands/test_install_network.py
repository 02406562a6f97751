"""`satchel install` against the default index (no --index-url: the index pip itself would use),
side by side with pip. Skipped where the default index can't be reached, as decided once by
the pip of a fresh environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import isolated_environ, run_satchel, target_interpreters

PY = target_interpreters()[-1][1]

pytestmark = pytest.mark.network


def new_env(path: Path, environ: dict[str, str] | None = None) -> Path:
    result = run_satchel("venv", "-p", PY, str(path), env=environ)
    assert result.returncode == 0, result
    return path


@pytest.fixture(scope="module")
def default_index(tmp_path_factory: pytest.TempPathFactory, session_dirs: tuple[Path, Path]) -> None:
    """Skip unless the pip of a fresh env can download from its default index, with the machine's
    pip configuration removed as conftest removes it (module fixtures run before its autouse
    isolation, so the isolated environment is built here) and without pip's HTTP cache."""
    environ = isolated_environ(*session_dirs)
    root = tmp_path_factory.mktemp("network-probe")
    env = new_env(root / "env", environ)
    try:
        proc = subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "download", "--no-cache-dir", "--no-deps", "--timeout", "5", "--retries", "0",
             "-d", str(root / "out"), "pip"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=environ,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip("the default index did not answer within 60 s")
    if proc.returncode != 0 or not list((root / "out").glob("pip-*")):
        pytest.skip(f"the default index can't be reached: {proc.stderr.strip().splitlines()[-1:]}")


def dists(env: Path) -> dict[str, str]:
    found = {}
    for info in next(env.glob("lib/python3.*/site-packages")).glob("*.dist-info"):
        name, _, version = info.name[: -len(".dist-info")].partition("-")
        found[name.lower().replace("_", "-")] = version
    return found


def test_requests_installs_and_imports(default_index: None, tmp_path: Path) -> None:
    env = new_env(tmp_path / "env")
    result = run_satchel("install", "-p", str(env), "requests")
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[-1].startswith("Successfully installed ")
    assert {"requests", "urllib3", "idna", "certifi", "charset-normalizer"} <= set(dists(env))
    proc = subprocess.run([str(env / "bin" / "python"), "-c", "import requests; print(requests.__version__)"],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.strip() == dists(env)["requests"], proc.stderr


@pytest.mark.parametrize("project", ["flask", "numpy"])
def test_same_set_as_pip(default_index: None, tmp_path: Path, project: str) -> None:
    ours_env, pip_env = new_env(tmp_path / "ours"), new_env(tmp_path / "pip")
    result = run_satchel("install", "-p", str(ours_env), project)
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    proc = subprocess.run([str(pip_env / "bin" / "python"), "-m", "pip", "install", "--no-compile", project],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert dists(ours_env) == dists(pip_env)
    assert result.stdout.splitlines()[-1] == proc.stdout.splitlines()[-1]  # pip's closing line
    check = subprocess.run([str(ours_env / "bin" / "python"), "-c", f"import {project}"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    if project == "numpy":
        site = next(ours_env.glob("lib/python3.*/site-packages"))
        wheel = next(site.glob("numpy-*.dist-info")).joinpath("WHEEL").read_text()
        assert "manylinux" in wheel and ("x86_64" in wheel or "aarch64" in wheel)


def test_pip_can_uninstall_it(default_index: None, tmp_path: Path) -> None:
    env = new_env(tmp_path / "env")
    result = run_satchel("install", "-p", str(env), "idna")
    assert result.returncode == 0, result
    proc = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "uninstall", "-y", "idna"],
                          capture_output=True, text=True, env=dict(os.environ))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "idna" not in dists(env)


def test_a_venv_made_again_is_replayed_against_the_default_index(default_index: None, tmp_path: Path) -> None:
    """The replay's own HTTPS client (satchel.index.http11, used by satchel.index.revalidate) against the real default index:
    the second install into a venv made again imports no resolver and installs the same."""
    import shutil

    environ = dict(os.environ, SATCHEL_CACHE_DIR=str(tmp_path / "cache"))
    env = new_env(tmp_path / "env")
    first = run_satchel("install", "-p", str(env), "six", env=environ)
    assert first.returncode == 0, first
    installed = dists(env)
    shutil.rmtree(env)
    new_env(env)
    second = run_satchel("install", "-p", str(env), "six", env=dict(environ, PYTHONPROFILEIMPORTTIME="1"))
    assert second.returncode == 0, second
    modules = {line.rsplit("|", 1)[1].strip() for line in second.stderr.splitlines() if line.startswith("import time:")}
    assert not {"packaging", "resolvelib", "urllib3"} & modules, "the second install resolved again"
    assert second.stdout == first.stdout and dists(env) == installed
