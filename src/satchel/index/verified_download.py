"""Hash-checked downloads of one file: streamed to a temporary file beside the target while
hashing, the size and hashes the index gave and the user's --hash values checked, then renamed
into place; a mismatch raises `HashMismatch` and leaves no file. A transient network failure
is tried again, as the HTTP client's retry settings say.

    path = download(http, link, "/tmp/wheels", expected_hashes={"sha256": [digest]})
    verify(url, "metadata file", actual, len(body), link.metadata_hashes)   # or HashMismatch

Import rule: the stdlib, satchel.errors, satchel.urls and the index modules `http` and `links`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time

from satchel.errors import OperationError
from satchel.index.http import IndexUnavailable
from satchel.index.links import SUPPORTED_HASHES
from satchel.urls import redact_url, url_basename

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from typing import Any

    from satchel.index.http import HttpClient
    from satchel.index.links import FileLink

__all__ = ["HashMismatch", "download", "verify"]


class HashMismatch(OperationError):
    """A file (or a metadata file) is not what its hashes or size say it is."""

    code = "hash-mismatch"


def download(
    http: HttpClient, link: FileLink, dest_dir: str, *, expected_hashes: Mapping[str, Collection[str]] | None = None
) -> str:
    """`dest_dir/<filename>`, downloaded and checked against `link`'s hashes and size and
    `expected_hashes` (any one listed digest of any algorithm, pip's --hash semantics)."""
    if not link.filename or os.path.basename(link.filename) != link.filename:
        raise IndexUnavailable(f"{link.display} names no file to save", input=link.display, hint=None)
    os.makedirs(dest_dir, exist_ok=True)
    for attempt in range(http.retries + 1):
        try:
            return _download_once(http, link, dest_dir, expected_hashes or {})
        except IndexUnavailable as e:
            if not e.retryable or attempt >= http.retries:
                raise
            time.sleep(http.retry_delay(attempt))
    raise AssertionError("unreachable")


def _download_once(http: HttpClient, link: FileLink, dest_dir: str, wanted: Mapping[str, Collection[str]]) -> str:
    handle, temp = tempfile.mkstemp(dir=dest_dir, prefix=f".{link.filename}.", suffix=".part")
    names = {"sha256", *(n for n in link.hashes if n in SUPPORTED_HASHES), *wanted}
    hashers = {n: h for n in names if (h := _hasher(n)) is not None}
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            with http.get(link.url, {"Accept-Encoding": "identity"}, stream=True) as response:
                if response.status != 200:
                    raise response.error()
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    size += len(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
        actual = {n: h.hexdigest() for n, h in hashers.items()}
        verify(link.url, "file", actual, size, link.hashes, link.size, wanted)
        target = os.path.join(dest_dir, link.filename)
        os.replace(temp, target)
        return target
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _hasher(name: str) -> Any:
    try:
        return hashlib.new(name)
    except ValueError:  # an algorithm this Python lacks: it can't be checked, nor match
        return None


def verify(url: str, what: str, actual: Mapping[str, str], size: int, index_hashes: Mapping[str, str],
           index_size: int | None = None, wanted: Mapping[str, Collection[str]] | None = None) -> None:  # fmt: skip
    """HashMismatch unless every hash and the size the index gave hold and, with `wanted`
    (the user's --hash values), one wanted digest matches (pip: any algorithm, any digest)."""
    for name, digest in index_hashes.items():
        if name in actual and actual[name] != digest.lower():
            raise _mismatch(url, what, {name: [digest]}, actual, "the index")
    if wanted and not any(actual.get(n) in {d.lower() for d in digests} for n, digests in wanted.items()):
        raise _mismatch(url, what, wanted, actual, "your requirements")
    if index_size is not None and size != index_size:
        message = f"{url_basename(url)} is {size} bytes, but the index says {index_size}"
        hint = "the file changed on the index or was damaged on the way; try again"
        raise HashMismatch(message, input=redact_url(url), hint=hint)


def _mismatch(url: str, what: str, expected: Mapping[str, Collection[str]], actual: Mapping[str, str],
              source: str) -> HashMismatch:  # fmt: skip
    lines = [f"expected {name} {d} (from {source})" for name, digests in expected.items() for d in digests]
    shown = [name for name in expected if name in actual] or ["sha256"]
    lines += [f"     got {name} {actual.get(name, '?')}" for name in shown]
    return HashMismatch(
        f"the {what} {url_basename(url)} does not match its hashes:\n  " + "\n  ".join(lines),
        input=redact_url(url),
        hint="nothing was kept; if the file was changed on purpose, update the hashes",
    )
