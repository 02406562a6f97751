"""Remembering answers that depend only on what a command reads, so that the same command on
the same inputs answers in milliseconds: that an install had nothing to do, what freeze
printed (both keyed on the stamps of the environment's directories), and what an install did
(keyed on the environment's contents, replayed by `satchel.memory.replay` once the
index pages it read are confirmed unchanged).

A key is everything that could change the answer: the arguments and working directory, the
contents of the requirements files named, the PIP_*/SATCHEL_* variables (and those that
route or secure HTTP), the config files' stamps, and the environment: the stamps (mtime,
inode) of every directory on the target's search path (adding or removing a distribution
changes its directory's mtime), or, for replays, the names of what is installed there. The
full key is stored and compared, so a collision of the short file name can't give a wrong
answer. An entry also lists files it depends on beyond the key (requirements files named by
other requirements files) with their sha256: a changed one makes the entry unusable.
Entries are marshal data (builtin: reading one costs no import; json and the re module it
pulls in cost ~10 ms, a third of an answer); one this Python can't read is no entry.

Each bucket has a byte budget (`BUDGET`): every new venv path or changed environment writes
new entries (a replay entry is ~0.2 MB), so after a write the least recently used entries
(a recalled entry's mtime is refreshed) are deleted until the bucket is under 3/4 of its
budget. Deleting an entry only costs speed: the next command takes the full path.
"""

from __future__ import annotations

import marshal
import os

from satchel.cache.store import atomic_write_bytes, file_sha256
from satchel.urls import without_credentials

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from satchel.cache.layout import Cache

__all__ = [
    "BUDGET",
    "NOOP",
    "REPLAY",
    "command_key",
    "contents_key",
    "file_sha256_or_none",
    "noop_key",
    "recall",
    "recall_entry",
    "remember",
    "remember_entry",
    "stamp",
]

NOOP = "noop"  # (the parts of cache.layout.PARTS the entries live in)
REPLAY = "replay"
# Variables outside PIP_*/SATCHEL_* that change where or how HTTP goes.
_HTTP_VARIABLES = frozenset({
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "NETRC", "HOME",
})  # fmt: skip
_METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".egg", ".pth")
#: bucket -> the bytes its entries may take before the least recently used are deleted.
BUDGET = {NOOP: 16 << 20, REPLAY: 64 << 20}


def stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_ino}:{st.st_size}"


def file_sha256_or_none(path: str) -> str | None:
    """`cache.store.file_sha256`, None for a file that can't be read (a stamp that can't match)."""
    try:
        return file_sha256(path)
    except OSError:
        return None


def command_key(
    argv: Sequence[str], requirement_files: Iterable[str], config_files: Iterable[str], environ: Mapping[str, str]
) -> list[str]:
    """The parts of a key that describe the command: arguments, working directory, the named
    requirements files' contents, the variables satchel reads, the config files' stamps; URL
    credentials masked (`without_credentials`): keys are stored, and credentials are never
    written to the cache. (Credentials can't change a remembered answer: a no-op asks no
    index, and nothing read with credentials is replayed.)"""
    parts = ["argv", *map(without_credentials, argv), "cwd", os.getcwd()]
    for path in requirement_files:
        try:
            with open(path, "rb") as handle:
                parts += ["file", path, without_credentials(handle.read().decode("utf-8", "replace"))]
        except OSError:
            parts += ["file", path, "-"]
    parts += ["env"] + sorted(
        f"{k}={without_credentials(v)}"
        for k, v in environ.items()
        if k.startswith(("PIP_", "SATCHEL_")) or k in _HTTP_VARIABLES
    )
    parts += ["config"] + [f"{p}@{stamp(p)}" for p in config_files]
    return parts


def noop_key(
    argv: Sequence[str],
    requirement_files: Iterable[str],
    search_path: Iterable[str],
    config_files: Iterable[str],
    environ: Mapping[str, str],
    *,
    deep: bool = False,
) -> str:
    """The key of a no-op (or freeze) answer; `deep` adds the stamp of every metadata directory
    on the path (for answers that print versions and locations, like freeze, not just
    "nothing to do")."""
    search_path = list(search_path)
    parts = command_key(argv, requirement_files, config_files, environ)
    parts += ["path"] + [f"{p}@{stamp(p)}" for p in search_path]
    if deep:
        for directory in search_path:
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            parts += [f"{n}@{stamp(os.path.join(directory, n))}" for n in names if n.endswith((".dist-info", ".egg-info"))]
    return "\0".join(parts)


