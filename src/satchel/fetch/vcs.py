"""Git checkouts for VCS requirements (`git+https://host/repo@v1.0#subdirectory=pkg`).

This module owns three steps, each small and each a separate function:

- `parse_vcs_url(url)`: pip's reading of a VCS URL into a `VcsUrl` (pure; no I/O). The
  revision is whatever follows the last `@` of the URL's *path* (never the `user@` of the
  host part); `#subdirectory=` names the project inside the repository; `&egg=` is allowed
  and ignored. Only git is supported: `hg+`, `svn+` and `bzr+` URLs are a `UsageError`.
- `resolve_commit(url)`: the 40-hex commit the revision names, as cheaply as possible: a full
  sha without contacting the remote, a branch, tag or ref with one `git ls-remote`, an
  abbreviated sha by fetching into the clone cache.
- `checkout(url, commit, dest)`: a self-contained working tree of that commit (submodules
  initialised recursively, as pip does), made from the clone cache so that a commit already
  fetched needs no network.

Clone cache (bucket `vcs-v1`): one bare mirror per repository URL,

    <cache>/vcs-v1/git/<sha256(repo URL)[:32]>/

cloned into a temporary directory beside it and renamed into place (a concurrent satchel that
loses the race uses the winner's), and fetched again only when a wanted commit is missing.

git runs as a subprocess with GIT_TERMINAL_PROMPT=0 and every output captured. Repository
URLs may carry `user:token@`: every message, git's stderr included, is redacted first.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass

from satchel.cache.store import cache_root
from satchel.errors import OperationError, UsageError
from satchel.urls import is_file_url, redact_text, redact_vcs_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Sequence

__all__ = ["VcsUrl", "checkout", "git_available", "parse_vcs_url", "resolve_commit"]

_BUCKET = ("vcs-v1", "git")
_OTHER_VCS = {"hg": "Mercurial", "svn": "Subversion", "bzr": "Bazaar"}
_GIT_TRANSPORTS = frozenset({"http", "https", "ssh", "git", "file"})
_FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")
_SHORT_SHA = re.compile(r"[0-9a-fA-F]{4,39}")
# Characters git forbids in ref names and that would make a revision an expression or an option.
_BAD_REV = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|^-")
# Variables that would point git at some other repository than the one we name (hooks set them).
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
)  # fmt: skip
_GENERIC_FATAL = "Could not read from remote repository."
_INSTALL_GIT_HINT = "install git (for example `apt install git` or `brew install git`) and make sure it is on PATH"


@dataclass(frozen=True, slots=True)
class VcsUrl:
    """A git requirement URL, taken apart: what to clone, which revision, which directory."""

    vcs: str
    repo: str
    rev: str | None
    subdirectory: str | None

    def display(self) -> str:
        """The URL in pip's form with any credentials replaced by `****`, for messages."""
        text = f"{self.vcs}+{redact_vcs_url(self.repo)}"
        if self.rev is not None:
            text += f"@{self.rev}"
        if self.subdirectory is not None:
            text += f"#subdirectory={self.subdirectory}"
        return text


# ---- parsing (pure) ---------------------------------------------------------------------------


def parse_vcs_url(url: str) -> VcsUrl:
    """pip's reading of `git+<transport>://...[@rev][#subdirectory=dir]` (and `git+user@host:path`)."""
    text = url.strip()
    shown = redact_text(text, url=text)
    body, _, fragment = text.partition("#")
    vcs, transport, rest = _split_scheme(body, shown)
    if "://" in rest or transport == "file":
        repo, rev = _split_url_rev(transport, rest, shown)
    else:
        repo, rev = _split_scp_rev(rest, shown)
    if repo.startswith("-"):
        raise UsageError(f"not a valid git URL: {shown}", input=shown)
    if rev is not None and _BAD_REV.search(rev):
        raise UsageError(
            f"not a valid git revision: '{rev}'",
            input=shown,
            hint="after '@' give a branch, a tag, a commit sha or a ref such as refs/pull/1/head",
        )
    return VcsUrl(vcs=vcs, repo=repo, rev=rev, subdirectory=_subdirectory(fragment, shown))


