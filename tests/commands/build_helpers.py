"""Helpers for test_install_build.py: two environments of the same basename (one for pip, one
for satchel), pip run from the test environment against one of them (`pip --python ENV`), and
comparisons of what each installed.

    pair = Pair(tmp_path, build_index_server.url)
    ours, theirs = pair.install("st-proj")          # satchel into pair.ours, pip into pair.theirs
    pair.assert_same(ours, theirs)                   # exit 0, same files, same freeze, same last line

Files are compared after normalising what legitimately differs between the two installers or
the two environments: the environment's own path, INSTALLER ("pip" / "satchel"), RECORD (as a set
of lines, without INSTALLER's and without the launchers' hashes) and console-script launchers
(pip 26's template differs from pip 24's, which satchel writes: the launcher's target is compared).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import run_satchel, target_interpreters

__all__ = [
    "PY",
    "Pair",
    "direct_url",
    "freeze_pip",
    "freeze_satchel",
    "git",
    "last_line",
    "new_env",
    "pip",
    "run_in_env",
    "site_packages",
    "tree",
]

PY = target_interpreters()[-1][1]  # the newest target interpreter


def new_env(path: Path, python: str = PY) -> Path:
    """A fresh environment without pip (`satchel venv --without-pip`)."""
    result = run_satchel("venv", "--without-pip", "-p", python, str(path))
    assert result.returncode == 0, result
    return path


def pip(env: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The test environment's pip, working on `env` (`python -m pip --python ENV/bin/python ...`)."""
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), *args],
        capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip


def pip_install(env: Path, index_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return pip(env, "install", "--no-compile", "--no-cache-dir", "--index-url", index_url, *args, cwd=cwd)


def satchel_install(env: Path, index_url: str, *args: str, cwd: Path | None = None):
    return run_satchel("install", "-p", str(env), "-i", index_url, *args, cwd=cwd)


def freeze_pip(env: Path) -> str:
    proc = pip(env, "freeze", "--all")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.replace(str(env), "<ENV>")


def freeze_satchel(env: Path) -> str:
    result = run_satchel("freeze", "--all", "-p", str(env))
    assert result.returncode == 0, result
    return result.stdout.replace(str(env), "<ENV>")


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3.*/site-packages"))


def direct_url(env: Path, name: str) -> dict[str, object] | None:
    """The parsed direct_url.json of the distribution `name` (normalised), None if it has none."""
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    infos = [p for p in site_packages(env).glob("*.dist-info") if p.name.lower().startswith(wanted + "-")]
    assert len(infos) == 1, f"{name}: {infos}"
    path = infos[0] / "direct_url.json"
    return json.loads(path.read_text()) if path.exists() else None


def run_in_env(env: Path, code: str, cwd: Path | None = None) -> str:
    """Run `code` with the environment's interpreter (from a neutral cwd); its stdout."""
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=cwd or env,
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main",
         "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
        cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


# ---------------------------------------------------------------- file trees

_LAUNCHER_IMPORT = re.compile(rb"^from (\S+) import (\S+)$", re.M)


def _launcher(data: bytes, marker: bytes) -> str | None:
    """`launcher:<module>:<function>` for a console-script launcher of the env, else None."""
    if not data.startswith(b"#!" + marker + b"/bin/python") or b"sys.exit(" not in data:
        return None
    found = _LAUNCHER_IMPORT.search(data)
    return f"launcher:{found.group(1).decode()}:{found.group(2).decode()}" if found else None


def _record(data: bytes, launchers: set[str]) -> str:
    """A RECORD as a set of lines: INSTALLER's line left out, launchers' hash and size dropped."""
    lines = set()
    for line in data.decode().splitlines():
        path = line.rsplit(",", 2)[0]
        if path.endswith(".dist-info/INSTALLER"):
            continue
        if path.startswith("../") and os.path.basename(path) in launchers:
            line = f"{path},<launcher>"
        lines.add(line)
    return "record:" + hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]


def tree(env: Path) -> dict[str, str]:
    """Relative path -> what it is, for every path in `env` (satchel's state dir and bytecode
    aside), normalised as the module docstring says, so the trees of two environments of the
    same basename compare."""
    marker = str(env).encode()
    out: dict[str, str] = {}
    records: list[tuple[str, Path]] = []
    launchers: set[str] = set()
    for root, dirs, files in os.walk(env):
        dirs[:] = sorted(d for d in dirs if d not in (".satchel", "__pycache__"))
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(env))
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path).replace(str(env), "<ENV>")
            elif path.is_dir():
                out[rel] = "dir"
            elif name.endswith(".pyc"):
                continue
            elif root.endswith(".dist-info") and name == "INSTALLER":
                out[rel] = "installer"
            elif root.endswith(".dist-info") and name == "RECORD":
                records.append((rel, path))
            elif root.endswith(".dist-info") and name == "direct_url.json":
                out[rel] = "direct_url:" + json.dumps(json.loads(path.read_text()), sort_keys=True)
            else:
                data = path.read_bytes()
                mode = oct(path.stat().st_mode & 0o777)
                kind = _launcher(data, marker) if rel.startswith("bin/") else None
                if kind is not None:
                    launchers.add(name)
                    out[rel] = kind + mode
                else:
                    out[rel] = hashlib.sha256(data.replace(marker, b"<ENV>")).hexdigest()[:16] + mode
    for rel, path in records:
        out[rel] = _record(path.read_bytes(), launchers)
    return out


def tree_diff(mine: dict[str, str], theirs: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    """path -> (satchel's, pip's) for every path where the two differ."""
    return {k: (mine.get(k), theirs.get(k)) for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k)}


# ---------------------------------------------------------------- satchel beside pip


class Pair:
    """Two fresh environments of the same basename: `theirs` (pip installs there) and `ours`
    (satchel does), both made with `satchel venv --without-pip`; the build index for both."""

    def __init__(self, tmp_path: Path, index_url: str, name: str = "env") -> None:
        self.index_url = index_url
        self.theirs = new_env(tmp_path / "pip" / name)
        self.ours = new_env(tmp_path / "satchel" / name)

    def install(self, *args: str, cwd: Path | None = None, pip_only: tuple[str, ...] = (), satchel_only: tuple[str, ...] = ()):
        """pip first, then satchel, with the same arguments; (satchel's Result, pip's CompletedProcess)."""
        theirs = pip_install(self.theirs, self.index_url, *args, *pip_only, cwd=cwd)
        ours = satchel_install(self.ours, self.index_url, *args, *satchel_only, cwd=cwd)
        return ours, theirs

    def assert_same(self, ours, theirs, *, closing: bool = True) -> None:
        """Both succeeded (satchel without a traceback); same files; the same freeze by pip and by
        satchel; the same closing line."""
        assert theirs.returncode == 0, f"pip failed:\n{theirs.stdout}\n{theirs.stderr}"
        assert ours.returncode == 0, ours
        assert "Traceback" not in ours.stderr, ours
        assert tree_diff(tree(self.ours), tree(self.theirs)) == {}
        reference = freeze_pip(self.theirs)
        assert freeze_pip(self.ours) == reference
        assert freeze_satchel(self.ours) == reference
        if closing:
            assert last_line(ours.stdout) == last_line(theirs.stdout)
