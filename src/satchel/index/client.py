"""`IndexClient`: the resolver's `ProjectSource` over real indexes and find-links locations,
plus hash-checked downloads.

Import rule: an edge module. Imports the stdlib, packaging, satchel.cache, satchel.errors,
satchel.urls and the index modules (`http`, `httpcache`, `consulted`, `sources`,
`verified_download`, `wheel_metadata`, and the pure `links`, `pages`).

    with HttpClient(timeout=15) as http, IndexClient(http, HttpCache(None), index_urls=[url]) as index:
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
  central directory and METADATA member read with HTTP Range requests (`wheel_metadata`;
  the whole file when the server ignores Range); local wheels are read from disk. Metadata
  the index names by hash is kept in the cache (`metadata-v1`).
- download: hash-checked, by `verified_download` (a mismatch raises its `HashMismatch` and
  leaves no file).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import threading
import urllib.parse
from collections.abc import Collection, Iterable, Mapping

from satchel.cache.store import atomic_write_bytes
from satchel.errors import OperationError
from satchel.index.consulted import Consulted
from satchel.index.http import HttpClient, IndexUnavailable
from satchel.index.httpcache import HttpCache, Memo
from satchel.index.links import SUPPORTED_HASHES, FileLink, archive_extension
from satchel.index.pages import ACCEPT, ProjectPage, parse_page
from satchel.index.sources import (
    INDEX_STRATEGIES,
    FindLinks,
    IndexStrategy,
    classify_find_links,
    is_of_project,
    project_url,
)
from satchel.index.verified_download import download, verify
from satchel.index.wheel_metadata import local_wheel_metadata, remote_wheel_metadata
from satchel.names import canonical_name
from satchel.urls import file_url_to_path, is_file_url, url_basename

__all__ = ["IndexClient", "MetadataUnavailable"]

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
        metadata_dir: str | None = None,
        workers: int = 8,
    ) -> None:
        if index_strategy not in INDEX_STRATEGIES:
            raise ValueError(f"unknown index strategy {index_strategy!r}")
        self.http = http
        self.cache = cache if cache is not None else HttpCache(None)
        self.metadata_dir = metadata_dir
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
        key = canonical_name(name)
        return self._pages.get(key, lambda: self._fetch_project(key))

    def prefetch(self, names: list[str]) -> None:
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(self._workers, thread_name_prefix="satchel-index")
            pool = self._pool
        for name in dict.fromkeys(canonical_name(n) for n in names):
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
        if location.kind == "file" or archive_extension(url_basename(location.url)):
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
        if key is None or self.metadata_dir is None:
            return self._fetch_metadata(link)
        path = os.path.join(self.metadata_dir, key[-2:], key)
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
                    verify(link.metadata_url, "metadata file", actual, len(body), wanted)
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
            return local_wheel_metadata(file_url_to_path(link.url), link)
        return remote_wheel_metadata(self.http, link)

    # ---------------------------------------------------------------- downloads

    def download(
        self, link: FileLink, dest_dir: str, *, expected_hashes: Mapping[str, Collection[str]] | None = None
    ) -> str:
        """`dest_dir/<filename>`, downloaded and checked against `link`'s hashes and size and
        `expected_hashes` (any one listed digest of any algorithm, pip's --hash semantics)."""
        self._note_file(link)
        return download(self.http, link, dest_dir, expected_hashes=expected_hashes)
