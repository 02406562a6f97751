"""Isolated build environments: a throwaway venv of the target's interpreter, made with
satchel's own venv code, with the build requirements installed into it by an injected
`protocols.EnvInstaller` (resolve + fetch + install, wired in `satchel.dispatch`).

Build environments live under the cache root (`build-envs/`), on the same file system as the
unpacked-wheel cache, so installing setuptools into one is hard links, not copies. They are
removed when the build is done; a crash leaves one behind, which the next build removes once
its owner is gone.

Import rule: cache, interpreters (types), venv; nothing downstream (the installer is injected).
"""

from __future__ import annotations

import os
import shutil

from satchel.cache.store import cache_root

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from satchel.interpreters.info import InterpreterInfo
    from satchel.protocols import EnvInstaller

__all__ = ["BuildEnvironment", "TargetBuildEnvironment"]

_BUCKET = "build-envs"


class BuildEnvironment:
    """A fresh venv for one build; `python` runs the hooks, `hook_env()` is what they see."""

    def __init__(self, info: InterpreterInfo, installer: EnvInstaller) -> None:
        import tempfile

        from satchel.venv.create import create_environment
        from satchel.venv.layout import VenvOptions, plan_layout

        root = os.path.join(cache_root(), _BUCKET)
        os.makedirs(root, exist_ok=True)
        _remove_orphans(root)
        self._holder = tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root)
        layout = plan_layout(info, os.path.join(self._holder, "env"), VenvOptions(with_pip=False, scm_ignore_files=False))
        create_environment(layout)
        self.path = layout.env_dir
        self.python = layout.python_path
        self.bin_dir = os.path.join(self.path, layout.bin_dir)
        major, minor, _ = info.version
        self.scheme = layout.scheme()
        self.scheme["headers"] = os.path.join(self.scheme["headers"], f"python{major}.{minor}")
        self._installer = installer
        self._installed: set[str] = set()

    def install(self, requirements: Sequence[str], purpose: str) -> None:
        """Install what isn't installed by an earlier call already (the requirement strings)."""
        wanted = [req for req in requirements if req not in self._installed]
        if wanted:
            self._installer.install_requirements(self.path, self.scheme, self.python, wanted, purpose=purpose)
            self._installed.update(wanted)

    def hook_env(self) -> dict[str, str]:
        """The build env's scripts first on PATH, no user site, no PYTHONPATH from outside."""
        return {
            "PATH": self.bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "PYTHONNOUSERSITE": "1",
            "PYTHONPATH": "",
            "VIRTUAL_ENV": self.path,
        }

    def remove(self) -> None:
        shutil.rmtree(self._holder, ignore_errors=True)


class TargetBuildEnvironment:
    """--no-build-isolation: the hooks run with the target environment's own interpreter, and
    nothing is installed for them (the user installed the build requirements)."""

    def __init__(self, info: InterpreterInfo) -> None:
        self.python = info.executable
        self.path = info.prefix

    def install(self, requirements: Sequence[str], purpose: str) -> None:
        return None

    def hook_env(self) -> Mapping[str, str]:
        return {}

    def remove(self) -> None:
        return None


def _remove_orphans(root: str) -> None:
    """Build environments whose satchel process is gone (killed mid-build)."""
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        pid, sep, _ = name.partition("-")
        if sep and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
