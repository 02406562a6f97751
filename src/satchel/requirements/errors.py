"""RequirementsError: a requirement or requirements-file line that satchel can't use.

Owns the error's shape and its drawing: the message names `file:line` (or the command-line
argument), quotes the line and underlines the bad part. Credentials in URLs are masked in the
quoted line (length kept, so the underline still lines up).

Import rule: imports only `satchel.errors`, `satchel.urls` (and the standard library).
"""

from __future__ import annotations

from satchel.errors import UsageError
from satchel.urls import mask_credentials

__all__ = ["COMMAND_LINE", "RequirementsError", "draw_underline"]

COMMAND_LINE = "<command line>"


def draw_underline(start: int, end: int) -> str:
    """`^~~~` under columns [start, end) (at least one caret)."""
    return " " * start + "^" + "~" * max(0, end - start - 1)


class RequirementsError(UsageError):
    """A bad requirement, requirements-file line or option (exit 2).

    `file` and `line_number` say where (`file` is `COMMAND_LINE` for an argument, whose
    `line_number` is None), `line` is the logical line as satchel read it (continuations joined,
    comments removed) and `span` the [start, end) columns of the bad part in it.
    """

    code = "invalid-requirement"

    def __init__(
        self,
        description: str,
        *,
        file: str,
        line_number: int | None,
        line: str,
        span: tuple[int, int] | None = None,
        underline: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.description = description
        self.file = file
        self.line_number = line_number
        self.line = line
        self.span = span if span is not None else (0, len(line))
        where = file if line_number is None else f"{file}:{line_number}"
        if underline is None:
            underline = draw_underline(*self.span)
        if file == COMMAND_LINE:
            head = f"invalid requirement argument {mask_credentials(line)!r}: {description}"
        else:
            head = f"{where}: {description}"
        message = f"{head}\n    {mask_credentials(line)}\n    {underline}" if line else head
        super().__init__(
            message,
            input=mask_credentials(line) if file == COMMAND_LINE else where,
            hint=hint,
        )