def _split_scheme(body: str, shown: str) -> tuple[str, str, str]:
    """('git', transport, rest after 'git+'); UsageError for another VCS or a URL that isn't one."""
    if body.lower().startswith("git://"):  # pip accepts plain git:// URLs
        return "git", "git", body
    head, plus, rest = body.partition("+")
    vcs = head.lower()
    if plus and vcs in _OTHER_VCS:
        raise UsageError(
            f"satchel supports git only; {shown} is a {_OTHER_VCS[vcs]} URL",
            input=shown,
            hint="install it with pip, or point satchel at a git mirror or a source archive of the project",
        )
    if not plus or vcs != "git":
        raise UsageError(
            f"not a git URL: {shown}",
            input=shown,
            hint="write git URLs as git+https://host/repo.git@rev, git+ssh://..., or git+file:///path",
        )
    if not rest.strip():
        raise UsageError(
            f"the git URL {shown} names no repository", input=shown, hint="for example git+https://host/repo.git@v1.0"
        )
    transport = rest.split(":", 1)[0].lower() if "://" in rest or is_file_url(rest) else "ssh"
    if transport not in _GIT_TRANSPORTS:
        raise UsageError(
            f"unsupported git URL scheme 'git+{transport}' in {shown}",
            input=shown,
            hint="use git+https://, git+ssh://, git+http://, git+git:// or git+file://",
        )
    return "git", transport, rest


def _split_url_rev(transport: str, rest: str, shown: str) -> tuple[str, str | None]:
    """A `scheme://netloc/path[@rev]`: the rev follows the last '@' of the path, never the netloc's."""
    parts = urllib.parse.urlsplit(rest)
    path, rev = parts.path, None
    if "@" in path:
        path, rev = path.rsplit("@", 1)
        if not rev:
            raise UsageError(
                f"the git URL {shown} has an empty revision after '@'",
                input=shown,
                hint="name a branch, tag or commit after '@', or drop the '@'",
            )
    if not path.strip("/") or (transport != "file" and not parts.netloc):
        raise UsageError(f"the git URL {shown} names no repository", input=shown)
    scheme = parts.scheme.lower()
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, parts.query, "")), rev


def _split_scp_rev(rest: str, shown: str) -> tuple[str, str | None]:
    """git's scp-like `user@host:path[@rev]` form: the rev follows the last '@' after the ':'."""
    host, colon, path = rest.partition(":")
    if not colon or not host or not path:
        raise UsageError(
            f"not a git URL: {shown}",
            input=shown,
            hint="write git URLs as git+https://host/repo.git@rev, git+ssh://..., or git+file:///path",
        )
    rev = None
    if "@" in path:
        path, rev = path.rsplit("@", 1)
        if not rev:
            raise UsageError(f"the git URL {shown} has an empty revision after '@'", input=shown)
    if not path.strip("/"):
        raise UsageError(f"the git URL {shown} names no repository", input=shown)
    return f"{host}:{path}", rev


def _subdirectory(fragment: str, shown: str) -> str | None:
    """The relative, normalised `subdirectory=` of the fragment; None for the repository's root."""
    value = None
    for item in fragment.split("&"):
        key, _, raw = item.partition("=")
        if key == "subdirectory":
            value = urllib.parse.unquote(raw)
    if value is None:
        return None
    pieces = [p for p in re.split(r"[/\\]", value) if p not in ("", ".")]
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value) or ".." in pieces:
        raise UsageError(
            f"subdirectory '{value}' must be a path inside the repository",
            input=shown,
            hint="give it relative to the repository's root, without '..', e.g. #subdirectory=pkg",
        )
    return "/".join(pieces) or None


# ---- resolving a revision ---------------------------------------------------------------------


def resolve_commit(url: VcsUrl) -> str:
    """The full commit sha that `url.rev` names (None: the remote's HEAD), lower-cased."""
    rev = url.rev
    if rev is not None and _FULL_SHA.fullmatch(rev):
        return rev.lower()
    found = _from_ls_remote(url)
    if found is not None:
        return found
    if rev is not None and _SHORT_SHA.fullmatch(rev):
        return _abbreviated(url, rev)
    raise _no_such_rev(url, rev or "HEAD")


