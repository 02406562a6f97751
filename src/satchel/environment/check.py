"""What `check` prints about an installed set, line for line as pip does.

Owns pip check: missing requirements, then conflicting ones, then distributions built for
another platform (their WHEEL tags outside the target's), and how pip's importlib backend
finds and names the distributions it checks: it names one by its metadata directory
(`Foo_Bar-1.0.dist-info` is `foo-bar 1.0`) and walks directories in the order the file system
lists them. Markers are evaluated for the *target's* marker environment. Reads the metadata
directories through `satchel.environment.dist_info`; writes nothing.

Import rule: the standard library, `satchel.names`, `satchel.environment.model`,
`satchel.environment.dist_info`/`metadata` and `packaging` (lazily).
"""

from __future__ import annotations

import os

from satchel.environment.dist_info import dependencies, read_info_text
from satchel.environment.metadata import parse_headers
from satchel.environment.model import InstalledDist, InstalledSet
from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from packaging.requirements import Requirement
    from packaging.tags import Tag
    from packaging.version import Version

__all__ = ["CheckReport", "check_report", "discovery_order", "info_name_version", "unsupported"]

#: Distributions pip's `iter_installed_distributions()` skips by default.
STDLIB_PKGS = frozenset({"python", "wsgiref", "argparse"})


def _lookup_name(entry: str) -> str:
    """importlib.metadata's grouping key for a metadata directory name."""
    stem = entry.lower().rpartition(".")[0].partition("-")[0]
    return canonical_name(stem).replace("-", "_")


def discovery_order(dists: Iterable[InstalledDist]) -> list[InstalledDist]:
    """`dists` in the order pip finds them: by search-path entry, then as importlib.metadata
    walks a directory (file-system listing order, directories of one name together)."""
    ordered = list(dists)
    location_rank: dict[str, int] = {}
    for dist in ordered:
        location_rank.setdefault(dist.location, len(location_rank))
    positions: dict[str, dict[str, tuple[int, int]]] = {}

    def position(dist: InstalledDist) -> tuple[int, int]:
        if dist.location not in positions:
            try:
                entries = os.listdir(dist.location)
            except OSError:
                entries = []
            groups: dict[str, int] = {}
            found: dict[str, tuple[int, int]] = {}
            for index, entry in enumerate(entries):
                if entry.lower().endswith((".dist-info", ".egg-info")):
                    group = groups.setdefault(_lookup_name(entry), len(groups))
                    found[entry] = (group, index)
            positions[dist.location] = found
        return positions[dist.location].get(os.path.basename(dist.metadata_dir), (len(ordered), 0))

    return sorted(ordered, key=lambda dist: (location_rank[dist.location], position(dist)))


def info_name_version(dist: InstalledDist) -> tuple[str, str]:
    """The normalised name and the version as pip's importlib backend takes them: from a
    `name-version.dist-info` directory's name when it has both, else from the metadata."""
    stem, suffix = os.path.splitext(os.path.basename(dist.metadata_dir))
    if suffix == ".dist-info":
        name, sep, version = stem.partition("-")
        if sep:
            return canonical_name(name), version
    if suffix == ".egg-info":
        return canonical_name(stem.split("-", 1)[0]), dist.version
    return dist.key, dist.version


def _is_local(dist: InstalledDist, venv_prefix: str | None) -> bool:
    if venv_prefix is None:
        return True
    return os.path.realpath(dist.location).startswith(os.path.realpath(venv_prefix))


def unsupported(
    dists: Iterable[InstalledDist], supported_tags: Iterable[Tag], *, venv_prefix: str | None = None
) -> list[InstalledDist]:
    """Distributions whose WHEEL tags all lie outside `supported_tags`, as pip check finds them:
    only those in the environment itself (under `venv_prefix` when the target is a venv), a
    WHEEL without any `Tag:` counting as supported by nothing."""
    from packaging.tags import parse_tag

    supported = frozenset(supported_tags)
    found = []
    for dist in dists:
        if not _is_local(dist, venv_prefix) or info_name_version(dist)[0] in STDLIB_PKGS:
            continue
        text = read_info_text(dist, "WHEEL")
        if text is None:
            continue
        tags: set[Tag] = set()
        for value in parse_headers(text).get("tag", []):
            tags |= parse_tag(value)
        if tags.isdisjoint(supported):
            found.append(dist)
    return found


def _normalized(version: str) -> str:
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(version))
    except InvalidVersion:
        return version


class CheckReport:
    """What `check` prints: `lines` for stdout, `warnings` for stderr, and whether it `failed`."""

    __slots__ = ("failed", "lines", "warnings")

    def __init__(self, lines: list[str], warnings: list[str], failed: bool) -> None:
        self.lines = lines
        self.warnings = warnings
        self.failed = failed


def check_report(
    installed: InstalledSet,
    markers: Mapping[str, str],
    supported_tags: Iterable[Tag],
    *,
    venv_prefix: str | None = None,
) -> CheckReport:
    """pip check: missing requirements, then conflicting ones (`prereleases=True`), then
    distributions built for another platform; "No broken requirements found." if none."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    dists = discovery_order(installed)
    packages: dict[str, tuple[Version, list[Requirement]]] = {}
    warnings = []
    for dist in dists:
        name, raw_version = info_name_version(dist)
        try:
            packages[name] = (Version(raw_version), dependencies(dist, markers))
        except ValueError as exc:  # InvalidVersion, InvalidRequirement
            warnings.append(f"Error parsing dependencies of {name}: {exc}")

    lines: list[str] = []
    conflicts: list[str] = []
    for name, (version, requirements) in packages.items():
        missing: set[tuple[str, Requirement]] = set()
        conflicting: set[tuple[str, Version, Requirement]] = set()
        for requirement in requirements:
            dependency = canonical_name(requirement.name)
            if dependency not in packages:
                missing.add((dependency, requirement))
                continue
            installed_version = packages[dependency][0]
            if not requirement.specifier.contains(installed_version, prereleases=True):
                conflicting.add((dependency, installed_version, requirement))
        for dependency, _requirement in sorted(missing, key=str):
            lines.append(f"{name} {version} requires {dependency}, which is not installed.")
        for dependency, installed_version, requirement in sorted(conflicting, key=str):
            conflicts.append(
                f"{name} {version} has requirement {requirement}, but you have {dependency} {installed_version}."
            )
    lines += conflicts
    foreign = unsupported(dists, supported_tags, venv_prefix=venv_prefix)
    for dist in foreign:
        lines.append(f"{dist.name} {_normalized(info_name_version(dist)[1])} is not supported on this platform")
    failed = bool(lines or warnings)
    if not failed:
        lines.append("No broken requirements found.")
    return CheckReport(lines, warnings, failed)
