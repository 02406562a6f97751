"""The part of `satchel install` that needs the index: settings, resolution, the plan, fetching
and the transaction. Imported only when the no-op fast path can't answer."""

from __future__ import annotations

import json
import sys

from satchel.commands.install_options import cli_settings
from satchel.environment.model import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

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
    on_installed: Callable[[dict[str, str]], None] | None = None,
) -> int:
    """Resolve, plan, fetch and apply; `on_installed({name: version})` after a success."""
    from satchel.commands.index_source import open_source, searched_locations
    from satchel.index.evaluate import TargetEnvironment
    from satchel.install.plan import make_plan
    from satchel.interpreters.tags import supported_tags
    from satchel.resolve.resolve import ResolveOptions, resolve

    settings = _settings(args, info, file_options)
    if settings.cache_dir and not settings.no_cache:
        import os

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
    with open_source(settings) as source:
        resolution = resolve(
            requests, source=source, target=environment, markers=info.markers, installed=installed,
            options=options, constraints=constraints, locations=searched_locations(settings),
        )
        plan = make_plan(resolution.pins, installed, force_reinstall=args.force_reinstall or args.ignore_installed)
        if args.report:
            _write_report(args.report, plan, source, info)
        if args.dry_run:
            if plan.add and not args.quiet:
                items = sorted(plan.add, key=lambda item: item.key)
                sys.stdout.write("Would install " + " ".join(f"{i.name}-{i.version}" for i in items) + "\n")
            return 0
        if plan.empty:
            _already_satisfied(args, requests, installed)
            return 0
        code = _apply(args, info, target, plan, source)
        if on_installed is not None:
            on_installed({canonical_name(pin.name): pin.version for pin in resolution.pins})
        return code


def _already_satisfied(args: argparse.Namespace, requests: list[InstallRequest], installed: InstalledSet) -> None:
    if args.quiet:
        return
    for request in requests:
        dist = installed.get(request.name or "")
        if dist is not None:
            sys.stdout.write(f"Requirement already satisfied: {request.text} in {dist.location} ({dist.version})\n")


def _write_report(path: str, plan: InstallPlan, source: object, info: InterpreterInfo) -> None:
    from satchel.install.report import installation_report

    metadata = {item.key: source.metadata(item.link) for item in plan.add}  # type: ignore[attr-defined]
    report = installation_report(plan, metadata=metadata, environment=info.markers)
    text = json.dumps(report, indent=2) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    from satchel.cache.store import atomic_write_bytes

    atomic_write_bytes(path, text.encode())


def _apply(args: argparse.Namespace, info: InterpreterInfo, target: Target, plan: InstallPlan, source: object) -> int:
    from satchel.fetch.download import fetch_wheels
    from satchel.install.transaction import apply_changes
    from satchel.install.uninstall import removal_paths

    reporter = args.reporter
    task = f"Fetching {len(plan.add)} package{'s' if len(plan.add) != 1 else ''}"
    reporter.started(task, len(plan.add))
    try:
        wheels = fetch_wheels([item.link for item in plan.add], source, on_done=lambda _link: reporter.advanced(task))  # type: ignore[arg-type]
    finally:
        reporter.finished(task)
    requested = {item.key for item in plan.add if item.requested}
    apply_changes(target, wheels, plan.remove, requested=requested, removal_paths=removal_paths)
    if args.compile:
        _compile(info, target, [item.name for item in plan.add])
    if not args.quiet:
        sys.stdout.write(plan.summary() + "\n")
    return 0


def _compile(info: InterpreterInfo, target: Target, names: list[str]) -> None:
    """Byte-compile what was installed, with the target interpreter (pip's default, opt-in here)."""
    import subprocess

    directories = sorted({target.scheme["purelib"], target.scheme["platlib"]})
    subprocess.run([info.executable, "-m", "compileall", "-q", *directories], check=False, stdout=subprocess.DEVNULL)
