"""What goes into a resolution and what comes out: `ResolveOptions` (pip's resolver options),
the `Resolution` of `Pin`s, and `ResolutionError`, raised when no set of versions fits.

Pure: no I/O of its own; imports packaging, satchel.errors and the pure modules of upstream
packages (index.links/evaluate, environment.model, settings.name_sets). Every other module of resolve/ may import
it; it imports none of them, so the provider, the explanations and the entry point share these
values without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from satchel.environment.model import InstalledDist
from satchel.errors import OperationError
from satchel.index.evaluate import CandidatePolicy
from satchel.index.links import FileLink
from satchel.names import canonical_name
from satchel.settings.name_sets import allowed_formats, allows_prereleases

__all__ = ["Pin", "Resolution", "ResolutionError", "ResolveOptions"]

class ResolutionError(OperationError):
    """No set of versions satisfies every requirement (or the resolver gave up)."""

    code = "resolution-impossible"


@dataclass(frozen=True, slots=True)
class ResolveOptions:
    """pip's resolver options. Name sets hold normalised names or ":all:" (`settings.name_sets`)."""

    pre: bool = False
    upgrade: bool = False
    upgrade_strategy: Literal["only-if-needed", "eager"] = "only-if-needed"
    force_reinstall: bool = False
    ignore_installed: bool = False
    no_deps: bool = False
    only_binary: frozenset[str] = frozenset()
    no_binary: frozenset[str] = frozenset()
    prefer_binary: bool = False
    ignore_requires_python: bool = False
    all_releases: frozenset[str] = frozenset()  # --all-releases: pre-releases for these projects
    only_final: frozenset[str] = frozenset()  # --only-final: never pre-releases for these

    def policy(self, project: str) -> CandidatePolicy:
        """The per-project choices, by pip's name-set rule (`settings.name_sets`): a project
        named in either set wins over :all: in either. --pre allows pre-releases whatever
        --only-final says (pip refuses the two together; satchel never passes both)."""
        formats = allowed_formats(project, self.only_binary, self.no_binary)
        prereleases = allows_prereleases(project, self.all_releases, self.only_final)
        return CandidatePolicy(
            allow_prereleases=self.pre or prereleases is True,
            only_final=prereleases is False,
            only_binary="source" not in formats,
            no_binary="binary" not in formats,
            prefer_binary=self.prefer_binary,
            ignore_requires_python=self.ignore_requires_python,
        )


@dataclass(frozen=True, slots=True)
class Pin:
    """One project of the resolution. `link` is the file to install; `installed` the
    distribution kept as it is (exactly one of them is set). `name` is normalised, `version`
    as packaging normalises it (`1.0.0rc1`). `extras` are the extras whose
    dependencies were included; `requested` whether the user asked for the project directly;
    `required_by` the pinned projects that depend on it."""

    name: str
    version: str
    link: FileLink | None
    installed: InstalledDist | None
    extras: frozenset[str] = frozenset()
    requested: bool = False
    required_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """The pins in pip's install order (dependencies first), and for each pinned name the
    chain of names from a requested project down to it (`why["leaf"] == ("app", "middle",
    "leaf")`; a requested project's chain is just its own name)."""

    pins: tuple[Pin, ...]
    why: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Pin]:
        return iter(self.pins)

    def __len__(self) -> int:
        return len(self.pins)

    def get(self, name: str) -> Pin | None:
        key = canonical_name(name)
        return next((pin for pin in self.pins if pin.name == key), None)
