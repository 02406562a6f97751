"""The one place that wires the pipeline's protocols to real parts, and so breaks the cycle
resolve -> build -> install -> resolve (uv-dispatch's role):

- `BuildingSource` is the resolver's `ProjectSource`: pages from the index client, metadata from
  the index (PEP 658, wheels) and, for anything that has to be built, from the `Builder`.
- `Dispatch.install_requirements` is the builder's `EnvInstaller`: a build environment's
  requirements resolved for the target with the command's index options, fetched or built,
  and linked into the build environment.

    with Dispatch(info, client, cache=cache, target=..., options=..., requested=RequestedLinks.of(requests, src)) as dispatch:
        resolution = resolve(requests, source=dispatch.source, ...)
        wheels = dispatch.wheels(plan.add, expected=...)      # downloads and builds, in parallel

Import rule: everything upstream (this sits beside commands/).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading

from satchel.errors import OperationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

    from satchel.cache.layout import Cache
    from satchel.fetch.wheel_builder import BuiltWheel
    from satchel.fetch.unpack import UnpackedWheel
    from satchel.index.client import IndexClient
    from satchel.index.evaluate import TargetEnvironment
    from satchel.index.links import FileLink
    from satchel.index.pages import ProjectPage
    from satchel.install.plan import PlanItem
    from satchel.interpreters.info import InterpreterInfo
    from satchel.requirements.model import InstallRequest
    from satchel.resolve.model import ResolveOptions

__all__ = ["BuildingSource", "Dispatch", "RequestedLinks"]

_MAX_DEPTH = 8  # build environments within build environments


class BuildingSource:
    """A `ProjectSource` that builds what the index can't describe (see the module docstring)."""

    def __init__(self, client: IndexClient, dispatch: Dispatch) -> None:
        self.client = client
        self.dispatch = dispatch

    def project_page(self, name: str) -> ProjectPage:
        return self.client.project_page(name)

    def prefetch(self, names: list[str]) -> None:
        self.client.prefetch(names)

    def metadata(self, link: FileLink) -> bytes:
        if link.is_wheel or (link.has_metadata and not self.dispatch.is_direct(link)):
            return self.client.metadata(link)
        return self.dispatch.built_metadata(link)

    def download(
        self, link: FileLink, dest_dir: str, *, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> str:
        return self.client.download(link, dest_dir, expected_hashes=expected_hashes)


class RequestedLinks:
    """What the user's requests say about links (by `FileLink.key`, or project name for
    -C of a named project): which are direct (a URL or path), which editable, where an
    editable VCS checkout goes (`<src>/<name>`, as pip does), and per-line --config-settings."""

    def __init__(self) -> None:
        self.editables: set[str] = set()
        self.direct: set[str] = set()
        self.checkouts: dict[str, str] = {}
        self.link_config: dict[str, dict[str, str | list[str]]] = {}

    @classmethod
    def of(cls, requests: Iterable[InstallRequest], src: str) -> RequestedLinks:
        import os

        from satchel.index.links import FileLink
        from satchel.names import canonical_name
        from satchel.resolve.resolve import request_link

        found = cls()
        for request in requests:
            if request.url is not None or request.path is not None:
                key = request_link(request).key
                found.direct.add(key)
                if request.config_settings:  # a requirements-file line's own --config-settings
                    found.link_config[key] = request.config_settings
                if request.editable:
                    found.editables.add(key)
                    if request.url is not None and request.name:  # -e git+...: checked out in <src>/<name>
                        found.checkouts[key] = os.path.join(src, canonical_name(request.name))
                continue
            if request.config_settings and request.name:  # ... for a project from the index, by its name
                found.link_config[canonical_name(request.name)] = request.config_settings
            if request.requirement is not None and request.requirement.url:
                found.direct.add(FileLink.build(request.requirement.url, request.requirement.url).key)
        return found


class Dispatch:
    """The parts of one install command that build: the source, the builder, the build
    environments' installer. Close it (or use `with`) to remove build environments."""

    def __init__(
        self,
        info: InterpreterInfo,
        client: IndexClient,
        *,
        cache: Cache,
        target: TargetEnvironment,
        options: ResolveOptions,
        requested: RequestedLinks | None = None,
        build_isolation: bool = True,
        check_build_dependencies: bool = False,
        config_settings: Mapping[str, str | list[str]] | None = None,
        on_build: Callable[[str], None] | None = None,
        verbose: bool = False,
    ) -> None:
        from satchel.fetch.wheel_builder import Builder

        self.info = info
        self.cache = cache
        self.target = target
        self.options = options
        requested = requested or RequestedLinks()
        self._editables = frozenset(requested.editables)
        self._direct = frozenset(requested.direct) | self._editables
        self.source = BuildingSource(client, self)
        self.builder = Builder(
            info, cache=cache, target=target, installer=self, downloader=self.source, isolation=build_isolation,
            check_build_dependencies=check_build_dependencies, config_settings=config_settings, on_build=on_build,
            verbose=verbose,
        )
        self.builder.editable_checkouts.update(requested.checkouts)
        self.builder.link_config.update(requested.link_config)
        self._options = dataclasses.replace(
            options, upgrade=False, force_reinstall=False, ignore_installed=False, no_deps=False
        )  # build environments start empty, and need their dependencies
        self._chain = threading.local()
        self._warming: concurrent.futures.ThreadPoolExecutor | None = None  # the links being built, outermost first, in this thread

    def __enter__(self) -> Dispatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pool, self._warming = self._warming, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self.builder.close()

    def warm(self, links: Sequence[FileLink]) -> None:
        """Start preparing the metadata of these links (the user's directories, archives and
        URLs) in parallel, so that the resolver, which asks one at a time, finds them ready.
        Failures are left for the resolver to meet again (and report) when it asks."""
        import concurrent.futures
        import os

        wanted = [link for link in links if not link.is_wheel]
        if len(wanted) < 2:
            return
        workers = max(1, min(len(wanted), os.cpu_count() or 1, 4))
        self._warming = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="satchel-prepare")
        for link in wanted:
            self._warming.submit(self._warm_one, link)

    def _warm_one(self, link: FileLink) -> None:
        try:
            self.built_metadata(link)
        except Exception:  # the resolver asks again and reports it
            pass

    def is_editable(self, link: FileLink) -> bool:
        return link.key in self._editables

    def is_direct(self, link: FileLink) -> bool:
        return link.key in self._direct

    def direct_url_records(
        self, items: Sequence[PlanItem], wheels: Sequence[UnpackedWheel], built: Mapping[str, BuiltWheel]
    ) -> dict[str, bytes]:
        """PEP 610 records (by project) for the items that came from a URL, a path or VCS: the
        builder's for what it built, else the wheel's own hash."""
        import os

        from satchel.install.record import direct_url_json

        records = {}
        for item, wheel in zip(items, wheels):
            if self.is_direct(item.link):
                made = built.get(item.link.key)
                digest = os.path.basename(wheel.root)  # an unpacked tree's directory is its wheel's sha256
                records[item.key] = direct_url_json(item.link.url, digest, made.direct_url if made is not None else None)
        return records

    # ---------------------------------------------------------------- building

    def _current_chain(self) -> tuple[tuple[str, str], ...]:
        return getattr(self._chain, "links", ())

    def _enter(self, link: FileLink, chain: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """`chain` + this link, or a clear error on a cycle (A's build needs B's, which needs A)."""
        if any(key == link.key for key, _ in chain):
            names = " -> ".join(display for _, display in chain) + f" -> {link.display}"
            raise OperationError(
                f"build dependency cycle: {names}.",
                hint="install a wheel of one of them first (or pass --only-binary for it).",
            )
        if len(chain) >= _MAX_DEPTH:
            raise OperationError(f"builds nested more than {_MAX_DEPTH} deep to build {link.display}.")
        return (*chain, (link.key, link.display))

    def built_metadata(self, link: FileLink) -> bytes:
        before = self._current_chain()
        self._chain.links = self._enter(link, before)
        try:
            return self.builder.metadata(link, editable=self.is_editable(link))
        finally:
            self._chain.links = before

    # ---------------------------------------------------------------- fetching

    def wheels(
        self,
        links: Sequence[FileLink],
        *,
        expected: Mapping[str, Mapping[str, Collection[str]]] | None = None,
        on_done: Callable[[FileLink], None] | None = None,
    ) -> tuple[list[UnpackedWheel], dict[str, BuiltWheel]]:
        """Every link as an unpacked wheel, in order: wheels downloaded in parallel while the
        rest are built in parallel. Also the built ones by link key (their PEP 610 records)."""
        import concurrent.futures
        import os

        from satchel.fetch.download import fetch_wheels
        from satchel.fetch.unpack import unpacked

        expected = expected or {}
        plain = [link for link in links if link.is_wheel]
        to_build = [link for link in links if not link.is_wheel]
        built: dict[str, BuiltWheel] = {}
        result: dict[str, UnpackedWheel] = {}

        parent = self._current_chain()

        def build(link: FileLink) -> tuple[FileLink, UnpackedWheel, BuiltWheel]:
            self._chain.links = self._enter(link, parent)
            try:
                made = self.builder.wheel(link, editable=self.is_editable(link), expected_hashes=expected.get(link.url))
            finally:
                self._chain.links = parent
            wheel = unpacked(self.cache, made.path)
            if on_done is not None:
                on_done(link)
            return link, wheel, made

        workers = max(1, min(len(to_build), os.cpu_count() or 1, 4))
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="satchel-build") as pool:
            futures = [pool.submit(build, link) for link in to_build]
            if plain:
                for link, wheel in zip(plain, fetch_wheels(plain, self.source, cache=self.cache, expected=expected, on_done=on_done)):
                    result[link.key] = wheel
            for future in futures:
                link, wheel, made = future.result()
                result[link.key] = wheel
                built[link.key] = made
        return [result[link.key] for link in links], built

    # ---------------------------------------------------------------- build environments

    def resolve_requirements(self, requirements: Sequence[str], *, purpose: str) -> list[tuple[str, str, FileLink]]:
        """`protocols.EnvInstaller`: `requirements` resolved for the target, nothing installed."""
        from satchel.environment.model import InstalledSet
        from satchel.requirements.model import Origin, request_from_text
        from satchel.resolve.model import ResolutionError
        from satchel.resolve.resolve import resolve

        origin = Origin(purpose)
        requests = [request_from_text(text, origin=origin) for text in requirements]
        try:
            resolution = resolve(
                requests, source=self.source, target=self.target, markers=self.info.markers,
                installed=InstalledSet([]), options=self._options,
            )
        except ResolutionError as error:
            error.message = f"can't install the {purpose}: {error.message}"
            raise
        return [(pin.name, pin.version, pin.link) for pin in resolution.pins if pin.link is not None]

    def install_links(self, links: Sequence[FileLink], scheme: Mapping[str, str], python: str) -> None:
        """`protocols.EnvInstaller`: fetch or build `links`, link them in with `scheme`."""
        from satchel.install.link import install_unpacked

        wheels, _ = self.wheels(links)
        for wheel in wheels:
            install_unpacked(wheel, scheme, python=python, python_version=self.info.version)
