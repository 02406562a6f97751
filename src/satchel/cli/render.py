"""The one place that prints errors: a SatchelError becomes one paragraph on stderr.

Shape:  `error: <message>` then the context and a `hint:` line; the traceback only with -v.
"""

from __future__ import annotations

import sys
import textwrap

from satchel.errors import SatchelError

__all__ = ["render_error"]


def format_error(exc: SatchelError) -> str:
    """The text shown for `exc`, without a traceback."""
    lines = [f"error: {exc.message}"]
    if exc.context:
        lines.append(textwrap.indent(exc.context, "  "))
    if exc.hint:
        lines.append(f"hint: {exc.hint}")
    return "\n".join(lines) + "\n"


def render_error(exc: SatchelError, *, verbose: int = 0) -> None:
    """Print `exc` to stderr; with `verbose`, the traceback (and its causes) first."""
    if verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    sys.stderr.write(format_error(exc))
