"""Small real Python projects (source trees) for each build backend, and sdists of them, for
the tests of building from source (PEP 517 / PEP 660).

    project = make_project(tmp_path, "demo-proj", "1.0", backend="hatchling", dependencies=["leaf>=1"])
    # tmp_path/demo-proj/pyproject.toml, tmp_path/demo-proj/src/demo_proj/__init__.py
    sdist = make_project_sdist(tmp_path / "dists", "demo-proj", "1.0", backend="flit")
    assert sdist.name == "demo_proj-1.0.tar.gz"

The package (`module_name(name)`, e.g. `demo_proj`) defines `__version__`, `hello()` returning
`"<name> <version>"` and `main()` printing it (the target for `scripts`). The backends:

- "setuptools": pyproject.toml, `setuptools.build_meta`, PEP 621 `[project]`, packages and
  package-dir in `[tool.setuptools]`; build requires `setuptools>=61`.
- "setuptools-setup-py": only a setup.py calling `setuptools.setup(...)` (no pyproject.toml, no
  setup.cfg): pip builds it with `setuptools.build_meta:__legacy__` and `setuptools>=40.8.0`.
  With `build_requires`, a pyproject.toml holding only `[build-system] requires` is added (pip
  still uses the legacy backend: there is no `build-backend`).
- "hatchling": PEP 621, `hatchling.build`, `[tool.hatch.build.targets.wheel] packages`; build
  requires `hatchling` (and `editables` for an editable build: hatchling always asks for it).
- "flit": PEP 621 with a static version and description, `flit_core.buildapi`; build requires
  `flit_core>=3.2` (no `<4` cap: the test environment may well have flit_core 4).

Nothing here runs a backend: sdists are assembled byte by byte (the tree plus a PKG-INFO), so
they are reproducible (sorted members, fixed mtime, uid/gid 0, gzip mtime 0) and can be made at
collection time without the backends installed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, get_args

from packaging.version import Version

from .wheels import _metadata, _write_tar_gz, dist_name, module_name

__all__ = [
    "BACKEND_NAMES",
    "Backend",
    "DEFAULT_BUILD_REQUIRES",
    "Layout",
    "make_project",
    "make_project_sdist",
    "package_init",
    "project_files",
    "sdist_filename",
]

Backend = Literal["setuptools", "setuptools-setup-py", "hatchling", "flit"]
Layout = Literal["src", "flat"]
BACKEND_NAMES: tuple[str, ...] = get_args(Backend)

#: `[build-system] requires` each backend's pyproject.toml gets unless `build_requires` is given
#: (None: no pyproject.toml; pip's default for a setup.py project is `setuptools>=40.8.0`).
DEFAULT_BUILD_REQUIRES: Mapping[str, Sequence[str] | None] = {
    "setuptools": ("setuptools>=61",),
    "setuptools-setup-py": None,
    "hatchling": ("hatchling",),
    "flit": ("flit_core>=3.2",),
}
_BUILD_BACKEND = {"setuptools": "setuptools.build_meta", "hatchling": "hatchling.build", "flit": "flit_core.buildapi"}


def _summary(name: str, version: str) -> str:
    """The description, the same as the Summary `wheels._metadata` writes into PKG-INFO."""
    return f"{name} {version}, built by satchel's test suite"


def _module_source(name: str, version: str) -> str:
    """`__init__.py`: a docstring and `__version__` (flit wants both), `hello()` and `main()`."""
    return (
        f'"""{name} {version}: a project built from source by satchel\'s test suite."""\n\n'
        f'__version__ = "{version}"\n\n\n'
        f"def hello():\n"
        f'    return "{name} {version}"\n\n\n'
        f"def main():\n"
        f"    print(hello())\n"
    )


def _toml(value: str | Sequence[str]) -> str:
    """A TOML string or array of strings (JSON's escapes are TOML's)."""
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(json.dumps(item) for item in value) + "]"


