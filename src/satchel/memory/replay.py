"""Replaying an install: the same `satchel install` on an environment holding the same things
(a venv made again from scratch, in CI or after `rm -rf .venv`) does what it did last time,
once every index page and local file the resolution read is confirmed unchanged, without
parsing requirements, resolving or importing packaging, resolvelib or urllib3.

This is the warm path of pip's and uv's caches taken one step further: where they keep the
pages and wheels but resolve again, satchel also keeps the resolution's answer, keyed by
everything it depended on:

- the key (`satchel.memory.store`): the arguments, working directory, requirements files'
  contents, PIP_*/SATCHEL_*/HTTP variables, config file stamps, the interpreter's whole probe
  answer, satchel's own version, and what is installed on the environment's search path
  (by name and version, not stamps) before the install;
- the entry: what the index client read (`satchel.index.consulted.Consulted`: pages with
  validators and body hashes, local files and directory listings with stamps), the wheels
  installed (by the sha256 naming their unpacked tree in the cache), the distributions
  removed, and the lines printed.

A replay holds the environment lock and recovers an interrupted transaction first, re-checks
every page (`revalidate.unchanged`: conditional GETs, 304 or the same body hash) and every
local file, finds every wheel tree still in the cache, and then applies the same changes
through the same transaction as the full path. Anything missing or different, and it
returns False before touching the environment: the full path runs, resolves against the
pages as they are now, and records a new entry.

Only plain commands are replayed (named requirements, from the command line or requirements
files; no editables, paths or URLs, no --dry-run/--report/--compile/-v), and only entries whose
reading could be re-checked (no credentials, no redirects, no file without a hash).
"""

from __future__ import annotations

from satchel.memory.noop import quiet, simple_argv

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from satchel.cache.layout import Cache
    from satchel.fetch.unpack import UnpackedWheel
    from satchel.index.consulted import Consulted
    from satchel.install.plan import InstallPlan
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import Console
    from satchel.requirements.model import InstallRequest

__all__ = ["Recorder", "recorder_for", "replay", "replay_argv"]

# Options a replayed command may carry beyond those of a plain no-op (`noop.simple_argv`):
# they change the resolution, and the key holds them.
_EXTRA_FLAGS = frozenset({"-U", "--upgrade", "--force-reinstall", "-I", "--ignore-installed"})
_EXTRA_VALUED = frozenset({"--upgrade-strategy"})
# ... and the plain option that rules a replay out: nothing may be read from a cache.
_REFUSED = frozenset({"--no-cache-dir"})


def replay_argv(argv: Sequence[str]) -> dict[str, list[str]] | None:
    """`noop.simple_argv` of `argv` with the options above set aside; None when refused."""
    kept = []
    iterator = iter(argv)
    for token in iterator:
        name, eq, _value = token.partition("=")
        if name in _REFUSED:
            return None
        if token in _EXTRA_FLAGS:
            continue
        if name in _EXTRA_VALUED:
            if not eq:
                next(iterator, "")
            continue
        kept.append(token)
    return simple_argv(kept)


def _key(argv: Sequence[str], info: InterpreterInfo, simple: Mapping[str, list[str]]) -> str:
    import os

    import satchel
    from satchel.memory.store import command_key, contents_key, stamp
    from satchel.settings.sources import pip_config_files

    config = [path for _kind, path in pip_config_files(info.prefix)]
    parts = command_key(argv, simple["requirement"] + simple["constraint"], config, os.environ)
    parts += ["satchel", satchel.__version__, stamp(satchel.__file__)]
    parts += ["python", repr(info.raw)]  # (the probe's answer, in the probe's order)
    parts += ["contents", *contents_key(info.sys_path)]
    return "\0".join(parts)


def replay(argv: Sequence[str], info: InterpreterInfo, console: Console, cache: Cache) -> bool:
    """Do what this install did last time, if everything it read is unchanged; False (nothing
    done) when it can't be replayed. `argv` starts with "install"."""
    from satchel.install.paths import interrupted

    simple = replay_argv(argv)
    if simple is None or interrupted(info.prefix):
        return False  # (an interrupted transaction: the full path recovers it and says so)
    from satchel.install.lock import environment_lock
    from satchel.memory.store import REPLAY, recall_entry
    from satchel.install.paths import state_dir

    key = _key(argv, info, simple)
    entry = recall_entry(cache, REPLAY, key)  # (before locking: nothing is written for a command never recorded)
    if not isinstance(entry, dict) or not _well_formed(entry):
        return False
    with environment_lock(state_dir(info.prefix), say=console.err):
        if interrupted(info.prefix) or _key(argv, info, simple) != key:
            return False  # (what is installed changed while we waited)
        return _apply(argv, info, entry, cache, console=None if quiet(simple) else console)


