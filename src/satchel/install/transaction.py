"""One install (or uninstall) as one transaction: either every planned change is in place or
none is, after an exception, Ctrl-C, SIGKILL or a full disk; the next satchel command on the
environment finishes or undoes an interrupted one and says which.

How:
1. Stage: the new distributions are installed into `<prefix>/.satchel/tx-<id>/stage/`, a tree
   mirroring the environment (same filesystem, so moving into place is a rename). Nothing in
   the environment has changed yet.
2. Plan the moves: what to take away (the removed distributions' files, and anything a new file
   would overwrite) goes to `backup/`; each staged top-level entry moves into place whole when
   its destination is free (one rename for a whole new package), else file by file.
3. Journal: the plan, with each staged entry's inode, is written (fsync'd) with state
   "applying". Then the renames run.
4. Commit: the journal's state becomes "committed"; backups and the transaction directory are
   deleted (idempotent: a crash here is finished later).

Recovery of an "applying" journal reverses it: every destination still holding the staged
inode goes back to the stage, every backup goes back to its place, created directories are
removed. A transaction directory without a journal never touched the environment.
"""

from __future__ import annotations

import os

from satchel.cache.store import remove_tree
from satchel.errors import InstallError
from satchel.install.paths import TX_PREFIX, state_dir
from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from satchel.environment.model import InstalledDist
    from satchel.fetch.unpack import UnpackedWheel
    from satchel.interpreters.info import InterpreterInfo

__all__ = ["Destination", "apply_changes", "recover", "state_dir"]

_JOURNAL = "journal.json"
_VERSION = 1


