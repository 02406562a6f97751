"""The environment lock: one satchel process changes an environment at a time; a second one
waits (saying so once) and then proceeds.

POSIX uses fcntl.flock directly (released by the kernel when the process dies, even by
SIGKILL); other platforms use filelock. filelock is not imported on POSIX because it pulls in
asyncio, which costs more than a whole no-op install should.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["environment_lock"]


@contextmanager
def environment_lock(state_dir: str, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of the environment whose satchel state directory is `state_dir`."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "lock")
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import filelock

        with filelock.FileLock(path):
            yield
        return
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
