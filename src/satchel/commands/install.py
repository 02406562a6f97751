"""`satchel install`: pip install's semantics for wheels, as one transaction.

requests (args, -r, -c) -> settings -> target environment -> lock + recover -> installed set
-> no-op fast path (everything already satisfied: no index, no resolver) -> resolve against
the index -> plan -> fetch (parallel downloads, unpack once into the cache) -> apply (one
transaction) -> pip's closing line.
"""

from __future__ import annotations

import sys

from satchel.commands.target import install_target
from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from satchel.interpreters.info import InterpreterInfo
    from satchel.requirements.model import InstallRequest, RequirementsOptions

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from satchel.commands.install_options import add_install_arguments

    add_install_arguments(parser)


def say_waiting() -> None:
    sys.stderr.write("Waiting for another satchel process working on this environment...\n")


def _gather(
    args: argparse.Namespace,
) -> tuple[list[InstallRequest], list[InstallRequest], list[RequirementsOptions], dict[str, str] | None]:
    """(requests, constraints, options from requirements files, the files read with their
    sha256) from the command line. The files are None when an answer that depends on them
    can't be remembered: one is a URL, or uses ${VARIABLES}."""
    from satchel.requirements import parse_requirements_file, read_requirements_file
    from satchel.requirements import parse_requirement_arguments

    read: list[str] = []
    memorable = True

    def reader(location: str) -> str:
        nonlocal memorable
        text = read_requirements_file(location)
        read.append(location)
        memorable = memorable and "://" not in location and "${" not in text
        return text

    requests = parse_requirement_arguments(args.packages, editables=args.editable)
    constraints: list[InstallRequest] = []
    file_options: list[RequirementsOptions] = []
    for path in args.requirement:
        parsed = parse_requirements_file(path, reader=reader)
        file_options.append(parsed.options)
        for request in parsed.requests:
            (constraints if request.constraint else requests).append(request)
    for path in args.constraint:
        parsed = parse_requirements_file(path, constraint=True, reader=reader)
        file_options.append(parsed.options)
        constraints.extend(parsed.requests)
    if not requests:
        raise UsageError(
            "nothing to install: name at least one requirement.",
            hint="e.g. `satchel install requests`, or -r requirements.txt.",
        )
    files = _digests(read) if memorable else None
    return requests, constraints, file_options, files


def _digests(paths: list[str]) -> dict[str, str] | None:
    from satchel.install.memory import file_sha256

    found = {}
    for path in paths:
        digest = file_sha256(path)
        if digest is None:
            return None
        found[path] = digest
    return found


def _check_paths(requests: list[InstallRequest]) -> None:
    """Paths that don't exist fail up front, before anything else is done."""
    import os

    for request in requests:
        if request.path is not None and not os.path.exists(request.path.split("#", 1)[0]):
            raise UsageError(
                f"{request.text!r}: no such file or directory ({request.path}).",
                input=request.text,
                hint="check the path (relative paths are taken from the current directory).",
            )


def _quick_noop(args: argparse.Namespace, requests: list[InstallRequest], installed: object, markers: dict[str, str]) -> list[str] | None:
    """pip's lines when nothing needs doing ("Ignoring ..." for requests whose markers don't
    apply, "Requirement already satisfied: ..." for the others); else None."""
    from satchel.environment.satisfied import satisfied_by_installed

    if args.upgrade or args.force_reinstall or args.ignore_installed:
        return None
    lines = []
    applicable = []
    for request in requests:
        if request.requirement is None or request.requirement.url:
            return None
        marker = request.requirement.marker
        if marker is not None and not marker.evaluate(dict(markers, extra="")):
            lines.append(f"Ignoring {request.requirement.name}: markers '{marker}' don't match your environment")
            continue
        applicable.append(request)
    if satisfied_by_installed([r.requirement for r in applicable], installed, markers) is None:  # type: ignore[misc, arg-type]
        return None
    for request in applicable:
        dist = installed.get(request.name or "")  # type: ignore[attr-defined]
        lines.append(_satisfied_line(request, dist.location, dist.version))
    return lines


def _satisfied_line(request: InstallRequest, location: str, version: str) -> str:
    """pip's line for a requirement that is already met, naming the file line it came from."""
    where = f" (from -r {request.origin.file} (line {request.origin.line}))" if request.origin.line else ""
    return f"Requirement already satisfied: {request.text} in {_display_path(location)}{where} ({version})"


def _display_path(path: str) -> str:
    """A path as pip shows it: relative with ./ when under the current directory."""
    import os

    cwd = os.path.join(os.getcwd(), "")
    return "./" + path[len(cwd):] if path.startswith(cwd) else path


_VALUE_OPTIONS = {"-p": "python", "--python": "python", "-r": "requirement", "--requirement": "requirement",
                  "-c": "constraint", "--constraint": "constraint"}  # fmt: skip
# Options that can't turn "nothing to do" into something to do (they are in the key anyway).
_NEUTRAL_VALUED = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--timeout", "--retries",
                   "--cache-dir", "--trusted-host", "--cert", "--client-cert", "--proxy", "--index-strategy",
                   "--only-binary", "--no-binary", "--upgrade-strategy"}  # fmt: skip
_NEUTRAL_FLAGS = {"-q", "--quiet", "--system", "--no-index", "--pre", "--prefer-binary", "--no-cache-dir",
                  "--no-deps", "--no-compile", "--require-hashes"}  # fmt: skip


