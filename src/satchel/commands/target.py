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

__all__ = ["add_target_arguments", "finish_interrupted", "installed_in_target", "variables_cache"]


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


def search_paths(info: InterpreterInfo, args: argparse.Namespace) -> list[str]:
    if getattr(args, "path", None):
        return [os.path.abspath(path) for path in args.path]
    paths = info.sys_path
    if getattr(args, "user", False):
        return [info.user_site] if info.user_site else []
    if getattr(args, "local", False) and info.is_venv:
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


def installed_in_target(args: argparse.Namespace, cache: Cache) -> tuple[InterpreterInfo, InstalledSet]:
    from satchel.environment.scan import scan
    from satchel.interpreters.discover import find_environment

    info = find_environment(args.python, cache, system=args.system)
    finish_interrupted(info, args.console)
    return info, scan(search_paths(info, args))
