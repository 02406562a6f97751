"""The one place that prints errors: a SatchelError becomes one paragraph on stderr.

Shape:  `error: <message>` then the context and a `hint:` line; the traceback only with -v.
An exception satchel did not expect becomes an `InternalError` (`internal_error`) first.
"""

from __future__ import annotations

import sys
import textwrap

from satchel.errors import InternalError, SatchelError

__all__ = ["format_error", "internal_error", "render_error"]

_REPORT_HINT = (
    "this is a bug in satchel, not in your input; run the same command again with -v and "
    "include all of its output in a report on satchel's issue tracker."
)


def internal_error(exc: BaseException) -> InternalError:
    """The error shown for `exc`, an exception no layer expected: its type and message (any
    credentials in it masked), how to report it, and `exc` itself as the cause."""
    from satchel.urls import redact_text

    kind = type(exc).__qualname__
    if type(exc).__module__ != "builtins":
        kind = f"{type(exc).__module__}.{kind}"
    detail = redact_text(str(exc)).strip()
    error = InternalError(f"internal error in satchel (a bug): {kind}{': ' + detail if detail else ''}", hint=_REPORT_HINT)
    error.__cause__ = exc
    return error


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

        # an error made here for a foreign one (never raised) has no traceback of its own: its cause's
        shown: BaseException = exc.__cause__ if exc.__traceback__ is None and exc.__cause__ else exc
        traceback.print_exception(shown, file=sys.stderr)
    sys.stderr.write(format_error(exc))
