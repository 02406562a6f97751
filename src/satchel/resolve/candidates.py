"""The values the provider hands to resolvelib: candidates (one version of a project, from a
file, from the environment, with extras, or the target Python itself) and requirements (a
specifier, one exact candidate, a Requires-Python, or nothing at all), plus core metadata.

Pure: no I/O of its own; imports packaging, satchel.errors and the pure modules of upstream
packages (index.links/evaluate, requirements.model, environment.model/markers/metadata).

Identifiers are what resolvelib keys its state by: the normalised project name, the name plus
sorted extras (`demo[all,async]`, a separate node that depends on its base at the same
version, as pip models extras), or `PYTHON_IDENTIFIER` for the target interpreter.
`Constraint` is what `-c` files say about one project (a range, allowed files).

Equality: file candidates are equal when their URLs are; installed candidates when project and
version are; extras candidates when base and extras are. The provider caches every candidate
it makes, so one file or one installed distribution is one object for the whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from satchel.environment.markers import applies
from satchel.environment.metadata import parse_headers
from satchel.environment.model import InstalledDist
from satchel.index.links import FileLink
from satchel.names import canonical_name
from satchel.requirements.model import InstallRequest
from satchel.urls import redact_url

__all__ = [
    "PYTHON_IDENTIFIER",
    "BaseCandidate",
    "EMPTY_CONSTRAINT",
    "Candidate",
    "Constraint",
    "ExplicitRequirement",
    "ExtrasCandidate",
    "InstalledCandidate",
    "LinkCandidate",
    "Metadata",
    "MetadataProblem",
    "PythonCandidate",
    "PythonRequirement",
    "Requirement",
    "SpecifierRequirement",
    "UnsatisfiableRequirement",
    "format_identifier",
    "metadata_from_headers",
    "parse_metadata",
    "split_identifier",
]

# Not a valid project name, so it can't clash with a real project called "python".
PYTHON_IDENTIFIER = "<Python from Requires-Python>"


class MetadataProblem(ValueError):
    """A distribution's metadata is unusable; the message says why (for `-v` and explanations)."""



def format_identifier(project: str, extras: Iterable[str]) -> str:
    """`demo` + {async, all} -> `demo[all,async]`: one resolver node per set of extras."""
    chosen = sorted(set(extras))
    return f"{project}[{','.join(chosen)}]" if chosen else project


