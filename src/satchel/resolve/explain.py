"""Why a resolution failed, in plain words: the `ResolutionError` that replaces resolvelib's.

Pure: no I/O of its own; imports packaging, resolvelib, satchel.errors, satchel.protocols and
the pure modules of upstream packages: index.links/pages/evaluate, requirements.model,
environment.model. (The provider is only a type here; it is what remembers what was seen.)

Three stories, chosen like pip chooses them but told more plainly:
- Requires-Python: a distribution that every remaining version needs excludes the target.
- no matching version: one requirement that no file could ever satisfy on its own; the
  versions seen and why each was skipped (tags, Requires-Python, yanked, pre-release with the
  --pre hint, unusable metadata), or "no project named X on <locations>" for an empty page.
- conflict: each requirement involved, with the chain that brought it in
  ("flask 3.0 requires werkzeug>=3.0 (from: your request flask)", "the user requested
  werkzeug<3"), plus any constraint on the same projects.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet

from satchel.resolve.candidates import (
    Candidate,
    ExplicitRequirement,
    PythonRequirement,
    Requirement,
    SpecifierRequirement,
    UnsatisfiableRequirement,
)
from satchel.resolve.model import ResolutionError
from satchel.urls import redact_url

if TYPE_CHECKING:
    from resolvelib.structs import RequirementInformation

    from satchel.resolve.provider import SatchelProvider

    Cause = RequirementInformation[Requirement, Candidate]

__all__ = ["explain_impossible", "explain_too_deep", "request_chain"]

_MAX_SKIPPED_LINES = 12


def explain_too_deep(rounds: int) -> ResolutionError:
    return ResolutionError(
        f"gave up resolving after {rounds} rounds of trying versions",
        context="so many combinations of versions conflicted that the search was stopped",
        hint="pin or constrain (-c) the projects that conflict, so that fewer combinations need trying",
    )


def explain_impossible(
    causes: Sequence[Cause], provider: SatchelProvider, locations: Sequence[str] = ()
) -> ResolutionError:
    """The error to show for resolvelib's ResolutionImpossible(causes)."""
    finder = provider.finder
    python = [
        c for c in causes if isinstance(c.requirement, PythonRequirement) and not c.requirement.is_satisfied_by(finder.python)
    ]
    if python:
        return _python_error(python, provider)
    for cause in causes:
        req = cause.requirement
        if isinstance(req, UnsatisfiableRequirement):
            return ResolutionError(
                f"{req.project} can't be installed: {req.reason}",
                context=_requirer(cause, provider) + " " + req.project,
            )
        if isinstance(req, SpecifierRequirement) and not _could_match(req, provider):
            return _no_match(cause, req, provider, locations)
    return _conflict(causes, provider)


# ---------------------------------------------------------------- chains


def _request_text(req: Requirement) -> str:
    request = getattr(req, "request", None)
    if request is None:
        return req.describe()
    where = f" ({request.origin})" if request.origin.line is not None else ""
    return f"{request.text}{where}"


def request_chain(provider: SatchelProvider, project: str) -> list[str]:
    """How `project` came in, from the user's request down: ["your request app", "app 1.0"]
    (the last item is what required `project`; just the request when asked for directly)."""
    seen = {project}
    queue: deque[tuple[str, list[str]]] = deque([(project, [])])
    while queue:
        current, path = queue.popleft()
        entries = list(reversed(provider.brought_in.get(current, [])))  # latest state first
        for parent, req in entries:
            if parent is None:
                return [f"your request {_request_text(req)}", *path]
        for parent, _ in entries:
            if parent is not None and parent.project not in seen:
                seen.add(parent.project)
                queue.append((parent.project, [parent.describe(), *path]))
    return []


def _from(provider: SatchelProvider, candidate: Candidate) -> str:
    chain = request_chain(provider, candidate.project)
    return f" (from: {' → '.join(chain)})" if chain else ""


def _requirer(cause: Cause, provider: SatchelProvider) -> str:
    if cause.parent is None:
        return "the user requested"
    return f"{cause.parent.describe()}{_from(provider, cause.parent)} requires"


def _cause_line(cause: Cause, provider: SatchelProvider) -> str:
    req = cause.requirement
    if cause.parent is None:
        text = req.describe() if isinstance(req, ExplicitRequirement) else _request_text(req)
        return f"the user requested {text}"
    return f"{cause.parent.describe()} requires {req.describe()}{_from(provider, cause.parent)}"


def _constraint_lines(projects: Iterable[str], provider: SatchelProvider) -> list[str]:
    lines = []
    for project in sorted(set(projects)):
        constraint = provider.constraints.get(project)
        if constraint is None:
            continue
        for request in constraint.requests:
            where = f" ({request.origin})" if request.origin.line is not None else ""
            lines.append(f"the user's constraint {request.text}{where}")
    return lines


# ---------------------------------------------------------------- the three stories


