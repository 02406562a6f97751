"""A real package index on 127.0.0.1, serving the distributions in one directory.

    with IndexServer(dists_dir, yanked={"demo==1.1": "broken"}) as index:
        index.faults.status(503, times=2, path="/simple/demo/")  # two 503s, then the page
        urllib.request.urlopen(index.url + "/demo/")               # or pip --index-url index.url
        assert "/files/demo-1.0-py3-none-any.whl" not in index.paths()

What it serves (stdlib `ThreadingHTTPServer`, HTTP/1.1 keep-alive, one thread per connection):
- `/simple/` and `/simple/<project>/`: PEP 503 HTML or PEP 691 JSON (api-version 1.1, PEP 700
  `versions` and `size`), chosen from the Accept header; `Vary: Accept`. Non-normalised names
  (`/simple/Foo_Bar/`) redirect (301) to the normalised page.
- links carry `#sha256=`, `data-requires-python` (HTML-escaped) / `requires-python`,
  `data-yanked` / `yanked`, and, for wheels, PEP 658/714 `data-dist-info-metadata` +
  `data-core-metadata` / `dist-info-metadata` + `core-metadata` with the metadata's sha256.
- `/files/<filename>` and `/files/<filename>.metadata`: bytes with ETag, Last-Modified and
  `Accept-Ranges`; single byte ranges (206, 416); HEAD.
- every response carries ETag + Last-Modified; If-None-Match / If-Modified-Since give 304.

The directory is rescanned on every request, so files added after `start()` are served.
Switches (`json`, `html`, `metadata`, `basic_auth`, `redirect_names`, `cache_control`) and
`faults` may be changed while the server runs; `reset()` restores the constructor's settings.
"""

from __future__ import annotations

import base64
import email.utils
import fnmatch
import hashlib
import html
import json
import socket
import struct
import tarfile
import threading
import time
import traceback
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from .wheels import core_metadata, normalize

__all__ = [
    "HTML_TYPE",
    "JSON_TYPE",
    "DistFile",
    "Fault",
    "Faults",
    "IndexServer",
    "LoggedRequest",
    "negotiate",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
_LATEST = {"application/vnd.pypi.simple.latest+json": JSON_TYPE, "application/vnd.pypi.simple.latest+html": HTML_TYPE}
_API_VERSION = "1.1"
_DIST_SUFFIXES = (".whl", ".tar.gz", ".zip")


# ---------------------------------------------------------------- the files being served


@dataclass(frozen=True)
class DistFile:
    """One distribution file as the index describes it."""

    filename: str
    project: str  # normalised
    version: Version
    path: Path
    size: int
    sha256: str
    mtime: float
    requires_python: str | None
    yanked: str | None  # None: not yanked; "" yanked without a reason
    metadata: bytes | None  # PEP 658 core metadata (wheels only)

    @property
    def metadata_sha256(self) -> str | None:
        return hashlib.sha256(self.metadata).hexdigest() if self.metadata is not None else None


def _project_and_version(filename: str) -> tuple[str, Version]:
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return normalize(name), version


def _sdist_metadata(path: Path) -> bytes | None:
    """PKG-INFO at the top of an sdist (for its Requires-Python), if there is one."""
    def top_level(name: str) -> bool:
        return name.count("/") == 1 and name.endswith("/PKG-INFO")

    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zipped:
            names = [n for n in zipped.namelist() if top_level(n)]
            return zipped.read(names[0]) if names else None
    with tarfile.open(path) as tarred:
        members = [m for m in tarred.getmembers() if top_level(m.name)]
        extracted = tarred.extractfile(members[0]) if members else None
        return extracted.read() if extracted else None


def _override(overrides: Mapping[str, str], filename: str, project: str, version: Version) -> str | None:
    """An override keyed by file name or by `project==version` (any spelling of the name)."""
    if filename in overrides:
        return overrides[filename]
    for key, value in overrides.items():
        name, sep, release = key.partition("==")
        if sep and normalize(name) == project and Version(release) == version:
            return value
    return None


def _describe(path: Path, yanked: Mapping[str, str], requires_python: Mapping[str, str]) -> DistFile:
    data = path.read_bytes()
    project, version = _project_and_version(path.name)
    metadata = core_metadata(path) if path.name.endswith(".whl") else None
    headers = BytesParser().parsebytes(metadata or _sdist_metadata(path) or b"", headersonly=True)
    python = _override(requires_python, path.name, project, version)
    return DistFile(
        filename=path.name,
        project=project,
        version=version,
        path=path,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mtime=path.stat().st_mtime,
        requires_python=python if python is not None else headers.get("Requires-Python"),
        yanked=_override(yanked, path.name, project, version),
        metadata=metadata,
    )


class _Catalog:
    """The directory's distributions, rescanned on demand, parsed once per (name, size, mtime)."""

    def __init__(self, directory: Path, yanked: Mapping[str, str], requires_python: Mapping[str, str]) -> None:
        self.directory = directory
        self.yanked = dict(yanked)
        self.requires_python = dict(requires_python)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int, int], DistFile] = {}

    def projects(self) -> dict[str, list[DistFile]]:
        by_project: dict[str, list[DistFile]] = {}
        for dist in sorted(self._scan(), key=lambda d: (d.project, d.version, d.filename)):
            by_project.setdefault(dist.project, []).append(dist)
        return by_project

    def file(self, filename: str) -> DistFile | None:
        return next((d for d in self._scan() if d.filename == filename), None)

    def _scan(self) -> list[DistFile]:
        found = []
        for path in self.directory.iterdir():
            if path.name.startswith(".") or not path.name.endswith(_DIST_SUFFIXES) or not path.is_file():
                continue
            stat = path.stat()
            key = (path.name, stat.st_size, stat.st_mtime_ns)
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = _describe(path, self.yanked, self.requires_python)
                found.append(self._cache[key])
        return found


