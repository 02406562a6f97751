"""The resolvelib provider, with pip's semantics (the resolver of pip 23 and later).

Pure: no I/O of its own; imports packaging, resolvelib, satchel.errors, satchel.protocols and
the pure modules of upstream packages: index.links/pages/evaluate, requirements.model,
environment.model. Everything it learns about projects comes from a `ProjectSource`.

- `CandidateFinder` turns pages, metadata and the installed set into cached candidates:
  files are judged by `index.evaluate` (tags, Requires-Python, yanked, pre-releases, binary
  rules), one file per version is offered (the best one whose metadata is usable), and the
  metadata must agree with the file (name and version) or the file is skipped with a reason.
- `SatchelProvider` answers resolvelib (what a candidate requires is asked of an injected
  function: `resolve.RequirementMaker.dependencies`). Candidates are listed best first; an installed
  distribution that satisfies comes first when the project may not be upgraded, else it takes
  its place among the versions (pip's "prepend" and "insert"). URL/path requests give the only
  candidate for their project. Constraints narrow versions but never add a project. Which
  project to decide next follows pip: Requires-Python first, then the projects in the last
  conflict, then direct, pinned, upper-bounded, user-requested (in order), constrained, name.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version
from resolvelib import AbstractProvider

from satchel.environment.model import InstalledSet
from satchel.index.evaluate import Evaluation, Selection, TargetEnvironment, evaluate_link, select_candidates
from satchel.index.links import FileLink
from satchel.index.pages import ProjectPage
from satchel.names import canonical_name
from satchel.protocols import ProjectSource
from satchel.resolve.candidates import (
    EMPTY_CONSTRAINT,
    PYTHON_IDENTIFIER,
    BaseCandidate,
    Candidate,
    Constraint,
    ExplicitRequirement,
    ExtrasCandidate,
    InstalledCandidate,
    LinkCandidate,
    MetadataProblem,
    PythonCandidate,
    Requirement,
    SpecifierRequirement,
    format_identifier,
    metadata_from_headers,
    parse_metadata,
    split_identifier,
)
from satchel.resolve.model import ResolutionError
from satchel.urls import redact_url

if TYPE_CHECKING:
    from satchel.resolve.model import ResolveOptions
    from resolvelib.providers import Preference
    from resolvelib.structs import RequirementInformation

    Information = RequirementInformation[Requirement, Candidate]
    _Base = AbstractProvider[Requirement, Candidate, str]
else:
    _Base = AbstractProvider

__all__ = ["CandidateFinder", "SatchelProvider"]

_PROMOTE_AFTER = 5  # a project unpinned in this many conflicts is decided earlier (pip's rule)


class CandidateFinder:
    """Makes (and caches) every candidate and requirement of one resolution."""

    def __init__(
        self,
        source: ProjectSource,
        target: TargetEnvironment,
        markers: Mapping[str, str],
        installed: InstalledSet,
        options: ResolveOptions,
    ) -> None:
        self.source = source
        self.target = target
        self.markers = dict(markers)
        self.options = options
        self.installed = InstalledSet([]) if options.ignore_installed else installed
        self.python = PythonCandidate(Version("%d.%d.%d" % target.python_release))
        self.rejected: dict[str, dict[str, str]] = {}  # project -> {file or version: why}
        self._pages: dict[str, ProjectPage] = {}
        self._evaluations: dict[str, list[Evaluation]] = {}
        self._links: dict[str, LinkCandidate | None] = {}
        self._invalid: dict[str, str] = {}  # url -> why its metadata is unusable
        self._installed: dict[str, InstalledCandidate | None] = {}
        self._extras: dict[tuple[BaseCandidate, frozenset[str]], ExtrasCandidate] = {}

    # -- what exists

    def page(self, project: str) -> ProjectPage:
        if project not in self._pages:
            self._pages[project] = self.source.project_page(project)
        return self._pages[project]

    def evaluations(self, project: str) -> list[Evaluation]:
        if project not in self._evaluations:
            policy = self.options.policy(project)
            page = self.page(project)
            self._evaluations[project] = [evaluate_link(link, project, self.target, policy) for link in page.links]
        return self._evaluations[project]

    def selection(self, project: str, specifier: SpecifierSet) -> Selection:
        return select_candidates(self.evaluations(project), specifier, self.options.policy(project))

    # -- candidates

    def reject(self, project: str, what: str, why: str) -> None:
        self.rejected.setdefault(project, {})[what] = why

    def from_index(self, evaluation: Evaluation, project: str) -> LinkCandidate | None:
        """The candidate for an accepted file; None (with the reason kept) when its metadata
        disagrees with the file. `MetadataProblem` escapes for invalid dependencies: pip then
        skips the whole version."""
        link = evaluation.link
        if link.key in self._invalid:
            raise MetadataProblem(self._invalid[link.key])
        if link.key not in self._links:
            self._links[link.key] = None
            try:
                metadata = parse_metadata(self.source.metadata(link))
            except MetadataProblem as problem:
                self._invalid[link.key] = str(problem)
                self.reject(project, f"{project} {evaluation.version} ({link.filename})", str(problem))
                raise
            if metadata.project != project:
                why = f"its metadata names the project {metadata.name!r}, not {project!r}"
            elif metadata.version != evaluation.version:
                why = f"its metadata says version {metadata.version}, its file name {evaluation.version}"
            else:
                self._links[link.key] = LinkCandidate(link, metadata)
                return self._links[link.key]
            self.reject(project, f"{project} {evaluation.version} ({link.filename})", why)
        return self._links[link.key]

    def usable(self, evaluation: Evaluation) -> bool:
        """False only for a file already found to have unusable metadata."""
        url = evaluation.link.key
        return url not in self._invalid and (url not in self._links or self._links[url] is not None)

    def from_link(self, link: FileLink, name: str | None, request: str) -> LinkCandidate:
        """The one candidate of a URL/path requirement; `ResolutionError` if it can't be used."""
        if link.key in self._links and self._links[link.key] is not None:
            return self._links[link.key]  # type: ignore[return-value]
        expected_version: Version | None = None
        if link.is_wheel:
            try:
                wheel_name, expected_version, _, tags = parse_wheel_filename(link.filename)
            except (InvalidWheelFilename, InvalidVersion) as exc:
                raise ResolutionError(f"{link.filename} is not a valid wheel file name: {exc}", input=request) from None
            if self.target.tag_priority(tags) is None:
                raise ResolutionError(
                    f"{link.filename} is not a supported wheel on the target Python {self.target.python_full_version}",
                    input=request,
                    hint="its tags: " + ", ".join(sorted(str(tag) for tag in tags)),
                )
            name = name or str(wheel_name)
        try:
            metadata = parse_metadata(self.source.metadata(link))
        except MetadataProblem as problem:
            raise ResolutionError(f"{redact_url(link.url)} can't be used: {problem}", input=request) from None
        if name is not None and metadata.project != canonical_name(name):
            raise ResolutionError(
                f"{redact_url(link.url)} is {metadata.name} {metadata.version}, not {name}",
                input=request,
                hint="the name given for a URL or file must be the one in its metadata",
            )
        if expected_version is not None and metadata.version != expected_version:
            raise ResolutionError(
                f"{link.filename} holds version {metadata.version} in its metadata, not {expected_version}",
                input=request,
            )
        candidate = LinkCandidate(link, metadata, direct=True)
        self._links[link.key] = candidate
        return candidate

    def installed_candidate(self, project: str) -> InstalledCandidate | None:
        if project not in self._installed:
            dist = self.installed.get(project)
            candidate = None
            if dist is not None:
                try:
                    candidate = InstalledCandidate(dist, metadata_from_headers(dist.headers), Version(dist.version))
                except (InvalidVersion, MetadataProblem) as problem:
                    self.reject(project, f"{project} {dist.version} (installed)", str(problem) or "invalid version")
            self._installed[project] = candidate
        return self._installed[project]

    def with_extras(self, base: BaseCandidate, extras: frozenset[str]) -> Candidate:
        if not extras:
            return base
        key = (base, extras)
        if key not in self._extras:
            self._extras[key] = ExtrasCandidate(base, extras)
        return self._extras[key]


