"""What an install changes, decided before anything is fetched or written. Pure.

`make_plan(pins, installed, ...)` turns the resolver's pins and the installed set into an
InstallPlan: distributions to add (each replacing the installed one of its name, if any),
installed ones to remove, and what stays. `--dry-run`, `--report`, the closing
"Successfully installed ..." line and the transaction all read this one value.
"""

from __future__ import annotations

from typing import Protocol

from satchel.environment.model import InstalledDist, InstalledSet
from satchel.names import canonical_name
from satchel.urls import is_file_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable

    from satchel.index.links import FileLink
    from satchel.requirements.model import InstallRequest

__all__ = ["InstallPlan", "PinLike", "PlanItem", "make_plan", "spell_as_requested"]


class PinLike(Protocol):
    """What the plan needs from a resolver pin."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def link(self) -> FileLink | None: ...

    @property
    def installed(self) -> InstalledDist | None: ...

    @property
    def requested(self) -> bool: ...


class PlanItem:
    """One distribution to install, from `link`, replacing `replaces` if set."""

    __slots__ = ("link", "name", "replaces", "requested", "version")

    def __init__(self, name: str, version: str, link: FileLink, requested: bool, replaces: InstalledDist | None) -> None:
        self.name = name
        self.version = version
        self.link = link
        self.requested = requested
        self.replaces = replaces

    @property
    def key(self) -> str:
        return canonical_name(self.name)

    def __repr__(self) -> str:
        return f"PlanItem({self.name!r}, {self.version!r})"


class InstallPlan:
    __slots__ = ("add", "remove", "unchanged")

    def __init__(self, add: list[PlanItem], remove: list[InstalledDist], unchanged: list[InstalledDist]) -> None:
        self.add = add
        self.remove = remove
        self.unchanged = unchanged

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove

    def summary(self) -> str:
        """pip's closing line: `Successfully installed a-1.0 b-2.0` (names sorted as pip does)."""
        items = sorted(self.add, key=lambda item: item.key)
        return "Successfully installed " + " ".join(f"{item.name}-{item.version}" for item in items)

    def changes(self) -> dict[str, list[dict[str, object]]]:
        """What the plan installs and removes, as `install --json` prints it."""
        return {
            "installed": [
                {"name": i.name, "version": i.version, "requested": i.requested, "url": i.link.display}
                for i in sorted(self.add, key=lambda item: item.key)
            ],
            "removed": [{"name": d.name, "version": d.version} for d in sorted(self.remove, key=lambda d: d.key)],
        }


def _same_version(installed: str, pinned: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(installed) == Version(pinned)
    except InvalidVersion:
        return installed == pinned


def make_plan(
    pins: Iterable[PinLike],
    installed: InstalledSet,
    *,
    force_reinstall: bool = False,
    editables: Collection[str] = (),
) -> InstallPlan:
    """The changes that make the environment hold exactly `pins` (plus whatever else it has).

    A file pinned at the version already installed is installed again only where pip does:
    editables (or replacing an editable), local sdists and directories; not wheels, nor URLs.
    `editables` are the normalised names requested with -e.
    """
    add: list[PlanItem] = []
    remove: list[InstalledDist] = []
    unchanged: list[InstalledDist] = []
    for pin in pins:
        current = installed.get(pin.name)
        if pin.installed is not None and not force_reinstall:
            unchanged.append(pin.installed)
            continue
        if pin.link is None:
            raise ValueError(f"pin {pin.name} {pin.version} has neither a link nor an installed distribution")
        if current is not None and not force_reinstall and _same_version(current.version, pin.version):
            editable = canonical_name(pin.name) in editables or current.editable
            local_source = is_file_url(pin.link.url) and not pin.link.is_wheel
            if not editable and not local_source:
                unchanged.append(current)
                continue
        add.append(PlanItem(pin.name, pin.version, pin.link, pin.requested, current))
        if current is not None:
            remove.append(current)
    return InstallPlan(add, remove, unchanged)


def spell_as_requested(plan: InstallPlan, requests: Iterable[InstallRequest], metadata: Callable[[FileLink], bytes]) -> None:
    """Name each item as the requirement that brought it in spells it (`Foo_Bar`, `jinja2`):
    the user's request first, else the first dependent's Requires-Dist, as pip's closing line.
    `metadata(link)` is the core metadata the resolver read (memoised)."""
    from packaging.requirements import InvalidRequirement, Requirement

    from satchel.environment.metadata import parse_headers

    spelled: dict[str, str] = {}
    for request in requests:
        if request.name:
            spelled.setdefault(canonical_name(request.name), request.name)
    for item in plan.add:
        try:
            raw = metadata(item.link)
        except Exception:  # a name is cosmetic; never fail an install over it
            continue
        for text in parse_headers(raw.decode("utf-8", "replace")).get("requires-dist", []):
            try:
                name = Requirement(text).name
            except InvalidRequirement:
                continue
            spelled.setdefault(canonical_name(name), name)
    for item in plan.add:
        item.name = spelled.get(item.key, item.name)
