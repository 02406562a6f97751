"""What the user asked to install, as plain values, and how one requirement string becomes one.

Owns `Origin`, `InstallRequest`, `RequirementsOptions` and `ParsedRequirements`, and pip's
rules for reading a single requirement (a requirements-file line or a command-line argument):
a PEP 508 requirement, a URL (http(s)/file/ftp/VCS, named by `name @ url`, `#egg=name` or a wheel
file name), or a local path (a directory or an archive; relative paths are relative to the
current directory, as pip has them -- only nested `-r`/`-c` files are relative to the including
file). Deciding "path or name" asks one injected question, as pip does: is this path-like
text a directory? (an archive name is a path either way).

Import rule: imports only `satchel.errors`, `satchel.requirements.errors` and `packaging`
(lazily, inside functions).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from satchel.requirements.errors import COMMAND_LINE, RequirementsError

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.requirements import Requirement

__all__ = [
    "ARCHIVE_EXTENSIONS",
    "InstallRequest",
    "Origin",
    "ParsedRequirements",
    "RequirementsOptions",
    "VCS_NAMES",
    "VCS_SCHEMES",
    "is_url",
    "parse_requirement_argument",
    "parse_requirement_arguments",
    "request_from_text",
]

VCS_NAMES = ("bzr", "git", "hg", "svn")
VCS_SCHEMES = frozenset(
    {"bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file"}
    | {"git+http", "git+https", "git+ssh", "git+git", "git+file"}
    | {"hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http"}
    | {"svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file"}
)
URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
    ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
)  # fmt: skip
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_PROJECT_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_TRAILING_EXTRAS_RE = re.compile(r"^(.+?)\s*(\[[^\]]+\])$")
_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: a requirements file and the physical line its logical line
    starts on, or the command line (`line` None)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class InstallRequest:
    """One thing to install (or constrain): exactly one of `requirement`, `url` or `path`.

    `name`, `extras` and `markers` are filled for every form where they are known (for a
    requirement they repeat its own). `text` is the line as written (continuations joined,
    comments removed, `${VARS}` not expanded, so it shows no secrets from the environment).
    """

    origin: Origin
    text: str
    requirement: Requirement | None = None
    url: str | None = None
    path: str | None = None
    name: str | None = None
    extras: frozenset[str] = frozenset()
    markers: Marker | None = None
    editable: bool = False
    constraint: bool = False
    hashes: dict[str, list[str]] = field(default_factory=dict)
    config_settings: dict[str, str | list[str]] = field(default_factory=dict)
    global_options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        given = [x for x in (self.requirement, self.url, self.path) if x is not None]
        if len(given) != 1:
            raise ValueError("an InstallRequest holds exactly one of requirement, url or path")

    @property
    def kind(self) -> Literal["requirement", "url", "path"]:
        if self.requirement is not None:
            return "requirement"
        return "url" if self.url is not None else "path"


@dataclass(frozen=True, slots=True)
class RequirementsOptions:
    """The file-level options of pip's requirements files, merged in reading order.

    `no_binary`/`only_binary` (and `all_releases`/`only_final`) hold canonical names or
    `:all:`, with pip's rules: a name moves out of the other set, `:all:` clears both,
    `:none:` empties the set it is given to. A later `--index-url` replaces the extra index
    URLs collected before it, and `--no-index` drops every index, as pip's finder does.
    """

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    pre: bool = False
    prefer_binary: bool = False
    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    all_releases: frozenset[str] = frozenset()
    only_final: frozenset[str] = frozenset()
    require_hashes: bool = False
    no_require_hashes: bool = False
    trusted_hosts: tuple[str, ...] = ()
    use_feature: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedRequirements:
    """A requirements file, read: its requests in order, its merged options, and warnings
    (lines pip accepts but ignores, such as `--hash` on a line without a requirement)."""

    requests: list[InstallRequest]
    options: RequirementsOptions
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a requirement's text sits, for errors: its origin, the whole logical line and the
    column the requirement text starts at."""

    origin: Origin
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
            file=self.origin.file,
            line_number=self.origin.line,
            line=self.line,
            span=(start + self.column, end + self.column),
            underline=underline,
            hint=hint,
        )


