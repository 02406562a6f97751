"""What a build needs installed beyond [build-system] requires: the backend's
get_requires_for_build_* answer, remembered for declarative projects (bucket
`build-requires-v1`, so that a warm `install -e .` runs one hook), and pip's
--check-build-dependencies check of requirements against the environment the hooks run in.

    extra = build_requires(backend, "wheel", env.path, project_dir, config_settings, cache)
    check_met(system.requires, display, info)     # BuildError naming what is missing

Import rule: cache, environment (scan, lazily), fetch.backend; packaging inside functions.
"""

from __future__ import annotations

import json
import os

from satchel.fetch.backend import BuildError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Literal

    from satchel.cache.layout import Cache
    from satchel.fetch.backend import Backend
    from satchel.interpreters.info import InterpreterInfo

__all__ = ["build_requires", "check_met"]


def build_requires(
    backend: Backend,
    kind: Literal["wheel", "editable"],
    env_path: str,
    project: str,
    config: Mapping[str, object],
    cache: Cache,
) -> list[str]:
    """The backend's get_requires_for_build_* answer, remembered for declarative projects
    (no setup.py): keyed by the backend, its environment, the -C settings and the size and
    mtime of every file at the project's top level (pyproject.toml, setup.cfg, hatch_build.py
    ...), so editing sources under it keeps the answer and editing its configuration doesn't.
    A setup.py runs code whose answer may depend on anything: it is always asked."""
    import hashlib

    key_parts: list[object] = [kind, backend.system.backend, list(backend.system.backend_path), env_path, config]
    try:
        entries = sorted(os.scandir(project), key=lambda entry: entry.name)
        if any(entry.name == "setup.py" for entry in entries):
            return backend.get_requires(kind)
        for entry in entries:
            if entry.is_file(follow_symlinks=True):
                st = entry.stat()
                key_parts.append([entry.name, st.st_size, st.st_mtime_ns])
    except OSError:
        return backend.get_requires(kind)
    key = hashlib.sha256(json.dumps([os.path.abspath(project), key_parts], default=str).encode()).hexdigest()
    path = cache.part("build-requires", key[:2], key + ".json")
    try:
        with open(path, encoding="utf-8") as handle:
            remembered = json.load(handle)
        if isinstance(remembered, list) and all(isinstance(item, str) for item in remembered):
            return remembered
    except (OSError, ValueError):
        pass
    answer = backend.get_requires(kind)
    from satchel.cache.store import atomic_write_bytes

    try:
        atomic_write_bytes(path, json.dumps(answer).encode())
    except OSError:
        pass  # a read-only cache costs time, not correctness
    return answer


def check_met(requirements: Sequence[str], display: str, info: InterpreterInfo) -> None:
    """--check-build-dependencies (and setuptools for the default backend) without isolation:
    the build requirements must hold in the environment the hooks run in (the target)."""
    from packaging.requirements import Requirement
    from packaging.version import InvalidVersion, Version

    from satchel.environment.scan import scan

    installed = scan(info.sys_path)
    missing, conflicting = [], []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(dict(info.markers, extra="")):
            continue
        dist = installed.get(req.name)
        if dist is None:
            missing.append(text)
            continue
        try:
            ok = req.specifier.contains(Version(dist.version), prereleases=True)
        except InvalidVersion:
            ok = False
        if not ok:
            conflicting.append(f"{dist.name}=={dist.version} is incompatible with {text}")
    if missing or conflicting:
        lines = [f"missing: {text}" for text in missing] + conflicting
        raise BuildError(
            f"the build dependencies of {display} are not met in the target environment "
            "(--no-build-isolation builds with what is installed there).",
            input=display,
            context="\n".join(lines),
            hint="install them first (satchel install ...), or build with isolation.",
        )