def _from_ls_remote(url: VcsUrl) -> str | None:
    """The sha of a branch, tag (peeled) or exact ref named `url.rev`, by one `git ls-remote`."""
    rev = url.rev or "HEAD"
    patterns = [rev, f"{rev}^{{}}"] if url.rev else ["HEAD"]
    result = _git_checked(["ls-remote", "--", url.repo, *patterns], url, "list the refs of")
    refs: dict[str, str] = {}
    for line in result.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if _FULL_SHA.fullmatch(sha):
            refs[ref.strip()] = sha.lower()
    for name in (f"refs/tags/{rev}^{{}}", f"refs/heads/{rev}", f"refs/tags/{rev}", rev):
        if name in refs:
            return refs[name]
    return None


def _abbreviated(url: VcsUrl, rev: str) -> str:
    """An abbreviated sha, looked up in the mirror (fetched first if it doesn't know it yet)."""
    mirror, fresh = _ensure_mirror(url)
    found = _rev_parse(mirror, rev, url)
    if found is None and not fresh:
        _fetch(mirror, url, lambda: _rev_parse(mirror, rev, url) is not None)
        found = _rev_parse(mirror, rev, url)
    if found is None:
        raise _no_such_rev(url, rev)
    return found


def _rev_parse(repo_dir: str, rev: str, url: VcsUrl) -> str | None:
    result = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], url, cwd=repo_dir)
    sha = result.stdout.strip()
    return sha.lower() if result.returncode == 0 and _FULL_SHA.fullmatch(sha) else None


# ---- checking out -----------------------------------------------------------------------------


def checkout(url: VcsUrl, commit: str, dest: str) -> str:
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
    mirror = _mirror_with(url, commit)
    try:
        _git_checked(["clone", "-q", "--no-checkout", "--", mirror, dest], url, "copy the cached clone of")
        _git_checked(["remote", "set-url", "origin", url.repo], url, "configure the checkout of", cwd=dest)
        _git_checked(["checkout", "-q", "--detach", commit], url, f"check out {commit} of", cwd=dest)
        _update_submodules(url, dest)
        return _project_dir(url, dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def update_checkout(url: VcsUrl, commit: str, dest: str) -> str:
    """Move the existing checkout `dest` of the same repository to `commit` (an editable
    install's source, kept between installs as pip keeps `<env>/src/<name>`); returns the
    project directory. `UsageError` if `dest` is not a checkout of `url`'s repository."""
    if not _FULL_SHA.fullmatch(commit):
        raise UsageError(f"'{commit}' is not a full git commit sha", input=url.display())
    origin = _git(["remote", "get-url", "origin"], url, cwd=dest)
    if origin.returncode != 0 or origin.stdout.strip() != url.repo:
        raise UsageError(
            f"{dest} exists and is not a checkout of {_shown_repo(url)}.",
            input=url.display(),
            hint="remove or move that directory, or pass --src DIR to check out somewhere else.",
        )
    commit = commit.lower()
    if not _has_commit(dest, commit, url):
        mirror = _mirror_with(url, commit)
        _git_checked(["fetch", "-q", "--", mirror, commit], url, "update the checkout of", cwd=dest)
    _git_checked(["checkout", "-q", "--detach", commit], url, f"check out {commit} of", cwd=dest)
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
    _git_checked(args, url, "fetch the submodules of", cwd=dest, config=config)


def _project_dir(url: VcsUrl, dest: str) -> str:
    if url.subdirectory is None:
        return dest
    project = os.path.join(dest, *url.subdirectory.split("/"))
    inside = os.path.realpath(project).startswith(os.path.realpath(dest) + os.sep)
    if not inside or not os.path.isdir(project):
        raise UsageError(
            f"git repository {_shown_repo(url)} has no directory '{url.subdirectory}'",
            input=url.display(),
            hint="check #subdirectory= in the URL: it is relative to the repository's root",
        )
    return project


# ---- the clone cache --------------------------------------------------------------------------


def _mirror_path(repo: str) -> str:
    import hashlib

    key = hashlib.sha256(repo.encode("utf-8")).hexdigest()[:32]
    return os.path.join(cache_root(), *_BUCKET, key)


def _mirror_with(url: VcsUrl, commit: str) -> str:
    """The mirror of `url.repo`, fetched if it doesn't have `commit` yet; UsageError if the remote hasn't."""
    mirror, fresh = _ensure_mirror(url)
    if _has_commit(mirror, commit, url):
        return mirror
    if not fresh:
        _fetch(mirror, url, lambda: _has_commit(mirror, commit, url))
        if _has_commit(mirror, commit, url):
            return mirror
    # Not on any ref: servers that allow it (GitHub does) hand out a commit by its sha.
    _git(["fetch", "-q", "origin", commit], url, cwd=mirror)
    if _has_commit(mirror, commit, url):
        return mirror
    raise _no_such_rev(url, commit)


def _ensure_mirror(url: VcsUrl) -> tuple[str, bool]:
    """(the mirror's path, whether it was cloned just now); cloned beside it and renamed into place."""
    import shutil
    import tempfile

    mirror = _mirror_path(url.repo)
    if os.path.isdir(mirror):
        return mirror, False
    parent = os.path.dirname(mirror)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(mirror)}.", suffix=".tmp", dir=parent)
    try:
        _git_checked(["clone", "-q", "--mirror", "--", url.repo, tmp], url, "clone")
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


