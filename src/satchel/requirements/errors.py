"""RequirementsError: a requirement or requirements-file line that satchel can't use.

Owns the error's shape and its drawing: the message names `file:line` (or the command-line
argument), quotes the line and underlines the bad part. Credentials in URLs are masked in the
quoted line (length kept, so the underline still lines up).

Import rule: imports only `satchel.errors` (and the standard library).
"""

from __future__ import annotations

import re

from satchel.errors import UsageError

__all__ = ["COMMAND_LINE", "RequirementsError", "draw_underline", "mask_credentials"]

COMMAND_LINE = "<command line>"

# scheme://userinfo@ -- userinfo is what a URL's credentials look like
_USERINFO_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def mask_credentials(text: str) -> str:
    """`text` with the password (or a lone token) of every `scheme://user:pw@` masked by `*`."""

    def mask(match: re.Match[str]) -> str:
        user, colon, password = match["userinfo"].partition(":")
        if colon:
            hidden = f"{user}:{'*' * len(password)}"
        else:
            hidden = "*" * len(user)
        return f"{match['scheme']}{hidden}@"

    return _USERINFO_RE.sub(mask, text)


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
