"""The clone cache (bucket `vcs-v1`): one bare mirror per repository URL,

    <cache>/vcs-v1/git/<sha256(repo URL)[:32]>/

cloned into a temporary directory beside it and renamed into place (a concurrent satchel that
loses the race uses the winner's), and fetched again only when a wanted commit is missing, so
that a commit already fetched needs no network.

    mirror = mirror_with(url, commit)     # a mirror holding `commit`; UsageError if the remote hasn't it

Import rule: cache, errors, fetch (git, vcs_url types) and the stdlib only.
"""

from __future__ import annotations

import os

from satchel.errors import OperationError
from satchel.fetch import git

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from satchel.fetch.vcs_url import VcsUrl

__all__ = ["ensure_mirror", "fetch_all", "has_commit", "mirror_with"]

def _mirror_path(repo: str, mirrors: str) -> str:
    import hashlib

    key = hashlib.sha256(repo.encode("utf-8")).hexdigest()[:32]
    return os.path.join(mirrors, key)


def mirror_with(url: VcsUrl, commit: str, mirrors: str) -> str:
    """The mirror of `url.repo` (in the directory `mirrors`), fetched if it doesn't have `commit` yet; UsageError if the remote hasn't."""
    mirror, fresh = ensure_mirror(url, mirrors)
    if has_commit(mirror, commit, url):
        return mirror
    if not fresh:
        fetch_all(mirror, url, lambda: has_commit(mirror, commit, url))
        if has_commit(mirror, commit, url):
            return mirror
    # Not on any ref: servers that allow it (GitHub does) hand out a commit by its sha.
    git.run(["fetch", "-q", "origin", commit], url, cwd=mirror)
    if has_commit(mirror, commit, url):
        return mirror
    raise git.no_such_rev(url, commit)


def ensure_mirror(url: VcsUrl, mirrors: str) -> tuple[str, bool]:
    """(the mirror's path, whether it was cloned just now); cloned beside it and renamed into place."""
    import shutil
    import tempfile

    mirror = _mirror_path(url.repo, mirrors)
    if os.path.isdir(mirror):
        return mirror, False
    parent = os.path.dirname(mirror)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(mirror)}.", suffix=".tmp", dir=parent)
    try:
        git.run_checked(["clone", "-q", "--mirror", "--", url.repo, tmp], url, "clone")
        try:
            os.rename(tmp, mirror)
        except OSError:
            if not os.path.isdir(mirror):
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another satchel won the race: use its mirror
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return mirror, True


def fetch_all(mirror: str, url: VcsUrl, done: Callable[[], bool]) -> None:
    """Bring the mirror up to date with every ref of the remote (OperationError if unreachable).

    A concurrent satchel fetching into the same mirror can make ours fail on a ref lock; that
    is no error if `done()` says what we wanted has arrived.
    """
    try:
        git.run_checked(["fetch", "-q", "--prune", "origin"], url, "fetch", cwd=mirror)
    except OperationError:
        if not done():
            raise


def has_commit(repo_dir: str, commit: str, url: VcsUrl) -> bool:
    return git.run(["cat-file", "-e", f"{commit}^{{commit}}"], url, cwd=repo_dir).returncode == 0
