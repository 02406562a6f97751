"""Find the interpreter a -p/--python value names: on PATH, under pyenv's versions, or by path.

Versions are read from file and directory names first (python3.12, ~/.pyenv/versions/3.12.1)
so that a search probes only the interpreter it picks, plus any bare `python3` on PATH.
pyenv's shims are skipped: they are slow wrappers around the interpreters found directly.
"""

from __future__ import annotations

import os
import sys

from satchel.errors import InterpreterNotFound, SatchelError
from satchel.interpreters.info import InterpreterInfo
from satchel.interpreters.probe import probe
from satchel.interpreters.spec import PythonRequest, VersionRequest, parse_request

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

    from satchel.cache.layout import Cache

__all__ = ["default_interpreter", "find_environment", "find_interpreter"]

_EXE_SUFFIX = ".exe" if os.name == "nt" else ""
_NAMED = r"^python(\d)\.(\d+)$"
_PYENV_VERSION_DIR = r"^(\d+)\.(\d+)\.(\d+)$"


def _match(pattern: str, text: str) -> re.Match[str] | None:
    import re  # only interpreter searches need it

    return re.match(pattern, text)


def default_interpreter(cache: Cache) -> InterpreterInfo:
    """The interpreter satchel runs on, as `python -m venv` would use it (the base, not a venv)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return probe(base, cache)


def find_interpreter(text: str | None, cache: Cache) -> InterpreterInfo:
    """The interpreter for a -p value (None: the one satchel runs on)."""
    if not text:
        return default_interpreter(cache)
    request = parse_request(text)
    if request.path is not None:
        return probe(_from_path(request), cache)
    if request.command is not None:
        return probe(_from_command(request, cache), cache)
    assert request.version is not None
    return _from_version(request.version, cache)


def find_environment(python: str | None, cache: Cache, *, system: bool = False) -> InterpreterInfo:
    """The environment a command works on: -p/--python, else the interpreter satchel runs on
    with --system, else $VIRTUAL_ENV, else the nearest .venv in the current directory or above."""
    if python:
        return find_interpreter(python, cache)
    if system:
        return default_interpreter(cache)
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        found = _venv_python(active)
        if found is None:
            raise InterpreterNotFound(
                f"VIRTUAL_ENV is set to {active}, but there is no environment there.",
                input=active,
                hint="run `deactivate`, or pass the environment with -p/--python.",
            )
        return probe(found, cache)
    directory = os.getcwd()
    while True:
        candidate = os.path.join(directory, ".venv")
        if os.path.isfile(os.path.join(candidate, "pyvenv.cfg")):
            found = _venv_python(candidate)
            if found is not None:
                return probe(found, cache)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    raise InterpreterNotFound(
        f"no virtual environment found: none is active and there is no .venv in {os.getcwd()} or above.",
        hint="make one with `satchel venv`, activate one, pass -p/--python, or --system for the interpreter satchel runs on.",
    )


def _venv_python(directory: str) -> str | None:
    for rel in ("bin/python", "Scripts/python.exe", "bin/python3"):
        candidate = os.path.join(directory, rel)
        if os.path.isfile(candidate):
            return candidate
    return None


def _from_path(request: PythonRequest) -> str:
    assert request.path is not None
    path = request.path
    if os.path.isdir(path):
        found = _venv_python(path)
        if found is None:
            raise InterpreterNotFound(
                f"-p {request.text}: the directory {path} holds no Python interpreter.",
                input=request.text,
                hint="pass an interpreter's path, a virtual environment's directory, or a version like 3.12.",
            )
        return found
    if not os.path.exists(path):
        raise InterpreterNotFound(
            f"-p {request.text}: no such file {path}.",
            input=request.text,
            hint="pass an interpreter's path, a virtual environment's directory, or a version like 3.12.",
        )
    return path


def _from_command(request: PythonRequest, cache: Cache) -> str:
    import shutil

    assert request.command is not None
    found = shutil.which(request.command)
    if found is None:
        raise InterpreterNotFound(
            f"-p {request.text}: no command {request.command!r} on PATH.",
            input=request.text,
            context=_found_listing(cache),
            hint="pass a version like 3.12 or an interpreter's path.",
        )
    return found


def _is_shims(directory: str) -> bool:
    return os.path.basename(directory.rstrip(os.sep)) == "shims"


def _pyenv_versions_dir() -> str:
    root = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    return os.path.join(root, "versions")


def _pyenv_interpreters() -> list[tuple[tuple[int, int, int], str]]:
    """pyenv's CPython builds, newest first, with the version their directory names."""
    versions_dir = _pyenv_versions_dir()
    try:
        entries = os.listdir(versions_dir)
    except OSError:
        return []
    parsed: list[tuple[tuple[int, int, int], str]] = []
    for entry in entries:
        match = _match(_PYENV_VERSION_DIR, entry)
        if match:
            major, minor, micro = (int(part) for part in match.groups())
            exe = os.path.join(versions_dir, entry, "bin", f"python{major}.{minor}")
            if os.path.isfile(exe):
                parsed.append(((major, minor, micro), exe))
    return sorted(parsed, reverse=True)


