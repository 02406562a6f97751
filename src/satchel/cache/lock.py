"""An exclusive lock on a file, held across processes (for environments and cache entries).

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

__all__ = ["file_lock"]


@contextmanager
def file_lock(path: str, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock on `path` (created if missing); `on_wait()` is called once if another
    process holds it, before waiting."""
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
