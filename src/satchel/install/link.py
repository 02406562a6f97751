"""Put an unpacked wheel's files into an environment: hard links from the cache, copies where
links fail (another filesystem), entry-point scripts for the target interpreter, and the
installed metadata (INSTALLER, REQUESTED, RECORD) so that pip can later upgrade or uninstall
what satchel installed.

The caller owns atomicity: `satchel venv` links into an environment that is not yet in place,
and the install transaction (a later layer) stages and journals.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False

from satchel.errors import InstallError
from satchel.install.record import record_text, scripts_for_target, sha256_record_hash, shebang

if TYPE_CHECKING:
    from collections.abc import Mapping

    from satchel.fetch.unpack import UnpackedWheel

__all__ = ["INSTALLER_NAME", "install_unpacked"]

INSTALLER_NAME = "satchel"


class _Linker:
    """Hard-links files, switching to copies for good after the first cross-device failure."""

    __slots__ = ("copy",)

    def __init__(self) -> None:
        self.copy = False

    def place(self, source: str, target: str) -> None:
        if not self.copy:
            try:
                os.link(source, target)
                return
            except OSError as exc:
                import errno

                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                self.copy = True
        import shutil  # (only across filesystems)

        shutil.copy2(source, target)


def _mkdir(path: str) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        pass


def _make_dirs(paths: list[str]) -> None:
    """Create `paths` (parents listed before children). mkdir costs 0.1-0.8 ms on ext4 and a
    package like Django has ~1,000 directories, so large trees go level by level through a
    few threads (the syscall releases the GIL)."""
    if len(paths) < 64:
        for path in paths:
            _mkdir(path)
        return
    from concurrent.futures import ThreadPoolExecutor

    levels: dict[int, list[str]] = {}
    for path in paths:
        levels.setdefault(path.count(os.sep), []).append(path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for depth in sorted(levels):
            list(pool.map(_mkdir, levels[depth]))


def _write(path: str, data: bytes, mode: int = 0o644) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def install_unpacked(
    wheel: UnpackedWheel,
    scheme: Mapping[str, str],
    *,
    python: str,
    python_version: tuple[int, int, int],
    requested: bool = True,
    direct_url: bytes | None = None,
) -> list[str]:
    """Install `wheel` into the directories of `scheme`; return the paths written.

    `python` is the interpreter named in scripts' shebangs (the environment's, at its final
    location), `python_version` the version that scripts like `pip3.12` are named for;
    `direct_url` the PEP 610 record of an install from a URL, path or VCS.
    """
    manifest = wheel.manifest
    scheme = dict(scheme)
    if "headers" in scheme:  # pip puts a distribution's headers in a directory of its own
        scheme["headers"] = os.path.join(scheme["headers"], wheel.name)
        if any(entry[0] == "headers" for entry in manifest["files"]):
            os.makedirs(scheme["headers"], exist_ok=True)
    root_dir = scheme[manifest["root_scheme"]]
    written: list[str] = []
    rows: list[tuple[str, str, str]] = []

    def record_path(scheme_name: str, rel: str) -> str:
        if scheme_name == manifest["root_scheme"]:
            return rel
        full = os.path.join(scheme[scheme_name], rel)
        return os.path.relpath(full, root_dir).replace(os.sep, "/")

    try:
        _make_dirs([os.path.join(scheme[name], rel) for name, rel in manifest["dirs"]])
        linker = _Linker()
        files_dir = wheel.files_dir
        for scheme_name, rel, archive_name, hash_value, size, executable in manifest["files"]:
            source = os.path.join(files_dir, archive_name)
            target = os.path.join(scheme[scheme_name], rel)
            if scheme_name == "scripts":
                hash_value, size = _place_script_file(source, target, python)
            else:
                linker.place(source, target)
            written.append(target)
            rows.append((record_path(scheme_name, rel), hash_value, str(size)))
        head = shebang(python)
        for name, body in scripts_for_target(wheel.name, manifest["scripts"], python_version):
            data = (head + body).encode("utf-8")
            target = os.path.join(scheme["scripts"], name)
            _write(target, data, 0o755)
            written.append(target)
            rows.append((record_path("scripts", name), sha256_record_hash(data), str(len(data))))
        dist_info = os.path.join(root_dir, wheel.dist_info)
        extra = {"INSTALLER": f"{INSTALLER_NAME}\n".encode()}
        if requested:
            extra["REQUESTED"] = b""
        if direct_url is not None:
            extra["direct_url.json"] = direct_url
        for filename, data in extra.items():
            target = os.path.join(dist_info, filename)
            _write(target, data)
            written.append(target)
            rows.append((f"{wheel.dist_info}/{filename}", sha256_record_hash(data), str(len(data))))
        rows.append((f"{wheel.dist_info}/RECORD", "", ""))
        record_file = os.path.join(dist_info, "RECORD")
        _write(record_file, record_text(rows).encode("utf-8"))
        written.append(record_file)
    except OSError as exc:
        raise InstallError(
            f"installing {wheel.name} {wheel.version} failed: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
            + ".",
            input=wheel.name,
        ) from exc
    return written


def _place_script_file(source: str, target: str, python: str) -> tuple[str, int]:
    """Copy a .data/scripts file, pointing a `#!python` shebang at the target interpreter."""
    with open(source, "rb") as handle:
        data = handle.read()
    if data.startswith(b"#!python"):
        _first, _, rest = data.partition(b"\n")
        data = shebang(python).encode() + rest
    _write(target, data, 0o755)
    return sha256_record_hash(data), len(data)
