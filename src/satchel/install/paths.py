"""Where satchel keeps its own state inside an environment (the lock and transactions)."""

from __future__ import annotations

import os

__all__ = ["state_dir"]


def state_dir(prefix: str) -> str:
    """`<prefix>/.satchel`: the lock and interrupted transactions of the environment at `prefix`."""
    return os.path.join(prefix, ".satchel")
