"""InterpreterInfo: what the probe said about one interpreter, as plain values.

Every later decision (venv layout, markers, tags) reads these values, never the host's `sys`.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from collections.abc import Mapping

__all__ = ["BundledWheel", "InterpreterInfo"]


class BundledWheel:
    """A wheel that the interpreter's ensurepip carries (pip, and setuptools before 3.12)."""

    __slots__ = ("name", "path", "version")

    def __init__(self, name: str, version: str, path: str) -> None:
        self.name = name
        self.version = version
        self.path = path

    def __repr__(self) -> str:
        return f"BundledWheel({self.name!r}, {self.version!r}, {self.path!r})"


class InterpreterInfo:
    """The probe's answer for one interpreter. `raw` is the JSON object the probe printed."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    @property
    def executable(self) -> str:
        """sys.executable: the path the interpreter was run as."""
        return str(self.raw["executable"])

    @property
    def base_executable(self) -> str:
        """The interpreter a venv made from this one links to (sys._base_executable)."""
        return str(self.raw["base_executable"])

    @property
    def version(self) -> tuple[int, int, int]:
        major, minor, micro = self.raw["version_info"][:3]
        return (int(major), int(minor), int(micro))

    @property
    def version_str(self) -> str:
        return "%d.%d.%d" % self.version

    @property
    def implementation(self) -> str:
        return str(self.raw["implementation"])

    @property
    def is_windows(self) -> bool:
        return bool(self.raw["os_name"] == "nt")

    @property
    def is_64bit(self) -> bool:
        return bool(self.raw["is_64bit"])

    @property
    def sys_platform(self) -> str:
        return str(self.raw["sys_platform"])

    @property
    def venv_paths(self) -> dict[str, str]:
        """scripts/include/purelib/platlib/data of a venv, relative to its directory."""
        return dict(self.raw["venv_paths"])

    @property
    def install_paths(self) -> dict[str, str]:
        """Where this interpreter installs: purelib, platlib, scripts, data, include (absolute)."""
        return {str(k): str(v) for k, v in self.raw["paths"].items()}

    @property
    def bundled_wheels(self) -> list[BundledWheel]:
        return [BundledWheel(name, version, path) for name, version, path in self.raw["ensurepip"]]

    @property
    def prefix(self) -> str:
        return str(self.raw["prefix"])

    @property
    def is_venv(self) -> bool:
        return bool(self.raw["prefix"] != self.raw["base_prefix"])

    @property
    def sys_path(self) -> list[str]:
        """Where the interpreter imports from (and so where installed distributions are)."""
        return [str(p) for p in self.raw["sys_path"]]

    @property
    def user_site(self) -> str | None:
        return self.raw.get("user_site")

    @property
    def markers(self) -> dict[str, str]:
        return dict(self.raw["markers"])

    def describe(self) -> str:
        """`CPython 3.12.1 at /path/to/python3.12`."""
        impl = {"cpython": "CPython", "pypy": "PyPy"}.get(self.implementation, self.implementation)
        return f"{impl} {self.version_str} at {self.executable}"
