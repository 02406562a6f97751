"""`-p/--python` values as data: a version request, a path, or a command name. A bare name
that is a virtual environment in the current directory is that environment.

    3.12, 3.12.1, 312, cpython3.9, cp39, python3.11, py3.8   -> VersionRequest
    /usr/bin/python3, ./venv, ~/envs/x, python.exe           -> a path
    pypy3, python                                            -> a command found on PATH
"""

from __future__ import annotations

import os

__all__ = ["PythonRequest", "VersionRequest", "parse_request"]

_VERSION = r"^(?:(?P<impl>cpython|cp|python|py)-?)?(?P<major>[23])(?:\.?(?P<minor>\d+))?(?:\.(?P<micro>\d+))?$"


class VersionRequest:
    """An interpreter wanted by version, e.g. `3.12` or `cpython3.9.18`."""

    __slots__ = ("cpython_only", "major", "micro", "minor", "text")

    def __init__(
        self, text: str, major: int, minor: int | None, micro: int | None, cpython_only: bool
    ) -> None:
        self.text = text
        self.major = major
        self.minor = minor
        self.micro = micro
        self.cpython_only = cpython_only

    def matches(self, version: tuple[int, int, int], implementation: str = "cpython") -> bool:
        if self.cpython_only and implementation != "cpython":
            return False
        wanted = (self.major, self.minor, self.micro)
        return all(w is None or w == got for w, got in zip(wanted, version))


class PythonRequest:
    """What -p asked for: exactly one of `version`, `path` or `command` is set."""

    __slots__ = ("command", "path", "text", "version")

    def __init__(
        self,
        text: str,
        *,
        version: VersionRequest | None = None,
        path: str | None = None,
        command: str | None = None,
    ) -> None:
        self.text = text
        self.version = version
        self.path = path
        self.command = command


def _is_environment(name: str) -> bool:
    """`-p env` names ./env when that is a virtual environment (not /usr/bin/env on PATH)."""
    return os.path.isfile(os.path.join(name, "pyvenv.cfg"))


def parse_request(text: str) -> PythonRequest:
    """Classify a -p value. Paths win over names: anything with a separator, `~` or `.` start."""
    stripped = text.strip()
    seps = (os.sep, os.altsep or os.sep)
    if any(sep in stripped for sep in seps) or stripped.startswith(("~", ".")) or _is_environment(stripped):
        return PythonRequest(text, path=os.path.abspath(os.path.expanduser(stripped)))
    import re  # not needed for paths, the common case on the fast paths

    match = re.match(_VERSION, stripped, re.IGNORECASE)
    if match:
        impl = (match.group("impl") or "").lower()
        minor, micro = match.group("minor"), match.group("micro")
        request = VersionRequest(
            stripped,
            int(match.group("major")),
            int(minor) if minor is not None else None,
            int(micro) if micro is not None else None,
            cpython_only=impl in ("cpython", "cp"),
        )
        return PythonRequest(text, version=request)
    return PythonRequest(text, command=stripped)
