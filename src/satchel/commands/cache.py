"""`satchel cache`: what satchel keeps in its cache, and removing it — pip cache's commands.

    satchel cache dir                  # the cache's location
    satchel cache info [--json]        # each part: where, how big, how many entries
    satchel cache list [PATTERN]       # locally built wheels (pip's `cache list`), --format abspath
    satchel cache remove PATTERN       # built and unpacked wheels of the projects matching PATTERN
    satchel cache purge                # everything satchel keeps there

PATTERN is pip's: a project name or a glob over wheel file names (`name-*.whl` is implied
when it has no `-`). Only satchel's own directories are ever removed (the parts below, and
older versions of them, `<part>-v<N>`), never anything else a misconfigured cache
directory might hold; symlinks are removed, never followed. Removing is always safe: every
part of the cache is made again when needed, and environments don't depend on it (their
files are hard links or copies, not references). An install running at the same time
fails cleanly or finds what it needs again.
"""

from __future__ import annotations

from satchel.cache.manage import FOLDERS, entries, list_built, owned, purge, remove_matching, walk

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.protocols import Console

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="cache_command", metavar="COMMAND", required=True)
    commands.add_parser("dir", help="print the cache's location")
    info = commands.add_parser("info", help="show each part of the cache: location, size, entries")
    info.add_argument("--json", action="store_true", help="as JSON")
    listing = commands.add_parser("list", help="list locally built wheels (matching PATTERN)")
    listing.add_argument("pattern", nargs="?", default="*", metavar="PATTERN")
    listing.add_argument("--format", choices=("human", "abspath"), default="human", dest="list_format")
    remove = commands.add_parser("remove", help="remove the built and unpacked wheels matching PATTERN")
    remove.add_argument("pattern", metavar="PATTERN")
    commands.add_parser("purge", help="remove everything satchel keeps in its cache")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="show more")


def run(args: argparse.Namespace) -> int:
    import os

    from satchel.cache.layout import Cache
    from satchel.settings import load_settings

    settings = load_settings({}, command="cache")  # where installs put things: pip.conf's cache-dir included
    root = Cache.chosen(settings.cache_dir, settings.no_cache, os.environ).root
    console: Console = args.console
    if args.cache_command == "dir":
        console.out(root + "\n")
    elif args.cache_command == "info":
        console.out(_info(root, as_json=args.json))
    elif args.cache_command == "list":
        console.out(_list(root, args.pattern, abspath=args.list_format == "abspath"))
    elif args.cache_command == "remove":
        removed = remove_matching(root, args.pattern)
        if not removed:
            console.err(f"WARNING: No matching packages for pattern \"{args.pattern}\"\n")
        console.out(f"Files removed: {removed}\n")
    else:
        console.out(f"Files removed: {purge(root)}\n")
    return 0


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _info(root: str, *, as_json: bool) -> str:
    rows = []
    for name, path in owned(root):
        size, files = walk(path)
        rows.append((name, FOLDERS.get(name, "left by an older satchel"), path, size, files, entries(name, path)))
    total = sum(row[3] for row in rows)
    if as_json:
        import json

        keys = ("name", "holds", "path", "bytes", "files", "entries")
        parts = [dict(zip(keys, row)) for row in rows]
        return json.dumps({"location": root, "bytes": total, "parts": parts}, indent=2) + "\n"
    lines = [f"Cache location: {root}", f"Cache size: {_human(total)}"]
    width = max((len(row[0]) for row in rows), default=0)
    for name, holds, _path, size, files, held in rows:
        count = f", {held} entries" if held is not None else ""
        lines.append(f"  {name.ljust(width)}  {_human(size):>9}  {files} files{count}: {holds}")
    return "\n".join(lines) + "\n"


def _list(root: str, pattern: str, *, abspath: bool) -> str:
    found = list_built(root, pattern)
    if abspath:
        lines = [entry.path for entry in found]
    elif not found:
        lines = ["No locally built wheels cached."]
    else:
        lines = ["Cache contents:", ""] + [
            f" - {entry.name} ({_human(entry.stat(follow_symlinks=False).st_size)})" for entry in found
        ]
    return "\n".join(lines) + "\n" if lines else ""
