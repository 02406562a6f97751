"""`IndexClient`: the resolver's `ProjectSource` over real indexes and find-links locations,
plus hash-checked downloads.

Import rule: an edge module. Imports the stdlib, packaging, satchel.errors and the index
modules (`http`, `httpcache`, `sources`, and the pure `links`, `pages`).

    with HttpClient(timeout=15) as http, IndexClient(http, HttpCache(), index_urls=[url]) as index:
        index.prefetch(["demo", "leaf"])                    # warms pages in a thread pool
        page = index.project_page("Demo")                   # every file of demo
        metadata = index.metadata(page.links[-1])           # PEP 658, else HTTP Range, else all
        path = index.download(page.links[-1], "/tmp/wheels", expected_hashes={"sha256": [digest]})

- pages: `<index>/<normalized name>/` with `pages.ACCEPT` (PEP 691 JSON first, HTML after),
  through the revalidating `HttpCache`, redirects followed; 404/410 mean "not on this index".
  `first-index`: the first index that lists files of the project is the only one asked for it
  (later ones are never contacted: the dependency-confusion defence); `unsafe-best-match`:
  every index's files, pip's behaviour. find-links files are always added, in pip's order:
  local files first, then find-links pages, then index pages. Pages, metadata and find-links
  listings are memoised per client; concurrent callers of one name share one fetch.
- metadata: the PEP 658/714 file, checked against its hashes; else, for wheels, the zip's
  central directory and METADATA member read with HTTP Range requests (the whole file when
  the server ignores Range); local wheels are read from disk.
- download: streamed to a temp file beside the target while hashing, size and hashes
  checked, renamed into place; a mismatch raises `HashMismatch` and leaves no file.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import os
import re
import tempfile
import threading
import time
import urllib.parse
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from satchel.cache.store import atomic_write_bytes, cache_root
from satchel.errors import OperationError, WheelError
from satchel.index.http import HttpClient, IndexUnavailable
from satchel.index.httpcache import HttpCache, Memo
from satchel.index.links import SUPPORTED_HASHES, FileLink, archive_extension
from satchel.index.pages import ACCEPT, ProjectPage, parse_page
from satchel.index.consulted import Consulted
from satchel.index.sources import (
    INDEX_STRATEGIES,
    FindLinks,
    IndexStrategy,
    classify_find_links,
    is_of_project,
    project_url,
)
from satchel.urls import file_url_to_path, is_file_url, redact_url

__all__ = ["HashMismatch", "IndexClient", "MetadataUnavailable"]

_TAIL_BYTES = 16 * 1024  # first Range request: the zip's end, usually the whole central directory
_MIN_RANGE = 8 * 1024


class HashMismatch(OperationError):
    """A file (or a metadata file) is not what its hashes or size say it is."""

    code = "hash-mismatch"


class MetadataUnavailable(OperationError):
    """No metadata without building: an sdist without a PEP 658 file."""

    code = "no-metadata"


class IndexClient:
    """A `satchel.protocols.ProjectSource` over `index_urls` and `find_links`; thread-safe."""

    def __init__(
        self,
        http: HttpClient,
        cache: HttpCache | None = None,
        *,
        index_urls: Iterable[str],
        find_links: Iterable[str | FindLinks] = (),
        index_strategy: IndexStrategy = "first-index",
        workers: int = 8,
    ) -> None:
        if index_strategy not in INDEX_STRATEGIES:
            raise ValueError(f"unknown index strategy {index_strategy!r}")
        self.http = http
        self.cache = cache if cache is not None else HttpCache(no_cache=True)
        self.index_urls = tuple(url if url.endswith("/") else url + "/" for url in index_urls)
        self.find_links = tuple(f if isinstance(f, FindLinks) else classify_find_links(f) for f in find_links)
        self.index_strategy = index_strategy
        for url in self.index_urls:
            http.add_index_url(url)
        self._workers = workers
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._pages, self._metadata, self._listings = Memo(), Memo(), Memo()
        self.consulted = Consulted()  # what was read, for remembering a resolution (consulted.py)

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop prefetching (queued work is dropped, running fetches finish)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # ---------------------------------------------------------------- pages

    def project_page(self, name: str) -> ProjectPage:
        key = _canonical(name)
        return self._pages.get(key, lambda: self._fetch_project(key))

    def prefetch(self, names: list[str]) -> None:
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(self._workers, thread_name_prefix="satchel-index")
            pool = self._pool
        for name in dict.fromkeys(_canonical(n) for n in names):
            if not self._pages.has(name):
                pool.submit(self._prefetch_one, name)

    def _prefetch_one(self, name: str) -> None:
        try:
            self.project_page(name)
        except Exception:  # remembered by nobody: project_page() tries again and raises
            pass

    def _fetch_project(self, name: str) -> ProjectPage:
        index_links: list[FileLink] = []
        versions: list[str] = []
        api_version = None
        for index_url in self.index_urls:
            page = self._index_page(index_url, name)
            if page is None:
                continue
            index_links.extend(page.links)
            versions.extend(v for v in page.versions or () if v not in versions)
            api_version = api_version or page.api_version
            if self.index_strategy == "first-index" and page.links:
                break
        local = [link for f in self.find_links if f.kind in ("dir", "file") for link in self._listing(f)]
        remote = [link for f in self.find_links if f.kind == "url" for link in self._listing(f)]
        found = sorted(local, key=lambda link: link.url, reverse=True) + remote
        ours = [link for link in found if is_of_project(link.filename, name)]
        links = tuple(dict.fromkeys(ours + index_links))
        return ProjectPage(name=name, links=links, versions=tuple(versions) or None, api_version=api_version)

    def _index_page(self, index_url: str, name: str) -> ProjectPage | None:
        url = project_url(index_url, name)
        self.http.check_secure(url)
        response = self.cache.fetch(self.http, url, ACCEPT)
        self.consulted.page(self.http, url, ACCEPT, response)
        if response.status in (404, 410):
            return None
        if response.status != 200:
            raise response.error()
        return parse_page(response.body, response.headers.get("content-type", ""), response.url)

    def _listing(self, location: FindLinks) -> tuple[FileLink, ...]:
        return self._listings.get(location.url, lambda: self._list(location))

    def _list(self, location: FindLinks) -> tuple[FileLink, ...]:
        if location.kind == "file" or archive_extension(_basename(location.url)):
            return (FileLink.build(location.url, location.url),)
        if location.kind == "dir" and location.path is not None:
            self.consulted.local(location.path)
            try:
                names = sorted(entry.name for entry in os.scandir(location.path) if entry.is_file())
            except OSError as e:
                message = f"can't list {location.path}: {e.strerror or e}"
                raise IndexUnavailable(message, input=location.path, hint=None) from None
            base = location.url.rstrip("/") + "/"
            return tuple(FileLink.build(urllib.parse.quote(n), base) for n in names if archive_extension(n))
        self.http.check_secure(location.url)
        response = self.cache.fetch(self.http, location.url, ACCEPT)
        self.consulted.page(self.http, location.url, ACCEPT, response)
        if response.status != 200:
            raise response.error()
        return parse_page(response.body, response.headers.get("content-type", ""), response.url).links

    # ---------------------------------------------------------------- metadata

    def metadata(self, link: FileLink) -> bytes:
        self._note_file(link)
        return self._metadata.get(link.url, lambda: self._stored_metadata(link))

    def _note_file(self, link: FileLink) -> None:
        """A file's contents matter: a local one is stamped; a remote one without a hash can
        change under the same page, so what was read can't be re-checked from pages alone."""
        if is_file_url(link.url):
            self.consulted.local(file_url_to_path(link.url))
        elif "sha256" not in link.hashes:
            self.consulted.refuse(f"{link.display}: no sha256")

    def _stored_metadata(self, link: FileLink) -> bytes:
        """Metadata of a file the index names by hash never changes: keep it on disk, keyed by
        that hash (the metadata file's, else the distribution's), so warm resolves ask nothing."""
        key = link.metadata_hashes.get("sha256") if link.has_metadata else None
        key = key or (f"dist-{link.hashes['sha256']}" if "sha256" in link.hashes else None)
        if key is None or self.cache.no_cache:
            return self._fetch_metadata(link)
        path = os.path.join(cache_root(), "metadata-v1", key[-2:], key)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError:
            pass
        body = self._fetch_metadata(link)
        try:
            atomic_write_bytes(path, body)
        except OSError:
            pass
        return body

    def _fetch_metadata(self, link: FileLink) -> bytes:
        if link.has_metadata:
            with self.http.get(link.metadata_url) as response:
                if response.status == 200:
                    body, wanted = response.body, link.metadata_hashes
                    actual = {n: hashlib.new(n, body).hexdigest() for n in wanted if n in SUPPORTED_HASHES}
                    _verify(link.metadata_url, "metadata file", actual, len(body), wanted)
                    return body
                if response.status not in (404, 410):
                    raise response.error()
        if not link.is_wheel:
            raise MetadataUnavailable(
                f"{link.filename} is a source distribution and its index offers no metadata file",
                input=link.display,
                hint="its metadata comes from building it",
            )
        if is_file_url(link.url):
            path = file_url_to_path(link.url)
            return _wheel_metadata(lambda: zipfile.ZipFile(path), link)
        return self._metadata_by_range(link)

    def _metadata_by_range(self, link: FileLink) -> bytes:
        response = self.http.get(link.url, {"Range": f"bytes=-{_TAIL_BYTES}", "Accept-Encoding": "identity"})
        if response.status in (416, 501):  # a server that can't do suffix ranges: the whole file
            response = self.http.get(link.url, {"Accept-Encoding": "identity"})
        if response.status == 200:  # Range ignored: we have the whole wheel
            return _wheel_metadata(lambda: zipfile.ZipFile(io.BytesIO(response.body)), link)
        if response.status != 206:
            raise response.error()
        start, size = _content_range(response.headers.get("content-range", ""), link)
        reader = _RangeReader(self.http, link, size, start, response.body)
        return _wheel_metadata(lambda: zipfile.ZipFile(reader), link)

    # ---------------------------------------------------------------- downloads

    def download(
        self, link: FileLink, dest_dir: str, *, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> str:
        """`dest_dir/<filename>`, downloaded and checked against `link`'s hashes and size and
        `expected_hashes` (any one listed digest of any algorithm, pip's --hash semantics)."""
        if not link.filename or os.path.basename(link.filename) != link.filename:
            raise IndexUnavailable(f"{link.display} names no file to save", input=link.display, hint=None)
        self._note_file(link)
        os.makedirs(dest_dir, exist_ok=True)
        for attempt in range(self.http.retries + 1):
            try:
                return self._download_once(link, dest_dir, expected_hashes or {})
            except IndexUnavailable as e:
                if not e.retryable or attempt >= self.http.retries:
                    raise
                time.sleep(self.http.retry_delay(attempt))
        raise AssertionError("unreachable")

    def _download_once(self, link: FileLink, dest_dir: str, wanted: Mapping[str, Collection[str]]) -> str:
        handle, temp = tempfile.mkstemp(dir=dest_dir, prefix=f".{link.filename}.", suffix=".part")
        names = {"sha256", *(n for n in link.hashes if n in SUPPORTED_HASHES), *wanted}
        hashers = {n: h for n in names if (h := _hasher(n)) is not None}
        size = 0
        try:
            with os.fdopen(handle, "wb") as out:
                with self.http.get(link.url, {"Accept-Encoding": "identity"}, stream=True) as response:
                    if response.status != 200:
                        raise response.error()
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        size += len(chunk)
                        for hasher in hashers.values():
                            hasher.update(chunk)
            actual = {n: h.hexdigest() for n, h in hashers.items()}
            _verify(link.url, "file", actual, size, link.hashes, link.size, wanted)
            target = os.path.join(dest_dir, link.filename)
            os.replace(temp, target)
            return target
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise


# ---------------------------------------------------------------- helpers


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _basename(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])


