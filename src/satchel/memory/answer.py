"""An install answered from memory, before argparse is imported: the no-op answer of an
identical command on an unchanged environment (`noop`), else the replay of an install done
before on an environment holding the same things (`replay`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.protocols import Console

__all__ = ["answer_install"]


def answer_install(argv: list[str], console: Console) -> bool:
    """Answer an install from memory, before argparse is even imported: a no-op answered
    before, else an install done before on an environment holding the same things, replayed
    (`memory.replay`). `argv` starts with "install". False when this command can't be
    answered this way (nothing was done)."""
    from satchel.errors import SatchelError
    from satchel.interpreters.discover import find_environment
    from satchel.memory.replay import replay, replay_argv
    from satchel.memory.noop import cache_of, noop_key_for, quiet, simple_argv
    from satchel.memory.store import recall

    simple = simple_argv(argv)
    options = simple if simple is not None else replay_argv(argv)  # (-U etc. can be replayed)
    cache = cache_of(argv)
    if options is None or len(options["python"]) > 1 or cache is None:
        return False
    python = options["python"][0] if options["python"] else None
    try:
        info = find_environment(python, cache, system="--system" in options["flags"])
    except SatchelError:
        return False  # the full path reports it properly
    key = noop_key_for(argv, info) if simple is not None else None
    output = recall(cache, key) if key is not None else None
    if output is None:
        return replay(argv, info, console, cache)
    if simple is not None and not quiet(simple):
        console.out(output)
    return True
