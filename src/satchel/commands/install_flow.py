"""The part of `satchel install` that needs the index: settings, resolution, the plan, fetching
and the transaction, wired in that order. Imported only when the no-op answers can't."""

from __future__ import annotations

from contextlib import contextmanager

from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from satchel.cache.layout import Cache
    from satchel.commands.install_options import InstallOptions
    from satchel.dispatch import Dispatch
    from satchel.environment.model import InstalledSet
    from satchel.fetch.unpack import UnpackedWheel
    from satchel.index.client import IndexClient
    from satchel.index.evaluate import TargetEnvironment
    from satchel.install.plan import InstallPlan
    from satchel.interpreters.info import InterpreterInfo
    from satchel.memory.replay import Recorder
    from satchel.protocols import Console, Reporter
    from satchel.requirements.model import InstallRequest, RequirementsOptions
    from satchel.resolve.model import ResolveOptions
    from satchel.settings import Settings

__all__ = ["install_resolved"]


def _settings(options: InstallOptions, info: InterpreterInfo, file_options: list[RequirementsOptions]) -> Settings:
    """Command line and config merged, then the requirements files' own options on top."""
    from satchel.settings import load_settings, with_default_index
    from satchel.settings.file_options import with_file_options

    settings = load_settings(options.settings, command="install", target_prefix=info.prefix)
    return with_default_index(with_file_options(settings, file_options), info.executable)


def install_resolved(
    options: InstallOptions,
    console: Console,
    reporter: Reporter,
    cache: Cache,
    info: InterpreterInfo,
    requests: list[InstallRequest],
    constraints: list[InstallRequest],
    file_options: list[RequirementsOptions],
    installed: InstalledSet,
    on_installed: Callable[[dict[str, str]], str | None] | None = None,
    recorder: Recorder | None = None,
) -> None:
    """Resolve, plan, fetch and apply; `on_installed({name: version})` after a success (it
    returns the no-op answer it remembered for the same command, if any), then `recorder`
    keeps what was done, to be replayed."""
    import os

    from satchel.cache.store import atomic_write_bytes
    from satchel.commands.index_source import open_source, searched_locations
    from satchel.index.evaluate import TargetEnvironment
    from satchel.install import hashes
    from satchel.install.plan import make_plan, spell_as_requested
    from satchel.install.report import outcome_json, report_text
    from satchel.interpreters.tags import supported_tags
    from satchel.commands.install_options import resolver_options
    from satchel.resolve.resolve import request_link, resolve

    settings = _settings(options, info, file_options)
    cache = cache.rechosen(settings.cache_dir, settings.no_cache, os.environ)  # the target's pip.conf may name another
    resolve_options = resolver_options(options, settings, file_options)
    environment = TargetEnvironment(tuple(supported_tags(info)), info.markers["python_full_version"])
    hash_mode = hashes.hash_mode(requests, require_hashes=settings.require_hashes)
    if hash_mode:
        hashes.refuse_unhashable(requests)
    with open_source(settings, console, cache) as client, _dispatch(
        options, console, cache, info, client, environment, resolve_options, settings, requests
    ) as dispatch:
        source = dispatch.source
        dispatch.warm([request_link(r) for r in requests if r.url is not None or r.path is not None])
        resolution = resolve(
            requests, source=source, target=environment, markers=info.markers, installed=installed,
            options=resolve_options, constraints=constraints, locations=searched_locations(settings),
        )  # fmt: skip
        plan = make_plan(
            resolution.pins, installed, force_reinstall=options.force_reinstall or options.ignore_installed,
            editables={canonical_name(p.name) for p in resolution.pins if p.link and dispatch.is_editable(p.link)},
        )  # fmt: skip
        spell_as_requested(plan, requests, source.metadata)
        if hash_mode:
            hashes.check_plan_hashes(plan, hashes.request_hashes(requests))
        if options.report:
            text = report_text(plan, source.metadata, info.markers, requests)
            if options.report == "-":
                console.out(text)
            else:
                atomic_write_bytes(options.report, text.encode())
        if options.json and (options.dry_run or plan.empty):
            console.out(outcome_json(plan, requests, installed, dry_run=options.dry_run))
            return
        if options.dry_run:
            if plan.add and not options.quiet:
                items = sorted(plan.add, key=lambda item: item.key)
                console.out("Would install " + " ".join(f"{i.name}-{i.version}" for i in items) + "\n")
            return
        if plan.empty:
            if not options.quiet:
                from satchel.install.satisfied import already_satisfied_lines

                console.out("".join(line + "\n" for line in already_satisfied_lines(requests, installed)))
            return
        wheels = _apply(options, console, reporter, info, plan, dispatch, requests, installed)
        satisfied = None
        if on_installed is not None:
            satisfied = on_installed({canonical_name(pin.name): pin.version for pin in resolution.pins})
        if recorder is not None:
            recorder.satisfied = satisfied
            direct = [dispatch.is_direct(item.link) for item in plan.add]
            recorder.save(client.consulted, plan, wheels, direct, plan.summary() + "\n")


