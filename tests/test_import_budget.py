"""The import budget of the start-up paths, measured on the real CLI with `python -X importtime`:
`satchel --version` imports no third-party module and none of satchel's subpackages but cli/
(its entry point), and a no-op install (the same `satchel install` a second time, answered from
memory) imports no third-party module at all.

What the interpreter imports before satchel runs (site, .pth files, sitecustomize) is measured
with `python -c pass` and left out: it is not satchel's to spend. test_cli_startup.py checks
the same two start-ups against a list of known heavy modules (and `--help`); this file checks
the rule itself, so a new dependency is caught the day it lands on the path.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SRC, run_satchel, target_interpreters
from support.index_server import IndexServer
from support.wheels import make_wheel

#: Where `satchel --version` runs (the entry point and what it stands on).
ENTRY = "satchel.cli"


@dataclass(frozen=True)
class Traced:
    """One run of `python -X importtime ...`: its exit code, stdout, and the modules it imported
    beyond those the interpreter's own start-up imports."""

    returncode: int
    stdout: str
    modules: frozenset[str]


def _importtime(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300,
        env=dict(os.environ, PYTHONPATH=str(SRC)),
    )  # fmt: skip
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line and not line.endswith("imported package")
    }
    return proc, names


def trace(*argv: str, cwd: Path | None = None) -> Traced:
    """`python -m satchel ARGV` under -X importtime (the test's isolated environment)."""
    _, baseline = _importtime("-c", "pass", cwd=cwd)
    proc, names = _importtime("-m", "satchel", *argv, cwd=cwd)
    return Traced(proc.returncode, proc.stdout, frozenset(names - baseline))


def third_party(modules: frozenset[str]) -> list[str]:
    """The modules that are neither the standard library's nor satchel's. -X importtime also
    lists imports that failed (the standard library's `copy` tries Jython's `org.python.core`):
    a top-level name that cannot be found here, in the same interpreter, was not imported."""
    tops = {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"satchel"}
    found = {top for top in tops if importlib.util.find_spec(top) is not None}
    return sorted(m for m in modules if m.split(".")[0] in found)


def satchel_modules(modules: frozenset[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] == "satchel")


def _subpackages() -> set[str]:
    return {f"satchel.{p.name}" for p in (SRC / "satchel").iterdir() if (p / "__init__.py").is_file()}


def test_version_imports_no_third_party_module_and_no_subpackage() -> None:
    traced = trace("--version")
    assert traced.returncode == 0 and traced.stdout.startswith("satchel "), traced
    assert "satchel" in traced.modules, "importtime saw no satchel at all: the measure is broken"
    assert third_party(traced.modules) == [], f"satchel --version imports {third_party(traced.modules)}"
    inside = [
        m for m in satchel_modules(traced.modules)
        if any(m == p or m.startswith(p + ".") for p in _subpackages() - {ENTRY})
    ]  # fmt: skip
    assert inside == [], f"satchel --version imports {inside} (of satchel: {satchel_modules(traced.modules)})"


@pytest.fixture
def links(tmp_path: Path) -> Path:
    """A --find-links directory with one wheel, `demo` 1.0."""
    directory = tmp_path / "links"
    directory.mkdir()
    make_wheel(directory, "demo", "1.0")
    return directory


@pytest.mark.parametrize("source", ["find-links", "index"])
def test_noop_install_imports_no_third_party_module(
    tmp_path: Path, links: Path, source: str, make_index: Callable[..., IndexServer]
) -> None:
    if source == "index":
        options = ["-i", make_index(links).url]
    else:
        options = ["--no-index", "--find-links", str(links)]
    env = tmp_path / "env"
    made = run_satchel("venv", "--without-pip", "-p", target_interpreters()[-1][1], str(env))
    assert made.returncode == 0, made
    argv = ["install", "-p", str(env), *options, "demo"]
    first = run_satchel(*argv, cwd=tmp_path)
    assert first.returncode == 0 and "Successfully installed demo-1.0" in first.stdout, first

    noop = trace(*argv, cwd=tmp_path)
    assert noop.returncode == 0 and noop.stdout.startswith("Requirement already satisfied: demo in "), noop
    found = third_party(noop.modules)
    assert found == [], (
        f"a no-op install imports third-party modules {found}; "
        f"of satchel it imports {satchel_modules(noop.modules)}"
    )
