"""What a virtual environment's interpreter would say of itself, worked out from its base
interpreter's (cached) probe and its pyvenv.cfg, without starting it.

A new environment's interpreter has never been probed, and probing costs a process (60-110 ms)
on every install into a fresh venv. For the common case the answer is known: a venv whose
interpreter is a symlink to a probed CPython, without system site-packages, sees the base's
standard library, its own site-packages, and the directories its .pth files add. Anything
else (copies, system site-packages, .pth files that run code other than the well-known
harmless ones, a version mismatch) returns None, and the caller probes for real.

tests/interpreters checks that the result equals a real probe for every target interpreter.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from satchel.interpreters.info import InterpreterInfo

__all__ = ["derive_venv_info"]

# .pth files whose `import` lines don't touch sys.path (setuptools', editables', virtualenv's)
_HARMLESS_PTH = ("distutils-precedence.pth", "_virtualenv.pth")
_HARMLESS_PTH_PREFIXES = ("__editable__", "_editable_impl_")


def _read_cfg(path: str) -> dict[str, str] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def derive_venv_info(executable: str, probe_base: Callable[[str], InterpreterInfo]) -> dict[str, object] | None:
    """The probe answer for `executable` (a venv's interpreter), or None when it can't be
    known without running it. `probe_base` probes (from its cache) the base interpreter."""
    if os.name == "nt":
        return None
    executable = os.path.abspath(executable)
    prefix = os.path.dirname(os.path.dirname(executable))
    cfg = _read_cfg(os.path.join(prefix, "pyvenv.cfg"))
    if cfg is None or cfg.get("include-system-site-packages", "false").lower() != "false":
        return None
    real = os.path.realpath(executable)
    if real == executable or not os.path.isfile(real):
        return None  # --copies: the base is only known by running it
    base = probe_base(real).raw
    if base.get("prefix") != base.get("base_prefix") or base.get("implementation") != "cpython":
        return None
    version = ".".join(str(part) for part in list(base["version_info"])[:3])
    declared = cfg.get("version") or cfg.get("version_info") or ""
    if declared and not declared.startswith(version):
        return None  # the base was upgraded or replaced since the venv was made
    venv_paths: dict[str, str] = dict(base["venv_paths"])
    site_dirs = _site_dirs(prefix, venv_paths)
    if site_dirs is None:
        return None
    stdlib = [p for p in base["sys_path"] if _is_stdlib_entry(p, base["version_info"])]
    base_paths: dict[str, str] = dict(base["paths"])
    major, minor = list(base["version_info"])[:2]
    return {
        **base,
        "executable": executable,
        "base_executable": real if (major, minor) >= (3, 11) else executable,
        "prefix": prefix,
        "sys_path": stdlib + site_dirs,
        "user_site": None,
        "paths": {
            "purelib": os.path.join(prefix, venv_paths["purelib"]),
            "platlib": os.path.join(prefix, venv_paths["platlib"]),
            "include": base_paths["include"],
            "scripts": os.path.join(prefix, venv_paths["scripts"]),
            "data": prefix,
        },
    }


def _is_stdlib_entry(path: str, version_info: list[int]) -> bool:
    major, minor = version_info[:2]
    return os.path.basename(path) in (f"python{major}{minor}.zip", f"python{major}.{minor}", "lib-dynload")


def _site_dirs(prefix: str, venv_paths: dict[str, str]) -> list[str] | None:
    """The venv's site-packages (platlib first, as site.py orders them; existing ones only) and
    what their .pth files add; None when a .pth file runs code that might change sys.path."""
    found: list[str] = []
    for key in ("platlib", "purelib"):
        directory = os.path.join(prefix, venv_paths[key])
        if directory in found or not os.path.isdir(directory):
            continue
        found.append(directory)
        try:
            names = sorted(name for name in os.listdir(directory) if name.endswith(".pth") and not name.startswith("."))
        except OSError:
            return None
        for name in names:
            entries = _pth_entries(directory, name)
            if entries is None:
                return None
            found.extend(entry for entry in entries if entry not in found)
    return found


def _pth_entries(directory: str, name: str) -> list[str] | None:
    try:
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    harmless = name in _HARMLESS_PTH or name.startswith(_HARMLESS_PTH_PREFIXES)
    entries = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(("import ", "import\t")):
            if harmless:
                continue
            return None
        path = os.path.normpath(os.path.join(directory, line.rstrip()))
        if os.path.exists(path):
            entries.append(path)
    return entries
