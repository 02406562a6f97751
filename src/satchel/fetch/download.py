"""Get the wheels an install plan needs into the unpacked-wheel cache, in parallel.

A wheel whose sha256 the index gave and whose unpacked tree is cached costs one stat and one
small JSON read; anything else is downloaded (hash-checked while streaming, by the client),
unpacked once, and its archive deleted (the unpacked tree is what installs use). Local files
(file:// links, find-links directories) are unpacked straight from where they are.
"""

from __future__ import annotations

import os
import shutil

from satchel.cache.store import cache_root
from satchel.fetch.unpack import UnpackedWheel, cached, unpacked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Protocol

    from satchel.index.links import FileLink

    class Downloader(Protocol):
        def download(self, link: FileLink, dest_dir: str) -> str: ...


__all__ = ["fetch_wheels"]

_WORKERS = 8


def _local_path(url: str) -> str | None:
    if not url.startswith("file:"):
        return None
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path)


def _one(link: FileLink, downloader: Downloader, scratch: str) -> UnpackedWheel:
    digest = link.hashes.get("sha256")
    if digest:
        hit = cached(digest)
        if hit is not None:
            return hit
    local = _local_path(link.url)
    if local is not None:
        return unpacked(local)
    os.makedirs(scratch, exist_ok=True)
    path = downloader.download(link, scratch)  # checked against the link's hashes while streaming
    try:
        return unpacked(path, digest)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def fetch_wheels(
    links: Sequence[FileLink],
    downloader: Downloader,
    *,
    on_done: Callable[[FileLink], None] | None = None,
) -> list[UnpackedWheel]:
    """The unpacked trees for `links`, in the same order; downloads run in a thread pool."""
    if not links:
        return []
    scratch = os.path.join(cache_root(), "downloads-v1", f"{os.getpid()}-{os.urandom(4).hex()}")
    try:
        if len(links) == 1:
            result = [_one(links[0], downloader, scratch)]
            if on_done is not None:
                on_done(links[0])
            return result
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=min(_WORKERS, len(links))) as pool:
            futures = {pool.submit(_one, link, downloader, scratch): index for index, link in enumerate(links)}
            results: list[UnpackedWheel | None] = [None] * len(links)
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if on_done is not None:
                    on_done(links[index])
        return [r for r in results if r is not None]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
