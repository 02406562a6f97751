"""pip's name-set options, the one place their rule is written: `--only-binary`/`--no-binary`
and `--all-releases`/`--only-final` each name a pair of sets that exclude each other.

Adding a value (`add_names`): comma-separated project names, each normalised and moved out of
the other set; `:all:` clears both sets and leaves `:all:` in its own; `:none:` empties its own
set. Reading the sets for one project (`allowed_formats`, `allows_prereleases`): a project
named in either set wins over `:all:` in either, and `:all:` in the first set wins over the
second. Command-line and config layers (settings.precedence), requirements files
(requirements.reqfile_merge, settings.file_options) and the resolver's per-project policy
(resolve.model) all use these functions.

Pure; imports only `satchel.names` (no regex, nothing heavy: settings are read on every start).
"""

from __future__ import annotations

from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, MutableSet

__all__ = ["ALL", "NONE", "add_names", "allowed_formats", "allows_prereleases"]

ALL = ":all:"
NONE = ":none:"

_BINARY_ONLY = frozenset({"binary"})
_SOURCE_ONLY = frozenset({"source"})
_EITHER = frozenset({"binary", "source"})


def add_names(value: str, target: MutableSet[str], other: MutableSet[str]) -> None:
    """Apply one option value (`a,b`, `:all:`, `:none:`) to `target`, whose names leave `other`."""
    names = value.split(",")
    while ALL in names:
        other.clear()
        target.clear()
        target.add(ALL)
        del names[: names.index(ALL) + 1]
        if NONE not in names:
            return  # :all: covers whatever names follow it
    for name in names:
        if name == NONE:
            target.clear()
            continue
        canonical = canonical_name(name)
        other.discard(canonical)
        target.add(canonical)


def allowed_formats(project: str, only_binary: Collection[str], no_binary: Collection[str]) -> frozenset[str]:
    """"binary" and/or "source" for a normalised project name, by --only-binary/--no-binary."""
    if project in only_binary:
        return _BINARY_ONLY
    if project in no_binary:
        return _SOURCE_ONLY
    if ALL in only_binary:
        return _BINARY_ONLY
    if ALL in no_binary:
        return _SOURCE_ONLY
    return _EITHER


def allows_prereleases(project: str, all_releases: Collection[str], only_final: Collection[str]) -> bool | None:
    """True (--all-releases), False (--only-final) or None (neither: the specifier decides)
    for a normalised project name."""
    if project in all_releases:
        return True
    if project in only_final:
        return False
    if ALL in all_releases:
        return True
    if ALL in only_final:
        return False
    return None
