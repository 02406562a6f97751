"""What `show` prints about installed distributions, line for line as pip does.

Owns pip show's block for one distribution (Name ... Required-by, then with -v the metadata
version, installer, classifiers, entry points and project URLs, with -f the files) and the
report for every name asked for. Requires and Required-by use the target's marker
environment (pip evaluates markers in the interpreter it runs in, which is the target under
`pip --python ENV`). Reads the metadata directories through `satchel.environment.dist_info`;
writes nothing.

Import rule: the standard library, `satchel.environment.model`, `satchel.environment.dist_info`
and `packaging` (lazily).
"""

from __future__ import annotations

from satchel.environment.dist_info import (
    MetadataHeaders,
    declared_files,
    dependencies,
    entry_point_lines,
    installer,
    raw_requirements,
    read_metadata,
)
from satchel.environment.model import InstalledDist, InstalledSet, canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["ShowReport", "dependency_keys", "home_page", "required_by", "requires", "show_lines", "show_report"]


def requires(dist: InstalledDist, markers: Mapping[str, str], metadata: MetadataHeaders | None = None) -> list[str]:
    """pip show's Requires: names as spelled, once each, case-insensitively sorted.

    When a requirement doesn't parse, pip falls back to the raw Requires-Dist strings.
    """
    from packaging.requirements import InvalidRequirement

    try:
        names = {requirement.name for requirement in dependencies(dist, markers, metadata)}
    except InvalidRequirement:
        return sorted(raw_requirements(dist, metadata), key=str.lower)
    return sorted(names, key=str.lower)


def dependency_keys(installed: InstalledSet, markers: Mapping[str, str]) -> dict[str, set[str]] | None:
    """Each installed distribution's key -> the normalised names it requires (no extras, the
    target's markers); None when some requirement doesn't parse (pip then shows "#N/A")."""
    from packaging.requirements import InvalidRequirement

    try:
        return {
            dist.key: {canonical_name(r.name) for r in dependencies(dist, markers)} for dist in installed
        }
    except InvalidRequirement:
        return None


def required_by(dist: InstalledDist, installed: InstalledSet, required: dict[str, set[str]] | None) -> list[str]:
    """pip show's Required-by: the installed distributions that require `dist`, given
    `dependency_keys(installed, markers)` as `required`."""
    if required is None:
        return ["#N/A"]
    found = [other.name or "UNKNOWN" for other in installed if dist.key in required.get(other.key, set())]
    return sorted(found, key=str.lower)


def _normalize_url_label(label: str) -> str:
    """PEP 753: a Project-URL label without punctuation and whitespace, lower case."""
    import string

    return label.translate(str.maketrans("", "", string.punctuation + string.whitespace)).lower()


def home_page(metadata: MetadataHeaders) -> str:
    """Home-page, else the URL of a Project-URL labelled "homepage" (in any PEP 753 spelling)."""
    homepage = metadata.get("Home-page")
    if homepage:
        return homepage
    for entry in metadata.get_all("Project-URL"):
        label, comma, url = entry.partition(",")
        if comma and _normalize_url_label(label) == "homepage":
            return url.strip()
    return ""


def _version_tuple(metadata_version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in metadata_version.split("."))
    except ValueError:
        return ()


def show_lines(
    dist: InstalledDist,
    installed: InstalledSet,
    markers: Mapping[str, str],
    *,
    required: dict[str, set[str]] | None,
    verbose: bool = False,
    files: bool = False,
) -> list[str]:
    """The block pip show prints for one distribution; `required` is
    `dependency_keys(installed, markers)`."""
    metadata = read_metadata(dist)
    metadata_version = metadata.get("Metadata-Version")
    lines = [
        f"Name: {metadata.get('Name', dist.name)}",
        f"Version: {metadata.get('Version', dist.version)}",
        f"Summary: {metadata.get('Summary')}",
        f"Home-page: {home_page(metadata)}",
        f"Author: {metadata.get('Author')}",
        f"Author-email: {metadata.get('Author-email')}",
    ]
    license_expression = metadata.get("License-Expression")
    if _version_tuple(metadata_version) >= (2, 4) and license_expression:
        lines.append(f"License-Expression: {license_expression}")
    else:
        lines.append(f"License: {metadata.get('License')}")
    lines.append(f"Location: {dist.location}")
    if dist.editable_location is not None:
        lines.append(f"Editable project location: {dist.editable_location}")
    lines.append(f"Requires: {', '.join(requires(dist, markers, metadata))}")
    lines.append(f"Required-by: {', '.join(required_by(dist, installed, required))}")
    if verbose:
        lines.append(f"Metadata-Version: {metadata_version}")
        lines.append(f"Installer: {installer(dist)}")
        lines.append("Classifiers:")
        lines.extend(f"  {classifier}" for classifier in metadata.get_all("Classifier"))
        lines.append("Entry-points:")
        lines.extend(f"  {entry}" for entry in entry_point_lines(dist))
        lines.append("Project-URLs:")
        lines.extend(f"  {url}" for url in metadata.get_all("Project-URL"))
    if files:
        lines.append("Files:")
        listed = declared_files(dist)
        if listed is None:
            lines.append("Cannot locate RECORD or installed-files.txt")
        else:
            lines.extend(f"  {path.strip()}" for path in listed)
    return lines


class ShowReport:
    """What `show` prints: `lines` for stdout, the `missing` names, how many were `shown`."""

    __slots__ = ("lines", "missing", "shown")

    def __init__(self, lines: list[str], missing: list[str], shown: int) -> None:
        self.lines = lines
        self.missing = missing
        self.shown = shown


def show_report(
    installed: InstalledSet,
    names: Iterable[str],
    markers: Mapping[str, str],
    *,
    verbose: bool = False,
    files: bool = False,
) -> ShowReport:
    """pip show for `names` (in the order given, repeats shown again), "---" between blocks."""
    queried = list(names)
    missing = sorted(name for name in queried if installed.get(name) is None)
    lines: list[str] = []
    shown = 0
    required = dependency_keys(installed, markers) if len(missing) < len(queried) else {}
    for name in queried:
        dist = installed.get(name)
        if dist is None:
            continue
        if shown:
            lines.append("---")
        lines.extend(show_lines(dist, installed, markers, verbose=verbose, files=files, required=required))
        shown += 1
    return ShowReport(lines, missing, shown)
