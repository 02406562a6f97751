"""Get the wheels an install plan needs into the unpacked-wheel cache, in parallel.

A wheel whose sha256 the index gave and whose unpacked tree is cached costs one stat and one
small JSON read; anything else is downloaded (hash-checked while streaming, by the client),
unpacked once, and its archive deleted (the unpacked tree is what installs use). Local files
(file:// links, find-links directories) are unpacked straight from where they are.
"""

from __future__ import annotations

import os
import shutil

from satchel.fetch.unpack import UnpackedWheel, cached, local_sha256, unpacked
from satchel.urls import local_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from typing import Protocol

    from satchel.cache.layout import Cache
    from satchel.index.links import FileLink

    class Downloader(Protocol):
        def download(
            self, link: FileLink, dest_dir: str, *, expected_hashes: Mapping[str, Collection[str]] | None = None
        ) -> str: ...


__all__ = ["fetch_wheels"]

_WORKERS = 8


def _one(
    cache: Cache, link: FileLink, downloader: Downloader, scratch: str, wanted: Mapping[str, Collection[str]] | None
) -> UnpackedWheel:
    """`wanted`: the requirement's --hash values; the file must match one of them."""
    digest = link.hashes.get("sha256")
    if digest and (not wanted or digest in wanted.get("sha256", ())):
        hit = cached(cache, digest)
        if hit is not None:
            return hit
    local = local_path(link.url)
    if local is not None:
        return _local(cache, local, link, wanted)
    os.makedirs(scratch, exist_ok=True)
    # checked while streaming against the link's hashes and the requirement's --hash values
    path = downloader.download(link, scratch, expected_hashes=wanted or None)
    try:
        return unpacked(cache, path, digest)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def _local(cache: Cache, path: str, link: FileLink, wanted: Mapping[str, Collection[str]] | None) -> UnpackedWheel:
    """A wheel on this machine (file:// index, find-links, a path): checked like a download."""
    from satchel.errors import OperationError

    digest = local_sha256(path)
    expected = [link.hashes["sha256"]] if "sha256" in link.hashes else []
    allowed = list((wanted or {}).get("sha256", ()))
    if (expected and digest not in expected) or (wanted and digest not in allowed):
        raise OperationError(
            f"{link.filename} does not match its expected hash.",
            input=link.display,
            context="\n".join([f"expected sha256 {h}" for h in expected + allowed] + [f"     got sha256 {digest}"]),
            hint="nothing was installed; if the file was changed on purpose, update the hashes.",
        )
    return unpacked(cache, path, digest)


def fetch_wheels(
    links: Sequence[FileLink],
    downloader: Downloader,
    *,
    cache: Cache,
    expected: Mapping[str, Mapping[str, Collection[str]]] | None = None,
    on_done: Callable[[FileLink], None] | None = None,
) -> list[UnpackedWheel]:
    """The unpacked trees for `links`, in the same order; downloads run in a thread pool."""
    if not links:
        return []
    scratch = cache.part("downloads", f"{os.getpid()}-{os.urandom(4).hex()}")
    try:
        if len(links) == 1:
            result = [_one(cache, links[0], downloader, scratch, (expected or {}).get(links[0].url))]
            if on_done is not None:
                on_done(links[0])
            return result
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=min(_WORKERS, len(links))) as pool:
            futures = {
                pool.submit(_one, cache, link, downloader, scratch, (expected or {}).get(link.url)): index
                for index, link in enumerate(links)
            }
            results: list[UnpackedWheel | None] = [None] * len(links)
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                if on_done is not None:
                    on_done(links[index])
        return [r for r in results if r is not None]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
