"""Installs and uninstalls are transactions: all or nothing after a failure, a SIGKILL at any
point, or a concurrent satchel; what satchel installs pip can uninstall, and the other way."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SRC, run_satchel, target_interpreters
from support.wheels import make_wheel
from support.snapshots import snapshot

PYTHON = target_interpreters()[-1][1]
DRIVER = Path(__file__).with_name("txdriver.py")


def drive(env: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(env / "bin" / "python"), *args],
        capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(SRC)),
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def pip(env: Path, *args: str) -> str:
    proc = subprocess.run([str(env / "bin" / "python"), "-m", "pip", *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def env(tmp_path: Path) -> Path:
    path = tmp_path / "env"
    assert run_satchel("venv", "-p", PYTHON, str(path)).returncode == 0
    return path


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tx-wheels")
    many = {f"bulk/sub{i // 100}/mod{i}.py": f"X = {i}\n" for i in range(2000)}
    return {
        "demo1": make_wheel(root, "demo", "1.0", files={"demo/old_only.py": "OLD = 1\n"},
                            entry_points={"console_scripts": {"demo": "demo:main"}}),
        "demo2": make_wheel(root, "demo", "2.0", files={"demo/new_only.py": "NEW = 1\n"},
                            entry_points={"console_scripts": {"demo": "demo:main", "demo-two": "demo:main"}},
                            data_files={"data/share/demo/readme.txt": "hello\n"}),
        "bulk1": make_wheel(root, "bulk", "1.0", files=many),
        "bulk2": make_wheel(root, "bulk", "2.0", files={k.replace("mod", "m2_"): v for k, v in many.items()}),
        "other": make_wheel(root, "other", "1.0"),
    }


def test_install_then_pip_sees_and_uninstalls_it(env: Path, wheels: dict[str, Path]) -> None:
    before = snapshot(env)
    drive(env, "--add", str(wheels["demo2"]), "--add", str(wheels["other"]))
    assert "demo==2.0" in pip(env, "freeze") and "other==1.0" in pip(env, "freeze")
    out = subprocess.run([str(env / "bin" / "demo-two")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (env / "share" / "demo" / "readme.txt").read_text() == "hello\n"
    pip(env, "uninstall", "-y", "demo", "other")
    left = snapshot(env)
    assert left.pop("share") == "dir"  # pip leaves the emptied data directory's parent
    assert left == before


def test_same_files_as_pip_installs(tmp_path: Path, env: Path, wheels: dict[str, Path]) -> None:
    ref = tmp_path / "ref"
    assert run_satchel("venv", "-p", PYTHON, str(ref)).returncode == 0
    pip(ref, "install", "--no-compile", "--no-deps", "--no-index", "--find-links", str(wheels["demo2"].parent), "demo==2.0")
    drive(env, "--add", str(wheels["demo2"]))
    ours = {k for k in snapshot(env)}
    theirs = {k.replace(str(ref), str(env)) for k in snapshot(ref)}
    assert ours == theirs
    record = (next(env.glob("lib/python3.*/site-packages/demo-2.0.dist-info")) / "RECORD").read_text()
    assert "../../../bin/demo-two," in record and "../../../share/demo/readme.txt," in record


def test_satchel_uninstalls_what_pip_installed(tmp_path: Path, env: Path, wheels: dict[str, Path]) -> None:
    ref = tmp_path / "ref"
    assert run_satchel("venv", "-p", PYTHON, str(ref)).returncode == 0
    for target in (env, ref):  # with bytecode, as pip does
        pip(target, "install", "--no-deps", "--no-index", "--find-links", str(wheels["demo2"].parent), "demo==2.0")
    result = run_satchel("uninstall", "-y", "-p", str(env), "demo")
    assert result.returncode == 0, result
    assert result.stdout == pip(ref, "uninstall", "-y", "demo").replace(str(ref), str(env))
    assert set(snapshot(env)) == {k.replace(str(ref), str(env)) for k in snapshot(ref)}


def test_upgrade_replaces_old_files(env: Path, wheels: dict[str, Path]) -> None:
    drive(env, "--add", str(wheels["demo1"]))
    site = next(env.glob("lib/python3.*/site-packages"))
    assert (site / "demo" / "old_only.py").exists()
    drive(env, "--add", str(wheels["demo2"]), "--remove", "demo")
    assert not (site / "demo" / "old_only.py").exists() and (site / "demo" / "new_only.py").exists()
    assert not (site / "demo-1.0.dist-info").exists()
    assert "demo==2.0" in pip(env, "freeze")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("chattr"), reason="needs root's chattr")
def test_failure_midway_is_rolled_back(env: Path, wheels: dict[str, Path]) -> None:
    drive(env, "--add", str(wheels["demo1"]))
    before = snapshot(env)
    subprocess.run(["chattr", "+i", str(env / "bin")], check=True)  # scripts can't go in
    try:
        proc = drive(env, "--add", str(wheels["demo2"]), "--add", str(wheels["bulk1"]), "--remove", "demo", check=False)
    finally:
        subprocess.run(["chattr", "-i", str(env / "bin")], check=True)
    assert proc.returncode != 0
    assert "undone" in proc.stderr
    assert snapshot(env) == before
    assert list((env / ".satchel").iterdir()) == [env / ".satchel" / "lock"]


@pytest.mark.parametrize("delay", [0.2, 0.35, 0.5, 0.65, 0.8, 1.0, 1.3])
def test_sigkill_leaves_before_or_after(env: Path, wheels: dict[str, Path], delay: float) -> None:
    drive(env, "--add", str(wheels["bulk1"]))
    before = snapshot(env)
    drive(env, "--add", str(wheels["bulk2"]), "--remove", "bulk")  # to learn the "after" state
    after = snapshot(env)
    drive(env, "--add", str(wheels["bulk1"]), "--remove", "bulk")
    assert snapshot(env) == before
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(env / "bin" / "python"), "--add", str(wheels["bulk2"]), "--remove", "bulk"],
        env=dict(os.environ, PYTHONPATH=str(SRC)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    recovered = drive(env, "--recover-only")
    state = snapshot(env)
    assert state in (before, after), "an interrupted install left the environment in between"
    if recovered.stdout.strip():
        assert recovered.stdout.startswith(("undid", "finished"))
    assert [p.name for p in (env / ".satchel").iterdir()] == ["lock"]


def test_a_second_satchel_waits_for_the_first(env: Path, wheels: dict[str, Path]) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, str(DRIVER), str(env / "bin" / "python"), "--add", str(wheels[name])],
            env=dict(os.environ, PYTHONPATH=str(SRC)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("bulk1", "other")
    ]
    results = [proc.communicate() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), results
    freeze = pip(env, "freeze")
    assert "bulk==1.0" in freeze and "other==1.0" in freeze


def test_freeze_finishes_an_interrupted_install_first(env: Path, wheels: dict[str, Path]) -> None:
    """A read-only command never shows a half-changed environment: it recovers first."""
    before = snapshot(env)
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(env / "bin" / "python"), "--add", str(wheels["bulk1"])],
        env=dict(os.environ, PYTHONPATH=str(SRC)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    journal_seen = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        if list((env / ".satchel").glob("tx-*/journal.json")):
            journal_seen = True
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait()
    result = run_satchel("freeze", "-p", str(env))
    assert result.returncode == 0, result
    if journal_seen:
        assert "satchel: " in result.stderr and ("undid" in result.stderr or "finished" in result.stderr)
    assert snapshot(env) == before or "bulk==1.0" in result.stdout
    assert not list((env / ".satchel").glob("tx-*"))