def _hasher(name: str) -> Any:
    try:
        return hashlib.new(name)
    except ValueError:  # an algorithm this Python lacks: it can't be checked, nor match
        return None


def _verify(url: str, what: str, actual: Mapping[str, str], size: int, index_hashes: Mapping[str, str],
            index_size: int | None = None, wanted: Mapping[str, Collection[str]] | None = None) -> None:  # fmt: skip
    """HashMismatch unless every hash and the size the index gave hold and, with `wanted`
    (the user's --hash values), one wanted digest matches (pip: any algorithm, any digest)."""
    for name, digest in index_hashes.items():
        if name in actual and actual[name] != digest.lower():
            raise _mismatch(url, what, {name: [digest]}, actual, "the index")
    if wanted and not any(actual.get(n) in {d.lower() for d in digests} for n, digests in wanted.items()):
        raise _mismatch(url, what, wanted, actual, "your requirements")
    if index_size is not None and size != index_size:
        message = f"{_basename(url)} is {size} bytes, but the index says {index_size}"
        hint = "the file changed on the index or was damaged on the way; try again"
        raise HashMismatch(message, input=redact_url(url), hint=hint)


def _mismatch(url: str, what: str, expected: Mapping[str, Collection[str]], actual: Mapping[str, str],
              source: str) -> HashMismatch:  # fmt: skip
    lines = [f"expected {name} {d} (from {source})" for name, digests in expected.items() for d in digests]
    shown = [name for name in expected if name in actual] or ["sha256"]
    lines += [f"     got {name} {actual.get(name, '?')}" for name in shown]
    return HashMismatch(
        f"the {what} {_basename(url)} does not match its hashes:\n  " + "\n  ".join(lines),
        input=redact_url(url),
        hint="nothing was kept; if the file was changed on purpose, update the hashes",
    )


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
            project = _canonical(link.filename.split("-", 1)[0])
            chosen = [n for n in candidates if _canonical(n.split("-", 1)[0]) == project] or candidates
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
