"""Bad input to `satchel venv`: one clear paragraph, exit 2, no traceback, nothing on disk."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SRC, target_interpreters

PYTHON = target_interpreters()[-1][1]


def assert_clean_error(result, *fragments: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr, result
    assert result.stderr.startswith("error: "), result
    for fragment in fragments:
        assert fragment in result.stderr, result


def test_unknown_version_lists_the_interpreters_found(tmp_path: Path, satchel) -> None:
    result = satchel("venv", "-p", "3.99", str(tmp_path / "env"))
    assert_clean_error(result, "no Python 3.99", "Interpreters found:", PYTHON)
    assert not (tmp_path / "env").exists()


def test_unknown_command_and_missing_path(tmp_path: Path, satchel) -> None:
    assert_clean_error(satchel("venv", "-p", "no-such-python", str(tmp_path / "a")), "no-such-python")
    assert_clean_error(satchel("venv", "-p", str(tmp_path / "nope" / "python"), str(tmp_path / "b")), "no such file")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("content", ["#!/bin/sh\nexit 3\n", "#!/bin/sh\necho not json\n", "not even a script"])
def test_broken_interpreter(tmp_path: Path, satchel, content: str) -> None:
    fake = tmp_path / "python3"
    fake.write_text(content)
    fake.chmod(0o755)
    result = satchel("venv", "-p", str(fake), str(tmp_path / "env"))
    assert_clean_error(result, str(fake))
    assert not (tmp_path / "env").exists()


def test_too_old_interpreter(tmp_path: Path, satchel) -> None:
    old = sorted(Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"), "versions").glob("3.7.*/bin/python3.7"))
    if not old:
        pytest.skip("no Python 3.7 under pyenv")
    assert_clean_error(satchel("venv", "-p", str(old[0]), str(tmp_path / "env")), "3.8 and newer")


def test_target_is_a_file(tmp_path: Path, satchel) -> None:
    target = tmp_path / "env"
    target.write_text("keep me")
    for extra in ([], ["--clear"]):
        assert_clean_error(satchel("venv", "-p", PYTHON, *extra, str(target)), "not a directory")
        assert target.read_text() == "keep me"


def test_non_empty_directory_needs_clear(tmp_path: Path, satchel) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert_clean_error(satchel("venv", "-p", PYTHON, "--without-pip", str(target)), "not a virtual environment", "--clear")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert satchel("venv", "-p", PYTHON, "--without-pip", "--clear", str(target)).returncode == 0
    assert (target / "pyvenv.cfg").is_file() and not (target / "notes.txt").exists()


def test_clear_refuses_the_current_directory(tmp_path: Path, satchel) -> None:
    (tmp_path / "src.py").write_text("")
    assert_clean_error(satchel("venv", "-p", PYTHON, "--clear", ".", cwd=tmp_path), "refusing")
    assert (tmp_path / "src.py").exists()


def test_empty_directory_is_fine(tmp_path: Path, satchel) -> None:
    target = tmp_path / "env"
    target.mkdir()
    assert satchel("venv", "-p", PYTHON, "--without-pip", str(target)).returncode == 0
    assert (target / "pyvenv.cfg").is_file()


def test_upgrade_and_clear_conflict(tmp_path: Path, satchel) -> None:
    assert_clean_error(satchel("venv", "--upgrade", "--clear", str(tmp_path / "env")), "--upgrade and --clear")


def test_path_separator_in_name(tmp_path: Path, satchel) -> None:
    assert_clean_error(satchel("venv", "-p", PYTHON, str(tmp_path / "a:b")), "':'")
    assert not (tmp_path / "a:b").exists()


def _make_unwritable(directory: Path) -> bool:
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return True
    chattr = shutil.which("chattr")
    return bool(chattr) and subprocess.run([chattr, "+i", str(directory)], capture_output=True).returncode == 0


def test_unwritable_parent(tmp_path: Path, satchel) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    if not _make_unwritable(parent):
        pytest.skip("can't make a directory unwritable here (root without chattr)")
    try:
        result = satchel("venv", "-p", PYTHON, str(parent / "env"))
        assert_clean_error(result, "can't create the environment", "ermission" if os.geteuid() else "not permitted")
        assert list(parent.iterdir()) == []
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(parent)], check=True)
        parent.chmod(0o755)


def test_missing_parents_are_created_and_removed_on_failure(tmp_path: Path, satchel) -> None:
    env = tmp_path / "a" / "b" / "env"
    assert satchel("venv", "-p", PYTHON, "--without-pip", str(env)).returncode == 0
    assert (env / "pyvenv.cfg").is_file()
    bad = tmp_path / "x" / "y" / "env"
    assert satchel("venv", "-p", "3.99", str(bad)).returncode == 2
    assert not (tmp_path / "x").exists()


def test_existing_env_is_updated_in_place_and_keeps_packages(tmp_path: Path, satchel) -> None:
    env = tmp_path / "env"
    assert satchel("venv", "-p", PYTHON, str(env)).returncode == 0
    site = next(env.glob("lib/python3.*/site-packages"))
    (site / "mine.py").write_text("x = 1\n")
    again = satchel("venv", "-p", PYTHON, "--prompt", "renamed", str(env))
    assert again.returncode == 0, again
    assert (site / "mine.py").exists()
    assert "prompt = 'renamed'" in (env / "pyvenv.cfg").read_text()
    assert "renamed" in (env / "bin" / "activate").read_text()


def test_clear_replaces_an_existing_env(tmp_path: Path, satchel) -> None:
    env = tmp_path / "env"
    assert satchel("venv", "-p", PYTHON, "--without-pip", str(env)).returncode == 0
    site = next(env.glob("lib/python3.*/site-packages"))
    (site / "mine.py").write_text("x = 1\n")
    assert satchel("venv", "-p", PYTHON, "--without-pip", "--clear", str(env)).returncode == 0
    assert not (site / "mine.py").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env"]


def test_upgrade_deps_takes_pip_from_the_index(tmp_path: Path, satchel, make_index) -> None:
    from support.wheels import make_wheel

    server = make_index()
    make_wheel(server.directory, "pip", "99.0")
    make_wheel(server.directory, "setuptools", "99.0")
    env = tmp_path / "env"
    result = satchel("venv", "-p", PYTHON, "--upgrade-deps", str(env), env=dict(os.environ, SATCHEL_INDEX_URL=server.url))
    assert result.returncode == 0, result
    freeze = satchel("freeze", "--all", "-p", str(env)).stdout
    assert "pip==99.0" in freeze
    assert ("setuptools==99.0" in freeze) == (PYTHON.endswith(("3.8", "3.9", "3.10", "3.11")))


def test_upgrade_deps_without_an_index_keeps_the_env_and_says_so(tmp_path: Path, satchel) -> None:
    env = tmp_path / "env"
    result = satchel("venv", "-p", PYTHON, "--upgrade-deps", str(env), env=dict(os.environ, SATCHEL_INDEX_URL="http://127.0.0.1:9/simple", SATCHEL_RETRIES="0", SATCHEL_TIMEOUT="2"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result
    assert "upgrading pip" in result.stderr
    assert (env / "pyvenv.cfg").is_file()


@pytest.mark.parametrize("delay", [0.05, 0.12, 0.2, 0.3, 0.45])
def test_sigkill_leaves_nothing_half_made(tmp_path: Path, delay: float) -> None:
    """Killed at any point, the target is absent or complete; the next run cleans up and works."""
    env = tmp_path / "env"
    cmd = [sys.executable, "-m", "satchel", "venv", "-p", PYTHON, str(env)]
    child_env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen(cmd, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if env.exists():
        check = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "--version"], capture_output=True)
        assert check.returncode == 0, "a killed run left a half-made environment"
    else:
        again = subprocess.run(cmd, env=child_env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "env"]
    if leftovers:  # the killed run's staging dir goes on the next run for this target
        subprocess.run(cmd + ["--without-pip"], env=child_env, check=True, capture_output=True)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "env"]
    assert leftovers == []


def test_ctrl_c_cleans_up(tmp_path: Path) -> None:
    env = tmp_path / "env"
    cmd = [sys.executable, "-m", "satchel", "venv", "-p", PYTHON, str(env)]
    proc = subprocess.Popen(cmd, env=dict(os.environ, PYTHONPATH=str(SRC)), stderr=subprocess.PIPE, text=True)
    time.sleep(0.15)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate()
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["env"])
