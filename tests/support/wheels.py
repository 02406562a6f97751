"""Distributions built byte by byte for the tests: wheels (`make_wheel`), minimal sdists
(`make_sdist`) and the PEP 658 metadata of a wheel (`core_metadata`).

The archives are reproducible: fixed timestamps, sorted members and fixed permissions, so the
same arguments give the same bytes (and the same sha256) in every process and every session.

    wheel = make_wheel(tmp_path, "demo", "2.0", requires_dist=["leaf>=1"],
                       extras={"async": ["asynclib>=1"]}, requires_python=">=3.8")
    assert wheel.name == "demo-2.0-py3-none-any.whl"
    assert b"Requires-Dist: asynclib>=1; extra == \"async\"" in core_metadata(wheel)
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.version import Version

__all__ = [
    "DATA_SCHEMES",
    "core_metadata",
    "dist_name",
    "is_purelib_tag",
    "make_sdist",
    "make_wheel",
    "module_name",
    "normalize",
    "record_hash",
    "wheel_filename",
]

#: Subdirectories of `<dist>-<version>.data/` that installers map onto scheme paths.
DATA_SCHEMES = ("scripts", "data", "headers", "purelib", "platlib")

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_TAR_EPOCH = 315532800  # 1980-01-01, the same instant as the zip timestamps
_GENERATOR = "satchel-tests (1.0)"

Contents = Mapping[str, "bytes | str"]


def normalize(name: str) -> str:
    """PEP 503 project-name normalisation: `Foo_Bar.baz` -> `foo-bar-baz`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_name(name: str) -> str:
    """The name as it appears in wheel and sdist file names and in `.dist-info`: `foo_bar`."""
    return normalize(name).replace("-", "_")


def module_name(name: str) -> str:
    """The importable package each built distribution contains (same as `dist_name`)."""
    return dist_name(name)


def record_hash(data: bytes) -> str:
    """A RECORD hash field: `sha256=<urlsafe base64 without padding>`."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def wheel_filename(name: str, version: str, tag: str = "py3-none-any", build_tag: str | int | None = None) -> str:
    """`{dist}-{version}[-{build}]-{python}-{abi}-{platform}.whl` with the name normalised."""
    build = f"-{build_tag}" if build_tag is not None else ""
    return f"{dist_name(name)}-{Version(version)}{build}-{tag}.whl"


def is_purelib_tag(tag: str) -> bool:
    """Whether a wheel with this (possibly compressed) tag installs into purelib: no ABI, any platform."""
    _, abi, platform = tag.split("-")
    return abi == "none" and platform == "any"


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _expand_tags(tag: str) -> list[str]:
    """`py2.py3-none-any` -> `py2-none-any`, `py3-none-any` (one `Tag:` line each in WHEEL)."""
    pythons, abis, platforms = (part.split(".") for part in tag.split("-"))
    return [f"{p}-{a}-{pl}" for p in pythons for a in abis for pl in platforms]


def _extra_requirement(requirement: str, extra: str) -> str:
    """`x>=1` (or `x>=1; marker`) needed only with `extra`, as a `Requires-Dist` value."""
    spec, _, marker = requirement.partition(";")
    condition = f'extra == "{extra}"'
    if marker.strip():
        condition = f"({marker.strip()}) and {condition}"
    return f"{spec.strip()}; {condition}"


def _requirements(requires_dist: Iterable[str], extras: Mapping[str, Iterable[str]]) -> list[str]:
    lines = list(requires_dist)
    for extra, requirements in extras.items():
        lines.extend(_extra_requirement(requirement, extra) for requirement in requirements)
    return lines


def _metadata(
    name: str,
    version: str,
    *,
    requires_dist: Iterable[str],
    extras: Mapping[str, Iterable[str]],
    requires_python: str | None,
    metadata_version: str,
) -> bytes:
    """Core metadata (METADATA / PKG-INFO) in the email-header format."""
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {name} {version}, built by satchel's test suite",
    ]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Provides-Extra: {extra}" for extra in extras)
    lines.extend(f"Requires-Dist: {line}" for line in _requirements(requires_dist, extras))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _wheel_file(tag: str, build_tag: str | int | None) -> bytes:
    lines = ["Wheel-Version: 1.0", f"Generator: {_GENERATOR}", f"Root-Is-Purelib: {str(is_purelib_tag(tag)).lower()}"]
    lines.extend(f"Tag: {expanded}" for expanded in _expand_tags(tag))
    if build_tag is not None:
        lines.append(f"Build: {build_tag}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _entry_points_file(entry_points: Mapping[str, Mapping[str, str]]) -> bytes:
    sections = []
    for group, entries in entry_points.items():
        body = "".join(f"{key} = {value}\n" for key, value in entries.items())
        sections.append(f"[{group}]\n{body}")
    return "\n".join(sections).encode("utf-8")


def _module_source(name: str, version: str) -> bytes:
    """The package's `__init__.py`: a version and a `main()` for console scripts (3.8-compatible)."""
    return (
        f'"""{name} {version}: a distribution built by satchel\'s test suite."""\n'
        f'__version__ = "{version}"\n\n\n'
        f"def main():\n"
        f'    print("{name} {version}")\n'
    ).encode("utf-8")


def _data_members(data_dir: str, data_files: Contents) -> dict[str, bytes]:
    """`{"scripts/tool": ...}` -> `{"<dist>.data/scripts/tool": ...}`, refusing unknown schemes."""
    members = {}
    for relative, data in data_files.items():
        scheme = relative.split("/", 1)[0]
        if scheme not in DATA_SCHEMES or "/" not in relative:
            raise ValueError(f"data file {relative!r} must start with one of {', '.join(DATA_SCHEMES)}/")
        members[f"{data_dir}/{relative}"] = _as_bytes(data)
    return members


