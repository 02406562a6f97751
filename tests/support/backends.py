"""Wheels of the PEP 517 build backends, repacked from the environment running the tests, so a
local index can serve them and builds from source work with no network.

    wheels = backend_wheels(tmp_path / "dists")
    # setuptools, hatchling, flit_core, editables, wheel (if installed) and what they need:
    # packaging, pathspec, pluggy, trove-classifiers, tomlkit, tomli (where it applies), ...

Each wheel is rebuilt from the installed files its RECORD lists (importlib.metadata), under the
site-packages root only: bytecode and anything installed elsewhere (`../../bin/...` scripts,
which the installer regenerates from entry_points.txt) are left out, as are the installer's own
files (INSTALLER, REQUESTED, direct_url.json). METADATA, entry_points.txt, licenses and the like
are kept; WHEEL (`Root-Is-Purelib: true`, `Tag: py3-none-any`) and RECORD are written afresh.
The archives are reproducible (sorted members, fixed timestamps), so every pytest-xdist worker
produces the same bytes.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import io
import stat
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .wheels import dist_name, record_hash

__all__ = ["BACKENDS", "OPTIONAL_BACKENDS", "BackendMissing", "backend_wheels", "repack_installed"]

#: Distributions every build test needs; their requirements (markers evaluated for the running
#: interpreter) are added to them. `editables` is what hatchling's `get_requires_for_build_editable`
#: always asks for (`editables~=0.3`).
BACKENDS = ("setuptools", "hatchling", "flit_core", "editables")
#: Added when installed: `wheel` is what setuptools < 70.1 asks for in `get_requires_for_build_wheel`
#: (and `..._editable`); newer setuptools builds wheels without it.
OPTIONAL_BACKENDS = ("wheel",)

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_GENERATOR = "satchel-tests (1.0)"
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "RECORD", "WHEEL", "direct_url.json"}
_BINARY_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
_HINT = "install the test extras there: pip install -e '.[test]'"


class BackendMissing(RuntimeError):
    """A build backend (or something it requires) isn't installed where the tests run."""


def _distribution(name: str, needed_by: str | None = None) -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        why = f" (required by {needed_by})" if needed_by else ""
        raise BackendMissing(
            f"{name}{why} is not installed in the environment running the tests ({sys.executable}), "
            f"and the tests of builds from source serve the build backends installed there from a local index; {_HINT}"
        ) from None


def _closure(names: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """The distributions `names` and everything they require here (no extras), sorted by name."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending: list[tuple[str, str | None]] = [(name, None) for name in names]
    while pending:
        name, needed_by = pending.pop()
        key = canonicalize_name(name)
        if key in found:
            continue
        dist = _distribution(name, needed_by)
        found[key] = dist
        for line in dist.requires or ():
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            installed = _distribution(requirement.name, dist.metadata["Name"])
            if not requirement.specifier.contains(installed.version, prereleases=True):
                raise BackendMissing(
                    f"{dist.metadata['Name']} {dist.version} requires {requirement}, but "
                    f"{installed.metadata['Name']} {installed.version} is installed; {_HINT}"
                )
            pending.append((requirement.name, dist.metadata["Name"]))
    return [found[key] for key in sorted(found)]


def _members(dist: importlib.metadata.Distribution) -> dict[str, tuple[bytes, bool]]:
    """{archive path: (bytes, executable)} of an installed distribution, `.dist-info` renamed to
    the wheel's spelling; WHEEL and RECORD not included."""
    name, version = dist.metadata["Name"], str(Version(dist.version))
    if dist.files is None:
        raise BackendMissing(f"{name} {version} has no RECORD to repack it from; reinstall it, or {_HINT}")
    root = Path(str(dist.locate_file(""))).resolve()
    dist_info = f"{dist_name(name)}-{version}.dist-info"
    members: dict[str, tuple[bytes, bool]] = {}
    for file in dist.files:
        parts = file.parts
        outside = not parts or file.is_absolute() or ".." in parts  # e.g. ../../bin scripts
        if outside or "__pycache__" in parts or file.suffix in (".pyc", ".pyo"):
            continue
        if parts[0].endswith(".dist-info"):
            if len(parts) == 2 and parts[1] in _INSTALLER_FILES:
                continue
            archive_path = "/".join((dist_info, *parts[1:]))
        else:
            archive_path = "/".join(parts)
        if archive_path.endswith(_BINARY_SUFFIXES):
            raise BackendMissing(f"{name} {version} has compiled files ({archive_path}), it can't be py3-none-any")
        path = root / Path(*parts)
        try:
            data = path.read_bytes()
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
        except OSError as error:
            raise BackendMissing(f"{name} {version}: {path} is unreadable ({error}); reinstall it, or {_HINT}") from None
        members[archive_path] = (data, executable)
    if f"{dist_info}/METADATA" not in members:
        raise BackendMissing(f"{name} {version}: no METADATA under {root}; reinstall it, or {_HINT}")
    if all(path.startswith(f"{dist_info}/") for path in members):
        raise BackendMissing(f"{name} {version} has no files under {root} (editable?); reinstall it, or {_HINT}")
    return members


@functools.lru_cache(maxsize=None)
def _wheel_bytes(name: str, version: str, location: str) -> tuple[str, bytes]:
    """(file name, bytes) of one repacked wheel; `location` keys the cache to one installation."""
    del location
    dist = importlib.metadata.distribution(name)
    version = str(Version(dist.version))
    dist_info = f"{dist_name(dist.metadata['Name'])}-{version}.dist-info"
    members = _members(dist)
    wheel_file = f"Wheel-Version: 1.0\nGenerator: {_GENERATOR}\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    members[f"{dist_info}/WHEEL"] = (wheel_file.encode("ascii"), False)
    ordered = sorted(members)  # the .dist-info sorts among the packages; installers don't mind
    lines = io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    writer.writerows([path, record_hash(members[path][0]), len(members[path][0])] for path in ordered)
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    record = lines.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in ordered + [f"{dist_info}/RECORD"]:
            data, executable = members[path] if path in members else (record.encode("utf-8"), False)
            info = zipfile.ZipInfo(path, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            archive.writestr(info, data)
    return f"{dist_name(dist.metadata['Name'])}-{version}-py3-none-any.whl", buffer.getvalue()


def repack_installed(name: str, directory: Path) -> Path:
    """Write `<directory>/<name>-<version>-py3-none-any.whl` from the installed distribution `name`."""
    dist = _distribution(name)
    filename, data = _wheel_bytes(dist.metadata["Name"], dist.version, str(dist.locate_file("")))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_bytes(data)
    return path


def backend_wheels(directory: Path) -> list[Path]:
    """Write wheels of the build backends installed here (BACKENDS, plus OPTIONAL_BACKENDS that are
    installed) and of everything they require into `directory`; return their paths, sorted.

    Raises BackendMissing (saying to `pip install -e '.[test]'`) when one isn't installed."""
    names = list(BACKENDS)
    for optional in OPTIONAL_BACKENDS:
        try:
            importlib.metadata.distribution(optional)
        except importlib.metadata.PackageNotFoundError:
            continue
        names.append(optional)
    if "wheel" not in names and "setuptools" in names:
        setuptools = _distribution("setuptools")
        if Version(setuptools.version) < Version("70.1"):  # it asks for `wheel` to build wheels
            _distribution("wheel", f"setuptools {setuptools.version}, to build wheels")
    return sorted(repack_installed(dist.metadata["Name"], directory) for dist in _closure(names))