@contextmanager
def _dispatch(
    options: InstallOptions,
    console: Console,
    cache: Cache,
    info: InterpreterInfo,
    client: IndexClient,
    environment: TargetEnvironment,
    resolve_options: ResolveOptions,
    settings: Settings,
    requests: list[InstallRequest],
) -> Iterator[Dispatch]:
    """The builder and its source for this command, with the build options (-C,
    --no-build-isolation, --check-build-dependencies)."""
    import os

    from satchel.commands.install_options import config_settings
    from satchel.dispatch import Dispatch, RequestedLinks

    src = os.path.abspath(options.src) if options.src else os.path.join(info.prefix, "src")
    dispatch = Dispatch(
        info, client, cache=cache, target=environment, options=resolve_options,
        requested=RequestedLinks.of(requests, src),
        build_isolation=settings.build_isolation, check_build_dependencies=settings.check_build_dependencies,
        config_settings=config_settings(settings.config_settings),
        on_build=None if options.quiet else lambda name: console.err(f"Building {name}\n"),
        verbose=bool(options.verbose),
    )  # fmt: skip
    try:
        yield dispatch
    finally:
        dispatch.close()


def _apply(
    options: InstallOptions,
    console: Console,
    reporter: Reporter,
    info: InterpreterInfo,
    plan: InstallPlan,
    dispatch: Dispatch,
    requests: list[InstallRequest],
    installed: InstalledSet,
) -> list[UnpackedWheel]:
    """Fetch (build) and install the plan's wheels; the wheels installed."""
    from satchel.install.hashes import request_hashes
    from satchel.install.report import outcome_json
    from satchel.install.transaction import Destination, apply_changes
    from satchel.install.uninstall import removal_paths

    hashes = request_hashes(requests)
    task = f"Fetching {len(plan.add)} package{'s' if len(plan.add) != 1 else ''}"
    reporter.started(task, len(plan.add))
    try:
        wheels, built = dispatch.wheels(
            [item.link for item in plan.add],
            expected={item.link.url: hashes[item.key] for item in plan.add if item.key in hashes},
            on_done=lambda _link: reporter.advanced(task),
        )
    finally:
        reporter.finished(task)
    destination = Destination.of(info)
    requested = {item.key for item in plan.add if item.requested}
    direct_urls = dispatch.direct_url_records(plan.add, wheels, built)
    apply_changes(destination, wheels, plan.remove, requested=requested, removal_paths=removal_paths, direct_urls=direct_urls)
    if options.compile:
        from satchel.install.bytecode import compile_installed

        compile_installed(destination)
    if options.json:
        console.out(outcome_json(plan, requests, installed, dry_run=False))
    elif not options.quiet:
        console.out(plan.summary() + "\n")
    return wheels
