"""A `ProjectSource` over a flat directory of real distribution files, for resolver tests.

Pages come from the file names (every `.whl`, `.tar.gz` and `.zip` whose name parses), in the
order the test index server lists them; a file's metadata is read from the wheel's zip (an
sdist's top-level PKG-INFO). Like an index, links carry the sha256, Requires-Python from the
metadata (switch off with `link_requires_python=False` to act like pip's --find-links, where
only the metadata says it) and yanked status.

Yanked files: `yanked={"name==1.0" or filename: reason}`, or a sidecar `yanked.json` of the
same shape in the directory. Everything asked is logged (`pages`, `metadata_reads`,
`prefetched`) so tests can check laziness and prefetching.

Below it, the harness both resolver test files use: `satchel_resolve` (requirement strings
through satchel's own parsers and resolver, for the running interpreter as target) and
`pip_resolve` (the real pip's `install --dry-run --report` on the same files).
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import sys
import tarfile
import threading
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping, Sequence
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from conftest import own_cache
from satchel.environment.model import InstalledSet
from satchel.index.evaluate import TargetEnvironment
from satchel.index.links import FileLink
from satchel.index.pages import ProjectPage
from satchel.interpreters.probe import probe
from satchel.interpreters.tags import supported_tags
from satchel.protocols import ProjectSource
from satchel.requirements.model import Origin, parse_requirement_argument, request_from_text
from satchel.resolve import Resolution, ResolveOptions, resolve

__all__ = [
    "LocalSource",
    "PipFailed",
    "host_target",
    "pin_versions",
    "pip_flags",
    "pip_resolve",
    "run_pip",
    "satchel_resolve",
]

_SUFFIXES = (".whl", ".tar.gz", ".zip")


def _project_and_version(filename: str) -> tuple[str, Version] | None:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except ValueError:
        return None
    return str(name), version


def _read_metadata(path: Path) -> bytes:
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            return archive.read(names[0])
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
            return archive.read(names[0])
    with tarfile.open(path) as archive:
        members = [m for m in archive.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        extracted = archive.extractfile(members[0])
        assert extracted is not None
        return extracted.read()


def _lookup(table: Mapping[str, str], filename: str, project: str, version: Version) -> str | None:
    if filename in table:
        return table[filename]
    for key, value in table.items():
        name, sep, release = key.partition("==")
        if sep and canonicalize_name(name) == project and Version(release) == version:
            return value
    return None


class LocalSource:
    """Real files, read on demand; satisfies `satchel.protocols.ProjectSource`."""

    def __init__(
        self,
        directory: Path,
        *,
        yanked: Mapping[str, str] | None = None,
        link_requires_python: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.yanked = dict(yanked or {})
        sidecar = self.directory / "yanked.json"
        if sidecar.exists():
            self.yanked.update(json.loads(sidecar.read_text()))
        self.link_requires_python = link_requires_python
        self.pages: list[str] = []
        self.metadata_reads: list[str] = []
        self.prefetched: list[list[str]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The find-links location this source stands for (for error messages)."""
        return self.directory.as_uri()

    def project_page(self, name: str) -> ProjectPage:
        project = canonicalize_name(name)
        with self._lock:
            self.pages.append(project)
        found = []
        for path in self.directory.iterdir():
            if not path.is_file() or not path.name.endswith(_SUFFIXES):
                continue
            parsed = _project_and_version(path.name)
            if parsed is None or parsed[0] != project:
                continue
            found.append((parsed[1], path.name, path))
        links = tuple(self._link(path, project, version) for version, _, path in sorted(found))
        return ProjectPage(name=project, links=links)

    def _link(self, path: Path, project: str, version: Version) -> FileLink:
        data = path.read_bytes()
        requires_python = None
        if self.link_requires_python:
            headers = BytesParser().parsebytes(_read_metadata(path), headersonly=True)
            requires_python = headers.get("Requires-Python")
        reason = _lookup(self.yanked, path.name, project, version)
        return FileLink.build(
            path.as_uri(),
            self.directory.as_uri() + "/",
            hashes={"sha256": hashlib.sha256(data).hexdigest()},
            requires_python=requires_python,
            yanked=reason is not None,
            yanked_reason=reason or None,
            metadata=path.name.endswith(".whl") or None,
            size=len(data),
        )

    def metadata(self, link: FileLink) -> bytes:
        parts = urllib.parse.urlsplit(link.url)
        if parts.scheme != "file":
            raise ValueError(f"LocalSource reads only file: URLs, not {link.url}")
        path = Path(urllib.request.url2pathname(parts.path))
        with self._lock:
            self.metadata_reads.append(path.name)
        return _read_metadata(path)

    def prefetch(self, names: list[str]) -> None:
        with self._lock:
            self.prefetched.append(list(names))


