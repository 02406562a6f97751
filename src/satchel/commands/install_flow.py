"""The part of `satchel install` that needs the index: settings, resolution, the plan, fetching
and the transaction. Imported only when the no-op fast path can't answer."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

from satchel.commands.install_options import cli_settings
from satchel.environment.model import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator, Mapping

    from satchel.commands.install_replay import Recorder
    from satchel.dispatch import Dispatch
    from satchel.fetch.builder import BuiltWheel
    from satchel.fetch.unpack import UnpackedWheel
    from satchel.index.client import IndexClient
    from satchel.index.evaluate import TargetEnvironment
    from satchel.resolve.resolve import ResolveOptions

    from satchel.environment.model import InstalledSet
    from satchel.install.plan import InstallPlan
    from satchel.install.transaction import Target
    from satchel.interpreters.info import InterpreterInfo
    from satchel.requirements.model import InstallRequest, RequirementsOptions
    from satchel.settings import Settings

__all__ = ["install_resolved"]


def _settings(args: argparse.Namespace, info: InterpreterInfo, file_options: list[RequirementsOptions]) -> Settings:
    """Command line and config merged, then the requirements files' own options on top, as pip
    applies them (an --index-url in a file replaces the index; the lists grow)."""
    from satchel.settings import load_settings, with_default_index

    settings = load_settings(cli_settings(args), command="install", target_prefix=info.prefix)
    for options in file_options:
        changes: dict[str, object] = {}
        if options.index_url:
            changes["index_url"] = options.index_url
        if options.extra_index_urls:
            changes["extra_index_urls"] = settings.extra_index_urls + tuple(options.extra_index_urls)
        if options.find_links:
            changes["find_links"] = settings.find_links + tuple(options.find_links)
        if options.no_index:
            changes["no_index"] = True
        if options.pre:
            changes["pre"] = True
        if options.prefer_binary:
            changes["prefer_binary"] = True
        if options.require_hashes:
            changes["require_hashes"] = True
        if options.trusted_hosts:
            changes["trusted_hosts"] = settings.trusted_hosts + tuple(options.trusted_hosts)
        if options.only_binary:
            changes["only_binary"] = settings.only_binary | frozenset(options.only_binary)
        if options.no_binary:
            changes["no_binary"] = settings.no_binary | frozenset(options.no_binary)
        if changes:
            settings = settings.replace(**changes)
    return with_default_index(settings, info.executable)


def install_resolved(
    args: argparse.Namespace,
    info: InterpreterInfo,
    target: Target,
    requests: list[InstallRequest],
    constraints: list[InstallRequest],
    file_options: list[RequirementsOptions],
    installed: InstalledSet,
    on_installed: Callable[[dict[str, str]], str | None] | None = None,
    recorder: Recorder | None = None,
) -> int:
    """Resolve, plan, fetch and apply; `on_installed({name: version})` after a success (it
    returns the no-op answer it remembered for the same command, if any), then `recorder`
    keeps what was done, to be replayed."""
    from satchel.commands.index_source import open_source, searched_locations
    from satchel.index.evaluate import TargetEnvironment
    from satchel.install.plan import make_plan
    from satchel.interpreters.tags import supported_tags
    from satchel.resolve.resolve import ResolveOptions, request_link, resolve

    settings = _settings(args, info, file_options)
    import os

    if settings.no_cache:  # --no-cache-dir: nothing read from or left in a cache (a private one, deleted at exit)
        import atexit
        import shutil
        import tempfile

        private = tempfile.mkdtemp(prefix="satchel-no-cache-")
        atexit.register(shutil.rmtree, private, True)
        os.environ["SATCHEL_CACHE_DIR"] = private
    elif settings.cache_dir:
        os.environ["SATCHEL_CACHE_DIR"] = settings.cache_dir  # --cache-dir: this process's cache root
    options = ResolveOptions(
        pre=settings.pre,
        upgrade=args.upgrade,
        upgrade_strategy=settings.upgrade_strategy,
        force_reinstall=args.force_reinstall,
        ignore_installed=args.ignore_installed,
        no_deps=args.no_deps,
        only_binary=settings.only_binary,
        no_binary=settings.no_binary,
        prefer_binary=settings.prefer_binary,
        ignore_requires_python=False,
    )
    environment = TargetEnvironment(tuple(supported_tags(info)), info.markers["python_full_version"])
    if settings.require_hashes or any(r.hashes for r in requests):
        _refuse_unhashable(requests)
    with open_source(settings) as client, _dispatch(args, info, client, environment, options, settings, requests) as dispatch:
        source = dispatch.source
        dispatch.warm([request_link(r) for r in requests if r.url is not None or r.path is not None])
        resolution = resolve(
            requests, source=source, target=environment, markers=info.markers, installed=installed,
            options=options, constraints=constraints, locations=searched_locations(settings),
        )
        plan = make_plan(
            resolution.pins, installed, force_reinstall=args.force_reinstall or args.ignore_installed,
            editables={canonical_name(p.name) for p in resolution.pins if p.link and dispatch.is_editable(p.link)},
        )
        _use_requested_names(plan, requests, source)
        if settings.require_hashes or any(r.hashes for r in requests):
            _check_hash_mode(plan, _request_hashes(requests))
        if args.report:
            extras = {canonical_name(r.name): sorted(r.extras) for r in requests if r.name and r.extras}
            _write_report(args.report, plan, source, info, extras)
        if args.dry_run:
            if plan.add and not args.quiet:
                items = sorted(plan.add, key=lambda item: item.key)
                sys.stdout.write("Would install " + " ".join(f"{i.name}-{i.version}" for i in items) + "\n")
            return 0
        if plan.empty:
            _already_satisfied(args, requests, installed)
            return 0
        wheels = _apply(args, info, target, plan, dispatch, requests)
        satisfied = None
        if on_installed is not None:
            satisfied = on_installed({canonical_name(pin.name): pin.version for pin in resolution.pins})
        if recorder is not None:
            recorder.satisfied = satisfied
            direct = [dispatch.is_direct(item.link) for item in plan.add]
            recorder.save(client.consulted, plan, wheels, direct, plan.summary() + "\n")
        return 0


@contextmanager
def _dispatch(
    args: argparse.Namespace,
    info: InterpreterInfo,
    client: IndexClient,
    environment: TargetEnvironment,
    options: ResolveOptions,
    settings: Settings,
    requests: list[InstallRequest],
) -> Iterator[Dispatch]:
    """The builder and its source for this command: which links are editable or direct, and
    the build options (-C, --no-build-isolation, --check-build-dependencies)."""
    from satchel.commands.install_options import config_settings
    from satchel.dispatch import Dispatch
    from satchel.resolve.resolve import request_link

    import os

    from packaging.utils import canonicalize_name

    editables, direct, checkouts, link_config = set(), set(), {}, {}
    src = os.path.abspath(args.src) if args.src else os.path.join(info.prefix, "src")
    for request in requests:
        if request.url is not None or request.path is not None:
            key = request_link(request).key
            direct.add(key)
            if request.config_settings:  # a requirements-file line's own --config-settings
                link_config[key] = request.config_settings
            if request.editable:
                editables.add(key)
                if request.url is not None and request.name:  # -e git+...: checked out in <src>/<name>, as pip does
                    checkouts[key] = os.path.join(src, canonicalize_name(request.name))
            continue
        if request.config_settings and request.name:  # ... for a project from the index, by its name
            link_config[canonicalize_name(request.name)] = request.config_settings
        if request.requirement is not None and request.requirement.url:
            from satchel.index.links import FileLink

            direct.add(FileLink.build(request.requirement.url, request.requirement.url).key)
    dispatch = Dispatch(
        info, client, target=environment, options=options, editables=editables, direct=direct, checkouts=checkouts,
        link_config=link_config,
        build_isolation=settings.build_isolation, check_build_dependencies=settings.check_build_dependencies,
        config_settings=config_settings(settings.config_settings),
        on_build=None if args.quiet else _say_building,
        verbose=bool(args.verbose),
    )
    try:
        yield dispatch
    finally:
        dispatch.close()


def _say_building(name: str) -> None:
    sys.stderr.write(f"Building {name}\n")


def _already_satisfied(args: argparse.Namespace, requests: list[InstallRequest], installed: InstalledSet) -> None:
    from satchel.commands.install import _satisfied_line

    if args.quiet:
        return
    for request in requests:
        if request.url is not None or request.path is not None or (request.requirement and request.requirement.url):
            continue  # a file or URL at the installed version: pip says nothing of it
        dist = installed.get(request.name or "")
        if dist is not None:
            sys.stdout.write(_satisfied_line(request, dist.location, dist.version) + "\n")


def _use_requested_names(plan: InstallPlan, requests: list[InstallRequest], source: object) -> None:
    """Name each item as the requirement that brought it in spells it (`Foo_Bar`, `jinja2`):
    the user's request first, else the first dependent's Requires-Dist, as pip's closing line."""
    from packaging.requirements import InvalidRequirement, Requirement

    from satchel.environment.scan import parse_headers

    spelled: dict[str, str] = {}
    for request in requests:
        if request.name:
            spelled.setdefault(canonical_name(request.name), request.name)
    for item in plan.add:
        try:
            raw = source.metadata(item.link)  # type: ignore[attr-defined]  # memoised: the resolver read it
        except Exception:  # a name is cosmetic; never fail an install over it
            continue
        for text in parse_headers(raw.decode("utf-8", "replace")).get("requires-dist", []):
            try:
                name = Requirement(text).name
            except InvalidRequirement:
                continue
            spelled.setdefault(canonical_name(name), name)
    for item in plan.add:
        item.name = spelled.get(item.key, item.name)


