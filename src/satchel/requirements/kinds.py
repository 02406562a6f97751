"""How pip tells what kind of location a requirement's text names, from the text alone: a URL
(a scheme pip can fetch, or a version-control scheme such as `git+https`), an archive (by its
file name's extension), or path-like text (a separator, or a leading `.`). No I/O: whether a
path-like text is a directory is asked by `satchel.requirements.requirement_text`, through an
injected function.

Import rule: the standard library only.
"""

from __future__ import annotations

import os
import urllib.parse

__all__ = [
    "ARCHIVE_EXTENSIONS",
    "URL_SCHEMES",
    "VCS_NAMES",
    "VCS_SCHEMES",
    "is_archive",
    "is_url",
    "is_vcs",
    "looks_like_path",
]

VCS_NAMES = ("bzr", "git", "hg", "svn")
VCS_SCHEMES = frozenset(
    {"bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file"}
    | {"git+http", "git+https", "git+ssh", "git+git", "git+file"}
    | {"hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http"}
    | {"svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file"}
)
URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
    ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
)  # fmt: skip


def is_url(text: str) -> bool:
    """Whether pip takes `text` for a URL: a scheme it can fetch or a VCS scheme."""
    return urllib.parse.urlsplit(text).scheme.lower() in URL_SCHEMES


def looks_like_path(text: str) -> bool:
    """Whether pip takes `text` for a path (when it is a directory): a separator in it, or a leading `.`."""
    return os.sep in text or bool(os.altsep and os.altsep in text) or text.startswith(".")


def is_archive(text: str) -> bool:
    """Whether `text` names an archive pip installs from (a wheel, an sdist's zip or tar)."""
    return text.lower().endswith(ARCHIVE_EXTENSIONS)


def is_vcs(url: str) -> bool:
    """Whether `url`'s scheme is a version-control one (`git+https`, `hg+ssh`, ...)."""
    return urllib.parse.urlsplit(url).scheme.lower() in VCS_SCHEMES
