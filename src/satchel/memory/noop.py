"""An install that has nothing to do, answered from memory: the same plain command on an
environment whose directories are unchanged prints what it printed before (`memory.answer`
asks, before argparse is imported). Also the reading of such plain command lines (`simple_argv`), which the replay
shares, and what an install remembers for the same command run right after it.

The key (`store.noop_key`) holds the arguments, working directory, the requirements files'
contents, the variables and config files satchel reads, and the stamps of every directory on
the environment's search path (installing or removing anything changes one).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from satchel.cache.layout import Cache
    from satchel.interpreters.info import InterpreterInfo
    from satchel.requirements.model import InstallRequest

__all__ = ["after_install", "cache_of", "noop_key_for", "quiet", "remember_noop", "simple_argv"]

_VALUE_OPTIONS = {"-p": "python", "--python": "python", "-r": "requirement", "--requirement": "requirement",
                  "-c": "constraint", "--constraint": "constraint"}  # fmt: skip
# Options that can't turn "nothing to do" into something to do (they are in the key anyway).
_NEUTRAL_VALUED = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--timeout", "--retries",
                   "--cache-dir", "--trusted-host", "--cert", "--client-cert", "--proxy", "--index-strategy",
                   "--only-binary", "--no-binary", "--upgrade-strategy"}  # fmt: skip
_NEUTRAL_FLAGS = {"-q", "--quiet", "--system", "--no-index", "--pre", "--prefer-binary", "--no-cache-dir",
                  "--no-deps", "--no-compile", "--require-hashes"}  # fmt: skip


def simple_argv(argv: Sequence[str]) -> dict[str, list[str]] | None:
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


def cache_of(argv: Sequence[str]) -> Cache | None:
    """The cache a plain install command reads its answers from: --cache-dir, else as the
    variables choose it; None with --no-cache-dir (nothing is read from a cache then) or
    when a variable turns the cache off (the full path decides what that means)."""
    import os

    from satchel.cache.layout import Cache

    root = None
    tokens = iter(argv)
    for token in tokens:
        if token == "--no-cache-dir":
            return None
        name, eq, value = token.partition("=")
        if name == "--cache-dir":
            root = value if eq else next(tokens, "")
    chosen = Cache.from_variables(os.environ)
    return Cache(root) if root and chosen is not None else chosen


def quiet(simple: Mapping[str, list[str]]) -> bool:
    return any(flag in ("-q", "--quiet") for flag in simple["flags"])


def noop_key_for(argv: Sequence[str], info: InterpreterInfo) -> str | None:
    """The key under which this command's "nothing to do" answer is remembered, or None when
    the command must not be answered from memory."""
    import os

    from satchel.install.paths import interrupted
    from satchel.memory.store import noop_key
    from satchel.settings.sources import pip_config_files

    simple = simple_argv(argv)
    if simple is None or interrupted(info.prefix):
        return None  # (an interrupted transaction: the slow path recovers it first)
    config = [path for _kind, path in pip_config_files(info.prefix)]
    return noop_key(argv, simple["requirement"] + simple["constraint"], info.sys_path, config, os.environ)


def remember_noop(cache: Cache, key: str, output: str, files: Mapping[str, str]) -> None:
    from satchel.memory.store import remember

    remember(cache, key, output, files)


def after_install(
    cache: Cache, argv: Sequence[str], info: InterpreterInfo, requests: Sequence[InstallRequest], files: Mapping[str, str]
) -> Callable[[dict[str, str]], str | None]:
    """What to call once the install succeeded, with {name: version} of what is now pinned:
    the same command right after has nothing to do, so its answer is remembered (and
    returned, for the replay entry to hold)."""

    def remember_after(versions: dict[str, str]) -> str | None:
        from satchel.install.satisfied import satisfied_line
        from satchel.install.transaction import Destination
        from satchel.names import canonical_name

        refreshed = noop_key_for(argv, info)
        location = Destination.of(info).scheme["purelib"]
        lines = [
            satisfied_line(r, location, versions[key])
            for r in requests
            if (key := canonical_name(r.name or "")) in versions
        ]
        if refreshed is None or len(lines) != len(requests):
            return None
        output = "\n".join(lines) + "\n"
        remember_noop(cache, refreshed, output, files)
        return output

    return remember_after
