"""pip's reading of one requirement's text (a requirements-file line or a command-line
argument) into the parts of an InstallRequest, and errors that point into the line.

A non-editable text is a URL (named by `name @ url`, `#egg=name` or a wheel file name), a local
path (a directory, or an archive; relative paths are relative to the current directory, as
pip has them -- only nested `-r`/`-c` files are relative to the including file) or a PEP 508
requirement; an `-e` value is `name @ url`, a local directory, or a file:/VCS URL. Deciding
"path or name" asks one injected question, as pip does: is this path-like text a directory?
(an archive name is a path either way). packaging's own error words and caret drawings are
moved to where the text sits in its line.

Import rule: `satchel.requirements.errors`, `satchel.requirements.kinds` and `packaging`
(lazily, inside functions).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from satchel.requirements.errors import RequirementsError
from satchel.requirements.kinds import VCS_NAMES, is_archive, is_url, is_vcs, looks_like_path

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.requirements import Requirement

__all__ = ["Disk", "Where", "from_editable", "from_line"]

# Compiled on first use (re caches them): a named requirement needs only the last one, and the
# project-name pattern alone (case-insensitive) costs most of a millisecond to compile.
_EGG = r"[#&]egg=([^&]*)"
_PROJECT_NAME = r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$"
_TRAILING_EXTRAS = r"^(.+?)\s*(\[[^\]]+\])$"
_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a requirement's text sits, for errors: the file and line number it comes from
    (None on the command line), the whole logical line and the column the text starts at."""

    file: str
    line_number: int | None
    line: str
    column: int = 0

    def error(
        self,
        description: str,
        span: tuple[int, int] | None = None,
        *,
        underline: str | None = None,
        hint: str | None = None,
    ) -> RequirementsError:
        """An error about columns [start, end) of the requirement text (default: all of it)."""
        start, end = span if span is not None else (0, len(self.line) - self.column)
        return RequirementsError(
            description,
            file=self.file,
            line_number=self.line_number,
            line=self.line,
            span=(start + self.column, end + self.column),
            underline=underline,
            hint=hint,
        )


def _strip_extras(text: str, where: Where) -> tuple[str, frozenset[str]]:
    """`./pkg[a,b]` -> (`./pkg`, {a, b}), extras lower-cased as pip has them."""
    match = re.match(_TRAILING_EXTRAS, text)
    if not match:
        return text, frozenset()
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        extras = Requirement("placeholder" + match[2].lower()).extras
    except InvalidRequirement:
        raise where.error("invalid extras", (match.start(2), match.end(2))) from None
    return match[1], frozenset(extras)


def _parse_requirement(text: str, where: Where, column: int = 0, disk: Disk | None = None) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        error = _packaging_error(exc, where, column, text)
        if disk is not None and looks_like_path(text):
            error.hint = f"it looks like a path, but {disk.path(text)} is not a directory"
        raise error from None


def _parse_marker(text: str, where: Where, column: int) -> Marker:
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(text)
    except InvalidMarker as exc:
        raise _packaging_error(exc, where, column, text) from None


def _packaging_error(exc: Exception, where: Where, column: int, text: str) -> RequirementsError:
    """packaging's own words and caret drawing, moved to where `text` sits in the line."""
    first, *rest = str(exc).split("\n")
    cause = exc.__cause__
    span = getattr(cause, "span", None)
    underline = None
    if len(rest) == 2 and rest[1].startswith("    "):
        underline = " " * (where.column + column) + rest[1][4:]
    if span is None:
        span = (0, len(text))
    hint = _requirement_hint(text)
    return where.error(first, (span[0] + column, span[1] + column), underline=underline, hint=hint)


def _requirement_hint(text: str) -> str:
    if "=" in text and not any(op in text for op in _OPERATORS):
        return "'=' is not a version operator; did you mean '=='?"
    return "requirements follow PEP 508, for example 'name>=1.0', 'name[extra]==2.*' or 'name @ https://...'"


def _egg_name(url: str, where: Where) -> str | None:
    match = re.search(_EGG, url)
    if not match:
        return None
    if not re.match(_PROJECT_NAME, match[1], re.IGNORECASE):
        start = where.line.find(match[1], where.column) - where.column
        raise where.error(
            f"#egg={match[1]} is not a project name",
            (start, start + len(match[1])) if start >= 0 else None,
            hint="name the project with 'name @ URL' instead of #egg=",
        )
    return match[1]