def _refuse_unhashable(requests: list[InstallRequest]) -> None:
    """In hash-checking mode, what has no single file to hash (editables, directories, VCS)
    can't be installed at all: refused before anything is resolved or built, as pip does."""
    import os

    from satchel.errors import OperationError

    for request in requests:
        url = request.url or (request.requirement.url if request.requirement is not None else None) or ""
        if request.editable:
            why = "it is editable: there is no single file to hash"
        elif url.startswith(("git+", "hg+", "svn+", "bzr+")):
            why = "version control repositories can't be hashed"
        elif request.path is not None and os.path.isdir(request.path):
            why = "it is a directory: there is no single file to hash"
        else:
            continue
        raise OperationError(
            f"{request.text!r} can't be installed in hash-checking mode: {why}.",
            input=request.text,
            hint="install it without --require-hashes (and without --hash lines), or from a pinned, hashed archive.",
        )


def _check_hash_mode(plan: InstallPlan, hashes: dict[str, dict[str, list[str]]]) -> None:
    """pip's hash-checking mode: every package installed needs a --hash (dependencies too)."""
    from satchel.errors import OperationError

    missing = [item for item in plan.add if item.key not in hashes]
    if missing:
        lines = [
            f"{item.name}=={item.version} --hash=sha256:{item.link.hashes.get('sha256', '<unknown>')}" for item in missing
        ]
        raise OperationError(
            "hash-checking mode (--require-hashes or a --hash in a requirements file) needs a hash for every "
            "package, and these have none:",
            context="\n".join(lines),
            hint="add these lines (check the hashes first) to your requirements file, or pin them elsewhere.",
        )


