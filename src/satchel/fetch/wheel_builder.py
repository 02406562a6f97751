"""From a link that is not a wheel to a wheel: sdists (from an index, a URL or a local file),
project directories (also editable, PEP 660) and git URLs, built with PEP 517 hooks in an
isolated build environment, with the results kept in the built-wheel cache.

    builder = Builder(info, target=environment, installer=dispatch, downloader=client)
    builder.metadata(link, editable=False)     # core metadata for the resolver: prepare_metadata hook
    built = builder.wheel(link, editable=False)  # a wheel (cached, or built now), its PEP 610 record

One `Builder` serves one command. For each link it remembers the prepared source (the
extracted or checked-out tree, the build environment, the metadata directory) so that the
build after the resolve reuses what the metadata step set up, as pip does. Builds of different
links may run in parallel threads; one link is prepared by one thread at a time.

The parts, each in its own module: what a link is and where its tree comes from
(`fetch.sources`), the PEP 517 hooks (`fetch.backend`), the build environments
(`fetch.build_env`), the build requirements (`fetch.build_requires`) and the built-wheel
cache (`fetch.built_wheels`: wheels from sdists and git commits; project directories and
editables are built every time, as pip does). This module runs them in order for each link.

Import rule: cache, index (links, evaluate types), fetch; the installer of build
requirements comes in through `protocols.EnvInstaller`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field

from satchel.cache.store import pid_alive
from satchel.fetch import built_wheels
from satchel.fetch.backend import Backend, BuildError, BuildLog, read_build_system, static_metadata
from satchel.fetch.build_requires import build_requires, check_met
from satchel.fetch.sources import LinkSources, Source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from typing import Any, Literal

    from satchel.cache.layout import Cache
    from satchel.fetch.build_env import BuildEnvironment, TargetBuildEnvironment
    from satchel.fetch.download import Downloader
    from satchel.index.evaluate import TargetEnvironment
    from satchel.index.links import FileLink
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import EnvInstaller

__all__ = ["BuiltWheel", "Builder"]


@dataclass(frozen=True, slots=True)
class BuiltWheel:
    """A wheel made from a source; `direct_url` is its PEP 610 record (for direct requests)."""

    path: str
    direct_url: dict[str, Any]


@dataclass
class _Build:
    """One link's build, as far as it has got: its source, the backend, the metadata, the wheel."""

    source: Source
    config: dict[str, str | list[str]] = field(default_factory=dict)  # -C settings for this build
    backend: Backend | None = None
    metadata_dir: str | None = None
    wheel: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    identified: bool = False  # False after identify failed: whoever waited for it starts again


