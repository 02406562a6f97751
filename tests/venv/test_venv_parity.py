"""satchel venv makes what `python -m venv` makes: the same tree and pyvenv.cfg, for every
CPython 3.8-3.13 present, and a pip in it that runs and lists the same packages."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import target_interpreters

INTERPRETERS = target_interpreters()
# Activation scripts satchel writes beyond venv's (nushell and cmd, on every platform).
EXTRA_SCRIPTS = {"bin/activate.nu", "bin/activate.bat", "bin/deactivate.bat"}


def tree(root: Path) -> dict[str, str]:
    """relative path -> kind ("dir", "file", "file+x", "link:<target with root as ENV>")."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path).replace(str(root), "ENV")
                if name in dirnames:
                    dirnames.remove(name)
            elif path.is_dir():
                out[rel] = "dir"
            elif not name.endswith(".pyc"):
                out[rel] = "file+x" if os.access(path, os.X_OK) else "file"
    return out


def read_cfg(env: Path) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in (env / "pyvenv.cfg").read_text().splitlines() if line)
    return {key: value.replace(str(env), "ENV") for key, value in pairs}


def pip_freeze(env: Path) -> list[str]:
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, check=True,
    )
    return proc.stdout.splitlines()


@pytest.mark.parametrize("version,python", INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def test_same_as_python_m_venv(tmp_path: Path, satchel, version: str, python: str) -> None:
    ref = tmp_path / "ref" / "env"
    ours = tmp_path / "ours" / "env"
    subprocess.run([python, "-m", "venv", str(ref)], check=True, cwd=tmp_path)
    result = satchel("venv", "-p", python, str(ours), cwd=tmp_path)
    assert result.returncode == 0, result

    ref_tree, our_tree = tree(ref), tree(ours)
    assert set(our_tree) - set(ref_tree) == EXTRA_SCRIPTS
    assert {k: v for k, v in our_tree.items() if k not in EXTRA_SCRIPTS} == ref_tree
    assert read_cfg(ours) == read_cfg(ref)
    assert pip_freeze(ours) == pip_freeze(ref)
    # pip's own scripts are named for the target interpreter and run it
    minor = version.rsplit(".", 1)[0]
    proc = subprocess.run([str(ours / "bin" / f"pip{minor}"), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and str(ours) in proc.stdout, proc.stderr
    # no bytecode unless asked for, as in uv
    assert not list(ours.rglob("*.pyc"))


OPTION_CASES = [
    ["--without-pip"],
    ["--without-pip", "--system-site-packages"],
    ["--without-pip", "--prompt", "my prompt"],
    ["--without-pip", "--prompt", "."],
    ["--without-pip", "--copies"],
    ["--without-pip", "--symlinks", "--clear"],
]


@pytest.mark.parametrize("options", OPTION_CASES, ids=[" ".join(o) for o in OPTION_CASES])
@pytest.mark.parametrize("version,python", [INTERPRETERS[0], INTERPRETERS[-1]], ids=["oldest", "newest"])
def test_options_same_as_python_m_venv(
    tmp_path: Path, satchel, options: list[str], version: str, python: str
) -> None:
    workdir = tmp_path / "project dir"
    workdir.mkdir()
    ref, ours = tmp_path / "a" / "env", tmp_path / "b" / "env"
    subprocess.run([python, "-m", "venv", *options, str(ref)], check=True, cwd=workdir)
    result = satchel("venv", "-p", python, *options, str(ours), cwd=workdir)
    assert result.returncode == 0, result
    ref_tree, our_tree = tree(ref), tree(ours)
    assert {k: v for k, v in our_tree.items() if k not in EXTRA_SCRIPTS} == ref_tree
    ours_cfg, ref_cfg = read_cfg(ours), read_cfg(ref)
    if "." in options and tuple(map(int, version.split("."))) < (3, 9):
        # venv learnt `--prompt .` (the current directory's name) in 3.9; satchel has it for all
        assert (ours_cfg.pop("prompt"), ref_cfg.pop("prompt")) == ("'project dir'", "'.'")
    assert ours_cfg == ref_cfg
    if "--copies" in options:
        assert not (ours / "bin" / "python").is_symlink()
    proc = subprocess.run(
        [str(ours / "bin" / "python"), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True
    )
    assert proc.stdout.strip() == str(ours)


def test_system_site_packages_is_visible(tmp_path: Path, satchel) -> None:
    python = INTERPRETERS[-1][1]
    env = tmp_path / "env"
    assert satchel("venv", "-p", python, "--without-pip", "--system-site-packages", str(env)).returncode == 0
    code = "import site, sys; print(any(p.startswith(sys.base_prefix) for p in site.getsitepackages()))"
    proc = subprocess.run([str(env / "bin" / "python"), "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "True"


def test_pip_installs_from_satchel_env_and_uninstalls_itself(tmp_path: Path, satchel) -> None:
    """pip can manage what satchel installed: uninstall reads satchel's RECORD."""
    python = INTERPRETERS[-1][1]
    env = tmp_path / "env"
    assert satchel("venv", "-p", python, str(env)).returncode == 0
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-m", "pip", "uninstall", "-y", "pip"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert not (env / "bin" / "pip").exists()
    site = next(env.glob("lib/python3.*/site-packages"))
    assert not [p for p in site.iterdir() if p.name.startswith("pip")]
