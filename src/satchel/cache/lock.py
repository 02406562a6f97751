"""An exclusive lock on a file, held across processes (for environments and cache entries).

POSIX uses fcntl.flock directly (released by the kernel when the process dies, even by
SIGKILL); other platforms use filelock. filelock is not imported on POSIX because it pulls in
asyncio, which costs more than a whole no-op install should.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["file_lock"]


class file_lock:  # noqa: N801  (used as a function: `with file_lock(path):`)
    """Hold the lock on `path` (created if missing) inside `with`; `on_wait()` is called once
    if another process holds it, before waiting. (A class, not @contextmanager: contextlib
    costs ~5 ms of imports on the paths that take a lock and little else.)"""

    def __init__(self, path: str, *, on_wait: Callable[[], None] | None = None) -> None:
        self._path = path
        self._on_wait = on_wait
        self._fd: int | None = None
        self._windows: object = None

    def __enter__(self) -> None:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import filelock

            self._windows = filelock.FileLock(self._path)
            self._windows.acquire()  # type: ignore[attr-defined]
            return
        import fcntl

        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if self._on_wait is not None:
                    self._on_wait()
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def __exit__(self, *exc: object) -> None:
        if self._windows is not None:  # pragma: no cover
            self._windows.release()  # type: ignore[attr-defined]
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing releases the lock
