"""The command line: argv in, exit code out; the only package that writes to the terminal.

`interrupted()` (what a Ctrl-C shows) lives here rather than in `cli.main` so that
`python -m satchel` can report a Ctrl-C that arrives while `cli.main` is still being imported:
this package is imported first and imports nothing but sys. Nothing imports `satchel.cli`.
"""

from __future__ import annotations

import sys

__all__ = ["interrupted"]

#: exit status after a Ctrl-C (128 + SIGINT, as shells report it; pip uses the same)
INTERRUPTED_STATUS = 130


def interrupted() -> int:
    """Say that satchel was interrupted and left nothing half-done; the exit status."""
    sys.stderr.write("\nInterrupted; nothing was left half-done.\n")
    return INTERRUPTED_STATUS
