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

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator

    from satchel.protocols import Console

__all__ = ["PARTS", "add_arguments", "run"]

# The cache's parts: directory -> what it holds (the names the other layers use).
PARTS: dict[str, str] = {
    "http-v1": "index pages (revalidated before use)",
    "metadata-v1": "package metadata (PEP 658 files, by hash)",
    "wheels-v1": "unpacked wheels (hard-linked into environments)",
    "built-v1": "locally built wheels (from sdists, directories, VCS)",
    "build-envs-v1": "build environments",
    "build-requires-v1": "build requirements of declarative projects",
    "pycache-v1": "bytecode of build backends",
    "vcs-v1": "git mirrors",
    "interpreters-v2": "interpreter descriptions",
    "noop-v3": "remembered no-op and freeze answers",
    "replay-v1": "remembered installs (replayed when the index is unchanged)",
    "downloads-v1": "downloads in progress",
    "build-tmp": "builds in progress",
    "logs": "build logs",
}


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
    from satchel.cache.store import cache_root

    root = cache_root()
    console: Console = args.console
    if args.cache_command == "dir":
        console.out(root + "\n")
    elif args.cache_command == "info":
        console.out(_info(root, as_json=args.json))
    elif args.cache_command == "list":
        console.out(_list(root, args.pattern, abspath=args.list_format == "abspath"))
    elif args.cache_command == "remove":
        removed = _remove(root, args.pattern)
        if not removed:
            console.err(f"WARNING: No matching packages for pattern \"{args.pattern}\"\n")
        console.out(f"Files removed: {removed}\n")
    else:
        console.out(f"Files removed: {_purge(root)}\n")
    return 0


# ---------------------------------------------------------------- reading


def _owned(root: str) -> Iterator[tuple[str, str]]:
    """(name, path) of satchel's own directories in the cache: the parts, and older versions
    of them (`noop-v2`, `build-envs`, ...), which a newer satchel no longer reads."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    stems = {part.rsplit("-v", 1)[0] for part in PARTS}
    for name in names:
        stem, sep, version = name.rpartition("-v")
        if name in PARTS or name in stems or (sep and stem in stems and version.isdigit()):
            yield name, os.path.join(root, name)


def _walk(path: str) -> tuple[int, int]:
    """(bytes, files) under `path`, symlinks not followed."""
    size = files = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    size += entry.stat(follow_symlinks=False).st_size
                    files += 1
            except OSError:
                continue
    return size, files


def _entries(name: str, path: str) -> int | None:
    """How many things a part holds, where files don't say it (wheels, environments)."""
    if name.startswith("wheels-v"):
        return sum(1 for _ in _glob(path, 2, lambda entry: entry.is_dir()))
    if name.startswith("built-v"):
        return sum(1 for _ in _built_wheels(path))
    if name.startswith("build-envs-v"):
        return sum(1 for _ in _glob(path, 1, lambda entry: entry.is_dir()))
    return None


def _glob(path: str, depth: int, keep: Callable[[os.DirEntry[str]], bool]) -> Iterator[os.DirEntry[str]]:
    """Entries exactly `depth` levels below `path` for which `keep(entry)` holds."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        if depth == 1:
            if keep(entry):
                yield entry
        elif entry.is_dir(follow_symlinks=False):
            yield from _glob(entry.path, depth - 1, keep)


def _built_wheels(path: str) -> Iterator[os.DirEntry[str]]:
    """built-v1/<key[:2]>/<key>/<name>.whl"""
    return _glob(path, 3, lambda entry: entry.name.endswith(".whl") and entry.is_file(follow_symlinks=False))


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _info(root: str, *, as_json: bool) -> str:
    rows = []
    for name, path in _owned(root):
        size, files = _walk(path)
        rows.append((name, PARTS.get(name, "left by an older satchel"), path, size, files, _entries(name, path)))
    total = sum(row[3] for row in rows)
    if as_json:
        import json

        keys = ("name", "holds", "path", "bytes", "files", "entries")
        parts = [dict(zip(keys, row)) for row in rows]
        return json.dumps({"location": root, "bytes": total, "parts": parts}, indent=2) + "\n"
    lines = [f"Cache location: {root}", f"Cache size: {_human(total)}"]
    width = max((len(row[0]) for row in rows), default=0)
    for name, holds, _path, size, files, entries in rows:
        count = f", {entries} entries" if entries is not None else ""
        lines.append(f"  {name.ljust(width)}  {_human(size):>9}  {files} files{count}: {holds}")
    return "\n".join(lines) + "\n"


def _matches(filename: str, pattern: str) -> bool:
    """pip's rule: `pattern` is a glob over wheel file names, `name` alone meaning
    `name-*.whl`; here without regard to case."""
    import fnmatch

    glob = pattern + ("*.whl" if "-" in pattern else "-*.whl")
    return fnmatch.fnmatchcase(filename.lower(), glob.lower())


def _list(root: str, pattern: str, *, abspath: bool) -> str:
    found = []
    for part, path in _owned(root):
        if part.startswith("built-v"):
            found += [entry for entry in _built_wheels(path) if _matches(entry.name, pattern)]
    found.sort(key=lambda entry: entry.name)
    if abspath:
        lines = [entry.path for entry in found]
    elif not found:
        lines = ["No locally built wheels cached."]
    else:
        lines = ["Cache contents:", ""] + [
            f" - {entry.name} ({_human(entry.stat(follow_symlinks=False).st_size)})" for entry in found
        ]
    return "\n".join(lines) + "\n" if lines else ""


# ---------------------------------------------------------------- removing


def _remove(root: str, pattern: str) -> int:
    """The built wheels matching `pattern` (with their key directory when it empties) and the
    unpacked trees of matching wheels; the files removed."""
    import json

    from satchel.cache.store import remove_tree
    from satchel.environment.model import canonical_name

    removed = 0
    for part, path in _owned(root):
        if part.startswith("built-v"):
            for entry in list(_built_wheels(path)):
                if _matches(entry.name, pattern):
                    removed += remove_tree(entry.path)
                    try:
                        os.rmdir(os.path.dirname(entry.path))
                    except OSError:
                        pass
        elif part.startswith("wheels-v"):
            for entry in list(_glob(path, 2, lambda e: e.is_dir(follow_symlinks=False))):
                try:
                    with open(os.path.join(entry.path, "manifest.json"), "rb") as handle:
                        manifest = json.loads(handle.read())
                    wheel_name = canonical_name(str(manifest["name"])).replace("-", "_")
                    filename = f"{wheel_name}-{manifest['version']}-x.whl"  # (as its wheel file was named)
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                if _matches(filename, pattern):
                    removed += remove_tree(entry.path)
    return removed


def _purge(root: str) -> int:
    from satchel.cache.store import remove_tree

    return sum(remove_tree(path) for _name, path in _owned(root))
