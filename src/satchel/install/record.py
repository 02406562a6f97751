"""What an installed distribution's metadata files say: RECORD rows, script text. Pure.

- `shebang(python)`: the first line(s) of a script run by `python`; a path with spaces or over
  127 bytes can't be a plain shebang on POSIX, so the script re-executes itself through
  /bin/sh (the form pip and installer write).
- `scripts_for_target(name, scripts, version)`: entry points renamed for the target
  interpreter the way pip does it: pip's own `pipX.Y` and setuptools' `easy_install-X.Y`
  carry the version of the Python that built the wheel, not the one installing it.
- `record_text(rows)`: RECORD in the csv dialect pip writes.
"""

from __future__ import annotations

from satchel.names import canonical_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["direct_url_json", "record_text", "scripts_for_target", "sha256_record_hash", "shebang"]

_VERSIONED_PIP = r"^pip(\d+(\.\d+)?)?$"
_VERSIONED_EASY_INSTALL = r"^easy_install(-\d+\.\d+)?$"


def shebang(python: str) -> str:
    """The interpreter line(s) for a script run by `python`."""
    if " " not in python and len(python.encode()) + 3 <= 127:
        return f"#!{python}\n"
    quoted = "'" + python.replace("'", "'\"'\"'") + "'"
    return f"#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''\n"


def scripts_for_target(
    dist_name: str, scripts: list[list[str]], version: tuple[int, int, int]
) -> list[tuple[str, str]]:
    """[(script name, body)] to write for `dist_name`'s entry points on Python `version`."""
    major, minor = version[0], version[1]
    out: list[tuple[str, str]] = []
    by_name = {name: body for name, _section, body in scripts}
    normalized = canonical_name(dist_name)
    if normalized == "pip" and "pip" in by_name:
        body = by_name["pip"]
        out += [("pip", body), (f"pip{major}", body), (f"pip{major}.{minor}", body)]
        import re

        by_name = {k: v for k, v in by_name.items() if not re.match(_VERSIONED_PIP, k)}
    if normalized == "setuptools" and "easy_install" in by_name:
        body = by_name["easy_install"]
        out += [("easy_install", body), (f"easy_install-{major}.{minor}", body)]
        import re

        by_name = {k: v for k, v in by_name.items() if not re.match(_VERSIONED_EASY_INSTALL, k)}
    out += sorted(by_name.items())
    return out


# The hashes of what every install writes (REQUESTED, INSTALLER), known in advance: a wheel
# without scripts then installs without importing hashlib (~4 ms).
_KNOWN = {
    b"": "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
    b"satchel\n": "sha256=LHfrnlGwK0nEpa7n3HPfFT55Dxfxzi9B1iKw2Qo7PzU",
}


def sha256_record_hash(data: bytes) -> str:
    """`sha256=<urlsafe base64, no padding>` as RECORD writes it."""
    known = _KNOWN.get(data)
    if known is not None:
        return known
    import binascii  # (base64.urlsafe_b64encode without importing base64 and struct)
    import hashlib

    encoded = binascii.b2a_base64(hashlib.sha256(data).digest(), newline=False).rstrip(b"=")
    return "sha256=" + encoded.decode().replace("+", "-").replace("/", "_")


def record_text(rows: list[tuple[str, str, str]]) -> str:
    """RECORD's content for (path, hash, size) rows; pip's csv dialect (CRLF line ends), as
    csv.writer writes it (the csv module would cost an import on every install): a field
    holding a comma, a quote or a line break is quoted, its quotes doubled."""
    return "".join(",".join(_csv_field(field) for field in row) + "\r\n" for row in rows)


def _csv_field(field: str) -> str:
    if any(c in field for c in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def direct_url_json(url: str, digest: str, built: Mapping[str, Any] | None = None) -> bytes:
    """direct_url.json (PEP 610) for what came from a URL, a path or VCS, as pip writes it
    (freeze reads it): the builder's record for what it built, else the wheel's own hash."""
    import json

    info = built if built is not None else {"url": url, "archive_info": {"hash": f"sha256={digest}", "hashes": {"sha256": digest}}}
    return json.dumps(info, sort_keys=True).encode()
