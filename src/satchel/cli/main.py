"""The `satchel` command: argv in, exit code out.

Commands are registered by module path and imported only when chosen, so `satchel --version`
and `satchel --help` import nothing but this module (startup time is a feature). Each command
module provides `add_arguments(parser)` and `run(args) -> int`; `args.console` (a
`protocols.Console`) is where it writes, and `install`/`freeze` also provide
`answer_from_memory(argv, console) -> bool`, tried before argparse is imported.
Nothing imports `satchel.cli`.
"""

from __future__ import annotations

import sys
TYPE_CHECKING = False

from satchel import __version__

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from satchel.cli.console import StreamConsole

__all__ = ["main"]

#: name -> (module path, one-line summary)
COMMANDS: dict[str, tuple[str, str]] = {
    "venv": ("satchel.commands.venv", "Create a virtual environment (what `python -m venv` makes)."),
    "install": ("satchel.commands.install", "Install packages with pip's semantics, all or nothing."),
    "freeze": ("satchel.commands.freeze", "Print installed packages in requirements format (as pip freeze)."),
    "list": ("satchel.commands.list", "List installed packages (as pip list)."),
    "uninstall": ("satchel.commands.uninstall", "Remove installed packages, all or none (as pip uninstall)."),
    "show": ("satchel.commands.show", "Show information about installed packages (as pip show)."),
    "check": ("satchel.commands.check", "Verify installed packages have compatible requirements (as pip check)."),
    "cache": ("satchel.commands.cache", "Inspect and clear satchel's cache (as pip cache)."),
}

PROG = "satchel"


def _version_line() -> str:
    return f"{PROG} {__version__}"


def _build_parser(chosen: str | None) -> argparse.ArgumentParser:
    import importlib

    from satchel.cli.parser import CommandLineParser

    parser = CommandLineParser(
        prog=PROG,
        description="Virtual environments and pip's installs, in one fast and safe tool.",
    )
    parser.add_argument("-V", "--version", action="version", version=_version_line())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (module_path, summary) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if name == chosen:
            module = importlib.import_module(module_path)
            module.add_arguments(sub)
            sub.set_defaults(_module=module)
    return parser


def _chosen_command(argv: list[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _check_command(argv: list[str]) -> None:
    """A usage error for `satchel NAME ...` where NAME is no command (pip: "unknown command"). Only
    the first word counts, after satchel's own flags: anything else is argparse's to refuse."""
    from satchel.cli.parser import CommandLineError

    for arg in argv:
        if arg in ("-h", "--help", "-V", "--version"):
            continue
        if arg.startswith("-") or arg in COMMANDS:
            return
        import difflib

        close = difflib.get_close_matches(arg, COMMANDS, n=1)
        guess = f"did you mean `{PROG} {close[0]}`? " if close else ""
        raise CommandLineError(f"unknown command '{arg}'", input=arg, hint=f"{guess}`{PROG} --help` lists the commands.")


def main(argv: list[str] | None = None) -> int:
    """Run satchel with `argv` (default: sys.argv[1:]) and return the exit code."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        from satchel.cli.console import interrupted

        return interrupted()


def _main(argv: list[str] | None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list in (["--version"], ["-V"]):
        sys.stdout.write(_version_line() + "\n")
        return 0

    from satchel.cli.console import StreamConsole

    console = StreamConsole()
    verbose = _verbosity(args_list)  # argparse is not imported yet: the memory path needs it too
    if args_list[:1] in (["install"], ["freeze"]) and "-h" not in args_list and "--help" not in args_list:
        # the same command on an unchanged environment: answered (or replayed) before argparse is imported
        answered = _guarded(lambda: _from_memory(args_list, console), verbose=verbose)
        if answered is not None:
            return answered
    code = _guarded(lambda: _parse_and_run(args_list, console), verbose=verbose)
    return 0 if code is None else code


def _from_memory(args_list: list[str], console: StreamConsole) -> int | None:
    import importlib

    module = importlib.import_module(f"satchel.commands.{args_list[0]}")
    return 0 if module.answer_from_memory(args_list, console) else None


def _parse_and_run(args_list: list[str], console: StreamConsole) -> int:
    from satchel.cli.parser import parse_command_line

    _check_command(args_list)
    parser = _build_parser(_chosen_command(args_list))
    args = parse_command_line(parser, args_list)
    args._argv = args_list
    args.console = console
    from satchel.cli.progress import make_reporter

    args.reporter = make_reporter(quiet=bool(getattr(args, "quiet", 0)) or bool(getattr(args, "json", False)))
    command = getattr(args, "_module", None)
    if command is None:  # `satchel` alone: the help, and the status of a usage error
        parser.print_help()
        return 2
    return int(command.run(args))


def _verbosity(argv: list[str]) -> int:
    """How many -v/--verbose `argv` holds (`-vv` counts 2), read before argparse is imported."""
    count = 0
    for arg in argv:
        if arg == "--":
            break
        if arg == "--verbose":
            count += 1
        elif arg[:1] == "-" and arg[1:2] != "-" and len(arg) > 1 and arg[1:] == "v" * (len(arg) - 1):
            count += len(arg) - 1
    return count


def _guarded(call: Callable[[], int | None], *, verbose: int) -> int | None:
    """`call()`, with satchel's errors, the machine's (disk full, permissions, ...) and, as the
    last resort, any other exception (a bug: `InternalError`) shown as one paragraph (a
    traceback only with -v) and turned into the exit code. KeyboardInterrupt and SystemExit
    (`--help`) pass."""
    from satchel.errors import SatchelError

    try:
        return call()
    except SatchelError as exc:
        from satchel.cli.render import render_error

        render_error(exc, verbose=verbose)
        return exc.exit_code
    except OSError as exc:
        from satchel.cli.render import render_error
        from satchel.errors import OperationError

        where = f" ({exc.filename})" if exc.filename else ""
        error = OperationError(
            f"{exc.strerror or exc}{where}.",
            hint="nothing was left half-done; run again with -v for the details.",
        )
        error.__cause__ = exc
        render_error(error, verbose=verbose)
        return error.exit_code
    except Exception as exc:
        from satchel.cli.render import internal_error, render_error

        bug = internal_error(exc)
        render_error(bug, verbose=verbose)
        return bug.exit_code
