"""`satchel venv [DIR...]`: what `python -m venv DIR` makes, with pip installed by satchel's
own installer from the interpreter's bundled ensurepip wheels (no network, no subprocess).
"""

from __future__ import annotations

import os
import sys
TYPE_CHECKING = False

from satchel.errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from satchel.cache.layout import Cache
    from satchel.interpreters.info import InterpreterInfo
    from satchel.venv.layout import VenvOptions

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "env_dirs", nargs="*", metavar="DIR", default=[".venv"],
        help="directory to create the environment in (default: .venv)",
    )
    parser.add_argument(
        "-p", "--python", metavar="PYTHON",
        help="interpreter for the environment: a version (3.12, 3.12.1, cpython3.9), a path, "
        "or a command name; default: the Python satchel runs on",
    )
    parser.add_argument(
        "--system-site-packages", action="store_true",
        help="give the environment access to the interpreter's site-packages",
    )
    links = parser.add_mutually_exclusive_group()
    links.add_argument(
        "--symlinks", dest="symlinks", action="store_true", default=os.name != "nt",
        help="symlink the interpreter (the default on POSIX)",
    )
    links.add_argument(
        "--copies", dest="symlinks", action="store_false", help="copy the interpreter instead of symlinking it",
    )
    parser.add_argument("--clear", action="store_true", help="delete the directory's contents first")
    parser.add_argument(
        "--upgrade", action="store_true",
        help="update an existing environment for an interpreter upgraded in place",
    )
    parser.add_argument("--without-pip", dest="with_pip", action="store_false", help="do not install pip")
    parser.add_argument(
        "--prompt", help="prompt prefix shown when activated (`.`: the current directory's name)",
    )
    parser.add_argument(
        "--upgrade-deps", action="store_true", help="upgrade pip (and setuptools) to the newest from the index",
    )
    parser.add_argument(
        "--without-scm-ignore-files", dest="scm_ignore_files", action="store_false",
        help="do not write a .gitignore into the environment (Python 3.13+)",
    )
    parser.add_argument("--json", action="store_true", help="print what was made as JSON on stdout")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="show more (tracebacks on errors)")


def run(args: argparse.Namespace) -> int:
    from satchel.commands.target import variables_cache
    from satchel.interpreters.discover import find_interpreter
    from satchel.venv.layout import VenvOptions

    if args.upgrade and args.clear:
        raise UsageError("--upgrade and --clear can't be used together.", hint="pick one of them.")
    cache = variables_cache()
    info = find_interpreter(args.python, cache)
    if info.is_windows:
        raise UsageError(
            "making environments for Windows interpreters is not supported yet.",
            input=info.executable,
            hint="use `python -m venv` there for now.",
        )
    options = VenvOptions(
        system_site_packages=args.system_site_packages,
        symlinks=args.symlinks,
        with_pip=args.with_pip,
        prompt=args.prompt,
        clear=args.clear,
        upgrade=args.upgrade,
        upgrade_deps=args.upgrade_deps,
        scm_ignore_files=args.scm_ignore_files,
    )
    results = [_make_one(info, env_dir, options, cache) for env_dir in args.env_dirs]
    if args.upgrade_deps:
        for result in results:
            _upgrade_deps(result, info, quiet=args.quiet or args.json)
    if args.json:
        import json

        args.console.out(json.dumps(results if len(results) > 1 else results[0], indent=2) + "\n")
    elif not args.quiet:
        for result in results:
            args.console.err(_summary(result))
    return 0


def _make_one(info: InterpreterInfo, env_dir: str, options: VenvOptions, cache: Cache) -> dict[str, object]:
    from satchel.install.seed import seed_bundled
    from satchel.venv.create import create_environment
    from satchel.venv.layout import plan_layout

    if os.pathsep in env_dir:
        raise UsageError(
            f"the path {env_dir!r} contains {os.pathsep!r}, which would break PATH when the environment is activated.",
            input=env_dir,
        )
    layout = plan_layout(info, env_dir, options)
    seeded: list[dict[str, str]] = []
    populate: Callable[[str], None] | None = None
    if options.with_pip:
        wheels = info.bundled_wheels
        if not wheels:
            raise UsageError(
                f"{info.describe()} has no bundled pip (its ensurepip module is missing), so pip can't be installed.",
                input=info.executable,
                hint="pass --without-pip, or use an interpreter that ships ensurepip.",
            )

        def populate(root: str) -> None:
            seeded.extend(seed_bundled(info, layout.scheme(root), layout.python_path, cache))

    action = create_environment(layout, clear=options.clear, populate=populate)
    return {
        "action": action,
        "path": layout.env_dir,
        "python": layout.python_path,
        "interpreter": info.base_executable,
        "version": info.version_str,
        "prompt": layout.prompt,
        "seeded": seeded,
        "bin": os.path.join(layout.env_dir, layout.bin_dir),
    }


def _upgrade_deps(result: dict[str, object], info: InterpreterInfo, *, quiet: bool) -> None:
    """--upgrade-deps: pip (and setuptools before 3.12, as venv does) to the newest from the
    configured index, as one more satchel install (its own transaction) into the new env."""
    import subprocess

    from satchel.errors import OperationError

    packages = ["pip"] + (["setuptools"] if info.version < (3, 12) else [])
    command = [sys.executable, "-m", "satchel", "install", "-p", str(result["path"]), "-U", *packages]
    proc = subprocess.run(command + (["-q"] if quiet else []), stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise OperationError(
            f"the environment {result['path']} was made, but upgrading {' and '.join(packages)} failed (see above).",
            input=str(result["path"]),
            hint="it has the pip the interpreter bundles; run `satchel install -p ENV -U pip` to try again.",
        )


def _activation_hint(result: dict[str, object]) -> str:
    """The command that activates the environment in the user's shell, quoted for it."""
    from satchel.venv.activators import activation_command

    bin_dir = os.path.relpath(str(result["bin"]))
    if bin_dir.startswith(".."):
        bin_dir = str(result["bin"])
    return activation_command(bin_dir, os.path.basename(os.environ.get("SHELL", "")), windows=os.name == "nt")


def _summary(result: dict[str, object]) -> str:
    seeded: list[dict[str, str]] = result["seeded"]  # type: ignore[assignment]
    with_ = ""
    if seeded:
        with_ = " with " + ", ".join(f"{s['name']} {s['version']}" for s in seeded)
    verb = {"created": "Created", "replaced": "Replaced", "updated": "Updated"}[str(result["action"])]
    return f"{verb} {result['path']} (Python {result['version']}){with_}\nActivate with: {_activation_hint(result)}\n"
