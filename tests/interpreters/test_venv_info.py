"""A venv's interpreter described without running it (from its base's probe and pyvenv.cfg)
must say exactly what running the probe in it says; where that can't be known (copies,
system site-packages, a .pth file that runs code) it must decline, so the real probe runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import SRC, own_cache, run_satchel, target_interpreters
from satchel.interpreters.probe import probe
from satchel.interpreters.venv_info import derive_venv_info

PROBE = SRC / "satchel" / "interpreters" / "_probe.py"


def real_probe(python: Path) -> dict[str, object]:
    proc = subprocess.run([str(python), "-E", str(PROBE)], capture_output=True, text=True, check=True)
    return dict(json.loads(proc.stdout))


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3.*/site-packages"))


@pytest.mark.parametrize("version, python", target_interpreters(), ids=[v for v, _ in target_interpreters()])
@pytest.mark.parametrize("maker", ["venv", "satchel"])
def test_derived_equals_probed(tmp_path: Path, version: str, python: str, maker: str) -> None:
    env = tmp_path / "env dir"
    if maker == "venv":
        subprocess.run([python, "-m", "venv", str(env)], check=True, capture_output=True)
    else:
        assert run_satchel("venv", "-p", python, str(env)).returncode == 0
    # what .pth files add counts too: a directory (as editable installs add), a missing one
    (tmp_path / "project src").mkdir()
    (site_packages(env) / "zz_editable.pth").write_text(f"# comment\n{tmp_path / 'project src'}\n/no/such/dir\n")
    derived = derive_venv_info(str(env / "bin" / "python"), lambda exe: probe(exe, own_cache()))
    assert derived is not None
    assert derived == real_probe(env / "bin" / "python")


@pytest.mark.parametrize("case", ["copies", "system-site-packages", "code-in-pth"])
def test_declines_what_it_cannot_know(tmp_path: Path, case: str) -> None:
    python = target_interpreters()[-1][1]
    env = tmp_path / "env"
    options = {"copies": ["--copies"], "system-site-packages": ["--system-site-packages"], "code-in-pth": []}[case]
    subprocess.run([python, "-m", "venv", "--without-pip", *options, str(env)], check=True, capture_output=True)
    if case == "code-in-pth":
        (site_packages(env) / "hook.pth").write_text("import sys; sys.path.append('/somewhere')\n")
    assert derive_venv_info(str(env / "bin" / "python"), lambda exe: probe(exe, own_cache())) is None
    # and the probe, which runs the interpreter then, still describes it
    assert probe(str(env / "bin" / "python"), own_cache()).prefix == str(env)
