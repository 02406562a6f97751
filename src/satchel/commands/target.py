"""Which environment a command reads or changes, and what is installed in it.

Shared by the commands that take pip's environment options: -p/--python, --system, --path,
--local, --user.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.cache.layout import Cache
    from satchel.environment.model import InstalledSet
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import Console

__all__ = ["Selection", "add_target_arguments", "finish_interrupted", "installed_in_target", "variables_cache"]


def add_target_arguments(parser: argparse.ArgumentParser, *, selection: bool = True) -> None:
    parser.add_argument(
        "-p", "--python", metavar="PYTHON",
        help="the environment: a venv directory, an interpreter path or a version; default: "
        "$VIRTUAL_ENV, else the nearest .venv",
    )
    parser.add_argument(
        "--system", action="store_true", help="use the interpreter satchel runs on, not a virtual environment",
    )
    if selection:
        parser.add_argument(
            "--path", action="append", default=[], metavar="DIR", help="look only in these directories (repeatable)",
        )
        parser.add_argument(
            "-l", "--local", action="store_true",
            help="in an environment with global access, leave out globally installed packages",
        )
        parser.add_argument("--user", action="store_true", help="only what is installed in the user site")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="show more")


class Selection:
    """Which environment a command reads (-p/--python, --system) and which part of its search
    path (--path, -l/--local, --user), read once from the command line."""

    __slots__ = ("local", "paths", "python", "system", "user")

    def __init__(self, args: argparse.Namespace) -> None:
        self.python: str | None = args.python
        self.system: bool = args.system
        self.paths: list[str] = list(getattr(args, "path", None) or [])
        self.local: bool = bool(getattr(args, "local", False))
        self.user: bool = bool(getattr(args, "user", False))


def search_paths(info: InterpreterInfo, selection: Selection) -> list[str]:
    if selection.paths:
        return [os.path.abspath(path) for path in selection.paths]
    paths = info.sys_path
    if selection.user:
        return [info.user_site] if info.user_site else []
    if selection.local and info.is_venv:
        prefix = os.path.join(os.path.abspath(info.prefix), "")
        paths = [p for p in paths if os.path.join(os.path.abspath(p), "").startswith(prefix)]
    return paths


def finish_interrupted(info: InterpreterInfo, console: Console) -> None:
    """If an install was interrupted in this environment, finish or undo it first (and say so),
    so that no command ever reads a half-changed environment."""
    from satchel.install.paths import interrupted, state_dir

    if interrupted(info.prefix):
        from satchel.install.lock import environment_lock
        from satchel.install.transaction import recover

        with environment_lock(state_dir(info.prefix)):
            for note in recover(info.prefix):
                console.err(f"satchel: {note}\n")


def variables_cache() -> Cache:
    """The cache of a command that keeps only interpreter descriptions (and answers) there:
    as the variables choose it (`Cache.from_variables`), or a private one if they turn it off."""
    from satchel.cache.layout import Cache

    return Cache.from_variables(os.environ) or Cache.private()


def installed_in_target(
    selection: Selection, cache: Cache, console: Console
) -> tuple[InterpreterInfo, InstalledSet]:
    """The environment `selection` names (an interrupted install in it finished or undone
    first) and what is installed on the part of its search path it selects."""
    from satchel.environment.scan import scan
    from satchel.interpreters.discover import find_environment

    info = find_environment(selection.python, cache, system=selection.system)
    finish_interrupted(info, console)
    return info, scan(search_paths(info, selection))
