"""A project's page on a simple repository, parsed into a `ProjectPage`. Pure: imports only
satchel.errors, satchel.names, satchel.urls, index.links and the stdlib; no I/O.

- `parse_simple_html(text, page_url)`: PEP 503 HTML (with PEP 592 `data-yanked`, PEP 658/714
  `data-core-metadata`/`data-dist-info-metadata`, PEP 629 `pypi:repository-version`), read
  with the stdlib's forgiving `html.parser`, which also unescapes entities in attributes.
- `parse_simple_json(obj, page_url)`: PEP 691 v1 JSON (with PEP 700's `versions`, `size`,
  `upload-time`). Equivalent pages in either format give equal `ProjectPage`s.
- `parse_page(body, content_type, page_url)`: either one, chosen by `page_format`.
- `ACCEPT`: the Accept header to send (JSON first, HTML as a fallback; pip's q-values).

Readings, where indexes differ or pip is loose (pip's behaviour unless said otherwise):
- HTML: the first `<base href>` anywhere in the document is the base for every link, itself
  resolved against the page URL (pip joins a relative base as is, which breaks links);
  anchors without an `href` (or with an empty one) are skipped.
- `data-yanked` present means yanked, its value the reason, so a value-less `data-yanked` is
  yanked with no reason (PEP 592; pip reads a value-less attribute as not yanked). JSON
  `yanked` is `true` or a non-empty reason; `false` and `""` mean not yanked.
- metadata: the PEP 714 name wins over the PEP 658 one whenever present. HTML `true` is
  `True`, `false` is `False` (pip reads it as a malformed hash), `name=hex` is a hash; a
  malformed or unsupported hash still says the file exists (`True`). JSON: `true`/`false`,
  or a dict of hashes (unsupported names dropped; none left means `True`).
- A page whose PEP 629 major version is above 1 is refused (`PageError`), as PEP 629 asks.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

from satchel.errors import OperationError
from satchel.index.links import SUPPORTED_HASHES, FileLink
from satchel.names import canonical_name
from satchel.urls import redact_url

__all__ = [
    "ACCEPT",
    "HTML_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "PageError",
    "ProjectPage",
    "api_version_warning",
    "charset_from_content_type",
    "page_format",
    "parse_page",
    "parse_simple_html",
    "parse_simple_json",
]

JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_CONTENT_TYPE = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE}; q=0.1, text/html; q=0.01"
SUPPORTED_API_MAJOR = 1
SUPPORTED_API_MINOR = 1

PageFormat = Literal["json", "html"]


class PageError(OperationError):
    """An index answered with something that is not a usable project page."""

    code = "index-page"


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """What one index says about one project.

    `name` is the normalized project name: JSON pages carry it, HTML pages don't, so there it
    is the last segment of the page URL, normalized (PEP 503's `/simple/<name>/`). `versions`
    is PEP 700's list (JSON API 1.1+ only), `api_version` PEP 629's, when the page gives one.
    """

    name: str
    links: tuple[FileLink, ...]
    versions: tuple[str, ...] | None = None
    api_version: str | None = None


def page_format(content_type: str) -> PageFormat | None:
    """Which parser reads a response with this Content-Type; None for anything else."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == JSON_CONTENT_TYPE:
        return "json"
    if media_type in (HTML_CONTENT_TYPE, "text/html"):
        return "html"
    return None


def charset_from_content_type(content_type: str, default: str = "utf-8") -> str:
    """The `charset` parameter of a Content-Type, else `default`."""
    for param in content_type.split(";")[1:]:
        key, sep, value = param.partition("=")
        if sep and key.strip().lower() == "charset":
            value = value.strip().strip("\"'")
            if value:
                return value
    return default


def parse_page(body: bytes, content_type: str, page_url: str) -> ProjectPage:
    """Parse a response body by its Content-Type; `PageError` when it isn't a project page."""
    kind = page_format(content_type)
    if kind is None:
        raise PageError(
            f"the index answered with Content-Type {content_type or '(none)'!r}, not a project page",
            input=redact_url(page_url),
            hint=f"satchel reads {JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE} and text/html",
        )
    charset = charset_from_content_type(content_type)
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        text = body.decode("utf-8", errors="replace")
    if kind == "html":
        return parse_simple_html(text, page_url)
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise PageError(f"the index sent invalid JSON: {e}", input=redact_url(page_url)) from None
    if not isinstance(obj, Mapping):
        raise PageError("the index sent JSON that is not an object", input=redact_url(page_url))
    return parse_simple_json(obj, page_url)


def api_version_warning(page: ProjectPage) -> str | None:
    """PEP 629: a newer minor version than satchel knows deserves a warning, not a failure."""
    version = _api_version_tuple(page.api_version)
    if version is not None and version[0] == SUPPORTED_API_MAJOR and version[1] > SUPPORTED_API_MINOR:
        return f"the index speaks simple API {page.api_version}; satchel knows up to 1.{SUPPORTED_API_MINOR}"
    return None


# ---------------------------------------------------------------- HTML (PEP 503)


class _AnchorCollector(HTMLParser):
    """Keeps the first `<base href>`, the repository-version meta tag and every `<a>`'s attrs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.api_version: str | None = None
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(_first_wins(attrs))
        elif tag == "base" and self.base is None:
            self.base = _first_wins(attrs).get("href")
        elif tag == "meta" and self.api_version is None:
            found = _first_wins(attrs)
            if (found.get("name") or "").strip().lower() == "pypi:repository-version":
                self.api_version = (found.get("content") or "").strip() or None


def _first_wins(attrs: list[tuple[str, str | None]]) -> dict[str, str | None]:
    """HTML keeps the first of repeated attributes; `dict(attrs)` would keep the last."""
    found: dict[str, str | None] = {}
    for name, value in attrs:
        found.setdefault(name, value)
    return found


def parse_simple_html(text: str, page_url: str) -> ProjectPage:
    """The links of a PEP 503 HTML page fetched from `page_url` (after redirects)."""
    collector = _AnchorCollector()
    collector.feed(text)
    collector.close()
    base = urllib.parse.urljoin(page_url, collector.base) if collector.base else page_url
    links = tuple(link for attrs in collector.anchors if (link := _link_from_anchor(attrs, base)))
    _check_api_version(collector.api_version, page_url)
    return ProjectPage(name=_name_from_url(page_url), links=links, api_version=collector.api_version)


def _link_from_anchor(attrs: Mapping[str, str | None], base: str) -> FileLink | None:
    href = attrs.get("href")
    if not href or not href.strip():
        return None
    yanked = "data-yanked" in attrs
    return FileLink.build(
        href.strip(),
        base,
        requires_python=attrs.get("data-requires-python"),
        yanked=yanked,
        yanked_reason=attrs.get("data-yanked") if yanked else None,
        metadata=_html_metadata(attrs),
    )


def _html_metadata(attrs: Mapping[str, str | None]) -> dict[str, str] | bool | None:
    value = attrs.get("data-core-metadata")
    if value is None:
        value = attrs.get("data-dist-info-metadata")
    if value is None:
        return None
    value = value.strip()
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    name, sep, digest = value.partition("=")
    return _supported_hashes({name: digest}) if sep else True


# ---------------------------------------------------------------- JSON (PEP 691)


def parse_simple_json(obj: Mapping[str, Any], page_url: str) -> ProjectPage:
    """The links of a PEP 691 v1 JSON page fetched from `page_url` (after redirects)."""
    meta = obj.get("meta")
    api_version = meta.get("api-version") if isinstance(meta, Mapping) else None
    api_version = str(api_version) if api_version is not None else None
    _check_api_version(api_version, page_url)
    files = obj.get("files", [])
    if not isinstance(files, list):
        raise PageError("the index's JSON page has no list of files", input=redact_url(page_url))
    links = tuple(link for entry in files if (link := _link_from_json(entry, page_url)))
    name = obj.get("name")
    versions = obj.get("versions")
    return ProjectPage(
        name=canonical_name(name) if isinstance(name, str) and name else _name_from_url(page_url),
        links=links,
        versions=tuple(str(v) for v in versions) if isinstance(versions, list) else None,
        api_version=api_version,
    )


def _link_from_json(entry: object, page_url: str) -> FileLink | None:
    if not isinstance(entry, Mapping):
        return None
    url = entry.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    yanked = entry.get("yanked")
    hashes = entry.get("hashes")
    requires_python = entry.get("requires-python")
    size = entry.get("size")
    upload_time = entry.get("upload-time")
    return FileLink.build(
        url.strip(),
        page_url,
        hashes={str(k): str(v) for k, v in hashes.items()} if isinstance(hashes, Mapping) else None,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        yanked=bool(yanked),
        yanked_reason=yanked if isinstance(yanked, str) else None,
        metadata=_json_metadata(entry),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        upload_time=upload_time if isinstance(upload_time, str) else None,
    )


def _json_metadata(entry: Mapping[str, Any]) -> dict[str, str] | bool | None:
    value = entry.get("core-metadata")
    if value is None:
        value = entry.get("dist-info-metadata")
    if value is None:
        return None
    if isinstance(value, Mapping):
        return _supported_hashes({str(k): str(v) for k, v in value.items()})
    return bool(value)


# ---------------------------------------------------------------- shared


def _supported_hashes(hashes: dict[str, str]) -> dict[str, str] | bool:
    """Only hash names satchel can check; with none left the file still exists (True)."""
    kept = {name: digest for name, digest in hashes.items() if name in SUPPORTED_HASHES}
    return kept or True


def _name_from_url(page_url: str) -> str:
    path = urllib.parse.urlsplit(page_url).path.rstrip("/")
    return canonical_name(urllib.parse.unquote(path.rsplit("/", 1)[-1]))


def _api_version_tuple(version: str | None) -> tuple[int, int] | None:
    if not version:
        return None
    major, _, minor = version.strip().partition(".")
    try:
        return int(major), int(minor or 0)
    except ValueError:
        return None


def _check_api_version(version: str | None, page_url: str) -> None:
    parsed = _api_version_tuple(version)
    if parsed is not None and parsed[0] > SUPPORTED_API_MAJOR:
        raise PageError(
            f"the index speaks simple API version {version}, which satchel does not understand",
            input=redact_url(page_url),
            hint="upgrade satchel, or point --index-url at an index that serves API version 1",
        )