# ---------------------------------------------------------------- metadata


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the resolver needs from core metadata: name, version, dependencies, extras and
    Requires-Python (None when absent or invalid: pip ignores an invalid one)."""

    name: str
    version: Version
    requires_dist: tuple[Pep508, ...]
    provides_extra: frozenset[str]
    requires_python: SpecifierSet | None

    @property
    def project(self) -> str:
        return canonical_name(self.name)

    def dependencies(self, extras: frozenset[str], markers: Mapping[str, str]) -> list[Pep508]:
        """The Requires-Dist entries that apply on the target with `extras` requested (only
        extras the distribution provides count; with none, `extra` markers are false)."""
        valid = extras & self.provides_extra
        origin = f"the metadata of {self.name}"
        return [req for req in self.requires_dist if applies(req.marker, markers, valid, requirement=req, origin=origin)]


def parse_metadata(data: bytes) -> Metadata:
    """Core metadata (a METADATA or PKG-INFO file) -> Metadata; `MetadataProblem` if unusable.
    Read as pip reads it: UTF-8 text, the email parser's header rules (`parse_headers`, which
    says why not packaging.metadata: it refuses metadata pip accepts)."""
    return metadata_from_headers(parse_headers(data.decode("utf-8", "replace")))


def metadata_from_headers(headers: Mapping[str, list[str]]) -> Metadata:
    """Headers keyed in lower case (as `environment.metadata.parse_headers` gives them) -> Metadata."""
    name = (headers.get("name") or [""])[0].strip()
    raw_version = (headers.get("version") or [""])[0].strip()
    if not name:
        raise MetadataProblem("its metadata has no Name")
    try:
        version = Version(raw_version)
    except InvalidVersion:
        raise MetadataProblem(f"its metadata has an invalid Version {raw_version!r}") from None
    requires = []
    for line in headers.get("requires-dist", []):
        try:
            requires.append(Pep508(line.strip()))
        except InvalidRequirement as exc:
            raise MetadataProblem(f"its metadata has an invalid Requires-Dist {line.strip()!r}: {exc}") from None
    python: SpecifierSet | None = None
    raw_python = (headers.get("requires-python") or [""])[0].strip()
    if raw_python:
        try:
            python = SpecifierSet(raw_python)
        except InvalidSpecifier:
            python = None  # pip warns and ignores it
    extras = frozenset(canonical_name(extra.strip()) for extra in headers.get("provides-extra", []))
    return Metadata(name, version, tuple(requires), extras, python)


# ---------------------------------------------------------------- candidates


class Candidate:
    """One version of one project (or of its extras) that the resolver may pin."""

    __slots__ = ("identifier", "project", "version")

    def __init__(self, identifier: str, project: str, version: Version) -> None:
        self.identifier = identifier
        self.project = project
        self.version = version

    @property
    def extras(self) -> frozenset[str]:
        return frozenset()

    def describe(self) -> str:
        """For explanations: `demo 2.0`."""
        return f"{self.project} {self.version}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class LinkCandidate(Candidate):
    """A file to download: from an index page, or named by a URL/path request (`direct`)."""

    __slots__ = ("direct", "link", "metadata")

    def __init__(self, link: FileLink, metadata: Metadata, *, direct: bool = False) -> None:
        super().__init__(metadata.project, metadata.project, metadata.version)
        self.link = link
        self.metadata = metadata
        self.direct = direct

    def describe(self) -> str:
        if self.direct:
            return f"{self.project} {self.version} (from {redact_url(self.link.url)})"
        return super().describe()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinkCandidate) and self.link.key == other.link.key

    def __hash__(self) -> int:
        return hash(("link", self.link.key))


class InstalledCandidate(Candidate):
    """The distribution already in the target environment, kept as it is if chosen."""

    __slots__ = ("dist", "metadata")

    def __init__(self, dist: InstalledDist, metadata: Metadata, version: Version) -> None:
        super().__init__(canonical_name(dist.name), canonical_name(dist.name), version)
        self.dist = dist
        self.metadata = metadata

    def describe(self) -> str:
        return f"{self.project} {self.version} (installed)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstalledCandidate) and (self.project, self.version) == (other.project, other.version)

    def __hash__(self) -> int:
        return hash(("installed", self.project, self.version))


BaseCandidate = LinkCandidate | InstalledCandidate


class ExtrasCandidate(Candidate):
    """`base` with `extras`: a node of its own that depends on exactly `base` (so two sets of
    extras can't end up on two versions) and adds the extras' requirements."""

    __slots__ = ("base", "_extras")

    def __init__(self, base: BaseCandidate, extras: frozenset[str]) -> None:
        super().__init__(format_identifier(base.project, extras), base.project, base.version)
        self.base = base
        self._extras = extras

    @property
    def extras(self) -> frozenset[str]:
        return self._extras

    def describe(self) -> str:
        return f"{self.base.describe()} [{', '.join(sorted(self._extras))}]"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExtrasCandidate) and (self.base, self._extras) == (other.base, other._extras)

    def __hash__(self) -> int:
        return hash(("extras", self.base, self._extras))


class PythonCandidate(Candidate):
    """The target interpreter, the one candidate for Requires-Python requirements."""

    __slots__ = ()

    def __init__(self, version: Version) -> None:
        super().__init__(PYTHON_IDENTIFIER, PYTHON_IDENTIFIER, version)

    def describe(self) -> str:
        return f"Python {self.version}"


# ---------------------------------------------------------------- requirements


class Requirement:
    """Something a candidate (or the user, `parent` None) needs from one resolver node."""

    __slots__ = ("identifier", "project")

    def __init__(self, identifier: str, project: str) -> None:
        self.identifier = identifier
        self.project = project

    def describe(self) -> str:
        raise NotImplementedError

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class SpecifierRequirement(Requirement):
    """`name[extras] <specifier>` from metadata, the command line, or a requirements file.

    `request` is the user's InstallRequest for root requirements (None for dependencies).
    `with_extras` False is the extras-less twin pip adds for `name[x]>=1` so that the base
    node sees the version range too.
    """

    __slots__ = ("extras", "request", "source", "specifier")

    def __init__(self, source: Pep508, *, request: InstallRequest | None = None, with_extras: bool = True) -> None:
        project = canonical_name(source.name)
        extras = frozenset(canonical_name(e) for e in source.extras) if with_extras else frozenset()
        super().__init__(format_identifier(project, extras), project)
        self.source = source
        self.extras = extras
        self.specifier = source.specifier
        self.request = request

    def describe(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.project}{extras}{self.specifier}"

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        # Pre-release rules were applied when candidates were listed (pip does the same).
        return self.specifier.contains(candidate.version, prereleases=True)


class ExplicitRequirement(Requirement):
    """Only this exact candidate will do: a URL/path request, or an extras node's base."""

    __slots__ = ("candidate", "request")

    def __init__(self, candidate: Candidate, *, request: InstallRequest | None = None) -> None:
        super().__init__(candidate.identifier, candidate.project)
        self.candidate = candidate
        self.request = request

    def describe(self) -> str:
        return self.candidate.describe()

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        return candidate == self.candidate


class PythonRequirement(Requirement):
    """A distribution's Requires-Python, checked against the target interpreter."""

    __slots__ = ("python", "specifier")

    def __init__(self, specifier: SpecifierSet, python: PythonCandidate) -> None:
        super().__init__(PYTHON_IDENTIFIER, PYTHON_IDENTIFIER)
        self.specifier = specifier
        self.python = python

    def describe(self) -> str:
        return f"Python{self.specifier}"

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        return self.specifier.contains(candidate.version, prereleases=True)


class UnsatisfiableRequirement(Requirement):
    """A requirement nothing can meet (a named URL whose file turned out unusable)."""

    __slots__ = ("reason",)

    def __init__(self, project: str, reason: str) -> None:
        super().__init__(project, project)
        self.reason = reason

    def describe(self) -> str:
        return f"{self.project} ({self.reason})"

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        return False


# ---------------------------------------------------------------- constraints


@dataclass(frozen=True, slots=True)
class Constraint:
    """What `-c` files say about one project: a version range and/or the files allowed."""

    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    urls: frozenset[str] = frozenset()
    requests: tuple[InstallRequest, ...] = ()

    def is_satisfied_by(self, candidate: Candidate) -> bool:
        base = candidate.base if isinstance(candidate, ExtrasCandidate) else candidate
        if self.urls and not (isinstance(base, LinkCandidate) and base.link.key in self.urls):
            return False
        return self.specifier.contains(candidate.version, prereleases=True)


EMPTY_CONSTRAINT = Constraint()


def split_identifier(identifier: str) -> tuple[str, frozenset[str]]:
    """`demo[all,async]` -> ("demo", {"all", "async"})."""
    project, bracket, rest = identifier.partition("[")
    return project, frozenset(rest.rstrip("]").split(",")) if bracket else frozenset()
