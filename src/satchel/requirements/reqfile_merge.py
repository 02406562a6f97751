"""The file-level options of requirements files (`-i`, `--extra-index-url`, `--no-index`,
`-f`, `--pre`, `--only-binary`, ...) merged in reading order into one `RequirementsOptions`,
with pip's finder rules: a later `--index-url` replaces the extra index URLs collected before
it, `--no-index` drops every index, a relative `-f` is taken relative to the file when it
exists there, and `--no-binary`/`--only-binary` (and `--all-releases`/`--only-final`) move a
name out of the other set, `:all:` clearing both and `:none:` emptying its own.

Import rule: the standard library, `satchel.requirements.model`, `satchel.settings.name_sets`
(pip's `:all:`/`:none:` rule) and, for types, `satchel.requirements.reqfile_options`. Pure
(`exists` is injected).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from satchel.requirements.model import RequirementsOptions
from satchel.settings.name_sets import add_names

if TYPE_CHECKING:
    from satchel.requirements.reqfile_options import LineOptions

__all__ = ["OptionsBuilder"]


class OptionsBuilder:
    """File-level options merged in reading order, with pip's finder rules."""

    def __init__(self) -> None:
        self.index_url: str | None = None
        self.extra_index_urls: list[str] = []
        self.find_links: list[str] = []
        self.flags: set[str] = set()
        self.sets: dict[str, set[str]] = {"no_binary": set(), "only_binary": set(), "all_releases": set(), "only_final": set()}
        self.format_control: list[tuple[str, str]] = []
        self.trusted_hosts: list[str] = []
        self.use_feature: list[str] = []

    def apply_everywhere(self, found: LineOptions) -> None:
        """--no-binary/--only-binary/--all-releases/--only-final: pip applies them from every
        line, a requirement's too, since they update one shared object as they are parsed."""
        others = {"no_binary": "only_binary", "only_binary": "no_binary", "all_releases": "only_final", "only_final": "all_releases"}
        for dest, value in found.ordered:
            add_names(value, self.sets[dest], self.sets[others[dest]])
            if dest in ("no_binary", "only_binary"):
                self.format_control.append((dest, value))

    def apply_option_line(self, found: LineOptions, find_links_base: str | None, exists: Callable[[str], bool]) -> None:
        self.flags |= found.flags
        no_index = "no_index" in self.flags
        if no_index:
            self.index_url, self.extra_index_urls = None, []
        index_urls = found.values.get("index_url")
        if index_urls and not no_index:
            self.index_url, self.extra_index_urls = index_urls[-1], []
        if not no_index:
            self.extra_index_urls += found.values.get("extra_index_urls", [])
        link = found.first("find_links")  # pip takes the first -f of a line
        if link is not None:
            if find_links_base is not None and exists(os.path.join(find_links_base, link)):
                link = os.path.join(find_links_base, link)
            self.find_links.append(link)
        for target, dest in ((self.trusted_hosts, "trusted_hosts"), (self.use_feature, "use_feature")):
            target.extend(v for v in dict.fromkeys(found.values.get(dest, [])) if v not in target)

    def freeze(self) -> RequirementsOptions:
        return RequirementsOptions(
            index_url=self.index_url,
            extra_index_urls=tuple(self.extra_index_urls),
            no_index="no_index" in self.flags,
            find_links=tuple(self.find_links),
            pre="pre" in self.flags,
            prefer_binary="prefer_binary" in self.flags,
            only_binary=frozenset(self.sets["only_binary"]),
            no_binary=frozenset(self.sets["no_binary"]),
            format_control=tuple(self.format_control),
            all_releases=frozenset(self.sets["all_releases"]),
            only_final=frozenset(self.sets["only_final"]),
            require_hashes="require_hashes" in self.flags,
            no_require_hashes="no_require_hashes" in self.flags,
            trusted_hosts=tuple(self.trusted_hosts),
            use_feature=tuple(self.use_feature),
        )
