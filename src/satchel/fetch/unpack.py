"""Unpack a wheel once into the cache, checked, with a manifest that makes installs cheap.

`unpacked(wheel_path)` returns the cached tree of a wheel, keyed by the wheel's sha256, and
unpacks it first if it isn't there. Unpacking checks everything before an install can use it:
member names (no absolute paths, no `..`, no links), every file against RECORD (hash and
size), the WHEEL version. The manifest beside the tree lists the directories to create, the
files with their destination scheme and RECORD row, and the entry-point scripts with their
bodies, so that installing reads one JSON file and makes links: no zip, no hashing, and no
import of `installer` or `packaging` on a warm install.

Cache layout (bucket `wheels-v1`):

    <cache>/wheels-v1/<sha256[:2]>/<sha256>/manifest.json
    <cache>/wheels-v1/<sha256[:2]>/<sha256>/files/<archive path>

A tree is built beside its final name and renamed into place, so a crash never leaves a
half-unpacked entry that a later install would use.
"""

from __future__ import annotations

import os

from satchel.cache.store import file_sha256
from satchel.errors import OperationError, WheelError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import zipfile
    from typing import Any

    from satchel.cache.layout import Cache

__all__ = ["UnpackedWheel", "cached", "local_sha256", "unpacked"]

_MANIFEST_VERSION = 1
_SCHEMES = ("purelib", "platlib", "headers", "scripts", "data")
_CHUNK = 1 << 16


class UnpackedWheel:
    """A wheel's files in the cache, plus what installing them needs (the manifest)."""

    __slots__ = ("manifest", "root")

    def __init__(self, root: str, manifest: dict[str, Any]) -> None:
        self.root = root
        self.manifest = manifest

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def dist_info(self) -> str:
        return str(self.manifest["dist_info"])

    @property
    def files_dir(self) -> str:
        return os.path.join(self.root, "files")


def local_sha256(path: str) -> str:
    """The sha256 of a local archive (`cache.store.file_sha256`); OperationError naming it if it
    can't be read."""
    try:
        return file_sha256(path)
    except OSError as exc:
        raise OperationError(f"can't read {path}: {exc.strerror or exc}.", input=path) from exc


def _root(cache: Cache, digest: str) -> str:
    return cache.part("wheels", digest[:2], digest)


def cached(cache: Cache, digest: str, manifest: dict[str, Any] | None = None) -> UnpackedWheel | None:
    """The unpacked tree of the wheel whose sha256 is `digest`, if `cache` has it.

    `manifest`: the tree's manifest as read earlier (a replayed install keeps it), so that
    only the tree's presence is checked here, not its JSON read again.
    """
    root = _root(cache, digest)
    if manifest is not None:
        present = manifest.get("manifest_version") == _MANIFEST_VERSION and os.path.isfile(
            os.path.join(root, "manifest.json")
        )
        return UnpackedWheel(root, manifest) if present else None
    import json

    try:
        with open(os.path.join(root, "manifest.json"), "rb") as handle:
            manifest = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    if manifest.get("manifest_version") != _MANIFEST_VERSION:
        return None
    return UnpackedWheel(root, manifest)


def unpacked(cache: Cache, wheel_path: str, digest: str | None = None) -> UnpackedWheel:
    """The checked tree of the wheel at `wheel_path` in `cache`, unpacking it on first use.

    `digest` is the file's sha256 when the caller already knows it (checked on download),
    which saves hashing the file again.
    """
    if digest is None:
        try:
            digest = file_sha256(wheel_path)
        except OSError as exc:
            raise WheelError(f"can't read the wheel {wheel_path}: {exc.strerror or exc}.", input=wheel_path) from exc
    return cached(cache, digest) or _unpack_into(wheel_path, _root(cache, digest))