def _well_formed(entry: Mapping[str, Any]) -> bool:
    """An entry as `Recorder.save` writes it (a damaged or foreign one is no entry)."""
    try:
        return (
            len(entry["wheels"]) == len(entry["manifests"])
            and all(isinstance(m, dict) for m in entry["manifests"])
            and all(len(pair) == 2 for pair in entry["remove"])
            and isinstance(entry["summary"], str)
            and isinstance(entry["consulted"], dict)
            and isinstance(entry["files"], dict)
            and (entry["satisfied"] is None or isinstance(entry["satisfied"], str))
            and isinstance(entry["requested"], list)
        )
    except (KeyError, TypeError):
        return False


def _apply(
    argv: Sequence[str], info: InterpreterInfo, entry: Mapping[str, Any], cache: Cache, *, console: Console | None
) -> bool:
    from satchel.fetch.unpack import cached
    from satchel.index.revalidate import unchanged
    from satchel.install.transaction import Destination, apply_changes
    from satchel.install.uninstall import removal_paths

    wheels = [cached(cache, digest, manifest) for digest, manifest in zip(entry["wheels"], entry["manifests"])]
    if any(wheel is None for wheel in wheels):
        return False  # the cache was cleaned
    remove = []
    if entry["remove"]:
        from satchel.environment.scan import scan

        installed = scan(info.sys_path)
        for name, version in entry["remove"]:
            dist = installed.get(name)
            if dist is None or dist.version != version:
                return False
            remove.append(dist)
    if not unchanged(entry["consulted"], directory=cache.part("http")):
        return False
    apply_changes(
        Destination.of(info), wheels, remove,  # type: ignore[arg-type]
        requested=set(entry["requested"]), removal_paths=removal_paths,
    )  # fmt: skip
    if entry["satisfied"] is not None:
        from satchel.memory.noop import noop_key_for, remember_noop

        key = noop_key_for(argv, info)
        if key is not None:
            remember_noop(cache, key, entry["satisfied"], entry["files"])
    if console is not None:
        console.out(entry["summary"])
    return True


class Recorder:
    """Collects what the full path did, to be replayed; `save` after the changes are applied."""

    def __init__(self, cache: Cache, key: str, files: Mapping[str, str]) -> None:
        self.cache = cache
        self.key = key
        self.files = dict(files)
        self.satisfied: str | None = None  # the no-op answer for right after the install

    def save(
        self, consulted: Consulted, plan: InstallPlan, wheels: Sequence[UnpackedWheel], direct: Sequence[bool], summary: str
    ) -> None:
        import os

        from satchel.memory.store import REPLAY, remember_entry
        from satchel.urls import local_path

        if any(direct):
            return  # files named by URL or path: their contents aren't pinned by any page
        for item in plan.add:
            path = local_path(item.link.url)
            if path is not None:
                consulted.local(path)
        record = consulted.record()
        if record is None:
            return
        payload = {
            "consulted": record,
            "wheels": [os.path.basename(wheel.root) for wheel in wheels],
            "manifests": [wheel.manifest for wheel in wheels],
            "requested": sorted(item.key for item in plan.add if item.requested),
            "remove": [[dist.name, dist.version] for dist in plan.remove],
            "summary": summary,
            "satisfied": self.satisfied,
            "files": self.files,
        }
        remember_entry(self.cache, REPLAY, self.key, payload, self.files)


def recorder_for(
    cache: Cache,
    argv: Sequence[str],
    info: InterpreterInfo,
    requests: Sequence[InstallRequest],
    files: Mapping[str, str] | None,
) -> Recorder | None:
    """A recorder for this command, or None when it can't be replayed. Called under the
    environment lock, before anything changes (the key holds what is installed now)."""
    simple = replay_argv(argv)
    if simple is None or files is None:
        return None
    for request in requests:
        if request.editable or request.url is not None or request.path is not None:
            return None
        if request.requirement is None or request.requirement.url:
            return None
    return Recorder(cache, _key(argv, info, simple), files)
