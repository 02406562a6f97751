"""Make a VenvLayout real, all or nothing.

A new environment is built in a hidden staging directory beside its final place (the same
filesystem), populated there (pip is installed by the caller's `populate` callback), then
renamed into place in one step. If anything fails or the process is interrupted, the staging
directory is removed and the target is as it was; one left by a killed process is removed by
the next `satchel venv` for the same target. `--clear` swaps the old environment out the
same way. An existing environment without --clear is updated in place (as venv does),
each file replaced atomically.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False

from satchel.cache.store import pid_alive
from satchel.errors import VenvError
from satchel.venv.activators import render_activators
from satchel.venv.layout import GITIGNORE_TEXT

if TYPE_CHECKING:
    from collections.abc import Callable

    from satchel.venv.layout import VenvLayout

__all__ = ["TargetState", "create_environment", "inspect_target"]

_STAGING_MARK = ".satchel-"


def _rmtree(path: str, ignore_errors: bool = False) -> None:
    import shutil  # not at module level: most runs never remove or copy a tree

    shutil.rmtree(path, ignore_errors=ignore_errors)


def _copy2(source: str, target: str) -> None:
    import shutil

    shutil.copy2(source, target)


class TargetState:
    ABSENT = "absent"
    EMPTY = "empty"
    VENV = "venv"
    FILE = "file"
    OTHER = "other"  # a non-empty directory that is not a virtual environment


def inspect_target(env_dir: str) -> str:
    if not os.path.lexists(env_dir):
        return TargetState.ABSENT
    if not os.path.isdir(env_dir):
        return TargetState.FILE
    if os.path.isfile(os.path.join(env_dir, "pyvenv.cfg")):
        return TargetState.VENV
    try:
        with os.scandir(env_dir) as entries:
            empty = next(entries, None) is None
    except OSError as exc:
        raise VenvError(f"can't read the directory {env_dir}: {exc.strerror}.", input=env_dir) from exc
    return TargetState.EMPTY if empty else TargetState.OTHER


def create_environment(
    layout: VenvLayout,
    *,
    clear: bool = False,
    populate: Callable[[str], None] | None = None,
) -> str:
    """Create (or, for an existing environment, update) the environment of `layout`.

    `populate(root)` is called with the directory the environment is being built in, before
    it is moved into place. Returns what was done: "created", "replaced" or "updated".
    """
    env_dir = layout.env_dir
    state = inspect_target(env_dir)
    if state == TargetState.FILE:
        raise VenvError(
            f"{env_dir} exists and is not a directory.",
            input=env_dir,
            hint="choose another path for the environment, or remove that file.",
        )
    if state == TargetState.OTHER and not clear:
        raise VenvError(
            f"{env_dir} is a non-empty directory that is not a virtual environment.",
            input=env_dir,
            hint="choose another path, or pass --clear to delete its contents and make the environment there.",
        )
    if state == TargetState.VENV and not clear:
        _update_in_place(layout, populate)
        return "updated"
    if clear and state in (TargetState.VENV, TargetState.OTHER):
        _refuse_dangerous_clear(env_dir, state)
    _build_and_swap(layout, state, populate)
    return "replaced" if state in (TargetState.VENV, TargetState.OTHER) and clear else "created"


def _refuse_dangerous_clear(env_dir: str, state: str) -> None:
    if state == TargetState.VENV:
        return
    real = os.path.realpath(env_dir)
    home = os.path.realpath(os.path.expanduser("~"))
    cwd = os.path.realpath(os.getcwd())
    if real in (home, os.path.realpath(os.sep)) or cwd == real or cwd.startswith(real + os.sep):
        raise VenvError(
            f"refusing to --clear {env_dir}: it is not a virtual environment and it holds "
            + ("your home directory." if real == home else "the current directory."),
            input=env_dir,
            hint="make the environment in a directory of its own, e.g. `satchel venv .venv`.",
        )


def _staging_prefix(env_dir: str) -> str:
    parent, name = os.path.split(env_dir)
    return os.path.join(parent, f".{name}{_STAGING_MARK}")


def _remove_stale_staging(env_dir: str) -> None:
    """Remove staging directories of earlier runs that were killed before cleaning up."""
    prefix = _staging_prefix(env_dir)
    parent, stem = os.path.split(prefix)
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(stem):
            continue
        pid_text = name[len(stem) :].split("-", 1)[0]
        if pid_text.isdigit() and (int(pid_text) == os.getpid() or not pid_alive(int(pid_text))):
            _rmtree(os.path.join(parent, name), ignore_errors=True)


def _make_parents(path: str) -> list[str]:
    """Create the missing parents of `path`; return those created (deepest last)."""
    missing = []
    parent = os.path.dirname(path)
    while parent and not os.path.isdir(parent):
        missing.append(parent)
        next_parent = os.path.dirname(parent)
        if next_parent == parent:
            break
        parent = next_parent
    created: list[str] = []
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_dirs(created)
            raise _cannot_create(path, exc) from exc
        created.append(directory)
    return created


def _remove_dirs(created: list[str]) -> None:
    for directory in reversed(created):
        try:
            os.rmdir(directory)
        except OSError:
            pass


def _cannot_create(env_dir: str, exc: OSError) -> VenvError:
    where = exc.filename or env_dir
    return VenvError(
        f"can't create the environment {env_dir}: {exc.strerror or exc} ({where}).",
        input=env_dir,
        hint="choose a directory you can write to.",
    )


def _build_and_swap(layout: VenvLayout, state: str, populate: Callable[[str], None] | None) -> None:
    env_dir = layout.env_dir
    created_parents = _make_parents(env_dir)
    _remove_stale_staging(env_dir)
    staging = f"{_staging_prefix(env_dir)}{os.getpid()}-{os.urandom(4).hex()}"
    trash = None
    try:
        try:
            os.mkdir(staging)
        except OSError as exc:
            raise _cannot_create(env_dir, exc) from exc
        _populate_tree(layout, staging)
        if populate is not None:
            populate(staging)
        if state == TargetState.EMPTY:
            os.rmdir(env_dir)
        elif state in (TargetState.VENV, TargetState.OTHER):
            trash = f"{staging}-old"
            os.rename(env_dir, trash)
        try:
            os.rename(staging, env_dir)
        except OSError:
            if trash is not None:
                os.rename(trash, env_dir)
                trash = None
            raise
    except BaseException as exc:
        _rmtree(staging, ignore_errors=True)
        if state == TargetState.EMPTY and not os.path.lexists(env_dir):
            os.mkdir(env_dir)
        if state == TargetState.ABSENT:
            _remove_dirs(created_parents)
        if isinstance(exc, OSError):
            raise _cannot_create(env_dir, exc) from exc
        raise
    if trash is not None:
        _rmtree(trash, ignore_errors=True)


def _populate_tree(layout: VenvLayout, root: str) -> None:
    """Write the directories, interpreter links, pyvenv.cfg and activation scripts under `root`."""
    for rel in (layout.bin_dir, layout.include_dir, layout.purelib, layout.platlib):
        os.makedirs(os.path.join(root, rel), exist_ok=True)
    if layout.lib64_link:
        os.symlink("lib", os.path.join(root, "lib64"))
    _write_text(os.path.join(root, "pyvenv.cfg"), layout.cfg_text)
    _make_links(layout, os.path.join(root, layout.bin_dir))
    _write_activators(layout, os.path.join(root, layout.bin_dir))
    if layout.gitignore:
        _write_text(os.path.join(root, ".gitignore"), GITIGNORE_TEXT)


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _replace_text(path: str, text: str) -> None:
    tmp = f"{path}{_STAGING_MARK}{os.getpid()}"
    _write_text(tmp, text)
    os.replace(tmp, path)


def _make_links(layout: VenvLayout, bin_dir: str, *, replace: bool = False) -> None:
    for link in layout.links:
        path = os.path.join(bin_dir, link.name)
        tmp = f"{path}{_STAGING_MARK}{os.getpid()}" if replace else path
        if layout.copies:
            source = link.target if os.path.isabs(link.target) else os.path.join(bin_dir, link.target)
            _copy2(source, tmp)
            os.chmod(tmp, 0o755)
        else:
            os.symlink(link.target, tmp)
        if replace:
            os.replace(tmp, path)


def _write_activators(layout: VenvLayout, bin_dir: str, *, replace: bool = False) -> None:
    scripts = render_activators(
        env_dir=layout.env_dir, bin_name=layout.bin_dir, prompt=layout.prompt, windows=layout.windows
    )
    write = _replace_text if replace else _write_text
    for name, text in scripts.items():
        write(os.path.join(bin_dir, name), text)


def _update_in_place(layout: VenvLayout, populate: Callable[[str], None] | None) -> None:
    """`--upgrade`, or a plain run on an existing environment: refresh it, keep its packages."""
    root = layout.env_dir
    try:
        for rel in (layout.bin_dir, layout.include_dir, layout.purelib, layout.platlib):
            os.makedirs(os.path.join(root, rel), exist_ok=True)
        if layout.lib64_link and not os.path.lexists(os.path.join(root, "lib64")):
            os.symlink("lib", os.path.join(root, "lib64"))
        _replace_text(os.path.join(root, "pyvenv.cfg"), layout.cfg_text)
        bin_dir = os.path.join(root, layout.bin_dir)
        _make_links(layout, bin_dir, replace=True)
        _write_activators(layout, bin_dir, replace=True)
        if layout.gitignore and not os.path.exists(os.path.join(root, ".gitignore")):
            _write_text(os.path.join(root, ".gitignore"), GITIGNORE_TEXT)
        if populate is not None:
            populate(root)
    except OSError as exc:
        raise VenvError(
            f"can't update the environment {root}: {exc.strerror or exc} ({exc.filename or root}).",
            input=root,
        ) from exc