def _write_report(
    path: str, plan: InstallPlan, source: object, info: InterpreterInfo, extras: dict[str, list[str]]
) -> None:
    from satchel.install.report import installation_report

    metadata = {item.key: source.metadata(item.link) for item in plan.add}  # type: ignore[attr-defined]
    report = installation_report(plan, metadata=metadata, environment=info.markers, requested_extras=extras)
    text = json.dumps(report, indent=2) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    from satchel.cache.store import atomic_write_bytes

    atomic_write_bytes(path, text.encode())


def _direct_urls(
    plan: InstallPlan, wheels: list[UnpackedWheel], built: Mapping[str, BuiltWheel], dispatch: Dispatch
) -> dict[str, bytes]:
    """PEP 610 records for what came from a URL, a path or VCS, as pip writes them (freeze
    reads them): the builder's for what it built, else the wheel file's own hash."""
    import os

    records = {}
    for item, wheel in zip(plan.add, wheels):
        if not dispatch.is_direct(item.link):
            continue
        made = built.get(item.link.key)
        if made is not None:
            info = made.direct_url
        else:
            digest = os.path.basename(wheel.root)  # an unpacked tree lives in a directory named by its wheel's sha256
            info = {"url": item.link.url, "archive_info": {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}}
        records[item.key] = json.dumps(info, sort_keys=True).encode()
    return records


def _request_hashes(requests: list[InstallRequest]) -> dict[str, dict[str, list[str]]]:
    """--hash values from requirements files, by project: a file must match one of them."""
    return {canonical_name(r.name): dict(r.hashes) for r in requests if r.name and r.hashes}


def _apply(
    args: argparse.Namespace,
    info: InterpreterInfo,
    target: Target,
    plan: InstallPlan,
    dispatch: Dispatch,
    requests: list[InstallRequest],
) -> list[UnpackedWheel]:
    """Fetch (build) and install the plan's wheels; the wheels installed."""
    from satchel.install.transaction import apply_changes
    from satchel.install.uninstall import removal_paths

    hashes = _request_hashes(requests)
    reporter = args.reporter
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
    requested = {item.key for item in plan.add if item.requested}
    direct_urls = _direct_urls(plan, wheels, built, dispatch)
    apply_changes(target, wheels, plan.remove, requested=requested, removal_paths=removal_paths, direct_urls=direct_urls)
    if args.compile:
        _compile(info, target, [item.name for item in plan.add])
    if not args.quiet:
        sys.stdout.write(plan.summary() + "\n")
    return wheels


def _compile(info: InterpreterInfo, target: Target, names: list[str]) -> None:
    """Byte-compile what was installed, with the target interpreter (pip's default, opt-in here)."""
    import subprocess

    directories = sorted({target.scheme["purelib"], target.scheme["platlib"]})
    subprocess.run([info.executable, "-m", "compileall", "-q", *directories], check=False, stdout=subprocess.DEVNULL)