def _python_error(causes: Sequence[Cause], provider: SatchelProvider) -> ResolutionError:
    version = provider.finder.python.version
    lines = []
    for cause in causes:
        assert isinstance(cause.requirement, PythonRequirement)
        who = cause.parent.describe() if cause.parent is not None else "a requested distribution"
        chain = _from(provider, cause.parent) if cause.parent is not None else ""
        lines.append(f"{who} requires Python {cause.requirement.specifier}{chain}")
    return ResolutionError(
        f"the target Python {version} is not supported by what was asked for",
        context="\n".join(dict.fromkeys(lines)),
        hint="install into another Python (-p 3.x), or ask for a version that supports this one",
    )


def _combined(req: SpecifierRequirement, provider: SatchelProvider) -> SpecifierSet:
    constraint = provider.constraints.get(req.project)
    return req.specifier & constraint.specifier if constraint is not None else req.specifier


def _could_match(req: SpecifierRequirement, provider: SatchelProvider) -> bool:
    """Whether anything at all could satisfy `req` (with the user's constraint) on its own."""
    finder = provider.finder
    constraint = provider.constraints.get(req.project)
    if constraint is not None and constraint.urls:
        return True
    specifier = _combined(req, provider)
    installed = None if finder.options.force_reinstall else finder.installed_candidate(req.project)
    if installed is not None and specifier.contains(installed.version, prereleases=True):
        return True
    return any(finder.usable(e) for e in finder.selection(req.project, specifier).candidates)


def _no_match(
    cause: Cause, req: SpecifierRequirement, provider: SatchelProvider, locations: Sequence[str]
) -> ResolutionError:
    finder = provider.finder
    asked = f"{_requirer(cause, provider)} {req.describe() if cause.parent else _request_text(req)}"
    constraints = _constraint_lines([req.project], provider)
    page = finder.page(req.project)
    if not page.links:
        where = ", ".join(redact_url(url) for url in locations) or "any configured index or find-links location"
        return ResolutionError(
            f"no project named {req.project!r} on {where}",
            context=asked,
            hint=f"check the spelling of {req.project!r}, and that the index you expect is configured",
        )
    selection = finder.selection(req.project, _combined(req, provider))
    found = sorted({e.version for e in finder.evaluations(req.project) if e.ok and e.version and not e.yanked})
    lines = [asked, *constraints, "versions found: " + (", ".join(str(v) for v in found) or "none")]
    skipped: dict[str, None] = {}
    hints: dict[str, None] = {}
    for evaluation in sorted(selection.skipped, key=lambda e: (e.version is not None, e.version), reverse=True):
        reason = evaluation.reason
        if " does not satisfy " in reason or reason.endswith(" excluded"):
            continue
        what = f"{req.project} {evaluation.version}" if evaluation.version else evaluation.link.filename
        skipped[f"{what}: {reason}"] = None
        if reason == "pre-release":
            hints["add --pre to allow pre-releases"] = None
        elif reason.startswith("yanked"):
            hints["a yanked version is used only when pinned exactly (==)"] = None
        elif reason.startswith("requires Python"):
            hints["a newer Python may be needed: choose another interpreter with -p"] = None
        elif reason.startswith("no compatible tag"):
            hints["no file of those versions is built for the target platform"] = None
    for what, why in finder.rejected.get(req.project, {}).items():
        skipped[f"{what}: {why}"] = None
    shown = list(skipped)
    if len(shown) > _MAX_SKIPPED_LINES:
        shown = [*shown[:_MAX_SKIPPED_LINES], f"... and {len(shown) - _MAX_SKIPPED_LINES} more"]
    lines.extend(f"skipped {line}" for line in shown)
    return ResolutionError(
        f"no version of {req.project} satisfies {req.describe()}",
        context="\n".join(lines),
        hint="; ".join(hints) or "loosen the version range, or check which versions the index has",
    )


def _conflict(causes: Sequence[Cause], provider: SatchelProvider) -> ResolutionError:
    triggers: dict[str, None] = {}
    for cause in causes:
        if cause.parent is None:
            request = getattr(cause.requirement, "request", None)
            triggers[request.text if request is not None else cause.requirement.describe()] = None
        else:
            chain = request_chain(provider, cause.parent.project)
            top = chain[0].removeprefix("your request ") if chain else cause.parent.describe()
            triggers[top] = None
    names = sorted(triggers)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    lines = list(dict.fromkeys(_cause_line(cause, provider) for cause in causes))
    projects = {c.requirement.project for c in causes}
    lines.extend(_constraint_lines(projects, provider))
    explicit = any(isinstance(c.requirement, ExplicitRequirement) for c in causes)
    what = ", ".join(sorted(p for p in projects))
    return ResolutionError(
        f"cannot install {joined}: their requirements on {what} conflict",
        context="\n".join(lines),
        hint=(
            "a URL or file asked for directly is the only candidate for its project; make the other requirements allow it"
            if explicit
            else "loosen one of these version ranges, or drop a pin, so that one version of each fits all of them"
        ),
    )