# ---------------------------------------------------------------- pages


def negotiate(accept: str | None, *, json_ok: bool, html_ok: bool) -> str | None:
    """The content type to answer with (JSON_TYPE, HTML_TYPE or text/html), or None (406).

    Highest q wins; on a tie the earlier entry wins. No Accept header, or only `*/*`, gets HTML
    (JSON when HTML is switched off): what a browser or an old client expects.
    """
    offers: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept or "*/*").split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                quality = float(value or 0)
        chosen = _offer(_LATEST.get(media.lower(), media.lower()), json_ok=json_ok, html_ok=html_ok)
        if chosen and quality > 0:
            offers.append((-quality, position, chosen))
    return min(offers)[2] if offers else None


def _offer(media: str, *, json_ok: bool, html_ok: bool) -> str | None:
    if media == JSON_TYPE or media == "application/*":
        return JSON_TYPE if json_ok else None
    if media in (HTML_TYPE, "text/html"):
        return media if html_ok else None
    if media == "text/*":
        return "text/html" if html_ok else None
    if media == "*/*":
        return "text/html" if html_ok else (JSON_TYPE if json_ok else None)
    return None


def _html_document(title: str, lines: list[str]) -> bytes:
    body = "\n".join(f"    {line}<br />" for line in lines)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        f'    <meta name="pypi:repository-version" content="{_API_VERSION}">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"    <h1>{html.escape(title)}</h1>\n{body}\n  </body>\n</html>\n"
    ).encode("utf-8")


def _file_href(dist: DistFile) -> str:
    """Relative to `/simple/<project>/`, as the big indexes do; the client must resolve it."""
    return f"../../files/{quote(dist.filename)}"


def _html_anchor(dist: DistFile, with_metadata: bool) -> str:
    attributes = [f'href="{html.escape(_file_href(dist))}#sha256={dist.sha256}"']
    if dist.requires_python:
        attributes.append(f'data-requires-python="{html.escape(dist.requires_python)}"')
    if with_metadata and dist.metadata is not None:
        value = f"sha256={dist.metadata_sha256}"
        attributes += [f'data-dist-info-metadata="{value}"', f'data-core-metadata="{value}"']
    if dist.yanked is not None:
        attributes.append(f'data-yanked="{html.escape(dist.yanked)}"')
    return f"<a {' '.join(attributes)}>{html.escape(dist.filename)}</a>"


def _json_file(dist: DistFile, with_metadata: bool) -> dict[str, object]:
    metadata: object = {"sha256": dist.metadata_sha256} if with_metadata and dist.metadata is not None else False
    return {
        "filename": dist.filename,
        "url": _file_href(dist),
        "hashes": {"sha256": dist.sha256},
        "requires-python": dist.requires_python,
        "core-metadata": metadata,
        "dist-info-metadata": metadata,
        "yanked": (dist.yanked or True) if dist.yanked is not None else False,
        "size": dist.size,
        "upload-time": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(dist.mtime)),
    }


