"""The resolver's entry point: requests + target + installed set + a ProjectSource -> Resolution.

Pure: no I/O of its own; imports packaging, resolvelib, satchel.errors, satchel.protocols and
the pure modules of upstream packages: index.links/pages/evaluate, requirements.model,
environment.model.

    resolution = resolve(requests, source=client, target=TargetEnvironment(tags, "3.12.1"),
                         markers=info.markers, installed=scan(paths), options=ResolveOptions())
    for pin in resolution.pins:          # dependencies before their dependents
        print(pin.name, pin.version, pin.link or pin.installed)

The values it takes and returns (`ResolveOptions`, `Resolution`, `Pin`, `ResolutionError`)
live in `model`. resolvelib's exceptions never leave this module: they become
`ResolutionError` (exit 1) with an explanation from `explain`. Bad constraints (extras, no
name, editable) are `UsageError`s.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.requirements import Requirement as Pep508
from packaging.specifiers import SpecifierSet
from resolvelib import BaseReporter, InconsistentCandidate, ResolutionImpossible, ResolutionTooDeep, Resolver

from satchel.environment.markers import applies
from satchel.environment.model import InstalledSet
from satchel.errors import UsageError
from satchel.index.evaluate import TargetEnvironment
from satchel.index.links import FileLink
from satchel.names import canonical_name
from satchel.protocols import ProjectSource
from satchel.requirements.model import InstallRequest
from satchel.resolve.candidates import (
    PYTHON_IDENTIFIER,
    BaseCandidate,
    Candidate,
    Constraint,
    ExplicitRequirement,
    ExtrasCandidate,
    InstalledCandidate,
    LinkCandidate,
    PythonRequirement,
    Requirement,
    SpecifierRequirement,
    UnsatisfiableRequirement,
    split_identifier,
)
from satchel.resolve.explain import explain_impossible, explain_too_deep
from satchel.resolve.model import Pin, Resolution, ResolutionError, ResolveOptions
from satchel.resolve.provider import CandidateFinder, SatchelProvider
from satchel.urls import path_to_url

from resolvelib.structs import DirectedGraph

if TYPE_CHECKING:
    from resolvelib.resolvers import Result

__all__ = ["MAX_ROUNDS", "RequirementMaker", "install_order", "request_link", "resolve"]

MAX_ROUNDS = 200_000  # pip's limit on resolver rounds
def resolve(
    requests: Sequence[InstallRequest],
    *,
    source: ProjectSource,
    target: TargetEnvironment,
    markers: Mapping[str, str],
    installed: InstalledSet,
    options: ResolveOptions,
    constraints: Sequence[InstallRequest] = (),
    locations: Sequence[str] = (),
) -> Resolution:
    """Pick one version of every project needed, the way pip's resolver would.

    `markers` is the target's marker environment; `requests` flagged as constraints are
    treated like `constraints`. `locations` (index URLs, find-links) only name where was
    looked in "no project named X" errors.
    """
    finder = CandidateFinder(source, target, markers, installed, options)
    maker = RequirementMaker(finder)
    wanted = [r for r in requests if not r.constraint]
    named = [canonical_name(r.name) for r in wanted if r.name and r.requirement is not None]
    if named:
        source.prefetch(sorted(set(named)))
    constraint_map = _constraints([*constraints, *(r for r in requests if r.constraint)], markers)
    roots: list[Requirement] = []
    user_requested: dict[str, int] = {}
    for index, request in enumerate(wanted):
        found = maker.root_requirements(request)
        if found:
            user_requested.setdefault(found[0].identifier, index)
            roots.extend(found)
    roots.sort(key=lambda r: r.identifier != r.project)  # extras last, as pip orders them
    provider = SatchelProvider(finder, maker.dependencies, constraints=constraint_map, user_requested=user_requested)
    for root in roots:
        provider.note_root(root)
    resolver: Resolver[Requirement, Candidate, str] = Resolver(provider, BaseReporter())
    try:
        result = resolver.resolve(roots, max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as exc:
        raise explain_impossible(list(exc.causes), provider, locations) from None
    except ResolutionTooDeep as exc:
        raise explain_too_deep(exc.round_count) from None
    except InconsistentCandidate as exc:
        raise ResolutionError(
            f"internal error: {exc.candidate!r} was offered for requirements it does not satisfy",
            context=str(exc),
            hint="please report this with the command that caused it",
        ) from None
    return _resolution(result)


def request_link(request: InstallRequest) -> FileLink:
    """The file (or directory, or VCS URL) a URL/path request names, as a link."""
    if request.url is not None:
        return FileLink.build(request.url, request.url)
    return FileLink.build(path_to_url(str(request.path)), "file:///")


class RequirementMaker:
    """Turns requests and Requires-Dist entries into resolver requirements, making the
    candidates of URL/path requirements through the finder."""

    def __init__(self, finder: CandidateFinder) -> None:
        self.finder = finder

    def requirements_from(self, req: Pep508, *, request: InstallRequest | None = None) -> list[Requirement]:
        """A PEP 508 requirement (markers already known to hold) as resolver requirements: a
        `name[x]>=1` also gets an extras-less twin so the base sees the range (pip's split)."""
        if req.url:
            link = FileLink.build(req.url, req.url)
            try:
                base = self.finder.from_link(link, req.name, request.text if request else str(req))
            except ResolutionError as error:
                if request is not None:
                    raise
                return [UnsatisfiableRequirement(canonical_name(req.name), error.message)]
            return self.explicit(base, frozenset(canonical_name(e) for e in req.extras), request)
        found: list[Requirement] = []
        if req.extras and req.specifier:
            found.append(SpecifierRequirement(req, request=request, with_extras=False))
        found.append(SpecifierRequirement(req, request=request))
        return found

    def explicit(self, base: BaseCandidate, extras: frozenset[str], request: InstallRequest | None) -> list[Requirement]:
        found: list[Requirement] = [ExplicitRequirement(base, request=request)]
        if extras:
            found.append(ExplicitRequirement(self.finder.with_extras(base, extras), request=request))
        return found

    def root_requirements(self, request: InstallRequest) -> list[Requirement]:
        """The user's request as resolver requirements; none when its markers are false."""
        if not applies(request.markers, self.finder.markers, requirement=request.text, origin=request.origin.of_file()):
            return []
        if request.requirement is not None:
            return self.requirements_from(request.requirement, request=request)
        base = self.finder.from_link(request_link(request), request.name, request.text)
        extras = frozenset(canonical_name(e) for e in request.extras)
        return self.explicit(base, extras, request)

    def dependencies(self, candidate: Candidate) -> list[Requirement]:
        """What pinning `candidate` requires, in pip's order: Requires-Python (files only, even
        with --no-deps), the base of an extras node, then Requires-Dist that apply."""
        found: list[Requirement] = []
        if isinstance(candidate, ExtrasCandidate):
            found.append(ExplicitRequirement(candidate.base))
            metadata, extras = candidate.base.metadata, candidate.extras
        elif isinstance(candidate, (LinkCandidate, InstalledCandidate)):
            metadata, extras = candidate.metadata, frozenset()
            spec = metadata.requires_python
            if isinstance(candidate, LinkCandidate) and spec is not None and str(spec):
                if not self.finder.options.ignore_requires_python:
                    found.append(PythonRequirement(spec, self.finder.python))
        else:
            return found
        if not self.finder.options.no_deps:
            for req in metadata.dependencies(extras, self.finder.markers):
                found.extend(self.requirements_from(req))
        return found


def _constraints(requests: Sequence[InstallRequest], markers: Mapping[str, str]) -> dict[str, Constraint]:
    """`-c` entries by project, merged like pip merges them (ranges intersect, URLs add up)."""
    merged: dict[str, Constraint] = {}
    for request in requests:
        problem = None
        if request.editable:
            problem = "an editable requirement can't be a constraint"
        elif request.extras:
            problem = "constraints can't have extras"
        elif not request.name:
            problem = "a constraint must name its project"
        if problem is not None:
            raise UsageError(
                problem, input=f"{request.text} ({request.origin})", hint="write constraints as 'name<op>version' or 'name @ URL'"
            )
        if not applies(request.markers, markers, requirement=request.text, origin=request.origin.of_file()):
            continue
        project = canonical_name(str(request.name))
        req = request.requirement
        specifier = req.specifier if req is not None else SpecifierSet()
        url = request.url or (req.url if req is not None else None)
        urls = frozenset([FileLink.build(url, url).key]) if url else frozenset()
        before = merged.get(project, Constraint())
        merged[project] = Constraint(before.specifier & specifier, before.urls | urls, (*before.requests, request))
    return merged


def _resolution(result: Result[Requirement, Candidate, str]) -> Resolution:
    bases: dict[str, LinkCandidate | InstalledCandidate] = {}
    extras: dict[str, set[str]] = {}
    for candidate in result.mapping.values():
        if isinstance(candidate, (LinkCandidate, InstalledCandidate)):
            bases[candidate.project] = candidate
        elif isinstance(candidate, ExtrasCandidate):
            extras.setdefault(candidate.project, set()).update(candidate.extras)
    requested: set[str] = set()
    required_by: dict[str, set[str]] = {project: set() for project in bases}
    for identifier, criterion in result.criteria.items():
        project = split_identifier(identifier)[0]
        if project not in required_by:
            continue
        for info in criterion.information:
            if info.parent is None:
                requested.add(project)
            elif info.parent.project != project:
                required_by[project].add(info.parent.project)
    pins = {
        project: Pin(
            name=project,
            version=str(candidate.version),
            link=candidate.link if isinstance(candidate, LinkCandidate) else None,
            installed=candidate.dist if isinstance(candidate, InstalledCandidate) else None,
            extras=frozenset(extras.get(project, ())),
            requested=project in requested,
            required_by=tuple(sorted(required_by[project])),
        )
        for project, candidate in bases.items()
    }
    order = install_order(_project_graph(result.graph), set(pins))
    return Resolution(pins=tuple(pins[name] for name in order), why=_chains(result.graph, requested))


def install_order(graph: DirectedGraph[str | None], projects: set[str]) -> list[str]:
    """pip's installation order: weigh each node by how deep it is (leaves, pruned round by
    round, weigh most; what is left after pruning lies on cycles and is weighed by its longest
    path from the root), then heaviest first, names breaking ties (descending, as pip sorts)."""
    remaining = graph.copy()
    weights: dict[str, int] = {}
    while True:
        leaves = [node for node in remaining if node is not None and next(remaining.iter_children(node), None) is None]
        if not leaves:
            break
        weight = len(remaining) - 1
        for leaf in leaves:
            if leaf in projects:
                weights[leaf] = weight
            remaining.remove(leaf)
    depths: dict[str, list[int]] = {}
    path: set[str | None] = set()

    def visit(node: str | None) -> None:
        if node in path or len(depths.get(str(node), [])) >= 5:
            return
        path.add(node)
        for child in list(remaining.iter_children(node)):
            visit(child)
        path.remove(node)
        if node is not None and node in projects:
            depths.setdefault(node, []).append(len(path))

    if None in remaining:
        visit(None)
    for node, found in depths.items():
        weights[node] = max(found)
    return sorted(projects, key=lambda name: (weights.get(name, 0), name), reverse=True)


def _project_graph(graph: DirectedGraph[str | None]) -> DirectedGraph[str | None]:
    """The graph with each extras node (`demo[async]`) folded into its project's node, so
    that what an extra brings in is installed before the project (pip orders by the raw
    graph, where an extra's dependencies may come after their project)."""
    folded: DirectedGraph[str | None] = DirectedGraph()
    project = {node: None if node is None else split_identifier(node)[0] for node in graph}
    for name in dict.fromkeys(project.values()):
        folded.add(name)
    for parent, child in graph.iter_edges():
        if project[parent] != project[child]:
            folded.connect(project[parent], project[child])
    return folded


def _chains(graph: DirectedGraph[str | None], requested: set[str]) -> dict[str, tuple[str, ...]]:
    """Shortest chain of project names from a requested project to each pinned project."""
    children: dict[str, set[str]] = {}
    for node in graph:
        if node is None or node == PYTHON_IDENTIFIER:
            continue
        project = split_identifier(node)[0]
        for child in graph.iter_children(node):
            if child is not None and child != PYTHON_IDENTIFIER:
                child_project = split_identifier(child)[0]
                if child_project != project:
                    children.setdefault(project, set()).add(child_project)
    chains: dict[str, tuple[str, ...]] = {name: (name,) for name in sorted(requested)}
    queue = deque(sorted(requested))
    while queue:
        current = queue.popleft()
        for child in sorted(children.get(current, ())):
            if child not in chains:
                chains[child] = (*chains[current], child)
                queue.append(child)
    return chains
