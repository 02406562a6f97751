"""satchel's argparse: a parser whose complaints are satchel's `UsageError`s, shown by
`cli.render` like every other error (one paragraph, exit 2), instead of argparse's own usage
line on stderr and `sys.exit(2)`.

    parser = CommandLineParser(prog="satchel")      # its subparsers are CommandLineParsers too
    args = parse_command_line(parser, argv)          # UsageError for what argparse refuses

Import rule: imported by `cli.main` only once a command line has to be parsed (not by
`satchel --version` nor by a no-op install answered from memory); imports argparse and
satchel.errors. `--help` still prints argparse's help: that is the command's output.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from satchel.errors import UsageError

__all__ = ["CommandLineError", "CommandLineParser", "parse_command_line"]


class CommandLineError(UsageError):
    """An option, value or command that argparse refused (exit 2; nothing was done)."""

    code = "command-line"


class CommandLineParser(argparse.ArgumentParser):
    """An ArgumentParser that raises `CommandLineError` where argparse would print and exit.
    `add_subparsers()` makes its subparsers of the same class (argparse's default)."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(message, hint=options_hint(self.prog))


def options_hint(prog: str) -> str:
    """Where to read the options of `prog` ("satchel" or "satchel install")."""
    what = "commands" if " " not in prog else "options"
    return f"`{prog} --help` lists the {what}."


def parse_command_line(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """`parser.parse_args(argv)`, with arguments no parser knows reported by name and with a
    hint naming the chosen command's --help (argparse reports them on the top parser)."""
    namespace, extras = parser.parse_known_args(argv)
    if not extras:
        return namespace
    command = getattr(namespace, "command", None)
    prog = f"{parser.prog} {command}" if command else parser.prog
    options = [arg for arg in extras if arg.startswith("-") and arg != "-"]
    if len(options) == len(extras):
        what = "unknown option" if len(options) == 1 else "unknown options"
    else:
        what = "unexpected argument" if len(extras) == 1 else "unexpected arguments"
    raise CommandLineError(f"{what} {' '.join(extras)} for `{prog}`", input=" ".join(extras), hint=options_hint(prog))
