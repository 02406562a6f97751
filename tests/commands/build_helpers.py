"""Helpers for test_install_build.py: satchel and pip side by side, each in its own directory
(`<tmp>/satchel` and `<tmp>/pip`) holding an environment of the same basename and copies of
whatever is built in place (project directories), pip run from the test environment against its
environment (`python -m pip --python ENV`), and comparisons of what each installed.

    pair = Pair(tmp_path, build_index_server.url)
    pair.write(lambda root: make_project(root / "projects", "x", backend="flit"))  # on both sides
    ours, theirs = pair.install("{root}/projects/x", cwd="{root}")  # satchel and pip, at once
    pair.assert_same(ours, theirs)     # exit 0, the same files, the same freeze and last line

`{root}` in arguments stands for each side's directory. Contents are compared after normalising
what legitimately differs between the two installers or the two sides: each side's directory
(replaced in every file, so paths of environments and projects compare), INSTALLER ("pip" /
"satchel"), RECORD (as a set of lines, without INSTALLER's, and without the hashes of files that
name their side) and console-script launchers (pip 26's template differs from pip 24's, which
satchel writes: the launcher's target is compared).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import SRC, run_satchel, target_interpreters

__all__ = [
    "PY",
    "Pair",
    "assert_no_crash",
    "direct_url",
    "freeze_pip",
    "freeze_satchel",
    "git",
    "last_line",
    "new_env",
    "pip",
    "pip_install",
    "run_in_env",
    "satchel_install",
    "site_packages",
    "tree",
    "tree_diff",
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


def satchel_install(env: Path, index_url: str, *args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    return run_satchel("install", "-p", str(env), "-i", index_url, *args, cwd=cwd)


def freeze_pip(env: Path, root: Path | None = None) -> str:
    """`pip freeze --all` of `env`, with `root` (default: the env) replaced by <ROOT>."""
    proc = pip(env, "freeze", "--all")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.replace(str(root or env), "<ROOT>")


def freeze_satchel(env: Path, root: Path | None = None) -> str:
    """`satchel freeze --all` of `env`, with `root` (default: the env) replaced by <ROOT>."""
    result = run_satchel("freeze", "--all", "-p", str(env))
    assert result.returncode == 0, result
    return result.stdout.replace(str(root or env), "<ROOT>")


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3.*/site-packages"))


def direct_url(env: Path, name: str, root: Path | None = None) -> dict[str, object] | None:
    """The parsed direct_url.json of the distribution `name` (any spelling), None if it has
    none; with `root`, that directory is replaced by <ROOT> in it."""
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    infos = [p for p in site_packages(env).glob("*.dist-info") if p.name.lower().startswith(wanted + "-")]
    assert len(infos) == 1, f"{name}: {infos}"
    path = infos[0] / "direct_url.json"
    if not path.exists():
        return None
    text = path.read_text()
    return json.loads(text.replace(str(root), "<ROOT>") if root else text)


def run_in_env(env: Path, code: str) -> str:
    """Run `code` with the environment's interpreter (cwd: the env); its stdout."""
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-c", code], capture_output=True, text=True, cwd=env,
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


def assert_no_crash(result) -> None:  # type: ignore[no-untyped-def]
    """An error satchel reports (`error: ...` first), not a crash: no traceback through satchel's
    own code (a build backend's traceback, shown as the build's last lines, is fine)."""
    assert result.stderr.startswith("error:"), result
    assert not re.search(r"^Traceback", result.stderr, re.M), result
    assert f'File "{SRC / "satchel"}' not in result.stderr, result


# ---------------------------------------------------------------- file trees

_LAUNCHER_IMPORT = re.compile(rb"^from (\S+) import (\S+)$", re.M)


def _launcher(data: bytes, env: Path) -> str | None:
    """`launcher:<module>:<function>` for a console-script launcher of the env, else None."""
    if not data.startswith(b"#!" + str(env).encode() + b"/bin/python") or b"sys.exit(" not in data:
        return None
    found = _LAUNCHER_IMPORT.search(data)
    return f"launcher:{found.group(1).decode()}:{found.group(2).decode()}" if found else None


def _record(data: bytes, directory: str, side_specific: set[str]) -> str:
    """A RECORD as a set of lines: INSTALLER's line left out; the hash and size dropped for the
    files that name their side (launchers, .pth files of editable installs)."""
    lines = set()
    for line in data.decode().splitlines():
        path = line.rsplit(",", 2)[0]
        if path.endswith(".dist-info/INSTALLER"):
            continue
        if os.path.normpath(os.path.join(directory, path)) in side_specific:
            line = f"{path},<names its side>"
        lines.add(line)
    return "record:" + hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]


