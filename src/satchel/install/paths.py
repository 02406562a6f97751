"""Where satchel keeps its own state inside an environment (the lock and transactions)."""

from __future__ import annotations

import os

__all__ = ["TX_PREFIX", "interrupted", "state_dir"]

#: Name prefix of a transaction's directory inside the state dir.
TX_PREFIX = "tx-"


def state_dir(prefix: str) -> str:
    """`<prefix>/.satchel`: the lock and interrupted transactions of the environment at `prefix`."""
    return os.path.join(prefix, ".satchel")


def interrupted(prefix: str) -> bool:
    """Whether a transaction was left unfinished in the environment at `prefix` (cheap: one
    listdir, so fast paths can check it before deciding to answer from memory)."""
    try:
        return any(name.startswith(TX_PREFIX) for name in os.listdir(state_dir(prefix)))
    except OSError:
        return False
