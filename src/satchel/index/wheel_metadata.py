"""A wheel's core metadata without unpacking it: the METADATA member of its `.dist-info`
directory (the one named for the project), read from a local wheel, or from a remote one with
HTTP Range requests: the zip's end first (usually the whole central directory), then the
ranges zipfile asks for (8 KiB at least, every piece kept); the whole file when the server
ignores Range.

    metadata = local_wheel_metadata("/wheels/demo-1.0-py3-none-any.whl", link)
    metadata = remote_wheel_metadata(http, link)

Import rule: the stdlib, satchel.errors, satchel.names and the index modules `http` and
`links`.
"""

from __future__ import annotations

import io
import re
import zipfile

from satchel.errors import WheelError
from satchel.index.http import IndexUnavailable
from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from satchel.index.http import HttpClient
    from satchel.index.links import FileLink

__all__ = ["local_wheel_metadata", "remote_wheel_metadata"]

_TAIL_BYTES = 16 * 1024  # first Range request: the zip's end, usually the whole central directory
_MIN_RANGE = 8 * 1024


def local_wheel_metadata(path: str, link: FileLink) -> bytes:
    """The METADATA of the wheel at `path` (the file `link` names)."""
    return _wheel_metadata(lambda: zipfile.ZipFile(path), link)


def remote_wheel_metadata(http: HttpClient, link: FileLink) -> bytes:
    """The wheel's METADATA, read with HTTP Range requests (the whole file when the server
    ignores Range or can't do suffix ranges)."""
    response = http.get(link.url, {"Range": f"bytes=-{_TAIL_BYTES}", "Accept-Encoding": "identity"})
    if response.status in (416, 501):  # a server that can't do suffix ranges: the whole file
        response = http.get(link.url, {"Accept-Encoding": "identity"})
    if response.status == 200:  # Range ignored: we have the whole wheel
        return _wheel_metadata(lambda: zipfile.ZipFile(io.BytesIO(response.body)), link)
    if response.status != 206:
        raise response.error()
    start, size = _content_range(response.headers.get("content-range", ""), link)
    reader = _RangeReader(http, link, size, start, response.body)
    return _wheel_metadata(lambda: zipfile.ZipFile(reader), link)


def _content_range(header: str, link: FileLink) -> tuple[int, int]:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+)\s*", header)
    if match is None:
        message = f"{link.display} answered a Range request with Content-Range {header!r}"
        raise IndexUnavailable(message, input=link.display, hint=None)
    return int(match.group(1)), int(match.group(3))


def _wheel_metadata(open_zip: Callable[[], zipfile.ZipFile], link: FileLink) -> bytes:
    """The METADATA of the wheel's `.dist-info` directory (the one named for the project)."""
    try:
        with open_zip() as wheel:
            candidates = [n for n in wheel.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            project = canonical_name(link.filename.split("-", 1)[0])
            chosen = [n for n in candidates if canonical_name(n.split("-", 1)[0]) == project] or candidates
            if len(chosen) != 1:
                raise WheelError(f"{link.filename} has {len(chosen) or 'no'} .dist-info/METADATA", input=link.display)
            return wheel.read(chosen[0])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, ValueError) as e:
        raise WheelError(f"{link.filename} is not a readable wheel: {e}", input=link.display) from None


class _RangeReader(io.RawIOBase):
    """A read-only file over a remote file, fetching the ranges zipfile asks for (8 KiB at
    least) and keeping every piece fetched."""

    def __init__(self, http: HttpClient, link: FileLink, size: int, start: int, data: bytes) -> None:
        super().__init__()
        self._http, self._link, self._size, self._pos = http, link, size, 0
        self._pieces: list[tuple[int, bytes]] = [(start, data)]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        count = max(0, min(len(buffer), self._size - self._pos))
        data = self._read(self._pos, count)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _read(self, pos: int, count: int) -> bytes:
        if count == 0:
            return b""
        for start, piece in self._pieces:
            if start <= pos and pos + count <= start + len(piece):
                return piece[pos - start : pos - start + count]
        last = min(self._size, pos + max(count, _MIN_RANGE)) - 1
        response = self._http.get(self._link.url, {"Range": f"bytes={pos}-{last}", "Accept-Encoding": "identity"})
        if response.status == 200:
            self._pieces = [(0, response.body)]
            return response.body[pos : pos + count]
        if response.status != 206:
            raise response.error()
        start, _ = _content_range(response.headers.get("content-range", ""), self._link)
        self._pieces.append((start, response.body))
        return response.body[pos - start : pos - start + count]