def tree(env: Path, root: Path | None = None) -> dict[str, str]:
    """Relative path -> what it is, for every path in `env` (satchel's state dir, bytecode and
    the .git of VCS checkouts aside), with `root` (default: the env) replaced by <ROOT> in every
    file and normalised as the module docstring says, so two sides' trees compare."""
    marker = str(root or env).encode()
    out: dict[str, str] = {}
    records: list[tuple[str, Path]] = []
    side_specific: set[str] = set()
    for top, dirs, files in os.walk(env):
        dirs[:] = sorted(d for d in dirs if d not in (".satchel", "__pycache__", ".git"))
        for name in dirs + files:
            path = Path(top, name)
            rel = str(path.relative_to(env))
            in_dist_info = top.endswith(".dist-info")
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path).replace(marker.decode(), "<ROOT>")
            elif path.is_dir():
                out[rel] = "dir"
            elif name.endswith(".pyc"):
                continue
            elif in_dist_info and name == "INSTALLER":
                out[rel] = "installer"
            elif in_dist_info and name == "RECORD":
                records.append((rel, path))
            else:
                data = path.read_bytes()
                if marker in data:
                    side_specific.add(rel)
                normalised = data.replace(marker, b"<ROOT>")
                launcher = _launcher(data, env) if rel.startswith("bin/") else None
                if in_dist_info and name == "direct_url.json":
                    out[rel] = "direct_url:" + json.dumps(json.loads(normalised), sort_keys=True)
                elif launcher is not None:
                    out[rel] = launcher + oct(path.stat().st_mode & 0o777)
                else:
                    out[rel] = hashlib.sha256(normalised).hexdigest()[:16] + oct(path.stat().st_mode & 0o777)
    for rel, path in records:
        out[rel] = _record(path.read_bytes(), os.path.dirname(os.path.dirname(rel)), side_specific)
    return out


def tree_diff(mine: dict[str, str], theirs: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    """path -> (satchel's, pip's) for every path where the two differ."""
    return {k: (mine.get(k), theirs.get(k)) for k in sorted(set(mine) | set(theirs)) if mine.get(k) != theirs.get(k)}


# ---------------------------------------------------------------- satchel beside pip


class Pair:
    """satchel's side (`ours_root`, its environment `ours`) and pip's (`theirs_root`, `theirs`):
    two directories of the same basename's environment, made with `satchel venv --without-pip`;
    one build index for both."""

    def __init__(self, tmp_path: Path, index_url: str, name: str = "env") -> None:
        self.index_url = index_url
        self.ours_root, self.theirs_root = tmp_path / "satchel", tmp_path / "pip"
        self.ours = new_env(self.ours_root / name)
        self.theirs = new_env(self.theirs_root / name)

    def write(self, make: Callable[[Path], object]) -> None:
        """`make(root)` on both sides (e.g. write the projects to build)."""
        make(self.ours_root)
        make(self.theirs_root)

    def install(self, *args: str, cwd: str | None = None, parallel: bool = True):  # type: ignore[no-untyped-def]
        """satchel and pip with the same arguments (`{root}`: the side's directory), at once
        unless `parallel` is off; (satchel's Result, pip's CompletedProcess)."""

        def side(root: Path) -> tuple[list[str], Path | None]:
            where = Path(cwd.replace("{root}", str(root))) if cwd else None
            return [a.replace("{root}", str(root)) for a in args], where

        (mine, my_cwd), (their_args, their_cwd) = side(self.ours_root), side(self.theirs_root)
        if not parallel:
            theirs = pip_install(self.theirs, self.index_url, *their_args, cwd=their_cwd)
            return satchel_install(self.ours, self.index_url, *mine, cwd=my_cwd), theirs
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(pip_install, self.theirs, self.index_url, *their_args, cwd=their_cwd)
            ours = satchel_install(self.ours, self.index_url, *mine, cwd=my_cwd)
            return ours, pending.result()

    def trees(self) -> tuple[dict[str, str], dict[str, str]]:
        return tree(self.ours, self.ours_root), tree(self.theirs, self.theirs_root)

    def direct_urls(self, name: str) -> tuple[dict[str, object] | None, dict[str, object] | None]:
        """Both sides' direct_url.json of `name`, each side's directory replaced by <ROOT>."""
        return direct_url(self.ours, name, self.ours_root), direct_url(self.theirs, name, self.theirs_root)

    def assert_same(  # type: ignore[no-untyped-def]
        self, ours, theirs, *, closing: bool = True, freeze: bool = True
    ) -> None:
        """Both succeeded (satchel without a traceback); the same files (so pip's freeze of either
        is the same); `satchel freeze` of satchel's env says what `pip freeze` says of pip's; the
        same closing line."""
        assert theirs.returncode == 0, f"pip failed:\n{theirs.stdout}\n{theirs.stderr}"
        assert ours.returncode == 0, ours
        assert "Traceback" not in ours.stderr, ours
        diff = tree_diff(*self.trees())
        assert diff == {}, f"(satchel's, pip's) where they differ: {diff}"
        if freeze:
            mine, reference = freeze_satchel(self.ours, self.ours_root), freeze_pip(self.theirs, self.theirs_root)
            assert mine == reference, f"satchel freeze:\n{mine}\npip freeze:\n{reference}"
        if closing:
            assert last_line(ours.stdout) == last_line(theirs.stdout), (ours.stdout, theirs.stdout)
