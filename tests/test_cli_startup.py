"""The CLI's surface and its startup cost: `satchel --version` imports nothing it doesn't use."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import SRC

HEAVY = {"argparse", "json", "typing", "re", "subprocess", "packaging", "installer", "rich", "urllib3",
         "platformdirs", "filelock", "resolvelib", "zipfile", "hashlib", "satchel.commands"}


def imported_modules(*args: str) -> set[str]:
    """Modules `python -m satchel ARGS` imports beyond what the interpreter's startup (site,
    .pth files) already imports."""
    return _imports("-m", "satchel", *args) - _imports("-c", "pass")


def _imports(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(SRC)),
    )
    assert proc.returncode == 0, proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_version_imports_nothing_heavy() -> None:
    modules = imported_modules("--version")
    assert "satchel" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY}


def test_help_does_not_import_commands() -> None:
    modules = imported_modules("--help")
    assert not [m for m in modules if m.startswith(("satchel.commands", "satchel.venv", "satchel.install"))]


def test_version_and_help(satchel) -> None:
    from satchel import __version__

    version = satchel("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"satchel {__version__}"
    helped = satchel("--help")
    assert helped.returncode == 0 and "venv" in helped.stdout
    sub = satchel("venv", "--help")
    assert sub.returncode == 0 and "--without-pip" in sub.stdout and "--python" in sub.stdout


def test_unknown_option_is_a_usage_error(satchel) -> None:
    result = satchel("venv", "--no-such-option")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--no-such-option" in result.stderr


def test_no_command_shows_help(satchel) -> None:
    result = satchel()
    assert result.returncode == 2 and "venv" in result.stdout
