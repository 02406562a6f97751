"""PEP 517/660 builds of one source tree: its build system (pip's rules for reading it), the
backend's hooks through pyproject-hooks, and every backend failure turned into one `BuildError`.

    system = read_build_system(project_dir, display="./proj")
    backend = Backend(project_dir, system, python=env_python, log=BuildLog(...), env=hook_env)
    backend.get_requires("wheel")                 # ['wheel'] for old setuptools, [] for most
    info_dir = backend.prepare_metadata("wheel", metadata_dir)   # None: the backend has no such hook
    wheel = backend.build("editable", wheel_dir, info_dir)

Each hook runs in its own subprocess of the build environment's interpreter (pyproject-hooks'
in-process script); everything the backend prints goes to the build's log file, and a failure
shows the log's last lines and where the whole log is.

Import rule: satchel.errors and satchel.names; pyproject_hooks, tomllib, packaging and
satchel.environment.metadata (the core-metadata reader) inside functions.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from satchel.errors import OperationError, UsageError
from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import BinaryIO, Literal

    Kind = Literal["wheel", "editable"]

__all__ = ["LEGACY_BACKEND", "Backend", "BuildError", "BuildLog", "BuildSystem", "read_build_system", "static_metadata"]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
_LEGACY_REQUIRES = ("setuptools>=40.8.0",)
_TAIL_LINES = 25


class BuildError(OperationError):
    """A build backend failed (or could not be loaded); the message names the project."""

    code = "build-failed"


@dataclass(frozen=True, slots=True)
class BuildSystem:
    """A project's [build-system], with pip's defaults: projects without pyproject.toml (or
    without the table) build with setuptools' legacy backend, as do those whose table names
    no build-backend."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()


def read_build_system(project_dir: str, display: str) -> BuildSystem:
    """The build system of the project in `project_dir`; `UsageError` naming `display` when the
    directory is not a Python project or its pyproject.toml is invalid."""
    pyproject = os.path.join(project_dir, "pyproject.toml")
    has_pyproject = os.path.isfile(pyproject)
    if not has_pyproject and not os.path.isfile(os.path.join(project_dir, "setup.py")):
        raise UsageError(
            f"{display} does not appear to be a Python project: neither 'setup.py' nor 'pyproject.toml' found.",
            input=display,
            hint="point at the directory that holds the project's pyproject.toml (or setup.py).",
        )
    table = _build_system_table(pyproject, display) if has_pyproject else None
    if table is None:
        return BuildSystem(_LEGACY_REQUIRES, LEGACY_BACKEND)
    requires = table.get("requires")
    if requires is None:
        raise UsageError(
            f"{display}: pyproject.toml has a [build-system] table without the 'requires' key.",
            input=display,
            hint="add requires = [...] (the build backend's requirements) to [build-system].",
        )
    if not isinstance(requires, list) or not all(isinstance(item, str) for item in requires):
        raise UsageError(f"{display}: [build-system] requires in pyproject.toml is not a list of strings.", input=display)
    _check_requirements(requires, display)
    backend = table.get("build-backend")
    backend_path = table.get("backend-path", [])
    if backend is not None and not isinstance(backend, str):
        raise UsageError(f"{display}: [build-system] build-backend in pyproject.toml is not a string.", input=display)
    if not isinstance(backend_path, list) or not all(isinstance(item, str) for item in backend_path):
        raise UsageError(f"{display}: [build-system] backend-path is not a list of strings.", input=display)
    if backend is None:
        return BuildSystem(tuple(requires), LEGACY_BACKEND, tuple(backend_path))
    return BuildSystem(tuple(requires), backend, tuple(backend_path))


