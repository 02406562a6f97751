"""Is a request already satisfied by what is installed, dependencies included? Pure.

This is the no-op install's fast path: when every requested requirement and everything they
require (markers evaluated for the target, extras followed) is installed at an acceptable
version, nothing needs resolving, so neither the index nor the resolver is touched. Like
pip, an installed pre-release satisfies a specifier without --pre.
"""

from __future__ import annotations

from satchel.environment.markers import applies
from satchel.environment.model import InstalledDist, InstalledSet, canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from packaging.requirements import Requirement

__all__ = ["satisfied_by_installed"]


def satisfied_by_installed(
    requirements: Iterable[Requirement], installed: InstalledSet, markers: Mapping[str, str]
) -> list[InstalledDist] | None:
    """The installed distributions that satisfy `requirements` and all their dependencies, in
    the order first reached; None as soon as anything is missing or at a wrong version."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Req

    seen: dict[str, set[str]] = {}  # name -> extras already followed
    order: list[InstalledDist] = []
    queue: list[tuple[Requirement, tuple[str, ...]]] = [(req, ()) for req in requirements]
    while queue:
        requirement, parent_extras = queue.pop(0)
        if not applies(requirement.marker, markers, parent_extras, requirement=requirement):
            continue
        dist = installed.get(requirement.name)
        if dist is None or not requirement.specifier.contains(dist.version, prereleases=True):
            return None
        if requirement.url:  # a direct URL request: only the same URL install satisfies it
            if (dist.direct_url or {}).get("url") != requirement.url:
                return None
        key = canonical_name(dist.name)
        followed = seen.get(key)
        new_extras = {canonical_name(e) for e in requirement.extras} - (followed or set())
        if followed is not None and not new_extras:
            continue
        if followed is None:
            order.append(dist)
            seen[key] = set()
        provided = {canonical_name(e.strip()) for e in dist.header_all("Provides-Extra")}
        if not new_extras <= provided:
            return None  # asks for an extra the installed version doesn't have
        seen[key] |= new_extras
        for text in dist.header_all("Requires-Dist"):
            try:
                queue.append((Req(text), tuple(sorted(new_extras))))
            except InvalidRequirement:
                return None
    return order
