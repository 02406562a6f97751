"""`satchel show`: what pip show prints about installed packages, exactly as it prints it."""

from __future__ import annotations


from satchel.commands.target import Selection, add_target_arguments, installed_in_target, variables_cache
from satchel.errors import OperationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, selection=False)
    parser.add_argument(
        "-f", "--files", action="store_true", help="also list the files each package installed",
    )
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help="installed package names")


def run(args: argparse.Namespace) -> int:
    """Print each package's block ("---" between them); exit 1 when none was found."""
    from satchel.environment.show import show_report

    if not args.packages:
        raise OperationError(
            "Please provide a package name or names.", hint="`satchel show requests` shows one package.",
        )
    info, installed = installed_in_target(Selection(args), variables_cache(), args.console)
    report = show_report(installed, args.packages, info.markers, verbose=bool(args.verbose), files=args.files)
    if report.missing:
        args.console.err(f"WARNING: Package(s) not found: {', '.join(report.missing)}\n")
    if report.lines:
        args.console.out("\n".join(report.lines) + "\n")
    return 0 if report.shown else 1