def _load_pyproject(path: str, display: str) -> dict[str, object]:
    """pyproject.toml, read; `UsageError` naming `display` when it can't be read or parsed."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 (tomli is a dependency there)
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise UsageError(f"can't read {path}: {exc.strerror or exc}.", input=display) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{display}: pyproject.toml is not valid TOML: {exc}.", input=display) from exc


def _build_system_table(path: str, display: str) -> dict[str, object] | None:
    table = _load_pyproject(path, display).get("build-system")
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{display}: [build-system] in pyproject.toml is not a table.", input=display)
    return table


def _check_requirements(requires: Sequence[str], display: str) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    for text in requires:
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            raise UsageError(
                f"{display}: [build-system] requires in pyproject.toml has an invalid requirement {text!r}: {exc}.",
                input=display,
            ) from exc


@dataclass
class BuildLog:
    """Where a build's output goes: one file for every hook of one project."""

    path: str
    project: str
    echo: bool = False  # also copy the backend's output to stderr as it comes (-v)

    def tail(self) -> str:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-_TAIL_LINES:])


class _HookFailed(Exception):
    def __init__(self, returncode: int) -> None:
        super().__init__(returncode)
        self.returncode = returncode


class Backend:
    """The hooks of one project's backend, run with `python` (the build environment's
    interpreter, or the target's with --no-build-isolation) and `env` added to the environment."""

    def __init__(
        self,
        project_dir: str,
        system: BuildSystem,
        *,
        python: str,
        log: BuildLog,
        env: Mapping[str, str],
        config_settings: Mapping[str, str | list[str]] | None = None,
    ) -> None:
        from pyproject_hooks import BuildBackendHookCaller

        self.project_dir = project_dir
        self.system = system
        self.log = log
        self._env = dict(env)
        self._config = dict(config_settings) if config_settings else None
        try:
            self._caller = BuildBackendHookCaller(
                project_dir, system.backend, backend_path=list(system.backend_path) or None,
                runner=self._run, python_executable=python,
            )
        except ValueError as exc:  # a backend-path outside the project
            raise UsageError(f"{log.project}: invalid backend-path in pyproject.toml: {exc}.", input=log.project) from exc

    def _run(self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None) -> None:
        environ = {**os.environ, **self._env, **(extra_environ or {})}
        with open(self.log.path, "ab") as out:
            out.write(f"$ {cmd[2] if len(cmd) > 2 else ' '.join(cmd)}\n".encode())
            out.flush()
            if not self.log.echo:
                proc = subprocess.run(list(cmd), cwd=cwd, env=environ, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
                returncode = proc.returncode
            else:  # -v: the backend's output on stderr as it comes, and in the log
                returncode = _tee(list(cmd), cwd, environ, out)
        if returncode != 0:
            raise _HookFailed(returncode)

    def _call(self, hook: str, *args: object, **kwargs: object) -> object:
        from pyproject_hooks import BackendUnavailable, HookMissing

        try:
            return getattr(self._caller, hook)(*args, **kwargs)
        except HookMissing:
            raise
        except BackendUnavailable as exc:
            raise BuildError(
                f"the build backend {self.system.backend!r} of {self.log.project} could not be loaded.",
                input=self.log.project,
                context=_last_lines(exc.traceback or str(exc)),
                hint="check [build-system] in its pyproject.toml: build-backend must be importable once "
                "`requires` is installed.",
            ) from None
        except _HookFailed as exc:
            raise BuildError(
                f"building {self.log.project} failed: the backend's {hook} exited with code {exc.returncode}.",
                input=self.log.project,
                context=self.log.tail(),
                hint=f"the whole log is in {self.log.path}",
            ) from None
        except OSError as exc:
            raise BuildError(f"can't run the build of {self.log.project}: {exc}.", input=self.log.project) from exc

    def get_requires(self, kind: Kind) -> list[str]:
        requires = self._call(f"get_requires_for_build_{kind}", self._config)
        if not isinstance(requires, list) or not all(isinstance(item, str) for item in requires):
            raise BuildError(f"the build backend of {self.log.project} returned invalid build requirements: {requires!r}.")
        return requires

    def prepare_metadata(self, kind: Kind, directory: str) -> str | None:
        """The .dist-info directory the backend wrote into `directory`; None when the backend
        doesn't have the hook (the metadata then comes from a built wheel)."""
        from pyproject_hooks import HookMissing

        try:
            name = self._call(f"prepare_metadata_for_build_{kind}", directory, self._config, _allow_fallback=False)
        except HookMissing:
            return None
        return os.path.join(directory, str(name))

    def build(self, kind: Kind, directory: str, metadata_directory: str | None) -> str:
        """The path of the wheel the backend built into `directory`."""
        from pyproject_hooks import HookMissing

        try:
            name = self._call(f"build_{kind}", directory, self._config, metadata_directory)
        except HookMissing:
            raise BuildError(
                f"{self.log.project} can't be installed in editable mode: its build backend "
                f"{self.system.backend!r} has no build_editable hook (PEP 660).",
                input=self.log.project,
                hint="install it without -e, or upgrade the backend in [build-system] requires.",
            ) from None
        path = os.path.join(directory, str(name))
        if not str(name).endswith(".whl") or not os.path.isfile(path):
            raise BuildError(f"the build backend of {self.log.project} did not produce a wheel (it returned {name!r}).")
        return path


def _tee(cmd: list[str], cwd: str | None, environ: Mapping[str, str], log: BinaryIO) -> int:
    import sys

    proc = subprocess.Popen(cmd, cwd=cwd, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        log.write(line)
        sys.stderr.buffer.write(line)
        sys.stderr.flush()
    return proc.wait()


def _last_lines(text: str) -> str:
    return "\n".join(text.strip().splitlines()[-_TAIL_LINES:])


# ---------------------------------------------------------------- static metadata

_STATIC_FIELDS = ("version", "dependencies", "optional-dependencies", "requires-python")


def static_metadata(project_dir: str) -> bytes | None:
    """Core metadata known without running the backend, or None: from a PKG-INFO of Metadata
    2.2+ that declares none of the resolver's fields dynamic (PEP 643, an sdist's), else from
    pyproject.toml's [project] table when none of them is listed in `dynamic` (PEP 621).
    The resolver then needs no prepare_metadata hook; the wheel built later carries the same."""
    sdist_info = _static_pkg_info(os.path.join(project_dir, "PKG-INFO"))
    if sdist_info is not None:
        return sdist_info
    path = os.path.join(project_dir, "pyproject.toml")
    if not os.path.isfile(path):
        return None
    try:
        table = _load_pyproject(path, path).get("project")
    except UsageError:  # read_build_system reports it, when the build gets that far
        return None
    if not isinstance(table, dict) or not isinstance(table.get("name"), str) or "version" not in table:
        return None
    dynamic = table.get("dynamic", [])
    if not isinstance(dynamic, list) or any(name in dynamic for name in _STATIC_FIELDS):
        return None
    try:
        return _pep621_metadata(table)
    except (TypeError, ValueError):  # anything odd: let the backend say what it means
        return None


def _static_pkg_info(path: str) -> bytes | None:
    from satchel.environment.metadata import parse_headers

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    headers = parse_headers(data.decode("utf-8", "replace"))
    try:
        version = tuple(int(part) for part in (headers.get("metadata-version") or ["0"])[0].split("."))
    except ValueError:
        return None
    dynamic = {value.strip().lower() for value in headers.get("dynamic", [])}
    if version < (2, 2) or dynamic & {"requires-dist", "requires-python", "provides-extra"}:
        return None
    return data


def _pep621_metadata(table: dict[str, object]) -> bytes:
    from packaging.requirements import Requirement
    from packaging.version import Version

    lines = ["Metadata-Version: 2.1", f"Name: {table['name']}", f"Version: {Version(str(table['version']))}"]
    requires_python = table.get("requires-python")
    if requires_python is not None:
        lines.append(f"Requires-Python: {str(requires_python)}")
    for text in _strings(table.get("dependencies", [])):
        lines.append(f"Requires-Dist: {Requirement(text)}")
    extras = table.get("optional-dependencies", {})
    if not isinstance(extras, dict):
        raise TypeError("optional-dependencies is not a table")
    for extra, requirements in extras.items():
        name = canonical_name(str(extra))
        lines.append(f"Provides-Extra: {name}")
        for text in _strings(requirements):
            req = Requirement(text)
            marker = f"({req.marker}) and extra == \"{name}\"" if req.marker else f"extra == \"{name}\""
            req.marker = None
            lines.append(f"Requires-Dist: {req}; {marker}")
    return ("\n".join(lines) + "\n").encode()


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("expected a list of strings")
    return value
