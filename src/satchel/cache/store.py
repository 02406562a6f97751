"""Writing into the cache safely: atomic writes, removing trees without following links,
telling a live process's temporary files from a dead one's, and the sha256 of a file, the one
place it is computed (it keys content-addressed entries and stamps what the memory depends
on). (Where the cache is: `layout`.)"""

from __future__ import annotations

import os

__all__ = ["atomic_write_bytes", "file_sha256", "pid_alive", "remove_tree"]

_BLOCK = 1 << 20


def file_sha256(path: str) -> str:
    """The hex sha256 of the file at `path`, read in 1 MiB blocks; OSError if it can't be read.
    (hashlib is imported here, not at the top: a no-op install without -r hashes nothing.)"""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def pid_alive(pid: int) -> bool:
    """Whether process `pid` still runs (so its temporary files in the cache are not stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_tree(path: str) -> int:
    """shutil.rmtree(path, ignore_errors=True) without importing shutil (and fnmatch, re, bz2
    and lzma with it) on the paths that run on every install: `path` (a file, a link or a
    tree) is removed, links are never followed. Returns how many files (and links) went."""
    if os.path.islink(path) or not os.path.isdir(path):
        try:
            os.unlink(path)
            return 1
        except OSError:
            return 0
    removed = 0
    for directory, dirs, files in os.walk(path, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(directory, name))
                removed += 1
            except OSError:
                pass
        for name in dirs:
            inner = os.path.join(directory, name)
            try:
                if os.path.islink(inner):
                    os.unlink(inner)
                    removed += 1
                else:
                    os.rmdir(inner)
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass
    return removed
