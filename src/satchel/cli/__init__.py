"""The command line: argv in, exit code out; the only package that writes to the terminal.

`entry()` (the `satchel` script and `python -m satchel`) lives here rather than in `cli.main`,
so that a Ctrl-C that arrives while `cli.main` is still being imported is reported too
(`console.interrupted`): this package is imported first and imports only `cli.console`, which
imports only sys. Nothing imports `satchel.cli`.
"""

from __future__ import annotations

from satchel.cli.console import interrupted

__all__ = ["entry", "interrupted"]


def entry() -> int:
    """The `satchel` command: `cli.main.main()`, a Ctrl-C during its import included."""
    try:
        from satchel.cli.main import main

        return main()
    except KeyboardInterrupt:
        return interrupted()
