"""What `show` and `check` print about installed distributions, line for line as pip does.

Markers are evaluated for the *target's* marker environment (pip evaluates them in the
interpreter it runs in, which is the target under `pip --python ENV`). Reads the metadata
directory of a distribution (METADATA, RECORD, entry_points.txt, WHEEL, ...) but writes nothing.

Where pip's answer depends on how it finds distributions, this follows pip's importlib backend:

- headers are read with the email parser and re-indented as importlib.metadata does, so that
  multi-line values (a license text) come out exactly as pip shows them;
- `check` names a distribution by its metadata directory (`Foo_Bar-1.0.dist-info` is
  `foo-bar 1.0`) and walks directories in the order the file system lists them.
"""

from __future__ import annotations

import os
import re

from satchel.environment.model import InstalledDist, InstalledSet, canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from packaging.requirements import Requirement
    from packaging.tags import Tag
    from packaging.version import Version

__all__ = [
    "CheckReport",
    "Metadata",
    "ShowReport",
    "check_report",
    "declared_files",
    "dependencies",
    "dependency_keys",
    "discovery_order",
    "entry_point_lines",
    "home_page",
    "info_name_version",
    "raw_requirements",
    "read_info_text",
    "read_metadata",
    "required_by",
    "requires",
    "show_lines",
    "show_report",
    "unsupported",
]

#: Distributions pip's `iter_installed_distributions()` skips by default.
STDLIB_PKGS = frozenset({"python", "wsgiref", "argparse"})
_NAME_RUNS = re.compile(r"[-_.]+")


# -- reading the metadata directory ---------------------------------------------------------


