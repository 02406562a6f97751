"""Reading and clearing the cache as `satchel cache` does: satchel's own folders (those of
`layout.PARTS`, and older versions of them, `<part>-v<N>`), their sizes and entries, the
locally built wheels, and removing them. Only those folders are ever removed, never anything
else a misconfigured cache directory might hold; symlinks are removed, never followed."""

from __future__ import annotations

import os

from satchel.cache.layout import PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["FOLDERS", "built_wheels", "entries", "list_built", "matches", "owned", "purge", "remove_matching", "walk"]

#: folder -> what it holds
FOLDERS: dict[str, str] = dict(PARTS.values())


def _of(key: str) -> str:
    """The prefix of part `key`'s folders, every version of it (`wheels-v`)."""
    return PARTS[key][0].rsplit("-v", 1)[0] + "-v"


def owned(root: str) -> Iterator[tuple[str, str]]:
    """(name, path) of satchel's own directories in the cache: the parts, and older versions
    of them (`noop-v2`, `build-envs`, ...), which a newer satchel no longer reads."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return
    stems = {part.rsplit("-v", 1)[0] for part in FOLDERS}
    for name in names:
        stem, sep, version = name.rpartition("-v")
        if name in FOLDERS or name in stems or (sep and stem in stems and version.isdigit()):
            yield name, os.path.join(root, name)


def walk(path: str) -> tuple[int, int]:
    """(bytes, files) under `path`, symlinks not followed."""
    size = files = 0
    stack = [path]
    while stack:
        try:
            listing = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in listing:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    size += entry.stat(follow_symlinks=False).st_size
                    files += 1
            except OSError:
                continue
    return size, files


def entries(name: str, path: str) -> int | None:
    """How many things a part holds, where files don't say it (wheels, environments)."""
    if name.startswith(_of("wheels")):
        return sum(1 for _ in _glob(path, 2, lambda entry: entry.is_dir()))
    if name.startswith(_of("built")):
        return sum(1 for _ in built_wheels(path))
    if name.startswith(_of("build-envs")):
        return sum(1 for _ in _glob(path, 1, lambda entry: entry.is_dir()))
    return None


def _glob(path: str, depth: int, keep: Callable[[os.DirEntry[str]], bool]) -> Iterator[os.DirEntry[str]]:
    """Entries exactly `depth` levels below `path` for which `keep(entry)` holds."""
    try:
        listing = list(os.scandir(path))
    except OSError:
        return
    for entry in listing:
        if depth == 1:
            if keep(entry):
                yield entry
        elif entry.is_dir(follow_symlinks=False):
            yield from _glob(entry.path, depth - 1, keep)


def built_wheels(path: str) -> Iterator[os.DirEntry[str]]:
    """built-v1/<key[:2]>/<key>/<name>.whl"""
    return _glob(path, 3, lambda entry: entry.name.endswith(".whl") and entry.is_file(follow_symlinks=False))


def list_built(root: str, pattern: str) -> list[os.DirEntry[str]]:
    """The locally built wheels whose file names match `pattern`, by name."""
    found = []
    for part, path in owned(root):
        if part.startswith(_of("built")):
            found += [entry for entry in built_wheels(path) if matches(entry.name, pattern)]
    return sorted(found, key=lambda entry: entry.name)


def matches(filename: str, pattern: str) -> bool:
    """pip's rule: `pattern` is a glob over wheel file names, `name` alone meaning
    `name-*.whl`; here without regard to case."""
    import fnmatch

    glob = pattern + ("*.whl" if "-" in pattern else "-*.whl")
    return fnmatch.fnmatchcase(filename.lower(), glob.lower())


def remove_matching(root: str, pattern: str) -> int:
    """The built wheels matching `pattern` (with their key directory when it empties) and the
    unpacked trees of matching wheels; the files removed."""
    import json

    from satchel.cache.store import remove_tree
    from satchel.names import canonical_name

    removed = 0
    for part, path in owned(root):
        if part.startswith(_of("built")):
            for entry in list(built_wheels(path)):
                if matches(entry.name, pattern):
                    removed += remove_tree(entry.path)
                    try:
                        os.rmdir(os.path.dirname(entry.path))
                    except OSError:
                        pass
        elif part.startswith(_of("wheels")):
            for entry in list(_glob(path, 2, lambda e: e.is_dir(follow_symlinks=False))):
                try:
                    with open(os.path.join(entry.path, "manifest.json"), "rb") as handle:
                        manifest = json.loads(handle.read())
                    wheel_name = canonical_name(str(manifest["name"])).replace("-", "_")
                    filename = f"{wheel_name}-{manifest['version']}-x.whl"  # (as its wheel file was named)
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                if matches(filename, pattern):
                    removed += remove_tree(entry.path)
    return removed


def purge(root: str) -> int:
    from satchel.cache.store import remove_tree

    return sum(remove_tree(path) for _name, path in owned(root))
