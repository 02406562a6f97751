"""The environment lock: one satchel process changes an environment at a time; a second one
waits (saying so once) and then proceeds. (The lock itself is `satchel.cache.lock.file_lock`.)
"""

from __future__ import annotations

import os

from satchel.cache.lock import file_lock

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["WAITING", "environment_lock"]

#: What a second process says (once) while it waits for the environment.
WAITING = "Waiting for another satchel process working on this environment...\n"


def environment_lock(state_dir: str, *, say: Callable[[str], None] | None = None) -> file_lock:
    """The lock of the environment whose satchel state directory is `state_dir`, to hold with
    `with`; `say(WAITING)` if it has to wait for another process."""
    os.makedirs(state_dir, exist_ok=True)
    return file_lock(os.path.join(state_dir, "lock"), on_wait=None if say is None else lambda: say(WAITING))
