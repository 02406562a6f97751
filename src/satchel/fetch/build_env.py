"""Isolated build environments: venvs of the target's interpreter, made with satchel's own venv
code, holding exactly the resolved build requirements, which an injected
`protocols.EnvInstaller` resolves and installs (resolve + fetch + install, wired in
`satchel.dispatch`).

A build environment is kept in the cache (`build-envs-v1/<key>`), keyed by the interpreter and
the exact files installed into it, and reused by every later build that resolves to the same
files: the second setuptools build on a machine costs no venv and no install. It is made in
place under a lock (its scripts' shebangs name its final path), and counts only once its
`complete` marker is written; one left half-made by a crash is made again.

The hooks run with bytecode redirected into the cache (`PYTHONPYCACHEPREFIX`), so backends
start from compiled modules after their first run and nothing is written into the user's
project or environment, whatever PYTHONDONTWRITEBYTECODE says.

Import rule: cache, interpreters (types), venv; nothing downstream (the installer is injected).
"""

from __future__ import annotations

import json
import os
import shutil

from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from satchel.cache.layout import Cache
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import EnvInstaller

__all__ = ["BuildEnvironment", "TargetBuildEnvironment", "bytecode_env"]

_MARKER = "complete"


def bytecode_env(cache: Cache) -> dict[str, str]:
    """Hook processes write their bytecode under the cache, never beside sources."""
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        return {}
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": cache.part("pycache")}


class BuildEnvironment:
    """A cached venv holding `pins`; `python` runs the hooks, `hook_env()` is what they see."""

    def __init__(
        self, info: InterpreterInfo, installer: EnvInstaller, requirements: Sequence[str], purpose: str, cache: Cache
    ) -> None:
        import hashlib

        self.cache = cache

        resolved = installer.resolve_requirements(requirements, purpose=purpose) if requirements else []
        self.pins = {name: version for name, version, _ in resolved}
        identity = json.dumps(
            [info.base_executable, list(info.version), info.markers.get("python_full_version"),
             sorted(link.key + "#" + link.hashes.get("sha256", "") for _, _, link in resolved)],
        )
        key = hashlib.sha256(identity.encode()).hexdigest()[:32]
        self.path = cache.part("build-envs", key)
        if not os.path.exists(os.path.join(self.path, _MARKER)):
            self._make(info, installer, [link for _, _, link in resolved])
        self.python, self.bin_dir = self._interpreter(info)

    def _interpreter(self, info: InterpreterInfo) -> tuple[str, str]:
        from satchel.venv.layout import VenvOptions, plan_layout

        layout = plan_layout(info, self.path, VenvOptions(with_pip=False, scm_ignore_files=False))
        return layout.python_path, os.path.join(self.path, layout.bin_dir)

    def _make(self, info: InterpreterInfo, installer: EnvInstaller, links: list[object]) -> None:
        from satchel.cache.lock import file_lock
        from satchel.venv.create import create_environment
        from satchel.venv.layout import VenvOptions, plan_layout

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with file_lock(self.path + ".lock"):
            if os.path.exists(os.path.join(self.path, _MARKER)):
                return  # another process made it while we waited
            shutil.rmtree(self.path, ignore_errors=True)  # half-made by a crash
            layout = plan_layout(info, self.path, VenvOptions(with_pip=False, scm_ignore_files=False))
            create_environment(layout)
            major, minor, _ = info.version
            scheme = layout.scheme()
            scheme["headers"] = os.path.join(scheme["headers"], f"python{major}.{minor}")
            if links:
                installer.install_links(links, scheme, layout.python_path)  # type: ignore[arg-type]
            with open(os.path.join(self.path, _MARKER), "w") as handle:
                handle.write(json.dumps(self.pins, sort_keys=True))

    def satisfies(self, requirements: Sequence[str], markers: Mapping[str, str]) -> bool:
        """Whether what is installed here already meets `requirements` (a backend's extra
        build requirements, often none or already present)."""
        from packaging.requirements import Requirement

        from satchel.environment.markers import applies

        for text in requirements:
            req = Requirement(text)
            if not applies(req.marker, markers, requirement=text, origin="a build backend's requirements"):
                continue
            version = self.pins.get(canonical_name(req.name))
            if version is None or not req.specifier.contains(version, prereleases=True):
                return False
        return True

    def hook_env(self) -> dict[str, str]:
        """The build env's scripts first on PATH, no user site, no PYTHONPATH from outside."""
        return {
            "PATH": self.bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "PYTHONNOUSERSITE": "1",
            "PYTHONPATH": "",
            "VIRTUAL_ENV": self.path,
            **bytecode_env(self.cache),
        }


class TargetBuildEnvironment:
    """--no-build-isolation: the hooks run with the target environment's own interpreter, and
    nothing is installed for them (the user installed the build requirements)."""

    def __init__(self, info: InterpreterInfo, cache: Cache) -> None:
        self.python = info.executable
        self.path = info.prefix
        self.cache = cache

    def satisfies(self, requirements: Sequence[str], markers: Mapping[str, str]) -> bool:
        return True

    def hook_env(self) -> dict[str, str]:
        return bytecode_env(self.cache)
