"""The one place that prints errors: a SatchelError becomes one paragraph on stderr.

Shape (pip's DiagnosticPipError carries the same parts, with its reference as the header):

    error: <message>
      input: <input>            only where the message and the context don't already quote it
      <context, indented>
    hint: <hint>
    error code: <code>          the stable kebab-case name of the failure, to search or cite

The traceback comes first, and only with -v. An exception satchel did not expect becomes an
`InternalError` (`internal_error`) first. Imported only once an error is to be shown.
"""

from __future__ import annotations

import sys
import textwrap

from satchel.errors import InternalError, SatchelError
from satchel.urls import redact_text

__all__ = ["format_error", "internal_error", "render_error"]

_REPORT_HINT = (
    "this is a bug in satchel, not in your input; run the same command again with -v and "
    "include all of its output in a report on satchel's issue tracker."
)


def internal_error(exc: BaseException) -> InternalError:
    """The error shown for `exc`, an exception no layer expected: its type and message (any
    credentials in it masked), how to report it, and `exc` itself as the cause."""
    kind = type(exc).__qualname__
    if type(exc).__module__ != "builtins":
        kind = f"{type(exc).__module__}.{kind}"
    detail = redact_text(str(exc)).strip()
    error = InternalError(f"internal error in satchel (a bug): {kind}{': ' + detail if detail else ''}", hint=_REPORT_HINT)
    error.__cause__ = exc
    return error


def format_error(exc: SatchelError) -> str:
    """The text shown for `exc`, without a traceback: one paragraph (no blank line)."""
    lines = [f"error: {exc.message}"]
    shown = _unquoted_input(exc)
    if shown:
        lines.append(f"  input: {shown}")
    if exc.context:
        lines.append(textwrap.indent(exc.context, "  "))
    if exc.hint:
        lines.append(f"hint: {exc.hint}")
    if exc.code:
        lines.append(f"error code: {exc.code}")
    return "\n".join(line for line in "\n".join(lines).splitlines() if line.strip()) + "\n"


def _unquoted_input(exc: SatchelError) -> str | None:
    """`exc.input` (credentials masked), unless the message or the context already shows it."""
    if exc.input is None or not str(exc.input).strip():
        return None
    raw = str(exc.input)
    shown = redact_text(raw)
    quoted = f"{exc.message}\n{exc.context or ''}"
    return None if raw in quoted or shown in quoted else shown


def render_error(exc: SatchelError, *, verbose: int = 0) -> None:
    """Print `exc` to stderr; with `verbose`, the traceback (and its causes) first."""
    if verbose:
        import traceback

        # an error made here for a foreign one (never raised) has no traceback of its own: its cause's
        shown: BaseException = exc.__cause__ if exc.__traceback__ is None and exc.__cause__ else exc
        traceback.print_exception(shown, file=sys.stderr)
    sys.stderr.write(format_error(exc))