class Destination:
    """Where an install's files go: the environment's prefix, install scheme and interpreter
    (not to be confused with `index.evaluate.TargetEnvironment`, which wheels are chosen for)."""

    __slots__ = ("prefix", "python", "python_version", "scheme")

    def __init__(self, prefix: str, scheme: Mapping[str, str], python: str, python_version: tuple[int, int, int]) -> None:
        self.prefix = os.path.abspath(prefix)
        self.scheme = dict(scheme)
        self.python = python
        self.python_version = python_version

    @classmethod
    def of(cls, info: InterpreterInfo) -> Destination:
        """Where installs into `info`'s environment go, and which interpreter their scripts run."""
        paths = info.install_paths
        major, minor, _ = info.version
        scheme = {
            "purelib": paths["purelib"],
            "platlib": paths["platlib"],
            "scripts": paths["scripts"],
            "data": paths["data"],
            "headers": os.path.join(info.prefix, "include", "site", f"python{major}.{minor}"),
        }
        return cls(info.prefix, scheme, info.executable, info.version)


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _json(value: object) -> str:
    """ASCII JSON for the journal's plain values (dicts of str, int, lists), which json.load
    reads back exactly (lone surrogates of undecodable file names included): every install
    writes a journal, and the json module (with the re module it imports) costs ~10 ms of a
    small install. Recovery, which is rare, reads it with json."""
    if isinstance(value, str):
        if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
            return f'"{value}"'
        return '"' + "".join(_json_char(c) for c in value) + '"'
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_json(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no JSON for {type(value).__name__}")


def _json_char(c: str) -> str:
    if c == '"' or c == "\\":
        return "\\" + c
    if " " <= c <= "~":
        return c
    code = ord(c)
    if code > 0xFFFF:  # a surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _write_journal(txdir: str, journal: dict[str, object]) -> None:
    path = os.path.join(txdir, _JOURNAL)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(_json(journal))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(txdir)


def _identity(path: str) -> list[int]:
    st = os.lstat(path)
    return [st.st_dev, st.st_ino]


class _Planner:
    """Turns a staged tree and the paths to remove into renames: backups first, then moves."""

    def __init__(self, prefix: str, stage: str, backup: str, removing: set[str]) -> None:
        self.prefix = prefix
        self.stage = stage
        self.backup = backup
        self.removing = removing
        self.backups: list[list[str]] = []
        self.moves: list[tuple[str, str, list[int]]] = []
        self.created_dirs: list[str] = []
        self._created: set[str] = set()

    def backup_path(self, final: str) -> str:
        return os.path.join(self.backup, os.path.relpath(final, self.prefix))

    def take_away(self, final: str) -> None:
        self.backups.append([final, self.backup_path(final)])

    def need_dir(self, directory: str) -> None:
        missing = []
        while directory not in self._created and not os.path.isdir(directory):
            missing.append(directory)
            directory = os.path.dirname(directory)
        for path in reversed(missing):
            self._created.add(path)
            self.created_dirs.append(path)

    def place(self, staged: str, final: str) -> None:
        final_free = not os.path.lexists(final) or final in self.removing
        if final_free:
            self.need_dir(os.path.dirname(final))
            self.moves.append((staged, final, _identity(staged)))
        elif os.path.isdir(staged) and os.path.isdir(final) and not os.path.islink(final):
            for name in sorted(os.listdir(staged)):
                self.place(os.path.join(staged, name), os.path.join(final, name))
        else:  # a file the new one overwrites (pip overwrites too); keep it for a rollback
            self.take_away(final)
            self.moves.append((staged, final, _identity(staged)))


def _whole_dirs(paths: list[str], roots: list[str]) -> list[str]:
    """Replace groups of removed files by their directory where the directory holds nothing
    else (bytecode caches aside), so that removing a package is a few renames, not thousands."""
    chosen = set(paths)
    result: list[str] = []
    covered: set[str] = set()
    inside = [os.path.join(root, "") for root in roots]
    for directory in sorted({os.path.dirname(p) for p in paths}, key=len):
        inner = os.path.join(directory, "")
        if not any(inner.startswith(root) and inner != root for root in inside) or any(
            root.startswith(inner) for root in inside
        ):
            continue  # a scheme dir, one holding a scheme dir, or outside them all: never whole
        if any(directory.startswith(os.path.join(c, "")) for c in covered):
            continue
        if _only_these(directory, chosen):
            covered.add(directory)
    for path in paths:
        if not any(path == c or path.startswith(os.path.join(c, "")) for c in covered):
            result.append(path)
    return sorted(covered) + result


def _only_these(directory: str, chosen: set[str]) -> bool:
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d != "__pycache__" or os.path.join(root, d) in chosen]
        for name in files:
            if os.path.join(root, name) not in chosen:
                return False
        for name in dirs:
            if os.path.islink(os.path.join(root, name)) and os.path.join(root, name) not in chosen:
                return False
    return True


