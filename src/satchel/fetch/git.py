"""Running git: a subprocess without a terminal (GIT_TERMINAL_PROMPT=0), every output
captured, none of the variables a hook may have set that would point git at another
repository; and git's failures as satchel errors that say, in git's own words, what went
wrong. Repository URLs may carry `user:token@`: every message, git's stderr included, is
redacted first.

    result = run(["rev-parse", "HEAD"], url, cwd=checkout)        # CompletedProcess
    run_checked(["ls-remote", "--", url.repo], url, "list the refs of")   # OperationError on failure

Import rule: errors, urls, fetch.vcs_url (types) and the stdlib only.
"""

from __future__ import annotations

import os

from satchel.errors import OperationError, UsageError
from satchel.urls import redact_text, redact_vcs_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Sequence

    from satchel.fetch.vcs_url import VcsUrl

__all__ = ["git_available", "git_env", "no_such_rev", "run", "run_checked"]

# Variables that would point git at some other repository than the one we name (hooks set them).
_REPO_ENV = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
)  # fmt: skip
_GENERIC_FATAL = "Could not read from remote repository."
_INSTALL_GIT_HINT = "install git (for example `apt install git` or `brew install git`) and make sure it is on PATH"


def git_available() -> bool:
    """Whether a `git` executable is on PATH."""
    import shutil

    return shutil.which("git") is not None


def git_env() -> dict[str, str]:
    """The environment git runs in: ours, without the repository-pointing variables, no prompts."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def run(
    args: Sequence[str], url: VcsUrl, *, cwd: str | None = None, config: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run git without a terminal, all output captured; OperationError if git can't be run."""
    import subprocess

    command = ["git", *(part for item in config for part in ("-c", item)), *args]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=git_env(),
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


def run_checked(
    args: Sequence[str], url: VcsUrl, doing: str, *, cwd: str | None = None, config: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`run`, and an OperationError with git's own (redacted) reason if it fails."""
    result = run(args, url, cwd=cwd, config=config)
    if result.returncode != 0:
        stderr = redact_text(result.stderr, url=url.repo).strip()
        lines = stderr.splitlines()
        raise OperationError(
            f"can't {doing} git repository {redact_vcs_url(url.repo)}: {_reason(stderr)}",
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


def no_such_rev(url: VcsUrl, rev: str) -> UsageError:
    """The error for a revision the repository doesn't have (raised by the caller)."""
    return UsageError(
        f"git repository {redact_vcs_url(url.repo)} has no branch, tag or commit '{rev}'",
        input=url.display(),
        hint=f"check the name after '@'; `git ls-remote {redact_vcs_url(url.repo)}` lists the branches and tags",
    )
