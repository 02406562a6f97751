"""Extract a source archive (an sdist, or a `name @ https://.../x.tar.gz` download) safely.

`extract_archive(archive, dest)` writes the members of a tar (any compression Python's
tarfile reads) or zip file under `dest`, and returns the project root: the single top-level
directory when everything sits under exactly one, else `dest` (pip's rule).

This module owns telling a tar from a zip, reading their members one at a time, and which
member types are refused before anything is written (devices, FIFOs and any other special
member; encrypted zip members). Every member is written by `satchel.fetch.safe_writer`'s
`SafeWriter`, which owns the path and link safety checks, and makes them itself on every Python
satchel runs on (3.10.0+): tarfile's extraction filters (PEP 706) are missing from early
3.10/3.11 patch releases and have had escapes of their own, so nothing here calls
`extract`/`extractall`. Tar and zip modification times are kept.

Import rule: the standard library (tarfile and zipfile lazily), `satchel.errors` and
`satchel.fetch.safe_writer`.
"""

from __future__ import annotations

import stat

TYPE_CHECKING = False

from satchel.fetch.safe_writer import CHUNK, ArchiveError, SafeWriter, damaged, read_errors

if TYPE_CHECKING:
    import tarfile
    import zipfile
    from typing import BinaryIO

__all__ = ["SOURCE_ARCHIVE_SUFFIXES", "ArchiveError", "extract_archive"]

_MAX_LINK_TARGET = 4096


def _available(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def _suffixes() -> tuple[str, ...]:
    """The source archive suffixes this Python can open (bz2 and lzma are optional modules)."""
    bz2 = _available("_bz2")
    lzma = _available("_lzma")
    wanted = {
        ".tar.gz": True, ".tgz": True, ".tar.bz2": bz2, ".tbz": bz2, ".tar.xz": lzma, ".txz": lzma,
        ".tar": True, ".zip": True, ".tar.lz": lzma, ".tar.lzma": lzma, ".tlz": lzma,
    }
    return tuple(suffix for suffix, ok in wanted.items() if ok)


SOURCE_ARCHIVE_SUFFIXES: tuple[str, ...] = _suffixes()


def extract_archive(archive: str, dest: str) -> str:
    """Extract `archive` (tar of any compression python's tarfile handles, or zip) into `dest`
    (an existing empty directory) and return the project root: the single top-level directory
    when everything sits under exactly one, else `dest` itself (pip's rule)."""
    try:
        handle = open(archive, "rb")
    except OSError as exc:
        raise ArchiveError(f"can't read the archive {archive}: {exc.strerror or exc}.", input=archive) from exc
    writer = SafeWriter(archive, dest)
    with handle:
        try:
            if _is_zip(archive, handle):
                _extract_zip(handle, writer)
            else:
                _extract_tar(handle, writer)
        except read_errors() as exc:
            raise damaged(archive, str(exc) or type(exc).__name__) from exc
    writer.check_links()
    return writer.project_root(dest)


def _is_zip(archive: str, handle: BinaryIO) -> bool:
    """Whether the content is a zip, else a tar; neither is an ArchiveError. The name only
    decides which test comes first, for files that pass both: zipfile finds the end record of
    a zip stored last in a plain tar, so tar goes first unless the name ends in `.zip`."""
    import tarfile
    import zipfile

    for zip_first in (True, False) if archive.lower().endswith(".zip") else (False, True):
        handle.seek(0)
        found = zipfile.is_zipfile(handle) if zip_first else tarfile.is_tarfile(handle)
        handle.seek(0)
        if found:
            return zip_first
    raise damaged(archive, "its content is neither a tar archive (plain, gzip, bzip2 or xz) nor a zip file")


def _extract_tar(handle: BinaryIO, writer: SafeWriter) -> None:
    import tarfile

    with tarfile.open(fileobj=handle, mode="r:*", encoding="utf-8") as archive:
        for member in archive:  # one member at a time: no getmembers(), no extract()
            _write_tar_member(archive, member, writer)
        _drain(archive)


def _drain(archive: tarfile.TarFile) -> None:
    """Read the stream past the end-of-archive blocks, where tarfile stops: gzip and xz check
    the whole stream only at its end, so a damaged or cut-off one is caught only there."""
    while archive.fileobj.read(CHUNK):
        pass


def _write_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, writer: SafeWriter) -> None:
    executable = bool(member.mode & 0o111)
    if member.isdir():
        writer.directory(member.name)
    elif member.isreg():
        source = archive.extractfile(member)
        if source is None:  # never for a regular member; for the type checker
            raise writer.refused(member.name, "has no content")
        with source:
            writer.file(member.name, source, executable, member.mtime)
    elif member.issym():
        writer.symlink(member.name, member.linkname)
    elif member.islnk():
        writer.hardlink(member.name, member.linkname, executable, member.mtime)
    elif member.ischr():
        raise writer.refused(member.name, "is a character device")
    elif member.isblk():
        raise writer.refused(member.name, "is a block device")
    elif member.isfifo():
        raise writer.refused(member.name, "is a FIFO (named pipe)")
    else:
        raise writer.refused(member.name, f"is a special member (tar type {member.type!r})")


def _extract_zip(handle: BinaryIO, writer: SafeWriter) -> None:
    import zipfile

    with zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            _write_zip_member(archive, info, writer)


def _write_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, writer: SafeWriter) -> None:
    mode = info.external_attr >> 16  # the unix st_mode, when the zip was made on unix
    kind = stat.S_IFMT(mode)
    if info.flag_bits & 0x1:
        raise writer.refused(info.filename, "is encrypted")
    if info.is_dir() or kind == stat.S_IFDIR:
        writer.directory(info.filename)
    elif kind == stat.S_IFLNK:
        with archive.open(info) as source:
            target = source.read(_MAX_LINK_TARGET + 1)
        if len(target) > _MAX_LINK_TARGET:
            raise writer.refused(info.filename, "is a symlink with an implausibly long target")
        writer.symlink(info.filename, target.decode("utf-8", "surrogateescape"))
    elif kind in (0, stat.S_IFREG):
        with archive.open(info) as source:
            writer.file(info.filename, source, bool(mode & 0o111), _zip_mtime(info))
    else:
        raise writer.refused(info.filename, _zip_special(mode))


def _zip_special(mode: int) -> str:
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFCHR:
        return "is a character device"
    if kind == stat.S_IFBLK:
        return "is a block device"
    if kind == stat.S_IFIFO:
        return "is a FIFO (named pipe)"
    if kind == stat.S_IFSOCK:
        return "is a socket"
    return f"is a special member (mode {mode:o})"


def _zip_mtime(info: zipfile.ZipInfo) -> float | None:
    import time

    try:
        return time.mktime((*info.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return None