class SatchelProvider(_Base):
    """resolvelib's questions, answered the way pip answers them."""

    def __init__(
        self,
        finder: CandidateFinder,
        dependencies: Callable[[Candidate], list[Requirement]],
        *,
        constraints: Mapping[str, Constraint],
        user_requested: Mapping[str, int],
    ) -> None:
        self.finder = finder
        self.dependencies = dependencies
        self.constraints = dict(constraints)
        self.user_requested = dict(user_requested)
        # project -> [(parent or None for the user, requirement)], for explanations
        self.brought_in: dict[str, list[tuple[Candidate | None, Requirement]]] = {}
        self._conflicts: dict[str, int] = {}
        self._promoted: set[str] = set()
        self._prefetched: set[str] = set()

    def note_root(self, requirement: Requirement) -> None:
        self.brought_in.setdefault(requirement.project, []).append((None, requirement))

    def prefetch(self, projects: Iterable[str]) -> None:
        wanted = sorted({p for p in projects if p != PYTHON_IDENTIFIER} - self._prefetched)
        if wanted:
            self._prefetched.update(wanted)
            self.finder.source.prefetch(wanted)

    def constraint(self, identifier: str) -> Constraint:
        return self.constraints.get(split_identifier(identifier)[0], EMPTY_CONSTRAINT)

    def may_upgrade(self, identifier: str) -> bool:
        options = self.finder.options
        if not options.upgrade:
            return False
        if options.upgrade_strategy == "eager":
            return True
        return identifier in self.user_requested or split_identifier(identifier)[0] in self.user_requested

    # -- resolvelib's interface

    def identify(self, requirement_or_candidate: Requirement | Candidate) -> str:
        return requirement_or_candidate.identifier

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Information]],
        backtrack_causes: Sequence[Information],
    ) -> Iterable[str]:
        in_conflict: set[str] = set()
        for cause in backtrack_causes:
            names = [cause.requirement.identifier] + ([cause.parent.identifier] if cause.parent is not None else [])
            for name in names:
                in_conflict.add(name)
                if name not in resolutions:
                    self._conflicts[name] = self._conflicts.get(name, 0) + 1
                    if self._conflicts[name] >= _PROMOTE_AFTER:
                        self._promoted.add(name)
        identifiers = list(identifiers)
        if PYTHON_IDENTIFIER in identifiers:
            return [PYTHON_IDENTIFIER]
        return (
            [i for i in identifiers if i in in_conflict]
            or [i for i in identifiers if i in self._promoted]
            or identifiers
        )

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterable[Information]],
        backtrack_causes: Sequence[Information],
    ) -> Preference:
        requirements = [info.requirement for info in information[identifier]]
        direct = any(isinstance(r, ExplicitRequirement) for r in requirements)
        operators = [
            (spec.operator, spec.version)
            for r in requirements
            if isinstance(r, SpecifierRequirement)
            for spec in r.specifier
        ]
        pinned = any(op.startswith("==") and "*" not in version for op, version in operators)
        bounded = any(op in ("<", "<=", "~=") or (op == "==" and "*" in version) for op, version in operators)
        return (
            identifier not in self._promoted,
            not direct,
            not pinned,
            not bounded,
            self.user_requested.get(identifier, math.inf),
            not operators,
            identifier,
        )

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Requirement]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]] | list[Candidate]:
        incompatible = set(incompatibilities.get(identifier, ()))
        own = list(requirements.get(identifier, ()))
        if identifier == PYTHON_IDENTIFIER:
            python = self.finder.python
            ok = python not in incompatible and all(r.is_satisfied_by(python) for r in own)
            return [python] if ok else []
        project, extras = split_identifier(identifier)
        explicit: list[Candidate] = []
        specifiers: list[SpecifierRequirement] = []
        for req in own:
            if isinstance(req, ExplicitRequirement):
                explicit.append(req.candidate)
            elif isinstance(req, SpecifierRequirement):
                specifiers.append(req)
        if extras:  # an extras node also obeys what is asked of its base
            for req in requirements.get(project, ()):
                if isinstance(req, ExplicitRequirement) and isinstance(req.candidate, (LinkCandidate, InstalledCandidate)):
                    explicit.append(self.finder.with_extras(req.candidate, extras))
                elif isinstance(req, SpecifierRequirement):
                    specifiers.append(req)
        constraint = self.constraint(identifier)
        if specifiers and constraint.urls:
            for url in sorted(constraint.urls):
                base = self.finder.from_link(FileLink.build(url, url), project, f"constraint {url}")
                explicit.append(self.finder.with_extras(base, extras))
        if explicit:
            unique = list(dict.fromkeys(explicit))
            return [
                c
                for c in unique
                if c not in incompatible and constraint.is_satisfied_by(c) and all(r.is_satisfied_by(c) for r in own)
            ]
        if not specifiers:
            return []
        specifier = functools.reduce(lambda a, b: a & b, (r.specifier for r in specifiers), constraint.specifier)
        return functools.partial(self._found, project, extras, specifier, incompatible)

    def _found(
        self, project: str, extras: frozenset[str], specifier: SpecifierSet, incompatible: set[Candidate]
    ) -> Iterator[Candidate]:
        """Index candidates best first, one per version, with the installed one first (no
        upgrade allowed) or in its place among the versions (upgrade allowed)."""
        installed: Candidate | None = None
        if not self.finder.options.force_reinstall:
            dist = self.finder.installed_candidate(project)
            if dist is not None and specifier.contains(dist.version, prereleases=True):
                installed = self.finder.with_extras(dist, extras)
                if installed in incompatible:
                    installed = None
        prefer_installed = not self.may_upgrade(format_identifier(project, extras))
        seen: set[Version] = set()
        if installed is not None and prefer_installed:
            yield installed
            seen.add(installed.version)
        for evaluation in self.finder.selection(project, specifier).candidates:
            version = evaluation.version
            if version is None or version in seen:
                continue
            if installed is not None and installed.version not in seen and installed.version >= version:
                seen.add(installed.version)  # upgrades allowed: the installed one in its place
                yield installed
            try:
                base = self.finder.from_index(evaluation, project)
            except MetadataProblem:
                seen.add(version)  # invalid dependencies: pip skips the whole version
                continue
            if base is None:
                continue
            seen.add(version)
            candidate = self.finder.with_extras(base, extras)
            if candidate not in incompatible:
                yield candidate
        if installed is not None and installed.version not in seen:
            yield installed

    def is_satisfied_by(self, requirement: Requirement, candidate: Candidate) -> bool:
        return requirement.is_satisfied_by(candidate)

    def get_dependencies(self, candidate: Candidate) -> list[Requirement]:
        found = self.dependencies(candidate)
        for requirement in found:
            if requirement.project != candidate.project:
                self.brought_in.setdefault(requirement.project, []).append((candidate, requirement))
        self.prefetch(r.project for r in found if isinstance(r, SpecifierRequirement))
        return found
