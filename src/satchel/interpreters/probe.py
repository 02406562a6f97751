"""Run the probe script inside an interpreter and cache its answer by (path, size, mtime).

A second call for the same unchanged interpreter reads one small JSON file instead of starting
the interpreter (which costs 15-70 ms, more for an interpreter with many .pth files).
"""

from __future__ import annotations

import marshal
import os

from satchel.cache.store import atomic_write_bytes
from satchel.errors import InterpreterBroken
from satchel.interpreters.info import InterpreterInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.cache.layout import Cache

__all__ = ["PROBE_VERSION", "probe"]

#: Must equal PROBE_VERSION in _probe.py; a cached answer from another version is ignored.
PROBE_VERSION = 4
_PROBE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_probe.py")


def _cache_file(executable: str, cache: Cache) -> str:
    name = executable.replace("%", "%25").replace(os.sep, "%2F").replace(":", "%3A")
    if len(name) > 200:
        import hashlib

        name = hashlib.sha256(executable.encode()).hexdigest()
    return cache.part("interpreters", name + ".marshal")


def _stamp(executable: str) -> list[int | str]:
    """What changes when the interpreter behind `executable` is replaced or upgraded, or the
    virtual environment it belongs to is remade (pyvenv.cfg decides its sys.path)."""
    real = os.path.realpath(executable)
    st = os.stat(real)
    stamp: list[int | str] = [real, st.st_size, st.st_mtime_ns, PROBE_VERSION]
    cfg = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(executable))), "pyvenv.cfg")
    try:
        cfg_st = os.stat(cfg)
    except OSError:
        return stamp
    return stamp + [cfg_st.st_size, cfg_st.st_mtime_ns]


def _run_probe(executable: str) -> dict[str, object]:
    import subprocess

    try:
        proc = subprocess.run(
            [executable, "-E", _PROBE_SCRIPT],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise InterpreterBroken(
            f"{executable} can't be run as a Python interpreter: {exc.strerror or exc}.",
            input=executable,
            hint="check the path, or pass another interpreter with -p/--python.",
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise InterpreterBroken(
            f"{executable} did not answer within 60 s when asked what it is.",
            input=executable,
        ) from exc
    import json

    try:
        raw = json.loads(proc.stdout)
    except ValueError:
        raw = None
    if proc.returncode != 0 or not isinstance(raw, dict):
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-3:]
        context = "\n".join(tail) if tail else f"exit status {proc.returncode}, no output"
        raise InterpreterBroken(
            f"{executable} does not run as a working Python interpreter.",
            input=executable,
            context=context,
            hint="pass a working interpreter with -p/--python (a version like 3.12, or a path).",
        )
    if "too_old" in raw:
        raise InterpreterBroken(
            f"{executable} is Python {raw['too_old']}; satchel makes environments for 3.8 and newer.",
            input=executable,
            hint="pass a newer interpreter with -p/--python.",
        )
    return raw


def probe(executable: str, cache: Cache) -> InterpreterInfo:
    """Describe the interpreter at `executable`, from `cache` when it hasn't changed."""
    try:
        stamp = _stamp(executable)
    except OSError as exc:
        raise InterpreterBroken(
            f"{executable} does not exist or can't be read: {exc.strerror or exc}.",
            input=executable,
        ) from exc
    cache_file = _cache_file(executable, cache)
    try:
        with open(cache_file, "rb") as handle:
            cached = marshal.loads(handle.read())  # builtin: reading it costs no import
        if cached.get("stamp") == stamp:
            return InterpreterInfo(cached["info"])
    except (OSError, ValueError, EOFError, TypeError, AttributeError):
        pass
    if len(stamp) > 4:  # in a venv: known from its base interpreter's answer, most of the time
        from satchel.interpreters.venv_info import derive_venv_info

        derived = derive_venv_info(executable, lambda base: probe(base, cache))
        if derived is not None:
            return InterpreterInfo(derived)
    raw = _run_probe(executable)
    try:
        atomic_write_bytes(cache_file, marshal.dumps({"stamp": stamp, "info": raw}))
    except OSError:
        pass  # a read-only cache costs speed, not correctness
    return InterpreterInfo(raw)