def _fetch(mirror: str, url: VcsUrl, done: Callable[[], bool]) -> None:
    """Bring the mirror up to date with every ref of the remote (OperationError if unreachable).

    A concurrent satchel fetching into the same mirror can make ours fail on a ref lock; that
    is no error if `done()` says what we wanted has arrived.
    """
    try:
        _git_checked(["fetch", "-q", "--prune", "origin"], url, "fetch", cwd=mirror)
    except OperationError:
        if not done():
            raise


def _has_commit(repo_dir: str, commit: str, url: VcsUrl) -> bool:
    return _git(["cat-file", "-e", f"{commit}^{{commit}}"], url, cwd=repo_dir).returncode == 0


# ---- running git ------------------------------------------------------------------------------


def git_available() -> bool:
    """Whether a `git` executable is on PATH."""
    import shutil

    return shutil.which("git") is not None


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def _git(
    args: Sequence[str], url: VcsUrl, *, cwd: str | None = None, config: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run git without a terminal, all output captured; OperationError if git can't be run."""
    import subprocess

    command = ["git", *(part for item in config for part in ("-c", item)), *args]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=_git_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError as exc:
        if git_available():  # it was the working directory that was missing
            raise OperationError(f"can't run git in {cwd}: {exc.strerror}", input=url.display()) from None
        raise OperationError(
            f"can't fetch {url.display()}: git is not installed", input=url.display(), hint=_INSTALL_GIT_HINT
        ) from None
    except OSError as exc:
        raise OperationError(
            f"can't run git for {url.display()}: {exc.strerror or exc}", input=url.display(), hint=_INSTALL_GIT_HINT
        ) from None


def _git_checked(
    args: Sequence[str], url: VcsUrl, doing: str, *, cwd: str | None = None, config: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`_git`, and an OperationError with git's own (redacted) reason if it fails."""
    result = _git(args, url, cwd=cwd, config=config)
    if result.returncode != 0:
        stderr = redact_text(result.stderr, url=url.repo).strip()
        lines = stderr.splitlines()
        raise OperationError(
            f"can't {doing} git repository {_shown_repo(url)}: {_reason(stderr)}",
            input=url.display(),
            context="\n".join(lines[-10:]) if len(lines) > 1 else None,
            hint="check that the repository exists, that the URL is right and that you may read it",
        )
    return result


def _reason(stderr: str) -> str:
    """The line of git's stderr that says what went wrong: its first specific `fatal:`, else its
    first line (ssh's reason comes before git's generic "Could not read from remote repository")."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal:").strip() for line in lines if line.startswith("fatal:")]
    specific = [line for line in fatal if line != _GENERIC_FATAL]
    if specific:
        return specific[0]
    if not lines:
        return "git failed without saying why"
    return lines[0].removeprefix("error:").removeprefix("fatal:").strip()


def _no_such_rev(url: VcsUrl, rev: str) -> UsageError:
    return UsageError(
        f"git repository {_shown_repo(url)} has no branch, tag or commit '{rev}'",
        input=url.display(),
        hint=f"check the name after '@'; `git ls-remote {_shown_repo(url)}` lists the branches and tags",
    )


# ---- credentials ------------------------------------------------------------------------------


def _shown_repo(url: VcsUrl) -> str:
    return redact_vcs_url(url.repo)
