"""`satchel freeze`: what is installed, in requirements format, exactly as pip freeze prints it."""

from __future__ import annotations

from satchel.commands.target import Selection, add_target_arguments, installed_in_target, variables_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.protocols import Console

__all__ = ["add_arguments", "answer_from_memory", "run"]


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


def answer_from_memory(argv: list[str], console: Console) -> bool:
    """What an identical freeze printed before, if the environment is unchanged."""
    from satchel.memory.freeze import answer

    return answer(argv, console)


def run(args: argparse.Namespace) -> int:
    from satchel.environment.views import freeze_lines
    from satchel.memory.freeze import remember_output

    cache = variables_cache()
    info, installed = installed_in_target(Selection(args), cache, args.console)
    lines = freeze_lines(
        installed,
        python_version=info.version,
        all_packages=args.all_packages,
        exclude=args.exclude,
        exclude_editable=args.exclude_editable,
    )
    output = "\n".join(lines) + "\n" if lines else ""
    # an editable's line depends on its git checkout, which no stamp of the environment covers
    if not any(dist.editable for dist in installed):
        remember_output(cache, args._argv, info, output)
    args.console.out(output)
    return 0
