"""One downloadable file on an index page, as a plain value. Pure: imports only satchel.errors,
satchel.urls, packaging and the stdlib; no I/O.

- `FileLink`: what PEP 503/691 (and 592, 658/714, 700) say about one file: its absolute URL
  (fragment stripped, path quoted once the way pip does it), the unquoted file name, hashes,
  Requires-Python, yanked status, the PEP 658 metadata file, size and upload time.
- `FileLink.build(href, base_url, ...)`: the one way page parsers make links, so HTML and
  JSON pages give equal values for equal input.
- `FileLink`'s `repr`/`str` show its URL through `satchel.urls.redact_url` (pip's
  `user:****@` form), so credentials never reach output or logs.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from dataclasses import dataclass, field

from satchel.urls import redact_url

__all__ = [
    "LEGACY_SDIST_EXTENSIONS",
    "SDIST_EXTENSIONS",
    "SUPPORTED_HASHES",
    "WHEEL_EXTENSION",
    "FileLink",
    "archive_extension",
    "hashes_from_fragment",
]

# Strongest first, like pip; other names in an index's `hashes` are kept but never chosen.
SUPPORTED_HASHES = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
WHEEL_EXTENSION = ".whl"
# PEP 625 source distributions, then the older archives pip still accepts from indexes.
SDIST_EXTENSIONS = (".tar.gz", ".zip")
LEGACY_SDIST_EXTENSIONS = (".tar.bz2", ".tbz", ".tgz", ".tar", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma")

# "@" (VCS revisions) and an encoded "/" keep their meaning when a path is re-quoted.
_RESERVED_IN_PATH = re.compile("(@|%2F)", re.IGNORECASE)
# quote(unquote(path)) leaves these paths as they are: skip the work (most index links)
_ALREADY_CLEAN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


@dataclass(frozen=True, slots=True, repr=False)
class FileLink:
    """A file offered by an index page. `url` may hold credentials: show `display` instead.

    `metadata` is PEP 658/714's core-metadata file: a dict of its hashes, `True` when the index
    says it exists without hashes, `False` when it says it doesn't, `None` when it says nothing.
    `yanked` is PEP 592's flag; `yanked_reason` is the reason when the index gave a non-empty one.
    """

    url: str
    filename: str
    hashes: dict[str, str] = field(default_factory=dict)
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    metadata: dict[str, str] | bool | None = None
    size: int | None = None
    upload_time: str | None = None
    subdirectory: str | None = None  # `#subdirectory=` of a direct URL: the project inside it

    @classmethod
    def build(
        cls,
        href: str,
        base_url: str,
        *,
        hashes: dict[str, str] | None = None,
        requires_python: str | None = None,
        yanked: bool = False,
        yanked_reason: str | None = None,
        metadata: dict[str, str] | bool | None = None,
        size: int | None = None,
        upload_time: str | None = None,
    ) -> FileLink:
        """The link for `href` found on a page whose base URL is `base_url`.

        Hashes in the URL fragment (`#sha256=...`) win over `hashes` of the same name, as in
        pip; an empty Requires-Python counts as none.
        """
        absolute = href if href.startswith(("https://", "http://")) else urllib.parse.urljoin(base_url, href)
        url, path, fragment = _clean_url(absolute)
        return cls(
            url=url,
            filename=_filename(path),
            hashes={**(hashes or {}), **hashes_from_fragment(fragment)},
            requires_python=requires_python or None,
            yanked=yanked,
            yanked_reason=(yanked_reason or None) if yanked else None,
            metadata=metadata,
            size=size,
            upload_time=upload_time,
            subdirectory=_fragment_value(fragment, "subdirectory"),
        )

    def __hash__(self) -> int:
        return hash(self.url)

    @property
    def key(self) -> str:
        """What tells two links apart: the URL, plus the subdirectory where one is given."""
        return f"{self.url}#subdirectory={self.subdirectory}" if self.subdirectory else self.url

    def __repr__(self) -> str:
        return f"<FileLink {self.display}>"

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The URL with credentials redacted: the only form fit for output and logs."""
        return redact_url(self.url)

    @property
    def metadata_url(self) -> str:
        """Where PEP 658 puts the file's core metadata (whether or not the index has it)."""
        return self.url + ".metadata"

    @property
    def has_metadata(self) -> bool:
        return bool(self.metadata)

    @property
    def metadata_hashes(self) -> dict[str, str]:
        return dict(self.metadata) if isinstance(self.metadata, dict) else {}

    @property
    def extension(self) -> str:
        """The archive extension (`.whl`, `.tar.gz`, ...), or "" for anything else."""
        return archive_extension(self.filename)

    @property
    def is_wheel(self) -> bool:
        return self.extension == WHEEL_EXTENSION

    @property
    def is_sdist(self) -> bool:
        """A source archive pip would build: PEP 625's `.tar.gz`/`.zip`, or a legacy one."""
        return self.extension in SDIST_EXTENSIONS or self.extension in LEGACY_SDIST_EXTENSIONS

    @property
    def is_legacy_sdist(self) -> bool:
        """A `.tar.bz2`/`.tgz`/`.tar`/... source archive, from before PEP 625."""
        return self.extension in LEGACY_SDIST_EXTENSIONS

    @property
    def best_hash(self) -> tuple[str, str] | None:
        """The strongest (name, hex digest) the index gave for the file, if any."""
        for name in SUPPORTED_HASHES:
            if name in self.hashes:
                return name, self.hashes[name]
        return None


def archive_extension(filename: str) -> str:
    """`.whl`, `.tar.gz`, `.zip`, `.tar.bz2`, ... as spelled in `filename`, or "" if none.

    Case-sensitive, like pip: `FOO-1.0.TAR.GZ` is not a source archive.
    """
    for ext in (WHEEL_EXTENSION, *SDIST_EXTENSIONS, *LEGACY_SDIST_EXTENSIONS):
        if filename.endswith(ext) and len(filename) > len(ext):
            return ext
    return ""


def hashes_from_fragment(fragment: str) -> dict[str, str]:
    """`sha256=abc&egg=x` -> {"sha256": "abc"}: the supported hash names in a URL fragment."""
    found: dict[str, str] = {}
    for part in fragment.split("&"):
        name, sep, value = part.partition("=")
        if sep and name in SUPPORTED_HASHES and name not in found:
            found[name] = value
    return found


def _fragment_value(fragment: str, key: str) -> str | None:
    for part in fragment.split("&"):
        name, sep, value = part.partition("=")
        if sep and name == key and value:
            return urllib.parse.unquote(value)
    return None


def _clean_url(url: str) -> tuple[str, str, str]:
    """(url without its fragment and with its path quoted exactly once, that path, the fragment)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if not _ALREADY_CLEAN_PATH.fullmatch(path):
        pieces = _RESERVED_IN_PATH.split(path)
        path = "".join(
            urllib.parse.quote(urllib.parse.unquote(piece)) if i % 2 == 0 else piece.upper()
            for i, piece in enumerate(pieces)
        )
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), path, parts.fragment


def _filename(quoted_path: str) -> str:
    """The unquoted last segment of a URL path; "" when there is none (or it is . or ..)."""
    name = posixpath.basename(urllib.parse.unquote(quoted_path).rstrip("/"))
    return "" if name in (".", "..") else name
