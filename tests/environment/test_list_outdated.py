"""`satchel list --outdated/--uptodate` against an index: the same table and JSON as pip's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_satchel, target_interpreters
from support.wheels import make_wheel

PYTHON = target_interpreters()[-1][1]


@pytest.fixture(scope="module")
def outdated_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outdated")
    env = root / "env"
    assert run_satchel("venv", "-p", PYTHON, str(env)).returncode == 0
    return env


@pytest.mark.parametrize("flag", ["--outdated", "--uptodate"])
@pytest.mark.parametrize("extra", [[], ["--pre"], ["--format", "json"]], ids=["columns", "pre", "json"])
def test_same_as_pip(outdated_env: Path, make_index, flag: str, extra: list[str]) -> None:
    server = make_index()
    for name, version in [("lib", "1.0"), ("lib", "2.0"), ("lib", "3.0rc1"), ("same", "1.0"), ("Odd_Name", "0.1"), ("Odd_Name", "0.2")]:
        make_wheel(server.directory, name, version)
    installed = run_satchel("install", "-q", "-p", str(outdated_env), "-i", server.url, "lib==1.0", "same", "odd-name==0.1")
    assert installed.returncode == 0, installed
    ours = run_satchel("list", "-p", str(outdated_env), flag, "-i", server.url, *extra)
    theirs = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(outdated_env / "bin" / "python"), "list", flag, "-i", server.url, *extra],
        capture_output=True, text=True, env=dict(os.environ),
    )
    assert ours.returncode == 0, ours
    assert ours.stdout == theirs.stdout
    if flag == "--outdated" and not extra:
        assert ours.stdout.splitlines()[2:] == ["lib      1.0     2.0    wheel", "Odd_Name 0.1     0.2    wheel"]


def test_outdated_and_uptodate_together_is_a_usage_error(outdated_env: Path) -> None:
    result = run_satchel("list", "-p", str(outdated_env), "--outdated", "--uptodate")
    assert result.returncode == 2 and "Traceback" not in result.stderr