def apply_changes(
    target: Destination,
    add: list[UnpackedWheel],
    remove: list[InstalledDist],
    *,
    requested: set[str] | None = None,
    removal_paths: Callable[[InstalledDist, str], list[str]],
    direct_urls: Mapping[str, bytes] | None = None,
) -> None:
    """Install `add` and uninstall `remove` in `target`, all or nothing.

    The caller holds the environment lock and has run `recover` first.
    """
    from satchel.install.link import install_unpacked

    state = state_dir(target.prefix)
    txdir = os.path.join(state, f"{TX_PREFIX}{os.getpid()}-{os.urandom(4).hex()}")
    stage, backup = os.path.join(txdir, "stage"), os.path.join(txdir, "backup")
    stage_scheme = {
        k: os.path.normpath(os.path.join(stage, os.path.relpath(v, target.prefix))) for k, v in target.scheme.items()
    }
    try:
        os.makedirs(stage)
        for directory in set(stage_scheme.values()):
            os.makedirs(directory, exist_ok=True)
        for wheel in add:
            install_unpacked(
                wheel, stage_scheme, python=target.python, python_version=target.python_version,
                requested=requested is None or canonical_name(wheel.name) in requested,
                direct_url=(direct_urls or {}).get(canonical_name(wheel.name)),
            )
        removing_files = [p for dist in remove for p in removal_paths(dist, target.prefix)]
        units = _whole_dirs(removing_files, list(target.scheme.values()))
        planner = _Planner(target.prefix, stage, backup, set(units))
        for path in units:
            planner.take_away(path)
        roots = {stage_scheme[name]: target.scheme[name] for name in sorted(stage_scheme)}
        for staged_root, final_root in roots.items():
            for name in sorted(os.listdir(staged_root)):
                staged = os.path.join(staged_root, name)
                inner = os.path.join(staged, "")
                if any(os.path.join(other, "").startswith(inner) for other in roots):
                    continue  # holds another scheme's dir (data = the prefix): placed through that one
                planner.place(staged, os.path.join(final_root, name))
    except BaseException as exc:
        remove_tree(txdir)
        if isinstance(exc, OSError):
            raise InstallError(f"preparing the install failed: {exc.strerror or exc} ({exc.filename}).") from exc
        raise
    journal: dict[str, Any] = {
        "version": _VERSION,
        "state": "applying",
        "backups": planner.backups,
        "moves": planner.moves,
        "created_dirs": planner.created_dirs,
        "added": [f"{w.name}-{w.version}" for w in add],
        "removed": [f"{d.name}-{d.version}" for d in remove],
    }
    try:
        _write_journal(txdir, journal)
        for final, saved in planner.backups:
            os.makedirs(os.path.dirname(saved), exist_ok=True)
            os.rename(final, saved)
        for directory in planner.created_dirs:
            os.mkdir(directory)
        for staged, final, _ in planner.moves:
            os.rename(staged, final)
        journal["state"] = "committed"
        _write_journal(txdir, journal)
    except BaseException as exc:
        _roll_back(journal)
        remove_tree(txdir)
        if isinstance(exc, OSError):
            raise InstallError(
                f"installing failed and was undone: {exc.strerror or exc} ({exc.filename}).",
                hint="check the free disk space and permissions of the environment." if exc.errno in (28, 13) else None,
            ) from exc
        raise
    _finish(txdir)


def _roll_back(journal: Mapping[str, Any]) -> None:
    for staged, final, identity in reversed(journal["moves"]):
        try:
            if _identity(final) == identity:
                os.rename(final, staged)
        except OSError:
            continue
    for final, saved in reversed(journal["backups"]):
        if os.path.lexists(saved) and not os.path.lexists(final):
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.rename(saved, final)
    for directory in reversed(journal["created_dirs"]):
        try:
            os.rmdir(directory)
        except OSError:
            pass


def _finish(txdir: str) -> None:
    """After commit: delete the backups with the transaction. Directories emptied by a removal
    stay, as pip leaves them (whole directories owned by the removed package went as units)."""
    remove_tree(txdir)


def recover(prefix: str) -> list[str]:
    """Finish or undo transactions interrupted in the environment at `prefix`; what was done.

    The caller holds the environment lock.
    """
    state = state_dir(prefix)
    try:
        names = sorted(os.listdir(state))
    except OSError:
        return []
    done = []
    for name in names:
        if not name.startswith(TX_PREFIX):
            continue
        txdir = os.path.join(state, name)
        try:
            import json

            with open(os.path.join(txdir, _JOURNAL), encoding="utf-8") as handle:
                journal = json.load(handle)
        except (OSError, ValueError):
            remove_tree(txdir)  # never got to change the environment
            continue
        what = ", ".join(journal.get("added", []) + [f"removal of {r}" for r in journal.get("removed", [])])
        if journal.get("state") == "committed":
            _finish(txdir)
            done.append(f"finished an interrupted install ({what})")
        else:
            _roll_back(journal)
            remove_tree(txdir)
            done.append(f"undid an interrupted install ({what}); the environment is as it was before it")
    return done
