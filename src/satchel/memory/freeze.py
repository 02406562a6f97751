"""`satchel freeze` answered from memory: an identical freeze on an unchanged environment
prints what it printed before (the key holds the stamps of every metadata directory on the
search path, so an install or removal changes it)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.cache.layout import Cache
    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import Console

__all__ = ["answer", "remember_output", "simple_python"]

_FLAGS = {"--system", "--all", "--exclude-editable", "-l", "--local"}
_VALUED = {"-p", "--python", "--exclude"}


def simple_python(argv: list[str]) -> tuple[str | None, bool] | None:
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

    from satchel.memory.store import noop_key

    return noop_key(argv, (), info.sys_path, (), os.environ, deep=True)


def answer(argv: list[str], console: Console) -> bool:
    """Print what an identical freeze printed before, if the environment is unchanged."""
    import os

    from satchel.cache.layout import Cache
    from satchel.errors import SatchelError
    from satchel.install.paths import interrupted
    from satchel.interpreters.discover import find_environment
    from satchel.memory.store import recall

    simple = simple_python(argv)
    cache = Cache.from_variables(os.environ)
    if simple is None or cache is None:
        return False
    try:
        info = find_environment(simple[0], cache, system=simple[1])
    except SatchelError:
        return False
    if interrupted(info.prefix):  # the full path recovers it first
        return False
    output = recall(cache, _key(argv, info))
    if output is None:
        return False
    console.out(output)
    return True


def remember_output(cache: Cache, argv: list[str], info: InterpreterInfo, output: str) -> None:
    """Keep what this freeze printed, when the command is one `answer` can match."""
    from satchel.memory.store import remember

    if simple_python(argv) is not None:
        remember(cache, _key(argv, info), output)