# ---------------------------------------------------------------- the harness both test files use


def host_target(python: str | None = None) -> tuple[Any, TargetEnvironment]:
    """(marker environment, TargetEnvironment) of `python` (default: the running one), probed
    the way satchel probes every target."""
    return _probed(python or sys.executable)


@functools.lru_cache(maxsize=None)
def _probed(python: str) -> tuple[Any, TargetEnvironment]:
    info = probe(python, own_cache())
    return info.markers, TargetEnvironment(tuple(supported_tags(info)), info.markers["python_full_version"])


def satchel_resolve(
    source: ProjectSource,
    requirements: Sequence[str],
    *,
    constraints: Sequence[str] = (),
    options: ResolveOptions | None = None,
    installed: InstalledSet | None = None,
    python: str | None = None,
    locations: list[str] | None = None,
) -> Resolution:
    markers, target = host_target(python)
    requests = [parse_requirement_argument(text) for text in requirements]
    constraint_requests = [
        request_from_text(text, origin=Origin("constraints.txt", number), constraint=True)
        for number, text in enumerate(constraints, 1)
    ]
    return resolve(
        requests,
        source=source,
        target=target,
        markers=markers,
        installed=installed if installed is not None else InstalledSet([]),
        options=options or ResolveOptions(),
        constraints=constraint_requests,
        locations=[getattr(source, "url", "")] if locations is None else locations,
    )


def pin_versions(resolution: Resolution, *, to_install: bool = False) -> dict[str, str]:
    """{name: version} of the resolution (only the files to install with `to_install`)."""
    return {pin.name: pin.version for pin in resolution.pins if not to_install or pin.link is not None}


class PipFailed(Exception):
    pass


def pip_flags(options: ResolveOptions) -> list[str]:
    """The pip options that mean what `options` means."""
    flags = []
    if options.pre:
        flags.append("--pre")
    if options.upgrade:
        flags += ["-U", "--upgrade-strategy", options.upgrade_strategy]
    if options.force_reinstall:
        flags.append("--force-reinstall")
    if options.ignore_installed:
        flags.append("--ignore-installed")
    if options.no_deps:
        flags.append("--no-deps")
    if options.only_binary:
        flags += ["--only-binary", ",".join(sorted(options.only_binary))]
    if options.no_binary:
        flags += ["--no-binary", ",".join(sorted(options.no_binary))]
    if options.prefer_binary:
        flags.append("--prefer-binary")
    if options.ignore_requires_python:
        flags.append("--ignore-requires-python")
    return flags


def run_pip(args: Sequence[str], *, python: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", *(["--python", python] if python else []), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def pip_resolve(
    workdir: Path,
    location: list[str],
    requirements: Sequence[str],
    *,
    constraints: Sequence[str] = (),
    flags: Sequence[str] = (),
    python: str | None = None,
) -> dict[str, str]:
    """What `pip install --dry-run --report` would install: {name: version}. `location` is
    pip's ['--index-url', URL] or ['--no-index', '--find-links', DIR]; without `python`
    pip runs with --ignore-installed (nothing counts as installed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "pip-report.json"
    args = ["install", "--dry-run", "--quiet", "--no-cache-dir", "--disable-pip-version-check", "--report", str(report)]
    if python is None and "--ignore-installed" not in flags:
        args.append("--ignore-installed")
    if constraints:
        constraint_file = workdir / "constraints.txt"
        constraint_file.write_text("\n".join(constraints) + "\n")
        args += ["-c", str(constraint_file)]
    proc = run_pip([*args, *location, *flags, *requirements], python=python)
    if proc.returncode != 0:
        raise PipFailed(proc.stderr)
    data = json.loads(report.read_text())
    return {
        canonicalize_name(item["metadata"]["name"]): str(Version(item["metadata"]["version"]))
        for item in data["install"]
    }
