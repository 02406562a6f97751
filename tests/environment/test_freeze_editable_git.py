"""freeze of editable installs whose project is a git checkout, as pip freeze prints them:
`-e git+<remote>@<commit>#egg=<name>` (with `&subdirectory=` below the repository root), the
remote forms pip rewrites (local path, scp-like), and the comments for a checkout without a
remote or with one pip can't use."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_satchel, target_interpreters

from environment.test_freeze_list import newest_pip, pip  # noqa: F401  (a fixture, and pip's output)

PY = target_interpreters()[-1][1]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return proc.stdout.strip()


def add_editable(env: Path, project: Path, name: str) -> None:
    """An editable install as PEP 610 records it (what freeze reads), without building."""
    site = next(env.glob("lib/python3.*/site-packages"))
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n\n")
    (info / "RECORD").write_text("")
    (info / "direct_url.json").write_text(f'{{"url": "{project.as_uri()}", "dir_info": {{"editable": true}}}}')


REMOTES = {
    "no-remote": None,
    "https": "https://example.invalid/team/proj.git",
    "scp-like": "git@example.invalid:team/proj.git",
    "local-path": "LOCAL",
    "unusable": "not a url",
}


@pytest.mark.parametrize("remote", list(REMOTES), ids=list(REMOTES))
@pytest.mark.parametrize("subdirectory", [False, True], ids=["root", "subdirectory"])
def test_editable_in_a_git_checkout(tmp_path: Path, newest_pip: Path | None, remote: str, subdirectory: bool) -> None:  # noqa: F811
    if newest_pip is None:
        pytest.skip("the newest pip (the reference) can't be had here")
    env = tmp_path / "env"
    assert run_satchel("venv", "--without-pip", "-p", PY, str(env)).returncode == 0
    repo = tmp_path / "repo"
    project = repo / "pkg" if subdirectory else repo
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "edit-me"\nversion = "0.1"\n')
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    url = REMOTES[remote]
    if url == "LOCAL":
        bare = tmp_path / "bare.git"
        git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
        url = str(bare)
    if url is not None:
        git(repo, "remote", "add", "origin", url)
    add_editable(env, project, "edit-me")

    ours = run_satchel("freeze", "-p", str(env))
    assert ours.returncode == 0, ours
    assert ours.stdout == pip(env, "freeze", reference=newest_pip)
    if remote in ("https", "scp-like"):
        assert ours.stdout.startswith("-e git+") and git(repo, "rev-parse", "HEAD") in ours.stdout


def editable_checkout(tmp_path: Path, remote: str) -> tuple[Path, Path]:
    """An env with `edit-me` installed editable from a one-commit git checkout with `remote`."""
    env = tmp_path / "env"
    assert run_satchel("venv", "--without-pip", "-p", PY, str(env)).returncode == 0
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text('[project]\nname = "edit-me"\nversion = "0.1"\n')
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    git(repo, "remote", "add", "origin", remote)
    add_editable(env, repo, "edit-me")
    return env, repo


def test_freeze_follows_a_new_commit(tmp_path: Path) -> None:
    """Nothing in the environment changes when the checkout does: freeze must not answer from
    a remembered output."""
    env, repo = editable_checkout(tmp_path, "https://example.invalid/x.git")
    first = run_satchel("freeze", "-p", str(env)).stdout
    (repo / "README").write_text("more\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two")
    second = run_satchel("freeze", "-p", str(env)).stdout
    assert first != second and git(repo, "rev-parse", "HEAD") in second


def test_credentials_in_the_remote_are_not_printed(tmp_path: Path) -> None:
    env, _ = editable_checkout(tmp_path, "https://deploy:s3cret-token@example.invalid/x.git")
    out = run_satchel("freeze", "-p", str(env)).stdout
    assert "s3cret-token" not in out and "-e git+https://deploy:****@example.invalid/x.git@" in out
