"""One installed distribution's metadata directory, read as pip's importlib backend reads it.

Owns reading the files of a `.dist-info`/`.egg-info` directory (METADATA or PKG-INFO, RECORD,
installed-files.txt, entry_points.txt, INSTALLER, requires.txt) into what `show` and `check`
need: `MetadataHeaders` (the core-metadata headers, read by the email parser's rules
(`environment.metadata`) and re-indented as importlib.metadata does, so that multi-line values
such as a license text come out exactly as pip shows them), the requirements as PEP 508 strings (requires.txt converted for an
egg-info without Requires-Dist), those that apply in a marker environment, and the declared
files. Reads, never writes.

Import rule: the standard library, `satchel.environment.model`/`metadata` and `packaging`
(lazily).
"""

from __future__ import annotations

import os

from satchel.environment.metadata import parse_headers
from satchel.environment.model import InstalledDist, canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from packaging.requirements import Requirement

__all__ = [
    "MetadataHeaders",
    "declared_files",
    "dependencies",
    "entry_point_lines",
    "installer",
    "raw_requirements",
    "read_info_text",
    "read_metadata",
]


def read_info_text(dist: InstalledDist, filename: str) -> str | None:
    """The text of `filename` in `dist`'s metadata directory; None if it can't be read."""
    try:
        with open(os.path.join(dist.metadata_dir, filename), encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


class MetadataHeaders:
    """A distribution's core-metadata headers as importlib.metadata (and so pip) sees them.
    Names are lower-cased (lookups ignore case, as the email message's do)."""

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


def read_metadata(dist: InstalledDist) -> MetadataHeaders:
    """METADATA (else PKG-INFO, else the .egg-info file itself), parsed as importlib.metadata does."""
    text = read_info_text(dist, "METADATA") or read_info_text(dist, "PKG-INFO")
    if text is None and os.path.isfile(dist.metadata_dir):
        try:
            with open(dist.metadata_dir, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            text = None
    if not text:
        return MetadataHeaders([])
    return MetadataHeaders([(key, _redent(value)) for key, values in parse_headers(text).items() for value in values])


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


def raw_requirements(dist: InstalledDist, metadata: MetadataHeaders | None = None) -> list[str]:
    """The Requires-Dist strings, or for an egg-info without any, requires.txt as PEP 508.

    Read from `metadata` (else read now: METADATA as UTF-8, as importlib.metadata reads it)
    rather than from `dist.headers`, which scan reads more tolerantly.
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
    dist: InstalledDist, markers: Mapping[str, str], metadata: MetadataHeaders | None = None
) -> list[Requirement]:
    """What `dist` requires without extras in the target's marker environment `markers`.

    Raises packaging's InvalidRequirement (a ValueError) for a requirement that doesn't parse.
    """
    from packaging.requirements import Requirement

    from satchel.environment.markers import applies

    found = []
    for text in raw_requirements(dist, metadata):
        requirement = Requirement(text)
        if applies(requirement.marker, markers, requirement=text, origin=f"the metadata of {dist.name}"):
            found.append(requirement)
    return found


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


def installer(dist: InstalledDist) -> str:
    """The first non-blank line of INSTALLER, as pip reads it."""
    text = read_info_text(dist, "INSTALLER") or ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")

