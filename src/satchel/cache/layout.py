"""The cache: one `Cache` value, made once per command from its settings and passed to every
part of satchel that reads or writes it, and the one table of the folders it holds.

A folder's name carries a format version (`wheels-v1`): when a format changes, the version
does, and the old folder is only ever removed by `satchel cache purge`/`remove`. Nothing else
names a folder: each layer asks `cache.part("wheels", ...)`.

Which cache: `install` and `cache` take it from their settings (`--cache-dir`,
`SATCHEL_CACHE_DIR`, satchel.toml, `PIP_CACHE_DIR`, pip's config files, in that order), and
`--no-cache-dir` gives a private one deleted at exit. The quick paths (answers from memory,
before any config file is read) and the commands that only keep interpreter descriptions
there (freeze, list, show, check, uninstall, venv) take it from the variables alone
(`from_variables`). The default is the user cache dir: on Linux the XDG rule, computed here
(importing platformdirs costs about 11 ms, a third of a warm `satchel venv`); elsewhere
platformdirs decides.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["PARTS", "Cache"]

#: key -> (folder, what it holds).
PARTS: dict[str, tuple[str, str]] = {
    "http": ("http-v1", "index pages (revalidated before use)"),
    "metadata": ("metadata-v1", "package metadata (PEP 658 files, by hash)"),
    "wheels": ("wheels-v1", "unpacked wheels (hard-linked into environments)"),
    "built": ("built-v1", "locally built wheels (from sdists, directories, VCS)"),
    "build-envs": ("build-envs-v1", "build environments"),
    "build-requires": ("build-requires-v1", "build requirements of declarative projects"),
    "pycache": ("pycache-v1", "bytecode of build backends"),
    "vcs": ("vcs-v1", "git mirrors"),
    "interpreters": ("interpreters-v2", "interpreter descriptions"),
    "noop": ("noop-v3", "remembered no-op and freeze answers"),
    "replay": ("replay-v1", "remembered installs (replayed when the index is unchanged)"),
    "downloads": ("downloads-v1", "downloads in progress"),
    "build-tmp": ("build-tmp", "builds in progress"),
    "logs": ("logs", "build logs"),
}


class Cache:
    """satchel's cache at `root` (absolute)."""

    __slots__ = ("choice", "root")

    def __init__(self, root: str, choice: tuple[str | None, bool] | None = None) -> None:
        self.root = os.path.abspath(os.path.expanduser(root))
        self.choice = choice  # the (cache_dir, no_cache) settings it was chosen by, if any

    def part(self, key: str, *names: str) -> str:
        """The path of folder `key` of the table (or of `names` inside it)."""
        return os.path.join(self.root, PARTS[key][0], *names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cache) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def __repr__(self) -> str:
        return f"Cache({self.root!r})"

    @classmethod
    def default(cls, environ: Mapping[str, str]) -> Cache:
        """The user cache dir for satchel: what is used when no setting names another."""
        if sys.platform.startswith("linux"):
            xdg = environ.get("XDG_CACHE_HOME", "").strip()
            return cls(os.path.join(xdg if xdg else os.path.expanduser("~/.cache"), "satchel"))
        import platformdirs

        return cls(platformdirs.user_cache_dir("satchel", appauthor=False))

    @classmethod
    def from_variables(cls, environ: Mapping[str, str]) -> Cache | None:
        """The cache as the variables alone choose it (the quick paths, which read no config
        file): SATCHEL_CACHE_DIR, else PIP_CACHE_DIR, else the default; None when a variable
        turns the cache off (whose exact meaning the settings decide)."""
        if environ.get("SATCHEL_NO_CACHE_DIR") or environ.get("PIP_NO_CACHE_DIR"):
            return None
        root = environ.get("SATCHEL_CACHE_DIR") or environ.get("PIP_CACHE_DIR")
        return cls(root) if root else cls.default(environ)

    @classmethod
    def chosen(cls, cache_dir: str | None, no_cache: bool, environ: Mapping[str, str]) -> Cache:
        """The cache the settings chose: a private one for `no_cache` (--no-cache-dir: nothing
        read from or left in a cache), else `cache_dir`, else the default."""
        cache = cls.private() if no_cache else cls(cache_dir) if cache_dir else cls.default(environ)
        cache.choice = (cache_dir, no_cache)
        return cache

    def rechosen(self, cache_dir: str | None, no_cache: bool, environ: Mapping[str, str]) -> Cache:
        """This cache, or the one these settings choose if they differ from those it was chosen by."""
        if self.choice == (cache_dir, no_cache):
            return self
        return Cache.chosen(cache_dir, no_cache, environ)

    @classmethod
    def private(cls) -> Cache:
        """A new empty cache of this process's own, deleted when it exits."""
        import atexit
        import shutil
        import tempfile

        root = tempfile.mkdtemp(prefix="satchel-no-cache-")
        atexit.register(shutil.rmtree, root, True)
        return cls(root)
