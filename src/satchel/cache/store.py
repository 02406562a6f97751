"""The cache root and atomic writes into it."""


from __future__ import annotations

import os
import sys

__all__ = ["atomic_write_bytes", "cache_root", "pid_alive", "remove_tree"]


def cache_root() -> str:
    """The cache directory: $SATCHEL_CACHE_DIR, else the user cache dir for satchel.

    On Linux the user cache dir is the XDG rule, computed here: importing platformdirs costs
    about 11 ms, a third of a warm `satchel venv`. Elsewhere platformdirs decides.
    """
    explicit = os.environ.get("SATCHEL_CACHE_DIR")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = xdg if xdg else os.path.expanduser("~/.cache")
        return os.path.join(base, "satchel")
    import platformdirs

    return platformdirs.user_cache_dir("satchel", appauthor=False)


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