def _build_system(requires: Sequence[str], backend: str | None) -> list[str]:
    lines = ["[build-system]", f"requires = {_toml(list(requires))}"]
    if backend is not None:
        lines.append(f"build-backend = {_toml(backend)}")
    return lines + [""]


def _project_table(
    name: str,
    version: str,
    dependencies: Sequence[str],
    optional_dependencies: Mapping[str, Sequence[str]],
    scripts: Mapping[str, str],
    requires_python: str | None,
) -> list[str]:
    lines = [
        "[project]",
        f"name = {_toml(name)}",
        f"version = {_toml(version)}",
        f"description = {_toml(_summary(name, version))}",
        f"dependencies = {_toml(list(dependencies))}",
    ]
    if requires_python:
        lines.append(f"requires-python = {_toml(requires_python)}")
    lines.append("")
    if optional_dependencies:
        lines.append("[project.optional-dependencies]")
        lines += [f"{_toml(extra)} = {_toml(list(reqs))}" for extra, reqs in optional_dependencies.items()]
        lines.append("")
    if scripts:
        lines.append("[project.scripts]")
        lines += [f"{_toml(script)} = {_toml(target)}" for script, target in scripts.items()]
        lines.append("")
    return lines


def _setup_py(
    name: str,
    version: str,
    dependencies: Sequence[str],
    optional_dependencies: Mapping[str, Sequence[str]],
    scripts: Mapping[str, str],
    requires_python: str | None,
    layout: str,
) -> str:
    arguments = {
        "name": name,
        "version": version,
        "description": _summary(name, version),
        "packages": [module_name(name)],
        "package_dir": {"": "src"} if layout == "src" else {},
        "install_requires": list(dependencies),
        "extras_require": {extra: list(reqs) for extra, reqs in optional_dependencies.items()},
        "entry_points": {"console_scripts": [f"{script} = {target}" for script, target in scripts.items()]},
    }
    if requires_python:
        arguments["python_requires"] = requires_python
    body = "".join(f"    {key}={value!r},\n" for key, value in arguments.items())
    return f"from setuptools import setup\n\nsetup(\n{body})\n"


def project_files(
    name: str,
    version: str = "1.0",
    *,
    backend: Backend,
    dependencies: Sequence[str] = (),
    optional_dependencies: Mapping[str, Sequence[str]] = {},
    scripts: Mapping[str, str] = {},
    requires_python: str | None = None,
    build_requires: Sequence[str] | None = None,
    extra_files: Mapping[str, str | bytes] = {},
    layout: Layout = "src",
) -> dict[str, str | bytes]:
    """{path relative to the project root: content} of the project `make_project` writes."""
    if backend not in BACKEND_NAMES:
        raise ValueError(f"unknown backend {backend!r}; one of {', '.join(BACKEND_NAMES)}")
    if layout not in get_args(Layout):
        raise ValueError(f"unknown layout {layout!r}; 'src' or 'flat'")
    version = str(Version(version))
    package = module_name(name)
    package_dir = f"src/{package}" if layout == "src" else package
    files: dict[str, str | bytes] = {f"{package_dir}/__init__.py": _module_source(name, version)}
    requires = DEFAULT_BUILD_REQUIRES[backend] if build_requires is None else build_requires
    if backend == "setuptools-setup-py":
        files["setup.py"] = _setup_py(
            name, version, dependencies, optional_dependencies, scripts, requires_python, layout
        )
        if requires is not None:
            files["pyproject.toml"] = "\n".join(_build_system(requires, None))
    else:
        assert requires is not None
        lines = _build_system(requires, _BUILD_BACKEND[backend])
        lines += _project_table(name, version, dependencies, optional_dependencies, scripts, requires_python)
        if backend == "setuptools":
            lines += ["[tool.setuptools]", f"packages = {_toml([package])}"]
            if layout == "src":
                lines.append('package-dir = {"" = "src"}')
        elif backend == "hatchling":
            lines += ["[tool.hatch.build.targets.wheel]", f"packages = {_toml([package_dir])}"]
        else:  # flit finds src/<module> by itself
            lines += ["[tool.flit.module]", f"name = {_toml(package)}"]
        files["pyproject.toml"] = "\n".join(lines) + "\n"
    files.update(extra_files)
    return files


