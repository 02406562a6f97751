"""What is installed, as plain values: InstalledDist and InstalledSet. Pure.

Names follow pip: `name` is the project name as its metadata spells it (pip's raw_name),
`key` its PEP 503 normalised form, which is what lookups and sorting use.
"""

from __future__ import annotations

from satchel.names import canonical_name
from satchel.urls import file_url_to_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["InstalledDist", "InstalledSet", "canonical_name", "is_valid_version"]

# The version grammar of PEP 440 (from the specification's appendix), for telling a valid
# version from a legacy one without importing packaging on the freeze path.
_PEP440 = (
    r"""^\s*v?(?:(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*
    (?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?
    (?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?
    (?:[-_.]?dev[-_.]?[0-9]*)?)(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$"""
)  # compiled on first use (re caches it): the install paths never need it


def is_valid_version(version: str) -> bool:
    import re

    return re.match(_PEP440, version, re.VERBOSE | re.IGNORECASE) is not None


class InstalledDist:
    """One installed distribution: its metadata directory and what it says about itself."""

    __slots__ = ("direct_url", "headers", "installer", "location", "metadata_dir", "name", "requested", "version")

    def __init__(
        self,
        *,
        name: str,
        version: str,
        location: str,
        metadata_dir: str,
        headers: dict[str, list[str]],
        direct_url: dict[str, Any] | None = None,
        installer: str = "",
        requested: bool = False,
    ) -> None:
        self.name = name
        self.version = version
        self.location = location
        self.metadata_dir = metadata_dir
        self.headers = headers
        self.direct_url = direct_url
        self.installer = installer
        self.requested = requested

    @property
    def key(self) -> str:
        return canonical_name(self.name)

    @property
    def editable(self) -> bool:
        info = (self.direct_url or {}).get("dir_info") or {}
        return bool(info.get("editable"))

    @property
    def editable_location(self) -> str | None:
        """The project directory of an editable install (PEP 610 `file://` URL), else None."""
        if not self.editable or self.direct_url is None:
            return None
        return file_url_to_path(str(self.direct_url.get("url", "")))

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        return list(self.headers.get(name.lower(), []))

    def __repr__(self) -> str:
        return f"InstalledDist({self.name!r}, {self.version!r})"


class InstalledSet:
    """The distributions an environment can import, first on the search path winning."""

    __slots__ = ("_by_key",)

    def __init__(self, dists: list[InstalledDist]) -> None:
        self._by_key: dict[str, InstalledDist] = {}
        for dist in dists:
            self._by_key.setdefault(dist.key, dist)

    def __iter__(self) -> Iterator[InstalledDist]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, name: str) -> InstalledDist | None:
        return self._by_key.get(canonical_name(name))

    def sorted(self) -> list[InstalledDist]:
        """By name, case-insensitively, as pip freeze and pip list order them."""
        return sorted(self._by_key.values(), key=lambda dist: dist.name.lower())