def simple_argv(argv: list[str]) -> dict[str, list[str]] | None:
    """The options of a plain `install [-p P] [-r F] [-c F] [-i URL] [-q] ... REQ...`, read
    without argparse; None for anything else (only such commands are answered from memory)."""
    found: dict[str, list[str]] = {"python": [], "requirement": [], "constraint": [], "flags": []}
    tokens = iter(argv[1:])
    for token in tokens:
        if not token.startswith("-"):
            continue
        name, eq, value = token.partition("=")
        if name in _VALUE_OPTIONS:
            if not eq:
                value = next(tokens, "")
            found[_VALUE_OPTIONS[name]].append(value)
        elif name in _NEUTRAL_VALUED:
            if not eq:
                next(tokens, "")
        elif token in _NEUTRAL_FLAGS:
            found["flags"].append(token)
        elif token[:2] in ("-p", "-r", "-c", "-i", "-f") and not token.startswith("--"):
            if token[:2] in ("-p", "-r", "-c"):
                found[_VALUE_OPTIONS[token[:2]]].append(token[2:])
        else:
            return None
    return found


def noop_key_for(argv: list[str], info: InterpreterInfo) -> str | None:
    """The key under which this command's "nothing to do" answer is remembered, or None when
    the command must not be answered from memory."""
    import os

    from satchel.install.memory import noop_key
    from satchel.install.paths import interrupted
    from satchel.settings.sources import pip_config_files

    simple = simple_argv(argv)
    if simple is None or interrupted(info.prefix):
        return None  # (an interrupted transaction: the slow path recovers it first)
    config = [path for _kind, path in pip_config_files(info.prefix)]
    return noop_key(argv, simple["requirement"] + simple["constraint"], info.sys_path, config, os.environ)


def answer_from_memory(argv: list[str]) -> bool:
    """Answer an install from memory, before argparse is even imported: a no-op answered
    before, else an install done before on an environment holding the same things, replayed
    (`install_replay`). `argv` starts with "install". False when this command can't be
    answered this way (nothing was done)."""
    from satchel.errors import SatchelError
    from satchel.install.memory import recall
    from satchel.interpreters.discover import find_environment

    from satchel.commands.install_replay import replay, replay_argv

    simple = simple_argv(argv)
    options = simple if simple is not None else replay_argv(argv)  # (-U etc. can be replayed)
    if options is None or len(options["python"]) > 1:
        return False
    python = options["python"][0] if options["python"] else None
    try:
        info = find_environment(python, system="--system" in options["flags"])
    except SatchelError:
        return False  # the full path reports it properly
    key = noop_key_for(argv, info) if simple is not None else None
    output = recall(key) if key is not None else None
    if output is None:
        return replay(argv, info)
    if not any(flag in ("-q", "--quiet") for flag in simple["flags"]):  # type: ignore[index]
        sys.stdout.write(output)
    return True


def run(args: argparse.Namespace) -> int:
    from satchel.environment.scan import scan
    from satchel.install.lock import environment_lock
    from satchel.install.memory import remember
    from satchel.install.paths import state_dir
    from satchel.install.transaction import recover
    from satchel.interpreters.discover import find_environment

    info = find_environment(args.python, system=args.system)
    eligible = not (args.upgrade or args.force_reinstall or args.ignore_installed or args.dry_run or args.report)
    key = noop_key_for(args._argv, info) if eligible else None
    requests, constraints, file_options, files = _gather(args)
    _check_paths(requests)
    if not info.is_venv and not args.system and args.python:
        from satchel.commands.install_options import refuse_system

        refuse_system(info, args)
    with environment_lock(state_dir(info.prefix), on_wait=say_waiting):
        for note in recover(info.prefix):
            sys.stderr.write(f"satchel: {note}\n")
        installed = scan(info.sys_path)
        if not constraints:
            lines = _quick_noop(args, requests, installed, info.markers)
            if lines is not None:
                output = "\n".join(lines) + "\n"
                if key is not None and files is not None:
                    remember(key, output, files)
                if not args.quiet:
                    sys.stdout.write(output)
                return 0
        from satchel.commands.install_flow import install_resolved

        import os

        from satchel.environment.model import canonical_name

        remember_after = None
        own_site = all(
            p.startswith(os.path.join(info.prefix, "")) for p in info.sys_path if p.endswith("site-packages")
        )  # with global site-packages, a satisfied package may live elsewhere
        plain = all(r.requirement is not None and not r.requirement.url for r in requests)
        if key is not None and files is not None and not constraints and plain and own_site:

            def remember_after(versions: dict[str, str]) -> str | None:
                """The same command right after this install has nothing to do: say so from memory."""
                refreshed = noop_key_for(args._argv, info)
                location = install_target(info).scheme["purelib"]
                lines = [
                    _satisfied_line(r, location, versions[key_])
                    for r in requests
                    if (key_ := canonical_name(r.name or "")) in versions
                ]
                if refreshed is None or len(lines) != len(requests):
                    return None
                output = "\n".join(lines) + "\n"
                remember(refreshed, output, files)
                return output

        from satchel.commands.install_replay import recorder_for

        recorder = recorder_for(args._argv, info, requests, files)
        return install_resolved(
            args, info, install_target(info), requests, constraints, file_options, installed, remember_after, recorder
        )
