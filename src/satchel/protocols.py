"""The narrow interfaces between layers, as typing.Protocol only.

Upstream code (the resolver) asks for a capability that downstream code (the index client,
later the builder) provides; `commands/` (later `dispatch.py`) plugs the real implementation
in. This module imports nothing from satchel at run time (type names only, for checkers).
"""

from __future__ import annotations

from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.index.links import FileLink
    from collections.abc import Mapping, Sequence

    from satchel.index.pages import ProjectPage

__all__ = ["Console", "EnvInstaller", "ProjectSource", "Reporter"]


class ProjectSource(Protocol):
    """Where the resolver learns what exists: every file of a project, and a file's metadata.

    Implementations merge their indexes and find-links locations according to the index
    strategy, cache and prefetch as they see fit, and raise satchel errors (never library ones).
    """

    def project_page(self, name: str) -> ProjectPage:
        """All files of project `name` (normalised or not) from every configured location;
        an empty page when none has it."""
        ...

    def metadata(self, link: FileLink) -> bytes:
        """The core metadata (the METADATA file) of the distribution at `link`: the PEP 658
        file where the index offers one, else read from the wheel itself; hash-checked."""
        ...

    def prefetch(self, names: list[str]) -> None:
        """A hint: these project pages will probably be needed soon (may start fetching them)."""
        ...


class Console(Protocol):
    """Where a command's words go; only `cli/` implements it. `out` is the command's result
    (stdout, the lines pip prints there, so scripts that read them keep working); `err` a note
    or warning as it happens (stderr). Each takes whole text, newlines included. `ask` puts a
    question to the user: the answer, or None when there is no terminal to ask on."""

    def out(self, text: str) -> None: ...

    def err(self, text: str) -> None: ...

    def ask(self, prompt: str) -> str | None: ...


class Reporter(Protocol):
    """Progress events from long operations; the CLI turns them into progress bars."""

    def started(self, task: str, total: int | None) -> None: ...

    def advanced(self, task: str, amount: int = 1) -> None: ...

    def finished(self, task: str) -> None: ...


class EnvInstaller(Protocol):
    """Fills build environments: requirements resolved for the target interpreter with the
    command's index options (nothing installed), then fetched (built, if need be) and linked in.
    The builder (fetch/) asks; `satchel.dispatch` answers with resolve + fetch + install."""

    def resolve_requirements(self, requirements: Sequence[str], *, purpose: str) -> list[tuple[str, str, FileLink]]:
        """(normalised name, version, file) for each project `requirements` (PEP 508 strings)
        need, in install order; `purpose` names the build for messages."""
        ...

    def install_links(self, links: Sequence[FileLink], scheme: Mapping[str, str], python: str) -> None:
        """Fetch (or build) `links` and install them with `scheme` for the interpreter `python`."""
        ...