def _unpack_into(wheel_path: str, root: str) -> UnpackedWheel:
    import json
    import shutil  # (here: a warm install never needs it)
    import zipfile
    import zlib

    staging = f"{root}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(os.path.join(staging, "files"))
    try:
        try:
            with zipfile.ZipFile(wheel_path) as archive:
                manifest = _extract(archive, os.path.basename(wheel_path), os.path.join(staging, "files"))
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
            raise WheelError(f"{wheel_path} is not a valid wheel (zip) file: {exc}.", input=wheel_path) from exc
        with open(os.path.join(staging, "manifest.json"), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle)
        try:
            os.rename(staging, root)
        except OSError:
            if not os.path.isfile(os.path.join(root, "manifest.json")):
                shutil.rmtree(root, ignore_errors=True)
                os.rename(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with open(os.path.join(root, "manifest.json"), "rb") as handle:
        return UnpackedWheel(root, json.loads(handle.read()))


def _bad(wheel: str, problem: str) -> WheelError:
    return WheelError(f"{wheel} is not a valid wheel: {problem}.", input=wheel)


def _check_member(wheel: str, info: zipfile.ZipInfo) -> str:
    """The member's path if it is safe to write under the unpack root; else an error."""
    name = info.filename
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or ":" in parts[0] or ".." in parts or "" in parts[:-1]:
        raise _bad(wheel, f"the archive member {name!r} would be written outside its directory")
    mode = info.external_attr >> 16
    if mode and (mode & 0o170000) not in (0, 0o100000, 0o040000):
        raise _bad(wheel, f"the archive member {name!r} is a link or a special file")
    return name


def _dist_info_dir(wheel: str, names: list[str]) -> str:
    tops = {name.split("/", 1)[0] for name in names}
    dist_infos = [top for top in tops if top.endswith(".dist-info")]
    if len(dist_infos) != 1:
        raise _bad(wheel, f"it has {len(dist_infos)} .dist-info directories (one is needed)")
    return dist_infos[0]


def _read_record(wheel: str, text: str) -> dict[str, tuple[str, str]]:
    import csv

    rows: dict[str, tuple[str, str]] = {}
    for row in csv.reader(text.splitlines()):
        if not row:
            continue
        if len(row) != 3:
            raise _bad(wheel, f"RECORD has a malformed row {row!r}")
        rows[row[0]] = (row[1], row[2])
    return rows


def _extract(archive: zipfile.ZipFile, wheel: str, dest: str) -> dict[str, Any]:
    from installer.utils import parse_entrypoints, parse_wheel_filename

    from satchel.environment.metadata import parse_headers

    try:
        parsed = parse_wheel_filename(wheel)
    except Exception as exc:  # installer raises a bare ValueError subclass here
        raise _bad(wheel, "its file name is not name-version-python-abi-platform.whl") from exc
    infos = [info for info in archive.infolist() if not info.is_dir()]
    names = [_check_member(wheel, info) for info in infos]
    dist_info = _dist_info_dir(wheel, names)
    data_dir = dist_info[: -len(".dist-info")] + ".data"
    record_path = f"{dist_info}/RECORD"
    if record_path not in names:
        raise _bad(wheel, f"{record_path} is missing")
    record = _read_record(wheel, archive.read(record_path).decode("utf-8"))
    wheel_meta = parse_headers(archive.read(f"{dist_info}/WHEEL").decode("utf-8"))
    wheel_version = wheel_meta["wheel-version"][0] if "wheel-version" in wheel_meta else None
    if not (wheel_version or "").startswith("1."):
        raise _bad(wheel, f"Wheel-Version {wheel_version} is not supported (1.x is)")
    root_scheme = "purelib" if (wheel_meta.get("root-is-purelib") or [""])[0] == "true" else "platlib"

    files = []
    dirs: set[tuple[str, str]] = set()
    for info, name in zip(infos, names):
        if name == record_path or name in (f"{dist_info}/RECORD.jws", f"{dist_info}/RECORD.p7s"):
            continue
        if "__pycache__" in name.split("/")[:-1]:
            continue  # installers never install bytecode from a wheel
        scheme, rel = _scheme_of(wheel, name, data_dir, root_scheme)
        executable = bool((info.external_attr >> 16) & 0o111) or scheme == "scripts"
        hash_value, size = _extract_member(archive, info, wheel, name, record, dest, executable)
        files.append([scheme, rel, name, hash_value, size, executable])
        parent = os.path.dirname(rel)
        while parent:
            dirs.add((scheme, parent))
            parent = os.path.dirname(parent)

    scripts = []
    if f"{dist_info}/entry_points.txt" in names:
        text = archive.read(f"{dist_info}/entry_points.txt").decode("utf-8")
        for script_name, module, attr, section in parse_entrypoints(text):
            scripts.append([script_name, section, _script_body(module, attr)])
    return {
        "manifest_version": _MANIFEST_VERSION,
        "name": parsed.distribution,
        "version": parsed.version,
        "dist_info": dist_info,
        "root_scheme": root_scheme,
        "dirs": sorted(dirs, key=lambda item: (item[0], item[1].count("/"), item[1])),
        "files": files,
        "scripts": scripts,
    }


def _scheme_of(wheel: str, name: str, data_dir: str, root_scheme: str) -> tuple[str, str]:
    if not name.startswith(data_dir + "/"):
        return root_scheme, name
    parts = name.split("/", 2)
    if len(parts) < 3 or parts[1] not in _SCHEMES:
        raise _bad(wheel, f"{name} is not inside a known .data subdirectory ({', '.join(_SCHEMES)})")
    return parts[1], parts[2]


def _extract_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    wheel: str,
    name: str,
    record: dict[str, tuple[str, str]],
    dest: str,
    executable: bool,
) -> tuple[str, int]:
    """Write one member under `dest`, checking it against RECORD; its (RECORD hash, size)."""
    import base64
    import hashlib

    if name not in record:
        raise _bad(wheel, f"{name} is not listed in RECORD")
    expected_hash, expected_size = record[name]
    algorithm, _, expected_digest = expected_hash.partition("=")
    if algorithm not in ("sha256", "sha384", "sha512"):
        raise _bad(wheel, f"RECORD gives {name} no acceptable hash (sha256 or stronger)")
    digest = hashlib.new(algorithm)
    target = os.path.join(dest, *name.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    size = 0
    with archive.open(info) as source, open(target, "wb") as sink:
        for block in iter(lambda: source.read(_CHUNK), b""):
            digest.update(block)
            sink.write(block)
            size += len(block)
    actual = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    if actual != expected_digest or (expected_size and int(expected_size) != size):
        raise _bad(wheel, f"{name} does not match its RECORD entry (hash or size differs)")
    os.chmod(target, 0o755 if executable else 0o644)
    return f"sha256={_sha256_b64(target)}" if algorithm != "sha256" else expected_hash, size


def _sha256_b64(path: str) -> str:
    import base64

    return base64.urlsafe_b64encode(bytes.fromhex(file_sha256(path))).rstrip(b"=").decode()


def _script_body(module: str, attr: str) -> str:
    """The script for an entry point without its shebang line (added at install time)."""
    from installer.scripts import Script

    _, content = Script("x", module, attr, "console").generate("/python", "posix")
    return content.decode("utf-8").split("\n", 1)[1]
