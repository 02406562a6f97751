"""`protocols.Console` on the process's own streams: the one object through which commands
write (results to stdout, notes to stderr). Imports only sys: it is made on every run,
including the no-op install answered from memory."""

from __future__ import annotations

import sys

__all__ = ["INTERRUPTED_STATUS", "StreamConsole", "interrupted"]


class StreamConsole:
    """A command's words: `out` to stdout (what scripts read), `err` to stderr."""

    def out(self, text: str) -> None:
        sys.stdout.write(text)

    def err(self, text: str) -> None:
        sys.stderr.write(text)

    def ask(self, prompt: str) -> str | None:
        if not sys.stdin.isatty():
            return None
        sys.stdout.flush()
        return input(prompt)


#: exit status after a Ctrl-C (128 + SIGINT, as shells report it; pip uses the same)
INTERRUPTED_STATUS = 130


def interrupted() -> int:
    """Say that satchel was interrupted and left nothing half-done; the exit status."""
    sys.stderr.write("\nInterrupted; nothing was left half-done.\n")
    return INTERRUPTED_STATUS
