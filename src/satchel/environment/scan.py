"""Read what is installed: the .dist-info (and legacy .egg-info) directories on a search path.

Only the metadata headers are read, with `environment.metadata.parse_headers` (pip's email
rules without the email package): listing a 100-package environment reads 100 small files and
nothing else.
"""

from __future__ import annotations

import os

from satchel.environment.metadata import parse_headers
from satchel.environment.model import InstalledDist, InstalledSet

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["build_tag", "scan"]


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read()
    except OSError:
        return None


def _read_dist(location: str, entry: str) -> InstalledDist | None:
    metadata_dir = os.path.join(location, entry)
    if entry.endswith(".dist-info"):
        text = _read(os.path.join(metadata_dir, "METADATA"))
    elif os.path.isdir(metadata_dir):
        text = _read(os.path.join(metadata_dir, "PKG-INFO"))
    else:  # an .egg-info file (distutils)
        text = _read(metadata_dir)
    if text is None:
        return None
    headers = parse_headers(text)
    name, version = headers.get("name", [""])[0].strip(), headers.get("version", [""])[0].strip()
    if not name or not version:
        return None
    direct_url: dict[str, Any] | None = None
    installer = ""
    requested = False
    if entry.endswith(".dist-info"):
        raw = _read(os.path.join(metadata_dir, "direct_url.json"))
        if raw:
            import json

            try:
                loaded = json.loads(raw)
            except ValueError:
                loaded = None
            direct_url = loaded if isinstance(loaded, dict) else None
        installer = (_read(os.path.join(metadata_dir, "INSTALLER")) or "").strip()
        requested = os.path.exists(os.path.join(metadata_dir, "REQUESTED"))
    return InstalledDist(
        name=name,
        version=version,
        location=location,
        metadata_dir=metadata_dir,
        headers=headers,
        direct_url=direct_url,
        installer=installer,
        requested=requested,
    )


def scan(paths: Iterable[str]) -> InstalledSet:
    """Every distribution installed on `paths`, in search order (the first of a name wins)."""
    found: list[InstalledDist] = []
    for location in paths:
        try:
            entries = sorted(os.listdir(location))
        except OSError:
            continue  # missing dirs and zip files on sys.path hold no installs
        for entry in entries:
            if entry.endswith((".dist-info", ".egg-info")):
                dist = _read_dist(location, entry)
                if dist is not None:
                    found.append(dist)
    return InstalledSet(found)


def build_tag(dist: InstalledDist) -> str | None:
    """The wheel build tag an installed distribution came with (WHEEL's `Build:`), if any."""
    text = _read(os.path.join(dist.metadata_dir, "WHEEL"))
    if not text:
        return None
    values = parse_headers(text).get("build")
    return values[0].strip() if values else None