def _candidates() -> list[tuple[tuple[int, int, int] | None, str]]:
    """(version if its name tells, executable) for every interpreter we can see, in PATH order.

    pyenv's shims directory stands for pyenv's versions at its place in PATH (the shims only
    forward to them, slowly); pyenv's versions come after PATH when no shims are on it.
    """
    found: list[tuple[tuple[int, int, int] | None, str]] = []
    seen: set[str] = set()
    pyenv_added = False

    def add(version: tuple[int, int, int] | None, path: str) -> None:
        real = os.path.realpath(path)
        if real not in seen and os.access(path, os.X_OK):
            seen.add(real)
            found.append((version, path))

    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not os.path.isdir(directory):
            continue
        if _is_shims(directory):
            if not pyenv_added:
                pyenv_added = True
                for version, exe in _pyenv_interpreters():
                    add(version, exe)
            continue
        try:
            names = sorted(os.listdir(directory), reverse=True)
        except OSError:
            continue
        for name in names:
            stem = name.removesuffix(_EXE_SUFFIX) if _EXE_SUFFIX else name
            if _match(_NAMED, stem) or stem in ("python3", "python"):
                add(None, os.path.join(directory, name))
    if not pyenv_added:
        for version, exe in _pyenv_interpreters():
            add(version, exe)
    return found


def _known_version(path: str, version: tuple[int, int, int] | None, cache: Cache) -> tuple[int, int, int] | None:
    """The version of a candidate, from its name where that tells, else by probing it."""
    if version is not None:
        return version
    try:
        return probe(path, cache).version
    except SatchelError:  # a broken candidate is just not a match
        return None


def _from_version(request: VersionRequest, cache: Cache) -> InterpreterInfo:
    unusable: SatchelError | None = None
    for name_version, path in _candidates():
        named = _match(_NAMED, os.path.basename(path).removesuffix(_EXE_SUFFIX))
        if name_version is None and named and request.minor is not None:
            if (int(named.group(1)), int(named.group(2))) != (request.major, request.minor):
                continue  # python3.11 can't be 3.12; don't probe it
        if name_version is not None and not request.matches(name_version):
            continue
        try:
            info = probe(path, cache)
        except SatchelError as exc:
            unusable = unusable or exc  # matches by name, but doesn't work
            continue
        if request.matches(info.version, info.implementation):
            return info
    if unusable is not None:
        raise unusable
    raise InterpreterNotFound(
        f"-p {request.text}: no Python {request.text} found on PATH or under {_pyenv_versions_dir()}.",
        input=request.text,
        context=_found_listing(cache),
        hint="install that version (for example with pyenv), or pass an interpreter's path.",
    )


def _found_listing(cache: Cache) -> str:
    lines = []
    for version, path in _candidates():
        known = _known_version(path, version, cache)
        if known is None:
            label = "not a working Python"
        else:
            label = "%d.%d.%d" % known + (" (too old)" if known < (3, 8) else "")
        lines.append(f"  {label:<18} {path}")
    if not lines:
        return "No Python interpreters were found on PATH or under pyenv."
    return "Interpreters found:\n" + "\n".join(lines)