def is_url(text: str) -> bool:
    """Whether pip takes `text` for a URL: a scheme it can fetch or a VCS scheme."""
    return urllib.parse.urlsplit(text).scheme.lower() in URL_SCHEMES


def _looks_like_path(text: str) -> bool:
    return os.sep in text or bool(os.altsep and os.altsep in text) or text.startswith(".")


def _is_archive(text: str) -> bool:
    return text.lower().endswith(ARCHIVE_EXTENSIONS)


def _strip_extras(text: str, where: _Where) -> tuple[str, frozenset[str]]:
    """`./pkg[a,b]` -> (`./pkg`, {a, b}), extras lower-cased as pip has them."""
    match = _TRAILING_EXTRAS_RE.match(text)
    if not match:
        return text, frozenset()
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        extras = Requirement("placeholder" + match[2].lower()).extras
    except InvalidRequirement:
        raise where.error("invalid extras", (match.start(2), match.end(2))) from None
    return match[1], frozenset(extras)


def _parse_requirement(text: str, where: _Where, column: int = 0, disk: _Disk | None = None) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        error = _packaging_error(exc, where, column, text)
        if disk is not None and _looks_like_path(text):
            error.hint = f"it looks like a path, but {disk.path(text)} is not a directory"
        raise error from None


def _parse_marker(text: str, where: _Where, column: int) -> Marker:
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(text)
    except InvalidMarker as exc:
        raise _packaging_error(exc, where, column, text) from None


def _packaging_error(exc: Exception, where: _Where, column: int, text: str) -> RequirementsError:
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


def _egg_name(url: str, where: _Where) -> str | None:
    match = _EGG_RE.search(url)
    if not match:
        return None
    if not _PROJECT_NAME_RE.match(match[1]):
        start = where.line.find(match[1], where.column) - where.column
        raise where.error(
            f"#egg={match[1]} is not a project name",
            (start, start + len(match[1])) if start >= 0 else None,
            hint="name the project with 'name @ URL' instead of #egg=",
        )
    return match[1]


def _wheel_name(location: str, where: _Where) -> str | None:
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
class _Disk:
    """What pip asks the filesystem while reading a requirement: only "is this a directory?"
    (relative paths are joined to `cwd`). Injected, so callers can read without a disk."""

    cwd: str
    isdir: Callable[[str], bool]

    def path(self, text: str) -> str:
        return os.path.normpath(os.path.join(self.cwd, text))


def _from_line(text: str, where: _Where, disk: _Disk) -> dict[str, object]:
    """pip's reading of a non-editable requirement: URL, path or PEP 508 requirement."""
    head, marker_text, marker_column = _split_markers(text, is_url(text))
    markers = _parse_marker(marker_text, where, marker_column) if marker_text else None
    lead = len(head) - len(head.lstrip())
    name = head.strip()
    if is_url(name):
        return {"url": name, "name": _wheel_name(name, where) or _egg_name(name, where), "markers": markers}
    bare, extras = _strip_extras(name, where)
    before_at = name.split("@", 1)
    names_a_url = len(before_at) == 2 and not _looks_like_path(before_at[0])
    if (_looks_like_path(name) and disk.isdir(disk.path(bare))) or (_is_archive(bare) and not names_a_url):
        return {"path": disk.path(bare), "name": _wheel_name(bare, where), "extras": extras, "markers": markers}
    req = _parse_requirement(name, where, lead, disk)
    if markers is not None:  # `name ; marker` was split above: put the marker back
        req = _parse_requirement(f"{name} ; {marker_text}", where)
    if req.url:
        return {"url": req.url, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}
    return {"requirement": req, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}