def read_info_text(dist: InstalledDist, filename: str) -> str | None:
    """The text of `filename` in `dist`'s metadata directory; None if it can't be read."""
    try:
        with open(os.path.join(dist.metadata_dir, filename), encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


class Metadata:
    """A distribution's core-metadata headers as importlib.metadata (and so pip) sees them."""

    __slots__ = ("_headers",)

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self._headers = headers

    def get(self, name: str, default: str = "") -> str:
        """The first value of header `name` (case-insensitive), else `default`."""
        lowered = name.lower()
        return next((value for key, value in self._headers if key.lower() == lowered), default)

    def get_all(self, name: str) -> list[str]:
        """Every value of header `name`, in file order."""
        lowered = name.lower()
        return [value for key, value in self._headers if key.lower() == lowered]


def _redent(value: str) -> str:
    """importlib.metadata's correction for RFC 822 continuation-line indentation."""
    if not value or "\n" not in value:
        return value
    import textwrap

    return textwrap.dedent(" " * 8 + value)


def read_metadata(dist: InstalledDist) -> Metadata:
    """METADATA (else PKG-INFO, else the .egg-info file itself), parsed as importlib.metadata does."""
    text = read_info_text(dist, "METADATA") or read_info_text(dist, "PKG-INFO")
    if text is None and os.path.isfile(dist.metadata_dir):
        try:
            with open(dist.metadata_dir, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            text = None
    if not text:
        return Metadata([])
    import email.parser

    message = email.parser.Parser().parsestr(text, headersonly=True)
    return Metadata([(str(key), _redent(str(value))) for key, value in message.items()])


def _requires_txt_entries(dist: InstalledDist) -> Iterator[tuple[str, str, str]]:
    """(requirement, extra, marker) for each line of an egg-info's requires.txt."""
    text = read_info_text(dist, "requires.txt")
    if text is None:
        return
    extra = marker = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line.strip("[]").partition(":")
            continue
        yield line, extra, marker


def raw_requirements(dist: InstalledDist, metadata: Metadata | None = None) -> list[str]:
    """The Requires-Dist strings, or for an egg-info without any, requires.txt as PEP 508.

    Read with the email parser (`metadata`, else read now) rather than from `dist.headers`:
    a whitespace-only continuation line (a blank line in a multi-line License) doesn't end
    the headers for pip.
    """
    if metadata is None:
        metadata = read_metadata(dist)
    declared = [value.strip() for value in metadata.get_all("Requires-Dist")]
    if declared:
        return declared
    converted = []
    for requirement, raw_extra, raw_marker in _requires_txt_entries(dist):
        extra = canonical_name(raw_extra)
        if extra and raw_marker:
            marker = f'({raw_marker}) and extra == "{extra}"'
        elif extra:
            marker = f'extra == "{extra}"'
        else:
            marker = raw_marker
        converted.append(f"{requirement} ; {marker}" if marker else requirement)
    return converted


def dependencies(
    dist: InstalledDist, markers: Mapping[str, str], metadata: Metadata | None = None
) -> list[Requirement]:
    """What `dist` requires without extras in the target's marker environment `markers`.

    Raises packaging's InvalidRequirement (a ValueError) for a requirement that doesn't parse.
    """
    from packaging.requirements import Requirement

    environment = dict(markers, extra="")
    found = []
    for text in raw_requirements(dist, metadata):
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            found.append(requirement)
    return found


# -- show -----------------------------------------------------------------------------------


def requires(dist: InstalledDist, markers: Mapping[str, str], metadata: Metadata | None = None) -> list[str]:
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


def home_page(metadata: Metadata) -> str:
    """Home-page, else the URL of a Project-URL labelled "homepage" (in any PEP 753 spelling)."""
    homepage = metadata.get("Home-page")
    if homepage:
        return homepage
    for entry in metadata.get_all("Project-URL"):
        label, comma, url = entry.partition(",")
        if comma and _normalize_url_label(label) == "homepage":
            return url.strip()
    return ""


def _converted_installed_file(entry: tuple[str, ...], info: tuple[str, ...]) -> str:
    """An installed-files.txt path (relative to the egg-info) made relative to the location."""
    import pathlib

    while entry and entry[0] == "..":
        if not info or info[-1] == "..":
            info += ("..",)
        else:
            info = info[:-1]
        entry = entry[1:]
    return str(pathlib.Path(*info, *entry))


def declared_files(dist: InstalledDist) -> list[str] | None:
    """The files `dist` declares, sorted, as pip show -f lists them: RECORD's paths, else an
    egg-info's installed-files.txt made relative to the location; None when neither exists."""
    import pathlib

    record = read_info_text(dist, "RECORD")
    if record is not None:
        import csv

        rows = csv.reader(record.splitlines())
        return sorted(str(pathlib.Path(row[0])) for row in rows if row)
    legacy = read_info_text(dist, "installed-files.txt")
    if legacy is None:
        return None
    paths = [line for line in legacy.splitlines() if line]
    try:
        info_parts = pathlib.Path(dist.metadata_dir).relative_to(dist.location).parts
    except ValueError:
        return sorted(paths)
    if not info_parts:
        return sorted(paths)
    return sorted(_converted_installed_file(pathlib.Path(p).parts, info_parts) for p in paths)


def entry_point_lines(dist: InstalledDist) -> list[str]:
    """The lines of entry_points.txt, as pip show -v lists them (stripped, blank ones kept)."""
    text = read_info_text(dist, "entry_points.txt")
    return [line.strip() for line in text.splitlines()] if text is not None else []


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
        lines.append(f"Installer: {_installer(dist)}")
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


def _installer(dist: InstalledDist) -> str:
    """The first non-blank line of INSTALLER, as pip reads it."""
    text = read_info_text(dist, "INSTALLER") or ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


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


# -- check ----------------------------------------------------------------------------------


def _lookup_name(entry: str) -> str:
    """importlib.metadata's grouping key for a metadata directory name."""
    stem = entry.lower().rpartition(".")[0].partition("-")[0]
    return _NAME_RUNS.sub("-", stem).lower().replace("-", "_")


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
    import email.parser

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
        for value in email.parser.Parser().parsestr(text).get_all("Tag", []):
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
