"""The options a requirements file carries (`--index-url`, `--find-links`, `--pre`, ...)
applied on top of the merged settings, as pip applies them: an --index-url in a file replaces
the index, the lists grow, flags turn on, --only-binary/--no-binary values apply in order with
pip's `:all:`/`:none:` rule (`name_sets`). Pure."""

from __future__ import annotations

from satchel.settings.name_sets import add_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Protocol

    from satchel.settings.model import Settings

    class FileOptions(Protocol):
        """What settings need of a requirements file's options (`requirements.model.RequirementsOptions`
        has them; settings/ stands below requirements/, so it names only the shape)."""

        @property
        def index_url(self) -> str | None: ...
        @property
        def extra_index_urls(self) -> tuple[str, ...]: ...
        @property
        def find_links(self) -> tuple[str, ...]: ...
        @property
        def no_index(self) -> bool: ...
        @property
        def pre(self) -> bool: ...
        @property
        def prefer_binary(self) -> bool: ...
        @property
        def require_hashes(self) -> bool: ...
        @property
        def trusted_hosts(self) -> tuple[str, ...]: ...
        @property
        def format_control(self) -> tuple[tuple[str, str], ...]: ...


__all__ = ["with_file_options"]


def with_file_options(settings: Settings, file_options: Iterable[FileOptions]) -> Settings:
    """`settings` with each requirements file's own options applied, in the order read."""
    for options in file_options:
        changes: dict[str, object] = {}
        if options.index_url:
            changes["index_url"] = options.index_url
        if options.extra_index_urls:
            changes["extra_index_urls"] = settings.extra_index_urls + tuple(options.extra_index_urls)
        if options.find_links:
            changes["find_links"] = settings.find_links + tuple(options.find_links)
        if options.no_index:
            changes["no_index"] = True
        if options.pre:
            changes["pre"] = True
        if options.prefer_binary:
            changes["prefer_binary"] = True
        if options.require_hashes:
            changes["require_hashes"] = True
        if options.trusted_hosts:
            changes["trusted_hosts"] = settings.trusted_hosts + tuple(options.trusted_hosts)
        if options.format_control:
            changes.update(_format_control(settings, options.format_control))
        if changes:
            settings = settings.replace(**changes)
    return settings


def _format_control(settings: Settings, values: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """The file's --only-binary/--no-binary values applied one by one on top of the merged
    sets, as pip applies them to the one format control its command line made."""
    sets = {"only_binary": set(settings.only_binary), "no_binary": set(settings.no_binary)}
    for field, value in values:
        add_names(value, sets[field], sets["no_binary" if field == "only_binary" else "only_binary"])
    return {field: frozenset(names) for field, names in sets.items()}
