"""A requirements file's text as pip's logical lines: split into physical lines, `\\`
continuations joined (a comment line ends one, and stays a comment), comments stripped (`#` at
the start or after whitespace, so `#egg=` and `#sha256=` in URLs survive) and `${VAR}`
expanded from an injected environment. Each logical line is numbered by its first physical
line and keeps its text as written (before expansion), which is what a request shows.

Import rule: the standard library only. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Line", "logical_lines"]

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")


@dataclass(frozen=True, slots=True)
class Line:
    """A logical line: where it starts, as written (comments stripped), and `${VAR}`-expanded."""

    number: int
    written: str
    text: str


def logical_lines(content: str, environ: Mapping[str, str]) -> Iterator[Line]:
    """The logical lines of `content` that hold anything once comments are stripped."""
    for number, joined in _join_continuations(content.splitlines()):
        written = _COMMENT_RE.sub("", joined).strip()
        if written:
            yield Line(number, written, _expand(written, environ))


def _join_continuations(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Join lines ending in `\\` to the next; a comment line ends a continuation (and stays a
    comment); the result is numbered by its first physical line."""
    first = 0
    pending: list[str] = []
    for number, line in enumerate(lines, start=1):
        is_comment = _COMMENT_RE.match(line) is not None
        if line.endswith("\\") and not is_comment:
            first = first if pending else number
            pending.append(line.strip("\\"))
            continue
        if is_comment:
            line = " " + line  # so that stripping comments removes it from the joined text
        if pending:
            yield first, "".join([*pending, line])
            pending = []
        else:
            yield number, line
    if pending:
        yield first, "".join(pending)


def _expand(line: str, environ: Mapping[str, str]) -> str:
    return _ENV_VAR_RE.sub(lambda m: environ.get(m[1]) or m[0], line)
