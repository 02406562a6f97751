"""What freeze and list print, line for line as pip prints it: InstalledSet in, text out (pure,
but for asking git about editable installs' checkouts, as pip does).

- freeze: `name==version` (`===` for a legacy version), `name @ url` for PEP 610 direct URL
  installs, `-e <dir>` after a comment for editables without version control; pip itself and,
  on Pythons before 3.12, setuptools/wheel/distribute are left out unless --all.
- list: the columns, freeze and json formats of `pip list`.
"""

from __future__ import annotations

import re

from satchel.environment.model import InstalledDist, InstalledSet, canonical_name, is_valid_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "FREEZE_STDLIB",
    "dev_packages",
    "direct_reference",
    "format_columns",
    "freeze_lines",
    "freeze_list_lines",
    "list_rows",
]

_CANONICAL = re.compile(
    r"^(?:[1-9][0-9]*!)?(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*(?:(?:a|b|rc)(?:0|[1-9][0-9]*))?"
    r"(?:\.post(?:0|[1-9][0-9]*))?(?:\.dev(?:0|[1-9][0-9]*))?(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?$"
)
#: Distributions pip never freezes (they ship in some stdlibs' site-packages).
FREEZE_STDLIB = frozenset({"python", "wsgiref", "argparse"})


def dev_packages(python_version: tuple[int, ...]) -> set[str]:
    """What `pip freeze` skips without --all, for the target's Python version."""
    skipped = {"pip"}
    if tuple(python_version[:2]) < (3, 12):
        skipped |= {"setuptools", "distribute", "wheel"}
    return skipped


def name_version(dist: InstalledDist) -> str:
    op = "==" if is_valid_version(dist.version) else "==="
    return f"{dist.name}{op}{_normalized_version(dist.version)}"


def _normalized_version(version: str) -> str:
    """The version as pip prints it: PEP 440 normal form for valid versions."""
    if not is_valid_version(version) or _CANONICAL.match(version):
        return version  # legacy, or already normal: no need to import packaging
    from packaging.version import Version

    return str(Version(version))


def direct_reference(dist: InstalledDist) -> str | None:
    """`name @ url` for an install from a URL, a directory or VCS (PEP 610); None otherwise."""
    info = dist.direct_url
    if not info or "url" not in info:
        return None
    requirement = f"{dist.name} @ "
    fragments = []
    vcs = info.get("vcs_info")
    archive = info.get("archive_info")
    if isinstance(vcs, dict):
        requirement += f"{vcs.get('vcs')}+{info['url']}@{vcs.get('commit_id')}"
    else:
        requirement += str(info["url"])
        if isinstance(archive, dict):
            hashes = archive.get("hashes")
            if isinstance(hashes, dict) and hashes:
                algorithm, value = next(iter(hashes.items()))
                fragments.append(f"{algorithm}={value}")
            elif isinstance(archive.get("hash"), str):
                fragments.append(archive["hash"])
    if info.get("subdirectory"):
        fragments.append(f"subdirectory={info['subdirectory']}")
    if fragments:
        requirement += "#" + "&".join(fragments)
    return requirement


def freeze_entry(dist: InstalledDist) -> list[str]:
    """The line(s) pip freeze prints for one distribution."""
    if dist.editable:
        import os

        from satchel.environment.editable_vcs import editable_git_entry

        location = os.path.normcase(os.path.abspath(dist.editable_location or ""))
        in_git = editable_git_entry(location, dist.name, name_version(dist))
        if in_git is not None:
            return in_git
        return [f"# Editable install with no version control ({name_version(dist)})", f"-e {location}"]
    return [direct_reference(dist) or name_version(dist)]


def freeze_lines(
    installed: InstalledSet,
    *,
    python_version: tuple[int, ...],
    all_packages: bool = False,
    exclude: Iterable[str] = (),
    exclude_editable: bool = False,
) -> list[str]:
    skip = set(FREEZE_STDLIB) | {canonical_name(name) for name in exclude}
    if not all_packages:
        skip |= dev_packages(python_version)
    lines: list[str] = []
    for dist in installed.sorted():
        if dist.key in skip or (exclude_editable and dist.editable):
            continue
        lines.extend(freeze_entry(dist))
    return lines


def list_rows(
    dists: Iterable[InstalledDist], *, verbose: int = 0, latest: dict[str, tuple[str, str]] | None = None
) -> list[dict[str, str]]:
    """pip list's json rows, in its order (by normalised name)."""
    rows = []
    for dist in sorted(dists, key=lambda d: d.key):
        row = {"name": dist.name, "version": _normalized_version(dist.version)}
        if verbose:
            row["location"] = dist.location
            row["installer"] = dist.installer
        if latest is not None:
            row["latest_version"], row["latest_filetype"] = latest[dist.key]
        if dist.editable_location:
            row["editable_project_location"] = dist.editable_location
        rows.append(row)
    return rows


def freeze_list_lines(dists: Iterable[InstalledDist]) -> list[str]:
    """`pip list --format=freeze`."""
    return [name_version(dist) for dist in sorted(dists, key=lambda d: d.key)]


def format_columns(
    dists: Iterable[InstalledDist],
    build_tags: dict[str, str] | None = None,
    *,
    verbose: int = 0,
    latest: dict[str, tuple[str, str]] | None = None,
) -> list[str]:
    """pip list's default table: a header, a dashed rule, left-aligned columns; nothing if empty.
    `latest` (--outdated/--uptodate) maps names to (newest version, "wheel" or "sdist")."""
    ordered = sorted(dists, key=lambda d: d.key)
    if not ordered:
        return []
    tags = build_tags or {}
    header = ["Package", "Version"] + ["Latest", "Type"] * (latest is not None)
    has_tags = any(tags.get(d.key) for d in ordered)
    has_editables = any(d.editable for d in ordered)
    header += ["Build"] * has_tags + ["Editable project location"] * has_editables
    header += ["Location", "Installer"] * bool(verbose)
    table = [header]
    for dist in ordered:
        row = [dist.name, dist.version]
        if latest is not None:
            row += list(latest[dist.key])
        row += [tags.get(dist.key, "")] * has_tags + [dist.editable_location or ""] * has_editables
        row += [dist.location, dist.installer] * bool(verbose)
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [" ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, " ".join("-" * width for width in widths))
    return lines