def make_project(
    directory: Path,
    name: str,
    version: str = "1.0",
    *,
    backend: Backend,
    dependencies: Sequence[str] = (),
    optional_dependencies: Mapping[str, Sequence[str]] = {},
    scripts: Mapping[str, str] = {},
    requires_python: str | None = None,
    build_requires: Sequence[str] | None = None,
    extra_files: Mapping[str, str | bytes] = {},
    layout: Layout = "src",
) -> Path:
    """Write the project into `directory/name` and return that directory.

    - `dependencies` / `optional_dependencies` (`{"extra": ["x>=1"]}`) / `requires_python`: the
      project's metadata, as PEP 621 `[project]` keys (or setup() arguments).
    - `scripts`: console scripts, `{"demo-proj": "demo_proj:main"}`.
    - `build_requires`: replaces the backend's `[build-system] requires` (DEFAULT_BUILD_REQUIRES).
    - `extra_files`: more files, or replacements, by path relative to the project root
      (`{"src/demo_proj/data.txt": "x", "pyproject.toml": "..."}`).
    - `layout`: "src" (`src/<module>/__init__.py`) or "flat" (`<module>/__init__.py`).
    """
    files = project_files(
        name, version, backend=backend, dependencies=dependencies, optional_dependencies=optional_dependencies,
        scripts=scripts, requires_python=requires_python, build_requires=build_requires,
        extra_files=extra_files, layout=layout,
    )  # fmt: skip
    root = directory / name
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def sdist_filename(name: str, version: str) -> str:
    """PEP 625: `{normalised_name}-{version}.tar.gz` (`demo_proj-1.0.tar.gz`)."""
    return f"{dist_name(name)}-{Version(version)}.tar.gz"


def make_project_sdist(
    directory: Path,
    name: str,
    version: str = "1.0",
    *,
    backend: Backend,
    dependencies: Sequence[str] = (),
    optional_dependencies: Mapping[str, Sequence[str]] = {},
    scripts: Mapping[str, str] = {},
    requires_python: str | None = None,
    build_requires: Sequence[str] | None = None,
    extra_files: Mapping[str, str | bytes] = {},
    layout: Layout = "src",
) -> Path:
    """Write `directory/<sdist_filename>`: the `make_project` tree (same options) under
    `{normalised_name}-{version}/`, plus a PKG-INFO (Metadata-Version 2.1) giving the name,
    version, Requires-Dist, Provides-Extra and Requires-Python; return its path."""
    version = str(Version(version))
    files = project_files(
        name, version, backend=backend, dependencies=dependencies, optional_dependencies=optional_dependencies,
        scripts=scripts, requires_python=requires_python, build_requires=build_requires,
        extra_files=extra_files, layout=layout,
    )  # fmt: skip
    files["PKG-INFO"] = _metadata(
        name,
        version,
        requires_dist=dependencies,
        extras=optional_dependencies,
        requires_python=requires_python,
        metadata_version="2.1",
    )
    top = f"{dist_name(name)}-{version}"
    members = {
        f"{top}/{relative}": content.encode("utf-8") if isinstance(content, str) else content
        for relative, content in sorted(files.items())
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / sdist_filename(name, version)
    _write_tar_gz(path, members)
    return path


def package_init(project: Path) -> Path:
    """The `__init__.py` of a `make_project` project (src or flat layout), e.g. to edit it."""
    package = module_name(project.name)
    for candidate in (project / "src" / package / "__init__.py", project / package / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {package}/__init__.py in {project} or {project}/src")