class Builder:
    """Builds the non-wheel links of one command (see the module docstring)."""

    def __init__(
        self,
        info: InterpreterInfo,
        *,
        cache: Cache,
        target: TargetEnvironment,
        installer: EnvInstaller,
        downloader: Downloader,
        isolation: bool = True,
        check_build_dependencies: bool = False,
        config_settings: Mapping[str, str | list[str]] | None = None,
        on_build: Callable[[str], None] | None = None,
        verbose: bool = False,
    ) -> None:
        self.info = info
        self.cache = cache
        self.verbose = verbose
        self.target = target
        self.installer = installer
        self.downloader = downloader
        self.isolation = isolation
        self.check_build_dependencies = check_build_dependencies
        self.config_settings = dict(config_settings or {})
        self.on_build = on_build
        self.editable_checkouts: dict[str, str] = {}  # link key -> where `-e git+...` is checked out
        # a requirement's own --config-settings, by link key (URLs, paths) or project name (from an index)
        self.link_config: dict[str, dict[str, str | list[str]]] = {}
        self._sources = LinkSources(downloader, self._scratch, self.editable_checkouts, mirrors=cache.part("vcs", "git"))
        self._builds: dict[tuple[str, bool], _Build] = {}
        self._lock = threading.Lock()
        self._scratch_root = cache.part("build-tmp")
        self._swept = False  # orphans of killed processes removed (on the first scratch tree)

    # ---------------------------------------------------------------- public

    def metadata(self, link: FileLink, *, editable: bool = False) -> bytes:
        """Core metadata of what `link` builds: from a cached wheel, else the backend's
        prepare_metadata hook, else (no such hook) from the wheel it builds."""
        build = self._build_of(link, editable)
        with build.lock:
            if not build.identified:
                return self.metadata(link, editable=editable)
            display = build.source.display
            cached = self._cached_wheel(build)
            if cached is not None:
                return _wheel_metadata(cached, display)
            if build.metadata_dir is None and build.wheel is None:
                static = static_metadata(self._sources.tree(build.source, link))
                if static is not None:
                    return static
            self._prepare(build, link, editable)
            assert build.backend is not None
            if build.metadata_dir is None and build.wheel is None:
                directory = self._scratch(build.source, "metadata")
                kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"
                build.metadata_dir = build.backend.prepare_metadata(kind, directory)
                if build.metadata_dir is None:
                    self._build(build, editable)
            if build.metadata_dir is not None:
                return _read_file(os.path.join(build.metadata_dir, "METADATA"), display)
            assert build.wheel is not None
            return _wheel_metadata(build.wheel, display)

    def wheel(
        self, link: FileLink, *, editable: bool = False, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> BuiltWheel:
        """The wheel `link` builds (from the cache when it was built before)."""
        build = self._build_of(link, editable, expected_hashes)
        with build.lock:
            if not build.identified:
                return self.wheel(link, editable=editable, expected_hashes=expected_hashes)
            cached = self._cached_wheel(build)
            if cached is None and build.wheel is None:
                self._prepare(build, link, editable)
                self._build(build, editable)
            path = cached or build.wheel
            assert path is not None
            return BuiltWheel(path, build.source.direct_url)

    def close(self) -> None:
        """Remove build environments and temporary trees."""
        with self._lock:
            builds, self._builds = list(self._builds.values()), {}
        for build in builds:
            for directory in build.source.scratch:
                shutil.rmtree(directory, ignore_errors=True)

    # ---------------------------------------------------------------- one link

    def _build_of(
        self, link: FileLink, editable: bool, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> _Build:
        key = (link.key, editable)
        with self._lock:
            build = self._builds.get(key)
            if build is not None:
                return build
            own = self.link_config.get(link.key) or self.link_config.get(_sdist_project(link.filename), {})
            build = self._builds[key] = _Build(Source(display=link.display), config={**self.config_settings, **own})
            build.lock.acquire()  # identified before any other thread may use it
        try:
            self._sources.identify(build.source, link, editable, expected_hashes)
            build.identified = True
        except BaseException:
            with self._lock:  # the next caller starts again (and meets the same clear error)
                self._builds.pop(key, None)
            raise
        finally:
            build.lock.release()
        return build

    def _prepare(self, build: _Build, link: FileLink, editable: bool) -> None:
        """The tree, the build environment with the build requirements, and the backend."""
        if build.backend is not None:
            return
        project = self._sources.tree(build.source, link)
        display = build.source.display
        system = read_build_system(project, display)
        purpose = f"build dependencies of {display}"
        if not self.verbose:  # the backend's warnings (deprecations, mostly) are for -v, as its output is
            import warnings

            from pyproject_hooks import BuildBackendWarning

            warnings.filterwarnings("ignore", category=BuildBackendWarning)
        env = self._environment(system.requires, purpose)
        if self.check_build_dependencies and not self.isolation:  # pip checks [build-system] requires, before any hook
            check_met(system.requires, display, self.info)  # (isolated: the environment was resolved from them)
        log = BuildLog(self._log_path(), display, echo=self.verbose)
        kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"

        def backend_in(env: BuildEnvironment | TargetBuildEnvironment) -> Backend:
            return Backend(project, system, python=env.python, log=log, env=env.hook_env(), config_settings=build.config)

        backend = backend_in(env)
        extra = build_requires(backend, kind, env.path, project, build.config, self.cache)
        if extra and not env.satisfies(extra, self.info.markers):
            env = self._environment([*system.requires, *extra], purpose)
            backend = backend_in(env)
        build.backend = backend

    def _environment(self, requirements: Sequence[str], purpose: str) -> BuildEnvironment | TargetBuildEnvironment:
        from satchel.fetch.build_env import BuildEnvironment, TargetBuildEnvironment

        if not self.isolation:
            return TargetBuildEnvironment(self.info, self.cache)
        return BuildEnvironment(self.info, self.installer, requirements, purpose, self.cache)

    def _build(self, build: _Build, editable: bool) -> None:
        assert build.backend is not None
        if self.on_build is not None:
            self.on_build(build.backend.log.project)
        kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"
        directory = self._scratch(build.source, "wheel")
        wheel = build.backend.build(kind, directory, build.metadata_dir)
        self._check_compatible(wheel, build.source.display)
        if build.source.identity is not None and not editable:
            wheel = built_wheels.store(self.cache, build.source.identity, build.config, wheel)
        build.wheel = wheel
        try:
            os.unlink(build.backend.log.path)  # kept only when a build fails
        except OSError:
            pass

    def _check_compatible(self, wheel: str, display: str) -> None:
        from packaging.utils import parse_wheel_filename

        _, _, _, tags = parse_wheel_filename(os.path.basename(wheel))
        if self.target.tag_priority(tags) is None:
            raise BuildError(
                f"building {display} made {os.path.basename(wheel)}, which the target interpreter can't install.",
                input=display,
            )

    def _cached_wheel(self, build: _Build) -> str | None:
        if build.source.identity is None or build.wheel is not None:
            return build.wheel
        found = built_wheels.find(self.cache, build.source.identity, build.config, self.target.tag_priority)
        if found is not None:
            build.wheel = found
        return build.wheel

    # ---------------------------------------------------------------- scratch trees and logs

    def _scratch(self, source: Source, purpose: str) -> str:
        if not self._swept:
            self._swept = True
            _remove_orphans(self._scratch_root)
        os.makedirs(self._scratch_root, exist_ok=True)
        directory = tempfile.mkdtemp(prefix=f"{os.getpid()}-{purpose}-", dir=self._scratch_root)
        source.scratch.append(directory)
        return directory

    def _log_path(self) -> str:
        directory = self.cache.part("logs")
        os.makedirs(directory, exist_ok=True)
        handle, path = tempfile.mkstemp(prefix="build-", suffix=".log", dir=directory)
        os.close(handle)
        return path


# ---------------------------------------------------------------- helpers


def _sdist_project(filename: str) -> str:
    """The normalised project an sdist file name is for ("" if it isn't an sdist name)."""
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename

    try:
        return str(parse_sdist_filename(filename)[0])
    except (InvalidSdistFilename, ValueError):
        return ""


def _remove_orphans(root: str) -> None:
    """Temporary trees of satchel processes that are gone (killed mid-build)."""
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        pid = name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def _wheel_metadata(path: str, display: str) -> bytes:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if len(names) != 1:
                raise BuildError(f"the wheel built from {display} has no single .dist-info/METADATA.", input=display)
            return archive.read(names[0])
    except (OSError, zipfile.BadZipFile) as exc:
        raise BuildError(f"can't read the wheel built from {display}: {exc}.", input=display) from exc


def _read_file(path: str, display: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise BuildError(f"the build backend of {display} wrote no METADATA: {exc.strerror or exc}.", input=display) from exc
