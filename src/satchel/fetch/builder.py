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

What is cached: wheels built from an sdist (keyed by the sdist's sha256) or from a git commit
(keyed by the commit and subdirectory), with the config settings in the key; several wheels
(one per interpreter, for platform builds) share a key, and the first compatible one is used.
Project directories and editables are built every time, as pip does.

Import rule: cache, environment, index (links, evaluate types), fetch; the installer of build
requirements comes in through `protocols.EnvInstaller`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field

from satchel.cache.store import cache_root, pid_alive
from satchel.errors import OperationError, UsageError
from satchel.fetch.build import Backend, BuildError, BuildLog, read_build_system, static_metadata
from satchel.urls import direct_url_form, is_vcs_url, local_path, path_to_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from typing import Any, Literal

    from satchel.fetch.build_env import BuildEnvironment, TargetBuildEnvironment
    from satchel.fetch.download import Downloader
    from satchel.index.evaluate import TargetEnvironment
    from satchel.index.links import FileLink
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import EnvInstaller

__all__ = ["BuiltWheel", "Builder"]

_BUCKET = "built-v1"


@dataclass(frozen=True, slots=True)
class BuiltWheel:
    """A wheel made from a source; `direct_url` is its PEP 610 record (for direct requests)."""

    path: str
    direct_url: dict[str, Any]


@dataclass
class _Source:
    """One link's source, as far as it has been obtained."""

    display: str
    direct_url: dict[str, Any]
    identity: str | None = None  # cache identity: "sdist:<sha256>" / "git:<commit>:<subdir>"; None: don't cache
    archive: str | None = None  # a local or downloaded source archive
    project_dir: str | None = None  # the tree to build
    scratch: list[str] = field(default_factory=list)  # temporary directories to remove at close
    backend: Backend | None = None
    metadata_dir: str | None = None
    wheel: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    config: dict[str, str | list[str]] = field(default_factory=dict)  # -C settings for this build
    identified: bool = False  # False after _identify failed: whoever waited for it starts again


class Builder:
    """Builds the non-wheel links of one command (see the module docstring)."""

    def __init__(
        self,
        info: InterpreterInfo,
        *,
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
        self._sources: dict[tuple[str, bool], _Source] = {}
        self._lock = threading.Lock()
        self._scratch_root = os.path.join(cache_root(), "build-tmp")
        self._swept = False  # orphans of killed processes removed (on the first scratch tree)

    # ---------------------------------------------------------------- public

    def metadata(self, link: FileLink, *, editable: bool = False) -> bytes:
        """Core metadata of what `link` builds: from a cached wheel, else the backend's
        prepare_metadata hook, else (no such hook) from the wheel it builds."""
        source = self._source(link, editable)
        with source.lock:
            if not source.identified:
                return self.metadata(link, editable=editable)
            cached = self._cached_wheel(source)
            if cached is not None:
                return _wheel_metadata(cached, source.display)
            if source.metadata_dir is None and source.wheel is None:
                static = static_metadata(self._tree(source, link))
                if static is not None:
                    return static
            self._prepare(source, link, editable)
            assert source.backend is not None
            if source.metadata_dir is None and source.wheel is None:
                directory = self._scratch(source, "metadata")
                kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"
                source.metadata_dir = source.backend.prepare_metadata(kind, directory)
                if source.metadata_dir is None:
                    self._build(source, editable)
            if source.metadata_dir is not None:
                return _read_file(os.path.join(source.metadata_dir, "METADATA"), source.display)
            assert source.wheel is not None
            return _wheel_metadata(source.wheel, source.display)

    def wheel(
        self, link: FileLink, *, editable: bool = False, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> BuiltWheel:
        """The wheel `link` builds (from the cache when it was built before)."""
        source = self._source(link, editable, expected_hashes)
        with source.lock:
            if not source.identified:
                return self.wheel(link, editable=editable, expected_hashes=expected_hashes)
            cached = self._cached_wheel(source)
            if cached is None and source.wheel is None:
                self._prepare(source, link, editable)
                self._build(source, editable)
            path = cached or source.wheel
            assert path is not None
            return BuiltWheel(path, source.direct_url)

    def close(self) -> None:
        """Remove build environments and temporary trees."""
        with self._lock:
            sources, self._sources = list(self._sources.values()), {}
        for source in sources:
            for directory in source.scratch:
                shutil.rmtree(directory, ignore_errors=True)

    # ---------------------------------------------------------------- sources

    def _source(
        self, link: FileLink, editable: bool, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> _Source:
        key = (link.key, editable)
        with self._lock:
            source = self._sources.get(key)
            if source is not None:
                return source
            own = self.link_config.get(link.key) or self.link_config.get(_sdist_project(link.filename), {})
            source = self._sources[key] = _Source(display=link.display, direct_url={}, config={**self.config_settings, **own})
            source.lock.acquire()  # identified before any other thread may use it
        try:
            self._identify(source, link, editable, expected_hashes)
            source.identified = True
        except BaseException:
            with self._lock:  # the next caller starts again (and meets the same clear error)
                self._sources.pop(key, None)
            raise
        finally:
            source.lock.release()
        return source

    def _identify(
        self, source: _Source, link: FileLink, editable: bool, expected: Mapping[str, Collection[str]] | None
    ) -> None:
        """What the link is, where its tree will be, and its cache identity (cheaply: a hash
        the index gave, a local file's hash, a git commit from ls-remote)."""
        if is_vcs_url(link.url):
            self._identify_vcs(source, link)
            if editable:
                self._editable_checkout(source, link)
            return
        local = local_path(link.url)
        if local is not None and os.path.isdir(local):
            project = os.path.normpath(os.path.join(local, link.subdirectory)) if link.subdirectory else local
            source.project_dir = project
            source.display = project
            source.direct_url = {"url": direct_url_form(link.url), "dir_info": {"editable": True} if editable else {}}
            if link.subdirectory:
                source.direct_url["subdirectory"] = link.subdirectory
            return
        if editable:
            raise UsageError(
                f"{link.display} can't be installed in editable mode: only project directories (and git URLs) can.",
                input=link.display,
                hint="drop -e to install it normally.",
            )
        digest = None
        source.display = link.filename or link.display
        if local is not None:
            if not os.path.isfile(local):
                raise UsageError(f"{local}: no such file or directory.", input=link.display)
            source.archive = local
            digest = _sha256(local)
            _check_expected(digest, expected, link)
        elif "sha256" in link.hashes and (not expected or link.hashes["sha256"] in expected.get("sha256", ())):
            digest = link.hashes["sha256"]
        else:
            source.archive = self._download(source, link, expected)
            digest = _sha256(source.archive)
        source.identity = f"sdist:{digest}" + (f":{link.subdirectory}" if link.subdirectory else "")
        source.direct_url = {"url": direct_url_form(link.url), "archive_info": {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}}
        if link.subdirectory:
            source.direct_url["subdirectory"] = link.subdirectory

    def _identify_vcs(self, source: _Source, link: FileLink) -> None:
        from satchel.fetch.vcs import parse_vcs_url, resolve_commit

        text = link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else "")
        vcs = parse_vcs_url(text)
        source.display = vcs.display()
        commit = resolve_commit(vcs)
        source.identity = f"git:{commit}:{vcs.subdirectory or ''}"
        info: dict[str, Any] = {"vcs": vcs.vcs, "commit_id": commit}
        if vcs.rev:
            info["requested_revision"] = vcs.rev
        source.direct_url = {"url": direct_url_form(vcs.repo), "vcs_info": info}
        if vcs.subdirectory:
            source.direct_url["subdirectory"] = vcs.subdirectory

    def _editable_checkout(self, source: _Source, link: FileLink) -> None:
        """`-e git+URL#egg=name`: a lasting checkout in `<src>/<name>` (made, or moved to the
        commit), installed in editable mode from there; recorded as the directory it is."""
        from satchel.fetch.vcs import checkout, parse_vcs_url, update_checkout

        dest = self.editable_checkouts.get(link.key)
        if dest is None:
            raise UsageError(
                f"{link.display}: an editable install from version control needs the project's name.",
                input=link.display,
                hint="add #egg=NAME to the URL, or write 'NAME @ git+...'.",
            )
        vcs = parse_vcs_url(link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else ""))
        commit = (source.identity or "::").split(":")[1]
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if os.path.lexists(dest):
            project = update_checkout(vcs, commit, dest)
        else:
            project = checkout(vcs, commit, dest)
        source.project_dir = project
        source.identity = None  # an editable is built from its tree every time
        source.direct_url = {"url": path_to_url(project), "dir_info": {"editable": True}}

    def _download(self, source: _Source, link: FileLink, expected: Mapping[str, Collection[str]] | None) -> str:
        directory = self._scratch(source, "download")
        return self.downloader.download(link, directory, expected_hashes=expected or None)

    def _tree(self, source: _Source, link: FileLink) -> str:
        """The project directory to build, extracting or checking out on first use."""
        if source.project_dir is not None:
            return source.project_dir
        if is_vcs_url(link.url):
            from satchel.fetch.vcs import checkout, parse_vcs_url

            text = link.url + (f"#subdirectory={link.subdirectory}" if link.subdirectory else "")
            vcs = parse_vcs_url(text)
            commit = source.identity.split(":")[1] if source.identity else ""
            source.project_dir = checkout(vcs, commit, os.path.join(self._scratch(source, "checkout"), "src"))
            return source.project_dir
        from satchel.fetch.extract import extract_archive

        if source.archive is None:
            source.archive = self._download(source, link, None)
            digest = _sha256(source.archive)
            if source.identity and source.identity.split(":")[1] != digest:
                raise OperationError(f"{link.display} does not match its expected hash.", input=link.display)
        root = extract_archive(source.archive, self._scratch(source, "source"))
        if link.subdirectory:
            inside = os.path.realpath(os.path.join(root, link.subdirectory))
            if not inside.startswith(os.path.realpath(root) + os.sep):
                raise UsageError(f"{link.display}: the subdirectory {link.subdirectory!r} is outside the archive.")
            root = inside
            if not os.path.isdir(root):
                raise UsageError(
                    f"{link.display} has no subdirectory {link.subdirectory!r}.", input=link.display
                )
        source.project_dir = root
        return root

    # ---------------------------------------------------------------- building

    def _prepare(self, source: _Source, link: FileLink, editable: bool) -> None:
        """The tree, the build environment with the build requirements, and the backend."""
        if source.backend is not None:
            return
        project = self._tree(source, link)
        display = source.display
        system = read_build_system(project, display)
        purpose = f"build dependencies of {display}"
        if not self.verbose:  # the backend's warnings (deprecations, mostly) are for -v, as its output is
            import warnings

            from pyproject_hooks import BuildBackendWarning

            warnings.filterwarnings("ignore", category=BuildBackendWarning)
        env = self._environment(system.requires, purpose)
        if self.check_build_dependencies:  # pip checks [build-system] requires, before any hook
            self._check_installed(system.requires, display)
        log = BuildLog(self._log_path(), display, echo=self.verbose)
        kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"

        def backend_in(env: BuildEnvironment | TargetBuildEnvironment) -> Backend:
            return Backend(project, system, python=env.python, log=log, env=env.hook_env(), config_settings=source.config)

        backend = backend_in(env)
        extra = self._build_requires(backend, kind, env.path, project, source.config)
        if extra and not env.satisfies(extra, self.info.markers):
            env = self._environment([*system.requires, *extra], purpose)
            backend = backend_in(env)
        source.backend = backend

    def _build_requires(
        self, backend: Backend, kind: Literal["wheel", "editable"], env_path: str, project: str,
        config: Mapping[str, object],
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
        path = os.path.join(cache_root(), "build-requires-v1", key[:2], key + ".json")
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

    def _environment(self, requirements: Sequence[str], purpose: str) -> BuildEnvironment | TargetBuildEnvironment:
        from satchel.fetch.build_env import BuildEnvironment, TargetBuildEnvironment

        if not self.isolation:
            return TargetBuildEnvironment(self.info)
        return BuildEnvironment(self.info, self.installer, requirements, purpose)

    def _check_installed(self, requirements: Sequence[str], display: str) -> None:
        """--check-build-dependencies (and setuptools for the default backend): the build
        requirements must hold in the environment the hooks run in."""
        from packaging.requirements import Requirement
        from packaging.version import InvalidVersion, Version

        from satchel.environment.scan import scan

        if self.isolation:
            return  # the build environment was resolved from these very requirements
        installed = scan(self.info.sys_path)
        missing, conflicting = [], []
        for text in requirements:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate(dict(self.info.markers, extra="")):
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

    def _build(self, source: _Source, editable: bool) -> None:
        assert source.backend is not None
        if self.on_build is not None:
            self.on_build(source.backend.log.project)
        kind: Literal["wheel", "editable"] = "editable" if editable else "wheel"
        directory = self._scratch(source, "wheel")
        wheel = source.backend.build(kind, directory, source.metadata_dir)
        self._check_compatible(wheel, source.display)
        if source.identity is not None and not editable:
            wheel = _store(_cache_dir(source.identity, source.config), wheel)
        source.wheel = wheel
        try:
            os.unlink(source.backend.log.path)  # kept only when a build fails
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

    def _cached_wheel(self, source: _Source) -> str | None:
        if source.identity is None or source.wheel is not None:
            return source.wheel
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        directory = _cache_dir(source.identity, source.config)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        best: tuple[int, str] | None = None
        for name in names:
            if not name.endswith(".whl"):
                continue
            try:
                tags = parse_wheel_filename(name)[3]
            except (InvalidWheelFilename, ValueError):
                continue
            priority = self.target.tag_priority(tags)
            if priority is not None and (best is None or priority < best[0]):
                best = (priority, os.path.join(directory, name))
        if best is not None:
            source.wheel = best[1]
        return source.wheel

    def _scratch(self, source: _Source, purpose: str) -> str:
        if not self._swept:
            self._swept = True
            _remove_orphans(self._scratch_root)
        os.makedirs(self._scratch_root, exist_ok=True)
        directory = tempfile.mkdtemp(prefix=f"{os.getpid()}-{purpose}-", dir=self._scratch_root)
        source.scratch.append(directory)
        return directory

    def _log_path(self) -> str:
        directory = os.path.join(cache_root(), "logs")
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


def _cache_dir(identity: str, config: Mapping[str, object]) -> str:
    import hashlib

    text = identity + ("\0" + json.dumps(config, sort_keys=True) if config else "")
    key = hashlib.sha256(text.encode()).hexdigest()
    return os.path.join(cache_root(), _BUCKET, key[:2], key)


def _store(directory: str, wheel: str) -> str:
    """Move a freshly built wheel into its cache directory (atomically; another process that
    built the same wheel meanwhile wins, with the same content)."""
    os.makedirs(directory, exist_ok=True)
    final = os.path.join(directory, os.path.basename(wheel))
    try:
        os.replace(wheel, final)
    except OSError:  # another file system: copy beside, then rename
        temp = final + f".{os.getpid()}.part"
        shutil.copyfile(wheel, temp)
        os.replace(temp, final)
    return final


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


def _sha256(path: str) -> str:
    from satchel.fetch.unpack import file_sha256

    try:
        return file_sha256(path)
    except OSError as exc:
        raise OperationError(f"can't read {path}: {exc.strerror or exc}.", input=path) from exc


def _check_expected(digest: str, expected: Mapping[str, Collection[str]] | None, link: FileLink) -> None:
    wanted = link.hashes.get("sha256")
    if (wanted and wanted != digest) or (expected and digest not in expected.get("sha256", ())):
        from satchel.index.client import HashMismatch

        raise HashMismatch(
            f"{link.filename} does not match its expected hash.",
            input=link.display,
            context=f"expected sha256: {', '.join(sorted(expected.get('sha256', ()) if expected else [wanted or '']))}\n"
            f"got:             {digest}",
        )
