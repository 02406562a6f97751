"""What the user asked to install, as plain values, and the entry that makes one of them from
one requirement's text.

Owns `Origin`, `InstallRequest`, `RequirementsOptions` and `ParsedRequirements`, and
`request_from_text` / `parse_requirement_argument(s)`: one requirement (a requirements-file
line or a command-line argument) as an InstallRequest. How the text is read (PEP 508, URL or
local path, pip's rules) is `satchel.requirements.requirement_text`, which this module imports
when a request is made, so that modules needing only the values (resolve, install) load
neither it nor packaging.

Import rule: imports only `satchel.errors`, `satchel.requirements.errors`,
`satchel.requirements.requirement_text` (lazily) and `packaging` (for types only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from satchel.requirements.errors import COMMAND_LINE

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.requirements import Requirement

__all__ = [
    "InstallRequest",
    "Origin",
    "ParsedRequirements",
    "RequirementsOptions",
    "parse_requirement_argument",
    "parse_requirement_arguments",
    "request_from_text",
]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: a requirements file and the physical line its logical line
    starts on, or the command line (`line` None)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def of_file(self) -> Origin | None:
        """This origin if it is a requirements file's line, else None (the command line)."""
        return self if self.line is not None else None


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
    `:all:`, with pip's rules (`satchel.settings.name_sets`): a name moves out of the other set,
    `:all:` clears both, `:none:` empties the set it is given to. `format_control` keeps the
    --no-binary/--only-binary values in reading order, as ("no_binary" | "only_binary", value):
    pip applies them on top of the command line's sets one by one, which the two sets alone
    can't replay (a file's `--no-binary :none:` still empties the command line's set). A
    later `--index-url` replaces the extra index URLs collected before it, and `--no-index`
    drops every index, as pip's finder does.
    """

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    pre: bool = False
    prefer_binary: bool = False
    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    format_control: tuple[tuple[str, str], ...] = ()
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
    from satchel.requirements.requirement_text import Disk, Where, from_editable, from_line

    where = Where(origin.file, origin.line, text if line is None else line, column)
    disk = Disk(os.getcwd() if cwd is None else cwd, isdir)
    if editable and constraint:
        raise where.error(
            "an editable requirement can't be a constraint",
            hint="constrain the project by name and version instead (name==1.0)",
        )
    parts = (from_editable if editable else from_line)(text, where, disk)
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
