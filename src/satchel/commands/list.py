"""`satchel list`: installed packages as pip list shows them (columns, freeze or json)."""

from __future__ import annotations

from satchel.commands.target import Selection, add_target_arguments, installed_in_target, variables_cache
from satchel.errors import UsageError
from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.environment.model import InstalledDist, InstalledSet
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import Console

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
    parser.add_argument("--pre", action="store_true", default=None, help="with -o/-u: count pre-releases")
    parser.add_argument("-i", "--index-url", metavar="URL", help="with -o/-u: the package index")
    parser.add_argument("--extra-index-url", action="append", default=None, metavar="URL", help="another index")
    parser.add_argument("-f", "--find-links", action="append", default=None, metavar="URL", help="more links")
    parser.add_argument("--no-index", action="store_true", default=None, help="only --find-links")


def _required_names(installed: InstalledSet, markers: dict[str, str]) -> set[str]:
    """What installed packages require without extras, markers evaluated for the target."""
    from packaging.requirements import InvalidRequirement, Requirement

    from satchel.environment.markers import applies

    names = set()
    for dist in installed:
        for text in dist.header_all("Requires-Dist"):
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if applies(requirement.marker, markers, requirement=text, origin=f"the metadata of {dist.name}"):
                names.add(canonical_name(requirement.name))
    return names


def _selected(
    installed: InstalledSet,
    markers: dict[str, str],
    *,
    exclude: list[str],
    editable: bool,
    exclude_editable: bool,
    not_required: bool,
) -> list[InstalledDist]:
    excluded = {canonical_name(name) for name in exclude}
    dists = [d for d in installed if d.key not in excluded]
    if editable:
        dists = [d for d in dists if d.editable]
    elif exclude_editable:
        dists = [d for d in dists if not d.editable]
    if not_required:
        required = _required_names(installed, markers)
        dists = [d for d in dists if d.key not in required]
    return dists


def _compare(installed: str, newest: str, outdated: bool) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(newest) > Version(installed) if outdated else Version(newest) == Version(installed)
    except InvalidVersion:
        return False


def _latest_versions(
    cli: dict[str, object], console: Console, info: InterpreterInfo, dists: list[InstalledDist]
) -> dict[str, tuple[str, str]]:
    """name -> (newest version on the index, "wheel"|"sdist"), as pip list --outdated finds it:
    never yanked files, pre-releases only with --pre, wheel tags of the target. `cli`: the
    command line's index options, for the settings."""
    import os

    from satchel.cache.layout import Cache
    from satchel.commands.index_source import open_source
    from satchel.index.evaluate import CandidatePolicy, TargetEnvironment, evaluate_link, select_candidates
    from satchel.interpreters.tags import supported_tags
    from satchel.settings import load_settings, with_default_index

    settings = with_default_index(load_settings(cli, command="list", target_prefix=info.prefix), info.executable)
    target = TargetEnvironment(tuple(supported_tags(info)), info.markers["python_full_version"])
    found: dict[str, tuple[str, str]] = {}
    cache = Cache.chosen(settings.cache_dir, settings.no_cache, os.environ)
    with open_source(settings, console, cache) as source:
        source.prefetch([d.name for d in dists])
        for dist in dists:
            policy = CandidatePolicy(allow_prereleases=settings.pre, only_final=not settings.pre, allow_yanked_pinned=False)
            evaluations = [evaluate_link(link, dist.name, target, policy) for link in source.project_page(dist.name).links]
            best = select_candidates(evaluations, "", policy).best
            if best is not None and best.version is not None:
                found[dist.key] = (str(best.version), "wheel" if best.link.is_wheel else "sdist")
    return found


def run(args: argparse.Namespace) -> int:
    from satchel.environment import views

    if args.outdated and args.uptodate:
        raise UsageError("--outdated and --uptodate can't be used together.", hint="pick one of them.")
    info, installed = installed_in_target(Selection(args), variables_cache(), args.console)
    dists = _selected(
        installed, info.markers, exclude=args.exclude, editable=args.editable,
        exclude_editable=args.exclude_editable, not_required=args.not_required,
    )  # fmt: skip
    latest = None
    if args.outdated or args.uptodate:
        if args.list_format == "freeze":
            raise UsageError("--outdated and --uptodate can't be used with --format=freeze.", hint="use columns or json.")
        cli: dict[str, object] = {
            "index_url": args.index_url, "extra_index_urls": args.extra_index_url, "find_links": args.find_links,
            "no_index": args.no_index, "pre": args.pre,
        }  # fmt: skip
        found = _latest_versions(cli, args.console, info, dists)
        dists = [d for d in dists if d.key in found and _compare(d.version, found[d.key][0], args.outdated)]
        latest = found if args.outdated else None  # pip shows Latest/Type for --outdated only
    if args.list_format == "json":
        import json

        args.console.out(json.dumps(views.list_rows(dists, verbose=args.verbose, latest=latest)) + "\n")
        return 0
    if args.list_format == "freeze":
        lines = views.freeze_list_lines(dists)
    else:
        from satchel.environment.scan import build_tag

        tags = {d.key: tag for d in dists if (tag := build_tag(d))}
        lines = views.format_columns(dists, tags, verbose=args.verbose, latest=latest)
    if lines:
        args.console.out("\n".join(lines) + "\n")
    return 0
