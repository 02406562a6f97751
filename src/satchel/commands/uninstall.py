"""`satchel uninstall [-y] PKG...`: remove installed packages as pip uninstall does, as one
transaction (all named packages go, or none)."""

from __future__ import annotations

import os

from satchel.commands.target import add_target_arguments, variables_cache
from satchel.errors import OperationError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.environment.model import InstalledDist
    from satchel.protocols import Console

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help="names of the packages to remove")
    parser.add_argument("-y", "--yes", action="store_true", help="don't ask for confirmation")
    parser.add_argument(
        "-r", "--requirement", action="append", default=[], metavar="FILE",
        help="remove the packages named in this requirements file (repeatable)",
    )
    parser.add_argument("-q", "--quiet", action="count", default=0, help="print less")
    add_target_arguments(parser, selection=False)


def _display(paths: list[str]) -> list[str]:
    return sorted(path + (os.sep + "*" if os.path.isdir(path) and not os.path.islink(path) else "") for path in paths)


def _confirm(console: Console) -> bool:
    while True:
        answer = console.ask("Proceed (Y/n)? ")
        if answer is None:
            raise UsageError(
                "uninstall needs confirmation, but there is no terminal to ask on.",
                hint="pass -y/--yes to remove without asking.",
            )
        answer = answer.strip().lower()
        if answer in ("", "y", "yes"):
            return True
        if answer in ("n", "no"):
            return False


def _names(packages: list[str], requirement_files: list[str]) -> list[str]:
    """The names to remove: those given, and those the requirements files name."""
    names = list(packages)
    if requirement_files:
        from satchel.requirements.reqfile import parse_requirements_file

        for path in requirement_files:
            parsed = parse_requirements_file(path)
            for request in parsed.requests:
                if request.name:
                    names.append(request.name)
    if not names:
        raise UsageError(
            "nothing to uninstall: name at least one package.",
            hint="e.g. `satchel uninstall requests`, or -r requirements.txt.",
        )
    return names


def run(args: argparse.Namespace) -> int:
    from satchel.environment.scan import scan
    from satchel.install.lock import environment_lock
    from satchel.install.paths import state_dir
    from satchel.install.transaction import Destination, apply_changes, recover
    from satchel.install.uninstall import removal_paths
    from satchel.interpreters.discover import find_environment

    names = _names(args.packages, args.requirement)
    info = find_environment(args.python, variables_cache(), system=args.system)
    target = Destination.of(info)
    console: Console = args.console
    with environment_lock(state_dir(info.prefix), say=console.err):
        for note in recover(info.prefix):
            console.err(f"satchel: {note}\n")
        installed = scan(info.sys_path)
        chosen: list[InstalledDist] = []
        for name in names:
            dist = installed.get(name)
            if dist is None:
                console.err(f"WARNING: Skipping {name} as it is not installed.\n")
            elif dist not in chosen:
                chosen.append(dist)
        if not chosen:
            return 0
        plans = {dist.key: removal_paths(dist, target.prefix) for dist in chosen}
        for dist in chosen:
            if not args.quiet:
                console.out(f"Found existing installation: {dist.name} {dist.version}\n")
                console.out(f"Uninstalling {dist.name}-{dist.version}:\n")
            if not args.yes:
                console.out("  Would remove:\n")
                for path in _display(plans[dist.key]):
                    console.out(f"    {path}\n")
        if not args.yes:
            if not _confirm(console):
                return 0
        try:
            apply_changes(target, [], chosen, removal_paths=lambda d, _prefix: plans[d.key])
        except OSError as exc:  # pragma: no cover - apply_changes wraps its own
            raise OperationError(f"uninstalling failed: {exc}") from exc
        if args.quiet < 2:
            for dist in chosen:
                console.out(f"  Successfully uninstalled {dist.name}-{dist.version}\n")
    return 0
