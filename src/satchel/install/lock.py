"""The environment lock: one satchel process changes an environment at a time; a second one
waits (saying so once) and then proceeds. (The lock itself is `satchel.cache.lock.file_lock`.)
"""

from __future__ import annotations

import os
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["environment_lock"]


@contextmanager
def environment_lock(state_dir: str, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of the environment whose satchel state directory is `state_dir`."""
    from satchel.cache.lock import file_lock

    os.makedirs(state_dir, exist_ok=True)
    with file_lock(os.path.join(state_dir, "lock"), on_wait=on_wait):
        yield
