"""Remembering answers that depend only on an environment's state: that an install had nothing
to do, or what freeze printed. The same command on the same unchanged environment then answers
in a few milliseconds (no argparse, no requirement parsing, no packaging).

The key is everything that could change the answer: the arguments and working directory, the
contents of the requirements files named, the PIP_*/SATCHEL_* variables, the config files'
stamps, and the stamps (mtime, inode) of every directory on the target's search path — adding
or removing a distribution changes its directory's mtime. The full key is stored and compared,
so a collision of the short file name can't give a wrong answer.
"""

from __future__ import annotations

import os

from satchel.cache.store import atomic_write_bytes, cache_root

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["noop_key", "recall", "remember"]

_BUCKET = "noop-v1"


def _stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_ino}:{st.st_size}"


def noop_key(
    argv: Sequence[str],
    requirement_files: Iterable[str],
    search_path: Iterable[str],
    config_files: Iterable[str],
    environ: Mapping[str, str],
    *,
    deep: bool = False,
) -> str:
    """The key; `deep` adds the stamp of every metadata directory on the path (for answers that
    print versions and locations, like freeze, not just "nothing to do")."""
    parts = ["argv", *argv, "cwd", os.getcwd()]
    for path in requirement_files:
        try:
            with open(path, "rb") as handle:
                parts += ["file", path, handle.read().decode("utf-8", "replace")]
        except OSError:
            parts += ["file", path, "-"]
    parts += ["env"] + sorted(f"{k}={v}" for k, v in environ.items() if k.startswith(("PIP_", "SATCHEL_")))
    parts += ["config"] + [f"{p}@{_stamp(p)}" for p in config_files]
    parts += ["path"] + [f"{p}@{_stamp(p)}" for p in search_path]
    if deep:
        for directory in search_path:
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            parts += [f"{n}@{_stamp(os.path.join(directory, n))}" for n in names if n.endswith((".dist-info", ".egg-info"))]
    return "\0".join(parts)


def _file(key: str) -> str:
    import zlib

    return os.path.join(cache_root(), _BUCKET, f"{zlib.crc32(key.encode()):08x}")


def recall(key: str) -> str | None:
    """The output of the earlier no-op install with this key, if there was one."""
    try:
        with open(_file(key), encoding="utf-8") as handle:
            stored_key, _, output = handle.read().partition("\0\0\0")
    except OSError:
        return None
    return output if stored_key == key else None


def remember(key: str, output: str) -> None:
    try:
        atomic_write_bytes(_file(key), (key + "\0\0\0" + output).encode())
    except OSError:
        pass  # a read-only cache costs speed, not correctness
