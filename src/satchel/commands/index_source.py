"""The index client for a command, built from its settings: HTTP (timeouts, retries, TLS,
proxies, credentials), the page cache, and the locations to search."""

from __future__ import annotations

from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.cache.layout import Cache
    from collections.abc import Iterator

    from satchel.index.client import IndexClient
    from satchel.protocols import Console
    from satchel.settings import Settings

__all__ = ["open_source", "searched_locations"]


def searched_locations(settings: Settings) -> list[str]:
    """Every index and find-links location, for messages (credentials are redacted there)."""
    from satchel.index.sources import locations_from_settings

    found = locations_from_settings(settings)
    return list(found.index_urls) + [entry.url for entry in found.find_links]


@contextmanager
def open_source(settings: Settings, console: Console, cache: Cache) -> Iterator[IndexClient]:
    from satchel.index.client import IndexClient
    from satchel.index.http import HttpClient
    from satchel.index.httpcache import HttpCache
    from satchel.index.sources import locations_from_settings

    found = locations_from_settings(settings)
    for warning in found.warnings:
        console.err(f"WARNING: {warning}\n")
    http = HttpClient(
        timeout=settings.timeout,
        retries=settings.retries,
        cert=settings.cert,
        client_cert=settings.client_cert,
        trusted_hosts=settings.trusted_hosts,
        proxy=settings.proxy,
    )
    client = IndexClient(
        http, HttpCache(cache.part("http")), index_urls=found.index_urls, find_links=found.find_links,
        index_strategy=settings.index_strategy, metadata_dir=cache.part("metadata"),
    )  # fmt: skip
    if found.warnings:  # a replay would not print them
        client.consulted.refuse("warnings")
    try:
        yield client
    finally:
        client.close()
        http.close()
