"""Git requirement URLs as pip reads them (`git+https://host/repo.git@v1.0#subdirectory=pkg`),
taken apart into a `VcsUrl`. Pure: no I/O.

`parse_vcs_url(url)`: the revision is whatever follows the last `@` of the URL's *path* (never
the `user@` of the host part); `#subdirectory=` names the project inside the repository;
`&egg=` is allowed and ignored. Only git is supported: `hg+`, `svn+` and `bzr+` URLs are a
`UsageError`, as is anything git would read as an option or an expression.

Import rule: errors, urls and the stdlib only.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from satchel.errors import UsageError
from satchel.urls import is_file_url, redact_text, redact_vcs_url

__all__ = ["VcsUrl", "parse_vcs_url"]

_OTHER_VCS = {"hg": "Mercurial", "svn": "Subversion", "bzr": "Bazaar"}
_GIT_TRANSPORTS = frozenset({"http", "https", "ssh", "git", "file"})
# Characters git forbids in ref names and that would make a revision an expression or an option.
_BAD_REV = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|^-")


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
