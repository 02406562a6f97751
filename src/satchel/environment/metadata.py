"""Core metadata (METADATA, PKG-INFO) and WHEEL files, RFC 822 style headers: the one reader
every layer uses, for installed distributions, the resolver, reports, builds and unpacking.

pip reads these files with the standard library's email parser (compat32 policy, through
importlib.metadata), after reading the file as text (universal newlines). `parse_headers`
reads them the same way without importing the email package (its import costs ~3 ms, a
tenth of a no-op install), by the same rules:

- lines end at \\r\\n, \\r or \\n; an empty line ends the headers (a whitespace-only line is a
  continuation); so does a line that is not a header (no colon, or a field name with a space
  or a non-ASCII character): the email parser starts the body there;
- a line starting with a space or a tab continues the previous header's value: it is added
  as it is, after a newline (`a\\n        b`); a continuation before any header is dropped;
- a value is the text after the colon without its leading spaces and tabs (trailing ones
  stay); a `From ` line and a line with an empty field name are skipped;
- the keys are the field names lower-cased; each holds the values in file order.

Values are returned as the email parser gives them: callers strip them where pip does (a
Requires-Dist) or where satchel is more tolerant than pip (a name or an extra with a stray
space). `split_metadata` also returns the body (the description), as the email parser's
payload.

Why not `packaging.metadata`: its `parse_email` is the same email parse plus checks, and it
moves a single-use field that appears twice (two Name or Requires-Python lines) or a value
that is not UTF-8 into its "unparsed" dict, where pip takes the first value or reads the
text anyway; `Metadata.from_raw` then refuses what pip accepts (an invalid Requires-Python,
which pip ignores); and its import costs ~5 ms more than the resolver needs.

Pure: standard library only, no regex, nothing imported.
"""

from __future__ import annotations

__all__ = ["parse_headers", "split_metadata"]


def parse_headers(text: str) -> dict[str, list[str]]:
    """The header fields of core metadata (or WHEEL) `text`, keyed by lower-cased name."""
    return _read(text, with_body=False)[0]


def split_metadata(text: str) -> tuple[dict[str, list[str]], str]:
    """(`parse_headers(text)`, the body after the headers), as the email parser splits them."""
    return _read(text, with_body=True)


def _read(text: str, *, with_body: bool) -> tuple[dict[str, list[str]], str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    end = text.find("\n\n")  # the headers end at the first empty line, if not before it
    lines = (text if end < 0 else text[:end]).split("\n")
    headers: dict[str, list[str]] = {}
    values: list[str] | None = None  # the values of the header a continuation line adds to
    body_line, skip, last_from = len(lines), 0, 0
    for index, line in enumerate(lines):
        if not line:  # an empty first line, or the end of a text ending in a newline
            body_line, skip = index, 1
            break
        if line[0] in " \t":
            if values is not None:
                values[-1] += "\n" + line
            continue
        key, sep, value = line.partition(":")
        if line.startswith("From ") or (sep and not key):
            values, last_from = None, index  # the email parser skips these lines, and what continues them
            continue
        if not sep or not _is_field_name(key):
            body_line = index
            break
        values = headers.setdefault(key.lower(), [])
        values.append(value.lstrip(" \t"))
    if not with_body:
        return headers, ""
    if body_line == len(lines):
        body = text[end + 2 :] if end >= 0 else ""
    else:
        body = text[_offset(lines, body_line) + skip :]
    if 0 < last_from == body_line - 1 and lines[last_from].startswith("From "):
        start = _offset(lines, last_from)  # a `From ` line last in the headers starts the body
        body = text[start : start + len(lines[last_from]) + 1] + body
    return headers, body


def _offset(lines: list[str], index: int) -> int:
    """Where line `index` starts in the text `lines` were split from (at each newline)."""
    return sum(map(len, lines[:index])) + index


def _is_field_name(key: str) -> bool:
    """The email parser's field name: printable ASCII without spaces (the colon ends it)."""
    return key.isascii() and key.isprintable() and " " not in key
