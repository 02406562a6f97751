"""`satchel list`: installed packages as pip list shows them (columns, freeze or json)."""

from __future__ import annotations

import sys

from satchel.commands.target import add_target_arguments, installed_in_target
from satchel.environment.model import canonical_name
from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.environment.model import InstalledDist, InstalledSet

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument("--format", choices=("columns", "freeze", "json"), default="columns", dest="list_format")
    parser.add_argument("-o", "--outdated", action="store_true", help="only packages with a newer release")
    parser.add_argument("-u", "--uptodate", action="store_true", help="only packages with no newer release")
    editable = parser.add_mutually_exclusive_group()
    editable.add_argument("-e", "--editable", action="store_true", help="only editable installs")
    editable.add_argument("--exclude-editable", action="store_true", help="leave out editable installs")
    parser.add_argument("--include-editable", action="store_true", help="include editable installs (the default)")
    parser.add_argument(
        "--not-required", action="store_true", help="only packages that no other installed package requires",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="PACKAGE", help="leave this package out (repeatable)",
    )


def _required_names(installed: InstalledSet, markers: dict[str, str]) -> set[str]:
    """What installed packages require without extras, markers evaluated for the target."""
    from packaging.requirements import InvalidRequirement, Requirement

    environment = dict(markers, extra="")
    names = set()
    for dist in installed:
        for text in dist.header_all("Requires-Dist"):
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is None or requirement.marker.evaluate(environment):
                names.add(canonical_name(requirement.name))
    return names


def _selected(args: argparse.Namespace, installed: InstalledSet, markers: dict[str, str]) -> list[InstalledDist]:
    excluded = {canonical_name(name) for name in args.exclude}
    dists = [d for d in installed if d.key not in excluded]
    if args.editable:
        dists = [d for d in dists if d.editable]
    elif args.exclude_editable:
        dists = [d for d in dists if not d.editable]
    if args.not_required:
        required = _required_names(installed, markers)
        dists = [d for d in dists if d.key not in required]
    return dists


def run(args: argparse.Namespace) -> int:
    from satchel.environment import views

    if args.outdated or args.uptodate:
        raise UsageError(
            "--outdated and --uptodate are not supported yet: they need the package index client.",
            hint="`satchel list` without them shows what is installed.",
        )
    info, installed = installed_in_target(args)
    dists = _selected(args, installed, info.markers)
    if args.list_format == "json":
        import json

        sys.stdout.write(json.dumps(views.list_rows(dists, verbose=args.verbose)) + "\n")
        return 0
    if args.list_format == "freeze":
        lines = views.freeze_list_lines(dists)
    else:
        from satchel.environment.scan import build_tag

        tags = {d.key: tag for d in dists if (tag := build_tag(d))}
        lines = views.format_columns(dists, tags, verbose=args.verbose)
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
