"""`satchel freeze`: what is installed, in requirements format, exactly as pip freeze prints it."""

from __future__ import annotations

import os
import sys

from satchel.commands.target import add_target_arguments, installed_in_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.interpreters.info import InterpreterInfo

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    parser.add_argument(
        "--all", action="store_true", dest="all_packages",
        help="also list pip (and setuptools, wheel, distribute before Python 3.12)",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="PACKAGE", help="leave this package out (repeatable)",
    )
    parser.add_argument("--exclude-editable", action="store_true", help="leave out editable installs")


_FLAGS = {"--system", "--all", "--exclude-editable", "-l", "--local"}
_VALUED = {"-p", "--python", "--exclude"}


def _simple_python(argv: list[str]) -> tuple[str | None, bool] | None:
    """(-p value, --system) of a freeze command made only of options whose effect the key
    captures; None for anything else (e.g. --path, abbreviations, --help)."""
    python: str | None = None
    tokens = iter(argv[1:])
    for token in tokens:
        name, eq, value = token.partition("=")
        if name in _VALUED:
            value = value if eq else next(tokens, "")
            if name != "--exclude":
                python = value
        elif token not in _FLAGS:
            return None
    return python, "--system" in argv


def _key(argv: list[str], info: InterpreterInfo) -> str:
    import os

    from satchel.install.memory import noop_key

    return noop_key(argv, (), info.sys_path, (), os.environ, deep=True)


def answer_from_memory(argv: list[str]) -> bool:
    """Print what an identical freeze printed before, if the environment is unchanged."""
    from satchel.errors import SatchelError
    from satchel.install.memory import recall
    from satchel.interpreters.discover import find_environment

    simple = _simple_python(argv)
    if simple is None:
        return False
    try:
        info = find_environment(simple[0], system=simple[1])
    except SatchelError:
        return False
    from satchel.install.paths import interrupted

    if interrupted(info.prefix):  # the full path recovers it first
        return False
    output = recall(_key(argv, info))
    if output is None:
        return False
    sys.stdout.write(output)
    return True


def run(args: argparse.Namespace) -> int:
    from satchel.environment.views import freeze_lines
    from satchel.install.memory import remember

    info, installed = installed_in_target(args)
    lines = freeze_lines(
        installed,
        python_version=info.version,
        all_packages=args.all_packages,
        exclude=args.exclude,
        exclude_editable=args.exclude_editable,
    )
    output = "\n".join(lines) + "\n" if lines else ""
    # an editable's line depends on its git checkout, which no stamp of the environment covers
    if _simple_python(args._argv) is not None and not any(dist.editable for dist in installed):
        remember(_key(args._argv, info), output)
    sys.stdout.write(output)
    return 0
