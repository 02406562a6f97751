"""Git checkouts for VCS requirements (`git+https://host/repo@v1.0#subdirectory=pkg`): the
revision's commit, and a working tree of it.

- `resolve_commit(url)`: the 40-hex commit the revision names, as cheaply as possible: a full
  sha without contacting the remote, a branch, tag or ref with one `git ls-remote`, an
  abbreviated sha by fetching into the clone cache.
- `checkout(url, commit, dest)`: a self-contained working tree of that commit (submodules
  initialised recursively, as pip does), made from the clone cache so that a commit already
  fetched needs no network; `update_checkout` moves an existing one (an editable's source).

The parts: reading the URL (`fetch.vcs_url`: `parse_vcs_url`, `VcsUrl`), running git
(`fetch.git`) and the clone cache (`fetch.git_mirror`).

Import rule: errors, urls, fetch (vcs_url, git, git_mirror) and the stdlib only.
"""

from __future__ import annotations

import os
import re

from satchel.errors import UsageError
from satchel.fetch import git, git_mirror
from satchel.urls import is_file_url, redact_vcs_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.fetch.vcs_url import VcsUrl

__all__ = ["checkout", "resolve_commit", "update_checkout"]

_FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")
_SHORT_SHA = re.compile(r"[0-9a-fA-F]{4,39}")


# ---- resolving a revision ---------------------------------------------------------------------


def resolve_commit(url: VcsUrl, mirrors: str) -> str:
    """The full commit sha that `url.rev` names (None: the remote's HEAD), lower-cased;
    `mirrors`: where the cached clones are (`cache.part("vcs", "git")`)."""
    rev = url.rev
    if rev is not None and _FULL_SHA.fullmatch(rev):
        return rev.lower()
    found = _from_ls_remote(url)
    if found is not None:
        return found
    if rev is not None and _SHORT_SHA.fullmatch(rev):
        return _abbreviated(url, rev, mirrors)
    raise git.no_such_rev(url, rev or "HEAD")


def _from_ls_remote(url: VcsUrl) -> str | None:
    """The sha of a branch, tag (peeled) or exact ref named `url.rev`, by one `git ls-remote`."""
    rev = url.rev or "HEAD"
    patterns = [rev, f"{rev}^{{}}"] if url.rev else ["HEAD"]
    result = git.run_checked(["ls-remote", "--", url.repo, *patterns], url, "list the refs of")
    refs: dict[str, str] = {}
    for line in result.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if _FULL_SHA.fullmatch(sha):
            refs[ref.strip()] = sha.lower()
    for name in (f"refs/tags/{rev}^{{}}", f"refs/heads/{rev}", f"refs/tags/{rev}", rev):
        if name in refs:
            return refs[name]
    return None


def _abbreviated(url: VcsUrl, rev: str, mirrors: str) -> str:
    """An abbreviated sha, looked up in the mirror (fetched first if it doesn't know it yet)."""
    mirror, fresh = git_mirror.ensure_mirror(url, mirrors)
    found = _rev_parse(mirror, rev, url)
    if found is None and not fresh:
        git_mirror.fetch_all(mirror, url, lambda: _rev_parse(mirror, rev, url) is not None)
        found = _rev_parse(mirror, rev, url)
    if found is None:
        raise git.no_such_rev(url, rev)
    return found


def _rev_parse(repo_dir: str, rev: str, url: VcsUrl) -> str | None:
    result = git.run(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], url, cwd=repo_dir)
    sha = result.stdout.strip()
    return sha.lower() if result.returncode == 0 and _FULL_SHA.fullmatch(sha) else None


# ---- checking out -----------------------------------------------------------------------------


def checkout(url: VcsUrl, commit: str, dest: str, mirrors: str) -> str:
    """A working tree of `commit` at the new directory `dest`; returns the project directory in it.

    The tree is cloned from the mirror and then independent of it (its `origin` is the user's
    URL again). On any failure `dest` is removed, so the caller can retry or report.
    """
    import shutil

    if not _FULL_SHA.fullmatch(commit):
        raise UsageError(f"'{commit}' is not a full git commit sha", input=url.display())
    if os.path.lexists(dest):
        raise UsageError(f"can't check out {url.display()} into {dest}: it already exists", input=url.display())
    commit = commit.lower()
    mirror = git_mirror.mirror_with(url, commit, mirrors)
    try:
        git.run_checked(["clone", "-q", "--no-checkout", "--", mirror, dest], url, "copy the cached clone of")
        git.run_checked(["remote", "set-url", "origin", url.repo], url, "configure the checkout of", cwd=dest)
        git.run_checked(["checkout", "-q", "--detach", commit], url, f"check out {commit} of", cwd=dest)
        _update_submodules(url, dest)
        return _project_dir(url, dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def update_checkout(url: VcsUrl, commit: str, dest: str, mirrors: str) -> str:
    """Move the existing checkout `dest` of the same repository to `commit` (an editable
    install's source, kept between installs as pip keeps `<env>/src/<name>`); returns the
    project directory. `UsageError` if `dest` is not a checkout of `url`'s repository."""
    if not _FULL_SHA.fullmatch(commit):
        raise UsageError(f"'{commit}' is not a full git commit sha", input=url.display())
    origin = git.run(["remote", "get-url", "origin"], url, cwd=dest)
    if origin.returncode != 0 or origin.stdout.strip() != url.repo:
        raise UsageError(
            f"{dest} exists and is not a checkout of {redact_vcs_url(url.repo)}.",
            input=url.display(),
            hint="remove or move that directory, or pass --src DIR to check out somewhere else.",
        )
    commit = commit.lower()
    if not git_mirror.has_commit(dest, commit, url):
        mirror = git_mirror.mirror_with(url, commit, mirrors)
        git.run_checked(["fetch", "-q", "--", mirror, commit], url, "update the checkout of", cwd=dest)
    git.run_checked(["checkout", "-q", "--detach", commit], url, f"check out {commit} of", cwd=dest)
    _update_submodules(url, dest)
    return _project_dir(url, dest)


def _update_submodules(url: VcsUrl, dest: str) -> None:
    """Initialise submodules recursively, as pip does.

    git refuses file:// submodules by default (CVE-2022-39253); they are allowed when the
    repository itself is local, whose owner chose them, never for a remote one.
    """
    if not os.path.exists(os.path.join(dest, ".gitmodules")):
        return
    local = is_file_url(url.repo)
    config = ["protocol.file.allow=always"] if local else []
    args = ["submodule", "update", "--init", "--recursive", "-q"]
    git.run_checked(args, url, "fetch the submodules of", cwd=dest, config=config)


def _project_dir(url: VcsUrl, dest: str) -> str:
    if url.subdirectory is None:
        return dest
    project = os.path.join(dest, *url.subdirectory.split("/"))
    inside = os.path.realpath(project).startswith(os.path.realpath(dest) + os.sep)
    if not inside or not os.path.isdir(project):
        raise UsageError(
            f"git repository {redact_vcs_url(url.repo)} has no directory '{url.subdirectory}'",
            input=url.display(),
            hint="check #subdirectory= in the URL: it is relative to the repository's root",
        )
    return project
