"""`satchel install`: pip install's semantics, as one transaction.

argv -> (memory: an unchanged no-op or a replay, before argparse) -> options -> requests (args,
-r, -c) -> target environment -> lock + recover -> installed set -> the quick no-op (everything
already satisfied: no index, no resolver) -> `install_flow` (settings, resolve, plan, fetch,
apply) -> pip's closing line. This module only wires those steps.
"""

from __future__ import annotations

from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.cache.layout import Cache
    from satchel.commands.install_options import InstallOptions
    from satchel.protocols import Console
    from satchel.requirements.model import InstallRequest, RequirementsOptions

__all__ = ["add_arguments", "answer_from_memory", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from satchel.commands.install_options import add_install_arguments

    add_install_arguments(parser)


def answer_from_memory(argv: list[str], console: Console) -> bool:
    """An unchanged no-op or a replay, before argparse is imported (`satchel.memory`)."""
    from satchel.memory.answer import answer_install

    return answer_install(argv, console)


class Gathered:
    """The requests of one command: what to install, the constraints, the options the
    requirements files carry, and the files read with their sha256 (None when an answer that
    depends on them can't be remembered: one is a URL, or uses ${VARIABLES})."""

    def __init__(self, options: InstallOptions) -> None:
        from satchel.requirements import parse_requirement_arguments, parse_requirements_file, read_requirements_file

        read: list[str] = []
        memorable = True

        def reader(location: str) -> str:
            nonlocal memorable
            text = read_requirements_file(location)
            read.append(location)
            memorable = memorable and "://" not in location and "${" not in text
            return text

        self.requests: list[InstallRequest] = parse_requirement_arguments(list(options.packages), editables=list(options.editable))
        self.constraints: list[InstallRequest] = []
        self.file_options: list[RequirementsOptions] = []
        for path in options.requirement:
            parsed = parse_requirements_file(path, reader=reader)
            self.file_options.append(parsed.options)
            for request in parsed.requests:
                (self.constraints if request.constraint else self.requests).append(request)
        for path in options.constraint:
            parsed = parse_requirements_file(path, constraint=True, reader=reader)
            self.file_options.append(parsed.options)
            self.constraints.extend(parsed.requests)
        if not self.requests:
            raise UsageError(
                "nothing to install: name at least one requirement.",
                hint="e.g. `satchel install requests`, or -r requirements.txt.",
            )
        self.files = _digests(read) if memorable else None
        _check_paths(self.requests)

    @property
    def plain(self) -> bool:
        """Only named requirements (no URL, path or editable)."""
        return all(r.requirement is not None and not r.requirement.url for r in self.requests)


def _digests(paths: list[str]) -> dict[str, str] | None:
    from satchel.memory.store import file_sha256_or_none

    found = {}
    for path in paths:
        digest = file_sha256_or_none(path)
        if digest is None:
            return None
        found[path] = digest
    return found


def _check_paths(requests: list[InstallRequest]) -> None:
    """Paths that don't exist fail up front, before anything else is done."""
    import os

    for request in requests:
        if request.path is not None and not os.path.exists(request.path.split("#", 1)[0]):
            raise UsageError(
                f"{request.text!r}: no such file or directory ({request.path}).",
                input=request.text,
                hint="check the path (relative paths are taken from the current directory).",
            )


def _cache(options: InstallOptions) -> Cache:
    """The cache the settings choose, before the environment is known (so the interpreter's
    description already goes there); a target's own pip.conf may still choose another for the
    rest (`install_flow`)."""
    import os

    from satchel.cache.layout import Cache
    from satchel.settings import load_settings

    settings = load_settings(options.settings, command="install")
    return Cache.chosen(settings.cache_dir, settings.no_cache, os.environ)


def run(args: argparse.Namespace) -> int:
    import os

    from satchel.commands.install_flow import install_resolved
    from satchel.commands.install_options import InstallOptions, refuse_system
    from satchel.environment.scan import scan
    from satchel.install.lock import environment_lock
    from satchel.install.paths import state_dir
    from satchel.install.satisfied import quick_noop
    from satchel.install.transaction import recover
    from satchel.interpreters.discover import find_environment
    from satchel.memory.noop import after_install, noop_key_for, remember_noop
    from satchel.memory.replay import recorder_for

    options = InstallOptions.from_namespace(args)
    console: Console = args.console
    cache = _cache(options)
    info = find_environment(options.python, cache, system=options.system)
    eligible = options.keeps_installed and not (options.dry_run or options.report)
    key = noop_key_for(options.argv, info) if eligible else None
    gathered = Gathered(options)
    if not info.is_venv and not options.system and options.python:
        refuse_system(info, options)
    with environment_lock(state_dir(info.prefix), say=console.err):
        for note in recover(info.prefix):
            console.err(f"satchel: {note}\n")
        installed = scan(info.sys_path)
        quick = options.keeps_installed and not gathered.constraints
        lines = quick_noop(gathered.requests, installed, info.markers) if quick else None
        if lines is not None:
            output = "\n".join(lines) + "\n"
            if key is not None and gathered.files is not None:
                remember_noop(cache, key, output, gathered.files)
            if options.json:
                from satchel.install.report import outcome_json

                console.out(outcome_json(None, gathered.requests, installed, dry_run=options.dry_run))
            elif not options.quiet:
                console.out(output)
            return 0
        own_site = all(
            p.startswith(os.path.join(info.prefix, "")) for p in info.sys_path if p.endswith("site-packages")
        )  # with global site-packages, a satisfied package may live elsewhere
        remember_after = None
        if key is not None and gathered.files is not None and not gathered.constraints and gathered.plain and own_site:
            remember_after = after_install(cache, options.argv, info, gathered.requests, gathered.files)
        recorder = recorder_for(cache, options.argv, info, gathered.requests, gathered.files)
        install_resolved(
            options, console, args.reporter, cache, info, gathered.requests, gathered.constraints,
            gathered.file_options, installed, remember_after, recorder,
        )  # fmt: skip
        return 0