def contents_key(search_path: Iterable[str]) -> list[str]:
    """What is installed on the search path, by content rather than by stamps (a venv made
    again from scratch has new stamps but the same contents): the names of the .dist-info
    directories (which carry name and version), the contents of .pth files (virtualenv and
    setuptools write new ones into every environment) and, because their names don't say
    enough, the stamps of .egg-info, .egg-link and .egg entries."""
    parts = []
    for directory in search_path:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            parts.append(f"{directory}:-")
            continue
        parts.append(f"{directory}:")
        for name in names:
            if name.endswith(".dist-info"):
                parts.append(name)
            elif name.endswith(".pth"):
                parts.append(f"{name}={_small_file(os.path.join(directory, name))!r}")
            elif name.endswith(_METADATA_SUFFIXES):
                parts.append(f"{name}@{stamp(os.path.join(directory, name))}")
    return parts


def _small_file(path: str) -> bytes | str:
    """A small file's bytes; the stamp of a big one (or "-")."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(1 << 16)
            return data if len(data) < 1 << 16 else stamp(path)
    except OSError:
        return "-"


def _file(cache: Cache, bucket: str, key: str) -> str:
    import zlib

    return cache.part(bucket, f"{zlib.crc32(key.encode()):08x}")


def recall_entry(cache: Cache, bucket: str, key: str) -> Any:
    """The payload remembered under `key`, if there is one and the files it depends on are
    unchanged; else None."""
    path = _file(cache, bucket, key)
    try:
        with open(path, "rb") as handle:
            entry = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("files", {}), dict):
        return None
    for dependency, digest in entry.get("files", {}).items():
        if not isinstance(dependency, str) or file_sha256_or_none(dependency) != digest:
            return None
    try:
        os.utime(path)  # recently used: the last to be pruned
    except OSError:
        pass
    return entry.get("payload")


def remember_entry(
    cache: Cache, bucket: str, key: str, payload: Any, files: Mapping[str, str] | None = None, *, budget: int | None = None
) -> None:
    """Store `payload` under `key` in `bucket`, then keep the bucket within its budget
    (`BUDGET[bucket]` unless `budget` is given)."""
    path = _file(cache, bucket, key)
    try:
        data = marshal.dumps({"key": key, "files": dict(files or {}), "payload": payload})
        atomic_write_bytes(path, data)
    except (OSError, ValueError):
        return  # a read-only cache costs speed, not correctness
    prune(os.path.dirname(path), BUDGET.get(bucket, 16 << 20) if budget is None else budget, keep=path)


def prune(directory: str, budget: int, *, keep: str | None = None) -> int:
    """Delete the least recently used entries in `directory` (oldest mtime first, never `keep`)
    until they take at most 3/4 of `budget` bytes, if they take more than `budget`; how many
    were deleted. A temporary file (`atomic_write_bytes`'s `.tmp`) counts, and goes first,
    once it is an hour old: its writer was killed."""
    import time

    entries = []
    total = 0
    stale = time.time_ns() - 3600 * 10**9
    try:
        with os.scandir(directory) as scan:
            for item in scan:
                if not item.is_file(follow_symlinks=False):
                    continue
                try:
                    st = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if item.name.endswith(".tmp") and st.st_mtime_ns > stale:
                    continue  # a write in progress
                total += st.st_size
                order = 0 if item.name.endswith(".tmp") else st.st_mtime_ns
                entries.append((order, st.st_size, item.path))
    except OSError:
        return 0
    if total <= budget:
        return 0
    deleted = 0
    for _mtime, size, entry_path in sorted(entries):
        if total <= budget * 3 // 4:
            break
        if entry_path == keep:
            continue
        try:
            os.unlink(entry_path)
        except OSError:
            continue
        total -= size
        deleted += 1
    return deleted


def recall(cache: Cache, key: str) -> str | None:
    """The output of the earlier no-op install (or freeze) with this key, if there was one."""
    output = recall_entry(cache, NOOP, key)
    return output if isinstance(output, str) else None


def remember(cache: Cache, key: str, output: str, files: Mapping[str, str] | None = None) -> None:
    remember_entry(cache, NOOP, key, output, files)
