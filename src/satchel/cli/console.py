"""`protocols.Console` on the process's own streams: the one object through which commands
write (results to stdout, notes to stderr). Imports only sys: it is made on every run,
including the no-op install answered from memory."""

from __future__ import annotations

import sys

__all__ = ["StreamConsole"]


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
