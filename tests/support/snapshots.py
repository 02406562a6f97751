"""A whole environment as comparable data: for "exactly as before or exactly as after" checks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["snapshot"]


def snapshot(env: Path, *, portable: bool = False) -> dict[str, str]:
    """Every path (satchel's state dir aside) with its kind and exact content hash; `portable`
    replaces the env's own path in contents, so envs of the same basename compare."""
    out = {}
    marker = str(env).encode() if portable else b"\0never\0"
    for root, dirs, files in os.walk(env):
        dirs[:] = [d for d in dirs if d != ".satchel"]
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(env))
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            else:
                data = path.read_bytes().replace(marker, b"<ENV>")
                if portable and name == "RECORD":  # it hashes scripts, whose shebang names the env
                    data = b"RECORD"
                out[rel] = hashlib.sha256(data).hexdigest()[:16] + oct(path.stat().st_mode & 0o777)
    return out
