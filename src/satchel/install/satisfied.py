"""What pip says when an install has nothing to do: "Ignoring ..." for a request whose
markers don't apply, "Requirement already satisfied: ..." for the others (naming the
requirements-file line a request came from), and the quick check that needs neither the
index nor the resolver (`environment.satisfied`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from satchel.environment.model import InstalledSet
    from satchel.requirements.model import InstallRequest

__all__ = ["already_satisfied_lines", "quick_noop", "satisfied_line"]


def quick_noop(requests: Sequence[InstallRequest], installed: InstalledSet, markers: Mapping[str, str]) -> list[str] | None:
    """pip's lines when every request (and what it needs) is already installed; else None.
    Only named requirements qualify (a URL, path or editable always goes to the full path)."""
    from satchel.environment.markers import applies
    from satchel.environment.satisfied import satisfied_by_installed

    lines = []
    applicable = []
    for request in requests:
        if request.requirement is None or request.requirement.url:
            return None
        marker = request.requirement.marker
        if not applies(marker, markers, requirement=request.text, origin=request.origin.of_file()):
            lines.append(f"Ignoring {request.requirement.name}: markers '{marker}' don't match your environment")
            continue
        applicable.append(request)
    if satisfied_by_installed([r.requirement for r in applicable], installed, markers) is None:  # type: ignore[misc]
        return None
    for request in applicable:
        dist = installed.get(request.name or "")
        assert dist is not None  # (satisfied_by_installed found it)
        lines.append(satisfied_line(request, dist.location, dist.version))
    return lines


def already_satisfied_lines(requests: Sequence[InstallRequest], installed: InstalledSet) -> list[str]:
    """After a resolution that changed nothing: pip's line for each named request installed
    (a file or URL at the installed version: pip says nothing of it)."""
    lines = []
    for request in requests:
        if request.url is not None or request.path is not None or (request.requirement and request.requirement.url):
            continue
        dist = installed.get(request.name or "")
        if dist is not None:
            lines.append(satisfied_line(request, dist.location, dist.version))
    return lines


def satisfied_line(request: InstallRequest, location: str, version: str) -> str:
    """pip's line for a requirement that is already met, naming the file line it came from."""
    where = f" (from -r {request.origin.file} (line {request.origin.line}))" if request.origin.line else ""
    return f"Requirement already satisfied: {request.text} in {_display_path(location)}{where} ({version})"


def _display_path(path: str) -> str:
    """A path as pip shows it: relative with ./ when under the current directory."""
    import os

    cwd = os.path.join(os.getcwd(), "")
    return "./" + path[len(cwd):] if path.startswith(cwd) else path
