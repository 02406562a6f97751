"""The built-wheel cache (part `built`): wheels built from an sdist (keyed by the sdist's
sha256) or from a git commit (keyed by the commit and subdirectory), with the build's config
settings in the key.

    <cache>/built-v1/<key[:2]>/<key>/<name>-<version>-<tags>.whl

Several wheels (one per interpreter, for platform builds) share a key; `find` gives the one
the target prefers. A wheel is stored by an atomic rename, so a concurrent satchel that built
the same wheel meanwhile wins with the same content.

Import rule: cache; packaging inside functions.
"""

from __future__ import annotations

import os
import shutil

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from packaging.tags import Tag

    from satchel.cache.layout import Cache

__all__ = ["find", "store"]


def find(
    cache: Cache, identity: str, config: Mapping[str, object], tag_priority: Callable[[Iterable[Tag]], int | None]) -> str | None:
    """The cached wheel for `identity` built with `config` that the target likes best (the
    lowest `tag_priority`; None: it can't install that wheel); None when there is none."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    directory = _directory(cache, identity, config)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for name in names:
        if not name.endswith(".whl"):
            continue
        try:
            tags = parse_wheel_filename(name)[3]
        except (InvalidWheelFilename, ValueError):
            continue
        priority = tag_priority(tags)
        if priority is not None and (best is None or priority < best[0]):
            best = (priority, os.path.join(directory, name))
    return best[1] if best is not None else None


def store(cache: Cache, identity: str, config: Mapping[str, object], wheel: str) -> str:
    """Move a freshly built wheel into its cache directory (atomically; another process that
    built the same wheel meanwhile wins, with the same content); its path there."""
    directory = _directory(cache, identity, config)
    os.makedirs(directory, exist_ok=True)
    final = os.path.join(directory, os.path.basename(wheel))
    try:
        os.replace(wheel, final)
    except OSError:  # another file system: copy beside, then rename
        temp = final + f".{os.getpid()}.part"
        shutil.copyfile(wheel, temp)
        os.replace(temp, final)
    return final


def _directory(cache: Cache, identity: str, config: Mapping[str, object]) -> str:
    import hashlib
    import json

    text = identity + ("\0" + json.dumps(config, sort_keys=True) if config else "")
    key = hashlib.sha256(text.encode()).hexdigest()
    return cache.part("built", key[:2], key)