def _record(members: Mapping[str, bytes], record_path: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for path, data in members.items():
        writer.writerow([path, record_hash(data), len(data)])
    writer.writerow([record_path, "", ""])
    return buffer.getvalue().encode("utf-8")


def _write_zip(path: Path, members: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            info = zipfile.ZipInfo(member, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            parts = member.split("/")
            executable = len(parts) > 2 and parts[0].endswith(".data") and parts[1] == "scripts"
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            archive.writestr(info, data)


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    *,
    requires_dist: Iterable[str] = (),
    extras: Mapping[str, Iterable[str]] | None = None,
    requires_python: str | None = None,
    tag: str = "py3-none-any",
    files: Contents | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    data_files: Contents | None = None,
    build_tag: str | int | None = None,
    metadata_version: str = "2.1",
) -> Path:
    """Build `<directory>/<wheel filename>` and return its path.

    - `requires_dist`: `Requires-Dist` values, markers allowed (`"x; sys_platform == 'win32'"`).
    - `extras`: `{"async": ["x>=1"]}` -> `Provides-Extra: async` + `Requires-Dist: x>=1; extra == "async"`.
    - `tag`: the wheel tag (compressed tags like `py2.py3-none-any` allowed); `Root-Is-Purelib`
      is true only for `none` ABI + `any` platform.
    - `files`: extra members relative to the wheel root (`{"demo/util.py": "X = 1"}`); they may
      replace the default `<module>/__init__.py`, which holds `__version__` and `main()`.
    - `entry_points`: `{"console_scripts": {"demo": "demo:main"}}`.
    - `data_files`: `{"scripts/tool": ..., "data/share/x.txt": ..., "headers/x.h": ...}` placed
      under `<dist>-<version>.data/`.
    """
    version = str(Version(version))
    dist_info = f"{dist_name(name)}-{version}.dist-info"
    members: dict[str, bytes] = {f"{module_name(name)}/__init__.py": _module_source(name, version)}
    members.update({path: _as_bytes(data) for path, data in (files or {}).items()})
    members.update(_data_members(f"{dist_name(name)}-{version}.data", data_files or {}))
    members[f"{dist_info}/METADATA"] = _metadata(
        name,
        version,
        requires_dist=requires_dist,
        extras=extras or {},
        requires_python=requires_python,
        metadata_version=metadata_version,
    )
    members[f"{dist_info}/WHEEL"] = _wheel_file(tag, build_tag)
    if entry_points:
        members[f"{dist_info}/entry_points.txt"] = _entry_points_file(entry_points)
    members[f"{dist_info}/RECORD"] = _record(members, f"{dist_info}/RECORD")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / wheel_filename(name, version, tag, build_tag)
    _write_zip(path, members)
    return path


def core_metadata(wheel: Path) -> bytes:
    """The bytes of the wheel's `.dist-info/METADATA` (what a PEP 658 `.metadata` file serves)."""
    with zipfile.ZipFile(wheel) as archive:
        candidates = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(candidates) != 1:
            raise ValueError(f"{wheel.name}: expected one .dist-info/METADATA, found {candidates}")
        return archive.read(candidates[0])


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _pyproject(
    name: str,
    version: str,
    requires_dist: Iterable[str],
    extras: Mapping[str, Iterable[str]],
    requires_python: str | None,
) -> bytes:
    """A setuptools-backed pyproject.toml declaring the one package `module_name(name)`."""
    lines = [
        "[build-system]",
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {json.dumps(name)}",
        f"version = {json.dumps(version)}",
        f"dependencies = {_toml_list(requires_dist)}",
    ]
    if requires_python:
        lines.append(f"requires-python = {json.dumps(requires_python)}")
    if extras:
        lines += ["", "[project.optional-dependencies]"]
        lines += [f"{json.dumps(extra)} = {_toml_list(reqs)}" for extra, reqs in extras.items()]
    lines += ["", "[tool.setuptools]", f"packages = [{json.dumps(module_name(name))}]"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write_tar_gz(path: Path, members: Mapping[str, bytes]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for member, data in members.items():
                info = tarfile.TarInfo(member)
                info.size, info.mtime, info.mode = len(data), _TAR_EPOCH, 0o644
                archive.addfile(info, io.BytesIO(data))


def make_sdist(
    directory: Path,
    name: str,
    version: str,
    *,
    requires_dist: Iterable[str] = (),
    extras: Mapping[str, Iterable[str]] | None = None,
    requires_python: str | None = None,
    metadata_version: str = "2.1",
) -> Path:
    """Build a minimal `<dist>-<version>.tar.gz` (PKG-INFO, pyproject.toml for setuptools, the
    package's `__init__.py`) and return its path. Building it needs setuptools from some index."""
    version = str(Version(version))
    requires_dist = list(requires_dist)
    root = f"{dist_name(name)}-{version}"
    members = {
        f"{root}/PKG-INFO": _metadata(
            name,
            version,
            requires_dist=requires_dist,
            extras=extras or {},
            requires_python=requires_python,
            metadata_version=metadata_version,
        ),
        f"{root}/pyproject.toml": _pyproject(name, version, requires_dist, extras or {}, requires_python),
        f"{root}/{module_name(name)}/__init__.py": _module_source(name, version),
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{root}.tar.gz"
    _write_tar_gz(path, members)
    return path
