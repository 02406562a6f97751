"""The URL rules every layer shares: credentials kept out of what is shown or stored, `file:`
URLs and local paths, and which URLs name a version-control repository. Pure: no I/O beyond
`os.path.abspath`'s reading of the working directory.

One URL (its `user:password@` or `token@` part):

- `redact_url(url)`: pip's form for messages and logs, `user:****@` (a lone token `****@`).
- `redact_vcs_url(url)`: the same, except that an ssh login (`ssh://git@host/...`) is no
  secret and stays; scp-like `git@host:path` and other non-URLs are left as they are.
- `redact_git_remote(url)`: what `freeze` shows of a checkout's remote: `redact_url`, except
  that the user `git` stays.
- `direct_url_form(url)`: PEP 610's `direct_url.json` form: credentials removed, except the
  user `git` and an environment-variable placeholder (`${TOKEN}`).

Text that may hold URLs:

- `mask_credentials(text)`: every `scheme://user:pw@` with its password (or lone token) turned
  into as many `*`, so that an underline drawn under the text still lines up.
- `redact_text(text, url=...)`: every `scheme://userinfo@` in pip's form (an ssh login kept),
  and the secret of `url` masked wherever it appears, percent-decoded too (git's stderr).
- `without_credentials(text)`: every URL's whole userinfo as `****@`, for keys that are stored.

`file:` URLs: `is_file_url`, `file_url_to_path`, `local_path` (None for other URLs) and
`path_to_url`. Version control: `is_vcs_url` (`git+`, `hg+`, `svn+`, `bzr+`). The file a URL
names: `url_basename` (the last segment of its path, unquoted).

Import rule: the standard library only, nothing from satchel; every package may import it.
It is on the path of a no-op install and of a replay, so it imports nothing at module level:
`re`, `urllib.parse` and `pathlib` are imported inside the functions that use them.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable

__all__ = [
    "direct_url_form",
    "file_url_to_path",
    "is_file_url",
    "is_vcs_url",
    "local_path",
    "mask_credentials",
    "path_to_url",
    "redact_git_remote",
    "redact_text",
    "redact_url",
    "redact_vcs_url",
    "url_basename",
    "without_credentials",
]

_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
# scheme://userinfo@ -- what a URL's credentials look like inside text
_USERINFO = r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@"
_URL_AUTH = r"(\b[A-Za-z][\w+.-]*://)([^/@\s]+)@"
_MIN_SECRET = 6  # shorter "passwords" are masked only inside URLs, not as bare words
_KEY_STOPS = "/ \t\r\n?#\"'"  # where a URL's authority ends, for `without_credentials`


# ---------------------------------------------------------------- file: URLs and paths


def is_file_url(url: str) -> bool:
    """Whether `url` is a `file:` URL (the scheme in any case)."""
    return url[:5].lower() == "file:"


def file_url_to_path(url: str) -> str:
    """The local path a `file:` URL names (its path, percent-decoded; on Windows, in its form)."""
    from urllib.parse import unquote, urlsplit

    path = urlsplit(url).path
    if os.name == "nt":
        from urllib.request import url2pathname  # http.client and more: only where needed

        return url2pathname(path)
    return unquote(path)


def local_path(url: str) -> str | None:
    """The path a `file:` URL names; None for any other URL."""
    return file_url_to_path(url) if is_file_url(url) else None


def path_to_url(path: str) -> str:
    """The `file:` URL of a path, made absolute (against the working directory) and normalised."""
    import pathlib

    return pathlib.Path(os.path.abspath(path)).as_uri()


def url_basename(url: str) -> str:
    """The last segment of the URL's path, unquoted (`https://h/a/x%2B1.whl?q` -> `x+1.whl`)."""
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def is_vcs_url(url: str) -> bool:
    """Whether `url` names a version-control repository, as pip writes one (`git+https://...`)."""
    return url.startswith(_VCS_PREFIXES)


# ---------------------------------------------------------------- one URL's credentials


def redact_url(url: str) -> str:
    """`https://user:secret@host/x` -> `https://user:****@host/x`; a lone token becomes `****`."""
    return _replace_userinfo(url, lambda scheme, auth: _masked(auth))


