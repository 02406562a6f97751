"""`satchel freeze`: what is installed, in requirements format, exactly as pip freeze prints it."""

from __future__ import annotations

import sys

from satchel.commands.target import add_target_arguments, installed_in_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument(
        "--all", action="store_true", dest="all_packages",
        help="also list pip (and setuptools, wheel, distribute before Python 3.12)",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="PACKAGE", help="leave this package out (repeatable)",
    )
    parser.add_argument("--exclude-editable", action="store_true", help="leave out editable installs")


def run(args: argparse.Namespace) -> int:
    from satchel.environment.views import freeze_lines

    info, installed = installed_in_target(args)
    lines = freeze_lines(
        installed,
        python_version=info.version,
        all_packages=args.all_packages,
        exclude=args.exclude,
        exclude_editable=args.exclude_editable,
    )
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