def _wheel_name(location: str, where: Where) -> str | None:
    """The project name of a wheel path or URL, None for anything else."""
    filename = urllib.parse.urlsplit(location).path.rsplit("/", 1)[-1] if is_url(location) else os.path.basename(location)
    if not filename.lower().endswith(".whl"):
        return None
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        return str(parse_wheel_filename(filename)[0])
    except InvalidWheelFilename as exc:
        raise where.error(f"invalid wheel file name: {exc}", hint="a wheel is named name-version(-build)?-python-abi-platform.whl") from None


def _split_markers(text: str, url: bool) -> tuple[str, str | None, int]:
    """(requirement part, marker text or None, marker column): pip splits a URL at the first
    '; ' (a URL may hold ';') and anything else at the first ';'."""
    sep = "; " if url else ";"
    if sep not in text:
        return text, None, 0
    head, tail = text.split(sep, 1)
    stripped = tail.strip()
    column = len(head) + len(sep) + (len(tail) - len(tail.lstrip()))
    return head, (stripped or None), column


@dataclass(frozen=True, slots=True)
class Disk:
    """What pip asks the filesystem while reading a requirement: only "is this a directory?"
    (relative paths are joined to `cwd`). Injected, so callers can read without a disk."""

    cwd: str
    isdir: Callable[[str], bool]

    def path(self, text: str) -> str:
        return os.path.normpath(os.path.join(self.cwd, text))


def from_line(text: str, where: Where, disk: Disk) -> dict[str, object]:
    """pip's reading of a non-editable requirement: URL, path or PEP 508 requirement."""
    head, marker_text, marker_column = _split_markers(text, is_url(text))
    markers = _parse_marker(marker_text, where, marker_column) if marker_text else None
    lead = len(head) - len(head.lstrip())
    name = head.strip()
    if is_url(name):
        return {"url": name, "name": _wheel_name(name, where) or _egg_name(name, where), "markers": markers}
    bare, extras = _strip_extras(name, where)
    before_at = name.split("@", 1)
    names_a_url = len(before_at) == 2 and not looks_like_path(before_at[0])
    if (looks_like_path(name) and disk.isdir(disk.path(bare))) or (is_archive(bare) and not names_a_url):
        return {"path": disk.path(bare), "name": _wheel_name(bare, where), "extras": extras, "markers": markers}
    req = _parse_requirement(name, where, lead, disk)
    if markers is not None:  # `name ; marker` was split above: put the marker back
        req = _parse_requirement(f"{name} ; {marker_text}", where)
    if req.url:
        return {"url": req.url, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}
    return {"requirement": req, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}


def from_editable(text: str, where: Where, disk: Disk) -> dict[str, object]:
    """pip's reading of an `-e` value: `name @ url`, a local directory, or a file:/VCS URL."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        req = None
    if req is not None and req.url:
        if not (req.url.lower().startswith("file:") or is_vcs(req.url)):
            raise _not_editable(where, text)
        return {"url": req.url, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}
    bare, extras = _strip_extras(text, where)
    if disk.isdir(disk.path(bare)):
        return {"path": disk.path(bare), "extras": extras}
    if text.lower().startswith("file:"):
        return {"url": bare, "name": _egg_name(bare, where), "extras": extras}
    url = next((f"{vc}+{text}" for vc in VCS_NAMES if text.lower().startswith(f"{vc}:")), text)
    if not is_vcs(url):
        raise _not_editable(where, text)
    name = _egg_name(url, where)
    if name is None:
        raise where.error(
            "can't tell the project name of this editable URL",
            hint="name it: '-e name @ git+https://...' (or add #egg=name)",
        )
    return {"url": url, "name": name}


def _not_editable(where: Where, text: str) -> RequirementsError:
    return where.error(
        "not a valid editable requirement: neither a local directory nor a VCS URL",
        hint="-e takes a path to a local project directory or a VCS URL (git+https://..., hg+..., svn+..., bzr+...)",
    )