def _project_page(project: str, dists: list[DistFile], content_type: str, with_metadata: bool) -> bytes:
    if content_type == JSON_TYPE:
        document = {
            "meta": {"api-version": _API_VERSION},
            "name": project,
            "versions": sorted({str(d.version) for d in dists}, key=Version),
            "files": [_json_file(d, with_metadata) for d in dists],
        }
        return json.dumps(document, indent=1).encode("utf-8")
    return _html_document(f"Links for {project}", [_html_anchor(d, with_metadata) for d in dists])


def _root_page(projects: list[str], content_type: str) -> bytes:
    if content_type == JSON_TYPE:
        document = {"meta": {"api-version": _API_VERSION}, "projects": [{"name": p} for p in projects]}
        return json.dumps(document, indent=1).encode("utf-8")
    return _html_document("Simple index", [f'<a href="{quote(p)}/">{html.escape(p)}</a>' for p in projects])


# ---------------------------------------------------------------- faults


@dataclass
class Fault:
    """One injected failure; `hits` counts the requests it has affected so far."""

    kind: str  # "status" | "reset" | "truncate" | "slow"
    path: str  # fnmatch pattern on the request path ("*" matches "/" too)
    remaining: int | None  # None: until cleared
    status: int = 0
    keep_bytes: int = 0
    seconds: float = 0.0
    hits: int = 0

    def matches(self, path: str) -> bool:
        return (self.remaining is None or self.remaining > 0) and fnmatch.fnmatchcase(path, self.path)


@dataclass
class _Plan:
    """What the faults decided for one request."""

    delay: float = 0.0
    status: int | None = None
    reset: bool = False
    keep_bytes: int | None = None


class Faults:
    """Failure injection by request-path pattern. Every method returns the `Fault` it added.

    `times` is how many matching requests the fault affects (None: all, until `clear()`).
    A request takes every matching `slow` delay, then the first matching `status`, `reset`
    or `truncate` fault (in the order they were added).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def status(self, code: int = 503, *, times: int | None = None, path: str = "*") -> Fault:
        """Answer `code` (with a short text body) instead of the real response."""
        return self._add(Fault("status", path, times, status=code))

    def reset(self, *, times: int | None = None, path: str = "*") -> Fault:
        """Read the request, then drop the connection with a TCP RST and no response."""
        return self._add(Fault("reset", path, times))

    def truncate(self, bytes: int = 100, *, times: int | None = None, path: str = "*") -> Fault:
        """Send the real headers (full Content-Length) but only the first `bytes` of the body, then close."""
        return self._add(Fault("truncate", path, times, keep_bytes=bytes))

    def slow(self, seconds: float = 0.5, *, times: int | None = None, path: str = "*") -> Fault:
        """Wait `seconds` before answering."""
        return self._add(Fault("slow", path, times, seconds=seconds))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def plan(self, path: str) -> _Plan:
        """Consume the faults that apply to one request to `path`."""
        plan = _Plan()
        terminal_taken = False
        with self._lock:
            for fault in self._faults:
                if not fault.matches(path) or (fault.kind != "slow" and terminal_taken):
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.kind == "slow":
                    plan.delay += fault.seconds
                    continue
                terminal_taken = True
                if fault.kind == "status":
                    plan.status = fault.status
                elif fault.kind == "reset":
                    plan.reset = True
                else:
                    plan.keep_bytes = fault.keep_bytes
        return plan


# ---------------------------------------------------------------- HTTP


class LoggedRequest(NamedTuple):
    """A request as the server saw it; `headers` keys are lower-case. `status` is None for a reset."""

    method: str
    path: str
    headers: dict[str, str]
    status: int | None
    content_type: str | None


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def _not_modified(headers: Mapping[str, str], etag: str, last_modified: float) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since (1 s resolution)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(last_modified) <= email.utils.parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(first, last) for a single `bytes=` range; None to serve it all; "unsatisfiable" for 416."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None  # absent, another unit or several ranges: a 200 with everything is allowed
    first_text, _, last_text = header[len("bytes="):].strip().partition("-")
    try:
        if not first_text:  # suffix: the last N bytes
            length = int(last_text)
            return (max(size - length, 0), size - 1) if length > 0 and size else "unsatisfiable"
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    except ValueError:
        return None
    return (first, last) if first <= last and first < size else "unsatisfiable"


def _entity(body: bytes, content_type: str, last_modified: float, headers: Mapping[str, str], **extra: str) -> _Response:
    """A 200 (or 304) carrying a strong ETag from the body's sha256 and Last-Modified."""
    etag = '"' + hashlib.sha256(content_type.encode() + b"\0" + body).hexdigest()[:32] + '"'
    validators = {"ETag": etag, "Last-Modified": _http_date(last_modified), **extra}
    if _not_modified(headers, etag, last_modified):
        return _Response(304, headers=validators)
    return _Response(200, body, {"Content-Type": content_type, **validators})