def _from_editable(text: str, where: _Where, disk: _Disk) -> dict[str, object]:
    """pip's reading of an `-e` value: `name @ url`, a local directory, or a file:/VCS URL."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        req = None
    if req is not None and req.url:
        if not (req.url.lower().startswith("file:") or _is_vcs(req.url)):
            raise _not_editable(where, text)
        return {"url": req.url, "name": req.name, "extras": frozenset(req.extras), "markers": req.marker}
    bare, extras = _strip_extras(text, where)
    if disk.isdir(disk.path(bare)):
        return {"path": disk.path(bare), "extras": extras}
    if text.lower().startswith("file:"):
        return {"url": bare, "name": _egg_name(bare, where), "extras": extras}
    url = next((f"{vc}+{text}" for vc in VCS_NAMES if text.lower().startswith(f"{vc}:")), text)
    if not _is_vcs(url):
        raise _not_editable(where, text)
    name = _egg_name(url, where)
    if name is None:
        raise where.error(
            "can't tell the project name of this editable URL",
            hint="name it: '-e name @ git+https://...' (or add #egg=name)",
        )
    return {"url": url, "name": name}


def _is_vcs(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme.lower() in VCS_SCHEMES


def _not_editable(where: _Where, text: str) -> RequirementsError:
    return where.error(
        "not a valid editable requirement: neither a local directory nor a VCS URL",
        hint="-e takes a path to a local project directory or a VCS URL (git+https://..., hg+..., svn+..., bzr+...)",
    )


def request_from_text(
    text: str,
    *,
    origin: Origin,
    line: str | None = None,
    column: int = 0,
    source_text: str | None = None,
    editable: bool = False,
    constraint: bool = False,
    cwd: str | None = None,
    isdir: Callable[[str], bool] = os.path.isdir,
    hashes: dict[str, list[str]] | None = None,
    config_settings: dict[str, str | list[str]] | None = None,
    global_options: Sequence[str] = (),
) -> InstallRequest:
    """One requirement (`text`, as pip takes it) as an InstallRequest.

    `line` is the whole logical line `text` sits in at `column` (for error drawings; default
    `text` itself); `source_text` is the line as written, before `${VAR}` expansion (default
    `line`); `cwd` is what relative paths are relative to (default: the current directory);
    `isdir` answers pip's one filesystem question (a path-like text is a path only if it is a
    directory, or names an archive; otherwise it is read as a requirement, and refused).
    """
    where = _Where(origin, text if line is None else line, column)
    disk = _Disk(os.getcwd() if cwd is None else cwd, isdir)
    if editable and constraint:
        raise where.error(
            "an editable requirement can't be a constraint",
            hint="constrain the project by name and version instead (name==1.0)",
        )
    parts = (_from_editable if editable else _from_line)(text, where, disk)
    return InstallRequest(
        origin=origin,
        text=source_text if source_text is not None else where.line,
        editable=editable,
        constraint=constraint,
        hashes=dict(hashes or {}),
        config_settings=dict(config_settings or {}),
        global_options=tuple(global_options),
        **parts,  # type: ignore[arg-type]
    )


def parse_requirement_argument(
    text: str, *, editable: bool = False, cwd: str | None = None, isdir: Callable[[str], bool] = os.path.isdir
) -> InstallRequest:
    """A command-line requirement (`'requests>=2'`, `./dir`, `pkg.whl`, `'name @ https://...'`,
    or the value of `-e`), read as pip reads it; errors name the argument."""
    return request_from_text(text, origin=Origin(COMMAND_LINE), editable=editable, cwd=cwd, isdir=isdir)


def parse_requirement_arguments(
    texts: Iterable[str],
    *,
    editables: Iterable[str] = (),
    cwd: str | None = None,
    isdir: Callable[[str], bool] = os.path.isdir,
) -> list[InstallRequest]:
    """Every command-line requirement: `-e` values first, then the positional ones, as pip
    collects them."""
    found = [parse_requirement_argument(t, editable=True, cwd=cwd, isdir=isdir) for t in editables]
    return found + [parse_requirement_argument(t, cwd=cwd, isdir=isdir) for t in texts]
