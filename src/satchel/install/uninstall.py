"""Which paths removing an installed distribution takes away, read from its RECORD.

Like pip: every RECORD path, the bytecode of each listed .py file, and the metadata directory
itself. Unlike a careless uninstaller: a RECORD path that leads outside the environment is
never touched (a RECORD is data from a package, not an instruction).
"""

from __future__ import annotations

import os

from satchel.errors import InstallError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.environment.model import InstalledDist

__all__ = ["removal_paths"]


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(os.path.join(root, ""))


def _record_paths(dist: InstalledDist) -> list[str]:
    import csv

    record = os.path.join(dist.metadata_dir, "RECORD")
    try:
        with open(record, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        if dist.metadata_dir.endswith(".egg-info"):
            raise InstallError(
                f"{dist.name} {dist.version} was installed without a file list (by setup.py install), "
                "so it can't be removed reliably.",
                input=dist.name,
                hint=f"remove {dist.metadata_dir} and the package's files by hand.",
            ) from None
        raise InstallError(
            f"{dist.name} {dist.version} has no RECORD file, so satchel can't know which files are its.",
            input=dist.name,
            hint=f"reinstall it with --force-reinstall, or remove {dist.metadata_dir} by hand.",
        ) from None
    return [os.path.normpath(os.path.join(dist.location, row[0])) for row in rows if row and row[0]]


def removal_paths(dist: InstalledDist, prefix: str) -> list[str]:
    """Existing files (and the metadata dir) that uninstalling `dist` removes, inside `prefix`."""
    root = os.path.realpath(prefix)
    found: dict[str, None] = {}
    for path in _record_paths(dist):
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        if not _inside(real, root) or not os.path.lexists(path):
            continue
        found[path] = None
        if path.endswith(".py"):
            cache = os.path.join(os.path.dirname(path), "__pycache__")
            stem = os.path.basename(path)[:-3] + "."
            try:
                names = os.listdir(cache)
            except OSError:
                continue
            for name in names:
                if name.startswith(stem) and name.endswith(".pyc"):
                    found[os.path.join(cache, name)] = None
    found[dist.metadata_dir] = None
    return list(found)