def _ranged(response: _Response, headers: Mapping[str, str]) -> _Response:
    """Apply a Range header (honouring If-Range) to a 200 file response."""
    if response.status != 200:
        return response
    response.headers["Accept-Ranges"] = "bytes"
    if_range = headers.get("if-range")
    if if_range is not None and if_range != response.headers["ETag"]:
        return response
    size = len(response.body)
    chosen = _byte_range(headers.get("range"), size)
    if chosen is None:
        return response
    if chosen == "unsatisfiable":
        return _Response(416, b"", {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
    assert isinstance(chosen, tuple)
    first, last = chosen
    part = dict(response.headers, **{"Content-Range": f"bytes {first}-{last}/{size}"})
    return _Response(206, response.body[first : last + 1], part)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end on their own
    server: _Server

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is `IndexServer.requests`."""

    def _handle(self, *, send_body: bool) -> None:
        index = self.server.index
        generation = index.generation  # a request still running when the log is cleared isn't logged
        headers = {key.lower(): value for key, value in self.headers.items()}
        path = urlsplit(self.path).path
        plan = index.faults.plan(path)
        if plan.delay:
            time.sleep(plan.delay)
        if plan.reset:
            index.log(LoggedRequest(self.command, self.path, headers, None, None), generation)
            self._reset()
            return
        if plan.status is not None:
            response = _Response(plan.status, f"injected fault: {plan.status}\n".encode(), {"Content-Type": "text/plain"})
        else:
            response = self._respond(path, headers)
        index.log(LoggedRequest(self.command, self.path, headers, response.status, response.headers.get("Content-Type")), generation)
        self._send(response, send_body=send_body, keep_bytes=plan.keep_bytes)

    def _respond(self, path: str, headers: Mapping[str, str]) -> _Response:
        """The index's answer; a bug in it becomes a 500 carrying the traceback, not a hang."""
        try:
            return self.server.index.respond(path, headers)
        except Exception:
            return _Response(500, traceback.format_exc().encode(), {"Content-Type": "text/plain"})

    def _send(self, response: _Response, *, send_body: bool, keep_bytes: int | None) -> None:
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        if keep_bytes is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body if keep_bytes is None else response.body[:keep_bytes])

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the client sees a connection reset, not a clean end."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    index: IndexServer


# ---------------------------------------------------------------- the index


class IndexServer:
    """A loopback package index over `directory`; see the module docstring for what it serves."""

    def __init__(
        self,
        directory: Path,
        *,
        yanked: Mapping[str, str] | None = None,
        requires_python: Mapping[str, str] | None = None,
        json: bool = True,
        html: bool = True,
        metadata: bool = True,
        basic_auth: tuple[str, str] | None = None,
        redirect_names: bool = True,
        cache_control: str = "max-age=0, must-revalidate",
    ) -> None:
        """`yanked` / `requires_python` map a file name or `project==version` to a reason /
        specifier (Requires-Python otherwise comes from the file's own metadata)."""
        self.directory = Path(directory)
        self.catalog = _Catalog(self.directory, yanked or {}, requires_python or {})
        self._defaults = dict(
            json=json, html=html, metadata=metadata, basic_auth=basic_auth,
            redirect_names=redirect_names, cache_control=cache_control,
        )  # fmt: skip
        self.json, self.html, self.metadata = json, html, metadata
        self.basic_auth, self.redirect_names, self.cache_control = basic_auth, redirect_names, cache_control
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self.generation = 0
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> IndexServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.index = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=f"index-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the constructor's switches, no faults, an empty request log."""
        for key, value in self._defaults.items():
            setattr(self, key, value)
        self.faults.clear()
        self.clear_log()

    # -- addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the index server is not running")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The index URL to give a client: `http://127.0.0.1:PORT/simple` (no trailing slash)."""
        return f"{self.root_url}/simple"

    def authenticated_url(self) -> str:
        """`url` with the `basic_auth` credentials embedded (`http://user:pass@127.0.0.1:PORT/simple`)."""
        if self.basic_auth is None:
            return self.url
        user, password = (quote(part, safe="") for part in self.basic_auth)
        return f"http://{user}:{password}@127.0.0.1:{self.port}/simple"

    def project_url(self, name: str) -> str:
        return f"{self.url}/{normalize(name)}/"

    def file_url(self, filename: str) -> str:
        return f"{self.root_url}/files/{quote(filename)}"

    # -- what is served, and what was asked

    def files(self, project: str) -> list[DistFile]:
        return self.catalog.projects().get(normalize(project), [])

    def log(self, entry: LoggedRequest, generation: int | None = None) -> None:
        with self._log_lock:
            if generation is None or generation == self.generation:
                self.requests.append(entry)

    def clear_log(self) -> None:
        """Empty the log; requests that started before (e.g. a slow response a previous test's
        client gave up on) won't appear in it when they finish."""
        with self._log_lock:
            self.requests.clear()
            self.generation += 1

    def paths(self, method: str | None = None) -> list[str]:
        """The request paths so far (optionally only one method's), oldest first."""
        with self._log_lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    # -- responses

    def respond(self, path: str, headers: Mapping[str, str]) -> _Response:
        """The response to a GET of `path` (faults aside): auth, then routing."""
        if self.basic_auth is not None and not self._authorised(headers.get("authorization")):
            body = b"401: credentials required\n"
            return _Response(401, body, {"Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="satchel-tests"'})
        parts = [unquote(part) for part in path.split("/")]
        if parts[:2] == ["", "simple"]:
            return self._simple(parts[2:], headers)
        if len(parts) == 3 and parts[1] == "files":
            return self._file(parts[2], headers)
        if path == "/":
            return self._redirect("/simple/")
        return _Response(404, b"404: not found\n", {"Content-Type": "text/plain"})

    def _authorised(self, header: str | None) -> bool:
        assert self.basic_auth is not None
        expected = base64.b64encode(":".join(self.basic_auth).encode()).decode()
        return header is not None and header.strip() == f"Basic {expected}"

    def _redirect(self, path: str) -> _Response:
        return _Response(301, b"", {"Location": f"{self.root_url}{path}"})

    def _simple(self, rest: list[str], headers: Mapping[str, str]) -> _Response:
        """`rest` is what follows `/simple`: [] (no slash), [""] (root), [name] or [name, ""]."""
        if not rest:
            return self._redirect("/simple/")
        content_type = self._content_type(headers.get("accept"))
        if content_type is None:
            return _Response(406, b"406: neither HTML nor JSON is acceptable\n", {"Content-Type": "text/plain"})
        projects = self.catalog.projects()
        vary = {"Vary": "Accept", "Cache-Control": self.cache_control}
        if rest == [""]:
            newest = max((d.mtime for dists in projects.values() for d in dists), default=0.0)
            return _entity(_root_page(sorted(projects), content_type), content_type, newest, headers, **vary)
        name = rest[0]
        if len(rest) == 1 or (name != normalize(name) and self.redirect_names):
            return self._redirect(f"/simple/{quote(normalize(name))}/")
        dists = projects.get(normalize(name))
        if len(rest) != 2 or rest[1] or not dists:
            return _Response(404, b"404: no such project\n", {"Content-Type": "text/plain"})
        body = _project_page(normalize(name), dists, content_type, self.metadata)
        return _entity(body, content_type, max(d.mtime for d in dists), headers, **vary)

    def _content_type(self, accept: str | None) -> str | None:
        """Negotiated per PEP 691; with `json` off, a legacy PEP 503 server: text/html whatever was asked."""
        if not self.json:
            return "text/html" if self.html else None
        return negotiate(accept, json_ok=True, html_ok=self.html)

    def _file(self, filename: str, headers: Mapping[str, str]) -> _Response:
        is_metadata = filename.endswith(".metadata")
        dist = self.catalog.file(filename.removesuffix(".metadata") if is_metadata else filename)
        if dist is None or (is_metadata and (not self.metadata or dist.metadata is None)):
            return _Response(404, b"404: no such file\n", {"Content-Type": "text/plain"})
        body = dist.metadata if is_metadata and dist.metadata is not None else dist.path.read_bytes()
        immutable = {"Cache-Control": "max-age=31536000, immutable"}
        return _ranged(_entity(body, "application/octet-stream", dist.mtime, headers, **immutable), headers)
