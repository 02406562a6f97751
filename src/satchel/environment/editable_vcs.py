"""What pip freeze says of an editable install whose project lives in a git checkout: the
requirement that gets the same source again (`-e git+<remote>@<commit>#egg=<name>`, with
`&subdirectory=` for a project below the repository root), or the comment pip prints when
the checkout has no usable remote. Only git is asked (the one VCS satchel installs from).

The only module of this layer that runs subprocesses; freeze calls it for editables only.
"""

from __future__ import annotations

import os
import re
import subprocess

from satchel.urls import path_to_url, redact_git_remote

__all__ = ["editable_git_entry"]

# git's scp-like remote form, `user@host:path` (the path must not look like a drive letter)
_SCP = re.compile(r"^(\w+@)?([^/:]+):(\w[^:]*)$")


def _git(location: str, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=location, capture_output=True, text=True, stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _repository_root(location: str) -> str | None:
    if os.path.exists(os.path.join(location, ".git")):
        return location
    top = _git(location, "rev-parse", "--show-toplevel")
    return os.path.normpath(top.strip()) if top else None


def _pip_url(remote: str) -> str | None:
    """A git remote as pip writes it: URLs as they are, local paths as file:// URIs, the
    scp-like form as ssh://; None when it is none of these."""
    if re.match(r"\w+://", remote):
        return remote
    if os.path.exists(remote):
        return path_to_url(remote)
    match = _SCP.match(remote)
    return match.expand(r"ssh://\1\2/\3") if match else None


def _project_root(location: str) -> str | None:
    while not (os.path.isfile(os.path.join(location, "pyproject.toml")) or os.path.isfile(os.path.join(location, "setup.py"))):
        parent = os.path.dirname(location)
        if parent == location:
            return None
        location = parent
    return location


def editable_git_entry(location: str, name: str, display: str) -> list[str] | None:
    """pip freeze's lines for the editable `name` (shown as `display`, "name==1.0") installed
    from `location`; None when `location` is not in a git checkout (or git is missing)."""
    location = os.path.normcase(os.path.abspath(location))
    root = _repository_root(location)
    if root is None:
        return None
    remotes = (_git(location, "config", "--get-regexp", r"remote\..*\.url") or "").splitlines()
    if not remotes:
        return [f"# Editable Git install with no remote ({display})", f"-e {location}"]
    chosen = next((r for r in remotes if r.startswith("remote.origin.url ")), remotes[0])
    remote = chosen.split(" ")[1].strip()  # as pip reads it (a remote with spaces is cut there)
    url = _pip_url(remote)
    if url is None:
        return [f"# Editable Git install ({display}) with either a deleted local remote or invalid URI:",
                f"# '{remote}'", f"-e {location}"]  # fmt: skip
    revision = (_git(location, "rev-parse", "HEAD") or "").strip()
    if not revision:
        return ["## !! Could not determine repository location", f"-e {location}"]
    url = redact_git_remote(url)  # freeze output is shown and shared: no credentials
    if not url.lower().startswith("git:"):
        url = "git+" + url
    from urllib.parse import quote

    requirement = f"{url}@{quote(revision, '/')}#egg={name.replace('-', '_')}"
    project = _project_root(location)
    git_dir = (_git(location, "rev-parse", "--git-dir") or ".git").strip()
    repo_root = os.path.abspath(os.path.join(git_dir if os.path.isabs(git_dir) else os.path.join(location, git_dir), ".."))
    if project is not None and not os.path.samefile(repo_root, project):
        requirement += f"&subdirectory={os.path.relpath(project, repo_root)}"
    return [f"-e {requirement}"]
