"""pip's requirements-file grammar, read into `ParsedRequirements`.

Owns the file-level steps, in pip's order, and the entry that runs them: decode (a BOM, else a
PEP 263 `coding:` comment, else UTF-8, else the locale's encoding), split into logical lines
(`satchel.requirements.reqfile_lines`: `\\` continuations, comments, `${VAR}`), split each
logical line into its requirement and its options and read the options as pip's optparse does
(`satchel.requirements.reqfile_options`), follow `-r`/`-c` relative to the including file with
cycle detection (`satchel.requirements.reqfile_walk`), and merge file-level options in reading
order (`satchel.requirements.reqfile_merge`). Files are read through an injected
`reader(location) -> text`, so a later layer can plug in URL fetching; the default reads local
paths and file: URLs.

Import rule: imports only `satchel.requirements.model` and the `reqfile_*` modules (lazily,
when a file is parsed: importing this module costs no regular expression or dataclass) and,
through them, `satchel.requirements.errors` and `packaging`.
"""

from __future__ import annotations

import codecs
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping

from satchel.requirements.model import ParsedRequirements

__all__ = ["Reader", "parse_requirements_file", "read_requirements_file"]

Reader = Callable[[str], str]

_CODING = rb"coding[:=]\s*([-\w.]+)"  # compiled on first use (re caches it): rarely needed
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16-LE, which is its prefix
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)


def read_requirements_file(location: str) -> str:
    """The default reader: a local path or file: URL, decoded as pip decodes it (a BOM, else a
    PEP 263 `coding:` comment in the first two lines, else UTF-8, else the locale's encoding)."""
    scheme = urllib.parse.urlsplit(location).scheme.lower()
    if scheme == "file":
        from urllib.request import url2pathname  # http.client and more: only for file: URLs

        location = url2pathname(urllib.parse.urlsplit(location).path)
    elif scheme in ("http", "https"):
        raise OSError(f"fetching {location} needs the network, which this reader does not use")
    with open(location, "rb") as f:
        data = f.read()
    return _decode(data)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    for line in data.split(b"\n")[:2]:
        match = re.search(_CODING, line) if line.startswith(b"#") else None
        if match:
            return data.decode(match[1].decode("ascii"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        import locale

        return data.decode(locale.getpreferredencoding(False))


def parse_requirements_file(
    path: str | os.PathLike[str],
    *,
    reader: Reader = read_requirements_file,
    constraint: bool = False,
    environ: Mapping[str, str] | None = None,
    cwd: str | None = None,
    exists: Callable[[str], bool] = os.path.exists,
    isdir: Callable[[str], bool] = os.path.isdir,
) -> ParsedRequirements:
    """Read the requirements file at `path` (or a constraints file, with `constraint`) and the
    files it names with -r/-c, as pip does.

    `reader(location)` returns a file's text (`location` is an absolute path or a URL);
    `environ` supplies `${VAR}` values (default: os.environ); `cwd` is what relative paths are
    relative to (default: the current directory); `exists` decides whether a relative
    `--find-links` is taken relative to the file (pip's rule: when it exists there) and `isdir`
    whether a path-like requirement is a local project (pip's rule; else it is read as a name).
    Raises RequirementsError naming `file:line` for any line pip would refuse.
    """
    from satchel.requirements.reqfile_walk import Walk

    parse = Walk(reader, os.environ if environ is None else environ, os.getcwd() if cwd is None else cwd, exists, isdir)
    parse.start(os.fspath(path), constraint)
    return ParsedRequirements(parse.requests, parse.options.freeze(), tuple(parse.warnings))