def redact_vcs_url(url: str) -> str:
    """`redact_url`, except that an ssh login (`ssh://git@host`, `git@host:path`) is no secret."""
    if "://" not in url:
        return url
    return _replace_userinfo(url, lambda scheme, auth: None if _is_ssh(scheme) and ":" not in auth else _masked(auth))


def redact_git_remote(url: str) -> str:
    """A checkout's remote as `freeze` shows it: `redact_url`, except that the user `git` stays
    (freeze output is shown and shared, and satchel never prints credentials)."""
    return _replace_userinfo(url, lambda scheme, auth: None if auth == "git" else _masked(auth))


def direct_url_form(url: str) -> str:
    """A URL for direct_url.json as PEP 610 wants it: no credentials, except a bare `git@`
    user and environment-variable placeholders (`${TOKEN}`)."""
    return _replace_userinfo(url, lambda scheme, auth: None if auth == "git" or _is_placeholder(auth) else "")


def _replace_userinfo(url: str, replacement: Callable[[str, str], str | None]) -> str:
    """`url` with its `userinfo@` replaced by `replacement(scheme, userinfo)` (None: `url` as it is)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    auth, host = parts.netloc.rsplit("@", 1)
    shown = replacement(parts.scheme, auth)
    if shown is None:
        return url
    return urlunsplit(parts._replace(netloc=shown + host))


def _masked(auth: str, scheme: str = "") -> str:
    """The `user:****@` (or `****@`) that replaces `auth@`; an ssh user name alone is kept."""
    user, colon, _password = auth.partition(":")
    if colon:
        return f"{user}:****@"
    return f"{auth}@" if _is_ssh(scheme) else "****@"


def _is_ssh(scheme: str) -> bool:
    """`ssh`, `git+ssh` (with or without `://`): a user name there is a login, not a token."""
    return scheme.lower().removesuffix("://").rpartition("+")[2] == "ssh"


def _is_placeholder(auth: str) -> bool:
    return auth.startswith("${") and auth.endswith("}")


# ---------------------------------------------------------------- text that may hold URLs


def mask_credentials(text: str) -> str:
    """`text` with the password (or a lone token) of every `scheme://user:pw@` masked by `*`
    (as many as it has characters, so that the text keeps its length)."""
    import re

    def mask(match: re.Match[str]) -> str:
        user, colon, password = match["userinfo"].partition(":")
        if colon:
            hidden = f"{user}:{'*' * len(password)}"
        else:
            hidden = "*" * len(user)
        return f"{match['scheme']}{hidden}@"

    return re.sub(_USERINFO, mask, text)


def redact_text(text: str, *, url: str = "") -> str:
    """`text` with the credentials of `url`, and those of any `scheme://user:pass@` in it, masked.

    git prints URLs as it was given them (older versions) or anonymised (newer ones); a secret
    long enough to be a real one is masked wherever it appears, percent-decoded too.
    """
    import re
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url) if "://" in url else None
    auth = parts.netloc.rpartition("@")[0] if parts else ""
    if auth and not (parts and _is_ssh(parts.scheme) and ":" not in auth):
        secret = auth.partition(":")[2] if ":" in auth else auth
        for form in sorted({auth, unquote(auth)}, key=len, reverse=True):
            text = text.replace(f"{form}@", _masked(form))
        for form in sorted({secret, unquote(secret)}, key=len, reverse=True):
            if len(form) >= _MIN_SECRET:
                text = text.replace(form, "****")
    return re.sub(_URL_AUTH, lambda m: m.group(1) + _masked(m.group(2), m.group(1)), text)


def without_credentials(text: str) -> str:
    """`text` with the user:password@ (or token@) of every URL in it replaced by ****@: keys
    are stored, and credentials are never written to the cache. (Needs no `re`: it runs on
    every no-op install.)"""
    if "@" not in text or "://" not in text:
        return text
    out = []
    rest = text
    while (start := rest.find("://")) >= 0:
        out.append(rest[: start + 3])
        rest = rest[start + 3 :]
        end = len(rest)
        for stop in _KEY_STOPS:
            found = rest.find(stop)
            if 0 <= found < end:
                end = found
        at = rest.rfind("@", 0, end)
        if at >= 0:
            out.append("****@")
            rest = rest[at + 1 :]
    out.append(rest)
    return "".join(out)
