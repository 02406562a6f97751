"""Which cache an install uses (`--cache-dir`, `--no-cache-dir`, `PIP_CACHE_DIR`: nothing is
written into the default cache then, the interpreter's description included), and
`install --json`, through the real CLI against the local test index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_satchel, target_interpreters
from support.index_server import IndexServer

PY = target_interpreters()[-1][1]


def _env(tmp_path: Path, home: Path) -> dict[str, str]:
    """The suite's isolated variables, with an empty HOME and no cache chosen by a variable:
    the default cache is then HOME/.cache/satchel."""
    env = {k: v for k, v in os.environ.items() if k not in ("SATCHEL_CACHE_DIR", "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    return env


def _venv(tmp_path: Path, env: dict[str, str]) -> Path:
    venv = tmp_path / "env"
    result = run_satchel("venv", "--without-pip", "-p", PY, str(venv), env=env)
    assert result.returncode == 0, result
    return venv


def _files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


@pytest.mark.parametrize("how", ["--cache-dir", "PIP_CACHE_DIR", "--no-cache-dir", "PIP_NO_CACHE_DIR"])
def test_a_chosen_cache_leaves_the_default_one_alone(tmp_path: Path, index_server: IndexServer, how: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    chosen = tmp_path / "chosen-cache"
    env = _env(tmp_path, home)
    args: list[str] = []
    if how == "--cache-dir":
        args = ["--cache-dir", str(chosen)]
    elif how == "--no-cache-dir":
        args = ["--no-cache-dir"]
    elif how == "PIP_CACHE_DIR":
        env["PIP_CACHE_DIR"] = str(chosen)
    else:
        env["PIP_NO_CACHE_DIR"] = "1"
    venv_env = {**env, "SATCHEL_CACHE_DIR": str(tmp_path / "venv-cache")}  # (making the venv may cache)
    venv = _venv(tmp_path, venv_env)
    for _ in range(2):  # the second time from memory where it can be
        result = run_satchel("install", "-p", str(venv), "-i", index_server.url, *args, "leaf==1.0", env=env)
        assert result.returncode == 0, result
    assert list(venv.glob("lib/python3.*/site-packages/leaf-1.0.dist-info"))
    assert _files_under(home / ".cache") == []  # nothing in the default cache, not even interpreters-v2/
    if how in ("--cache-dir", "PIP_CACHE_DIR"):
        parts = {p.name for p in chosen.iterdir()}
        assert {"interpreters-v2", "wheels-v1", "http-v1"} <= parts, parts
    else:
        assert not chosen.exists()


def test_without_a_choice_the_default_cache_is_used(tmp_path: Path, index_server: IndexServer) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _env(tmp_path, home)
    venv = _venv(tmp_path, {**env, "SATCHEL_CACHE_DIR": str(tmp_path / "venv-cache")})
    result = run_satchel("install", "-p", str(venv), "-i", index_server.url, "leaf==1.0", env=env)
    assert result.returncode == 0, result
    assert (home / ".cache" / "satchel" / "wheels-v1").is_dir()
    assert run_satchel("cache", "dir", env=env).stdout.strip() == str(home / ".cache" / "satchel")


def test_cache_dir_command_follows_pip_config(tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\ncache-dir = {tmp_path / 'from-config'}\n")
    result = run_satchel("cache", "dir", env={**os.environ, "PIP_CONFIG_FILE": str(config), "SATCHEL_CACHE_DIR": ""})
    assert result.returncode == 0, result
    assert result.stdout.strip() == str(tmp_path / "from-config")


def test_install_json_says_what_was_done(tmp_path: Path, index_server: IndexServer) -> None:
    venv = _venv(tmp_path, dict(os.environ))
    first = run_satchel("install", "-p", str(venv), "-i", index_server.url, "--json", "demo")
    assert first.returncode == 0, first
    done = json.loads(first.stdout)
    assert done["dry_run"] is False and done["removed"] == [] and done["satisfied"] == []
    installed = {item["name"]: item for item in done["installed"]}
    assert installed["demo"]["requested"] is True
    assert all(item["url"].startswith(index_server.url.rsplit("/", 2)[0]) for item in done["installed"])
    assert "Successfully installed" not in first.stdout

    again = json.loads(run_satchel("install", "-p", str(venv), "-i", index_server.url, "--json", "demo").stdout)
    assert again["installed"] == [] and [d["name"] for d in again["satisfied"]] == ["demo"]

    dry = run_satchel("install", "-p", str(venv), "-i", index_server.url, "--json", "--dry-run", "leaf==1.0")
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True and [i["name"] for i in plan["installed"]] == ["leaf"]
    assert not list(venv.glob("lib/python3.*/site-packages/leaf-1.0.dist-info"))
