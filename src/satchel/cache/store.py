"""The cache root and atomic writes into it."""


from __future__ import annotations

import os
import sys

__all__ = ["atomic_write_bytes", "cache_root", "pid_alive"]


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
