"""Writing an archive's members under one directory, safely: the checks every extraction makes.

`SafeWriter(archive, dest)` writes one member at a time (a directory, a regular file, a symlink
or a hard link) and refuses, naming the archive and the member:

- absolute names (also `C:...` and names that begin with a backslash), names with a `..`
  that leads out of `dest`, and names with a component of only dots and spaces (which
  Windows reads as `..`);
- a parent directory that resolves (realpath, just before writing) outside `dest`, so that
  nothing is written through a symlink extracted earlier;
- symlinks whose target, resolved from the link's own directory, leaves `dest`, absolute
  targets, and (`check_links`, once everything is written) links that a later link made
  lead out;
- hard links to anything but a regular file extracted before them (they are written as
  copies: nothing is ever linked to a path outside `dest`).

Regular files are created new (O_EXCL, so never through an existing symlink) with mode 0o644,
or 0o755 when the archive gives any execute bit, both masked by the umask; setuid, setgid,
sticky bits and owners are dropped; modification times are kept. Directories are made with the
default mode. A refused member leaves nothing outside `dest`; what was written inside it before
the refusal stays, for the caller to delete with `dest`.

Also owns `ArchiveError` and the damaged-archive error (`damaged`, `read_errors`), which reading
a member's content raises here and reading the archive raises in `satchel.fetch.extract`.

Import rule: the standard library and `satchel.errors` only; `satchel.fetch.extract` imports
this module, never the other way.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False

from satchel.errors import OperationError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO, BinaryIO

__all__ = ["CHUNK", "ArchiveError", "SafeWriter", "damaged", "read_errors"]

CHUNK = 1 << 16


class ArchiveError(OperationError):
    """A source archive that is damaged, not an archive, or unsafe to extract."""

    code = "bad-archive"


def damaged(archive: str, detail: str) -> ArchiveError:
    """The error for an archive that can't be read as a tar or zip (or is cut off or corrupt)."""
    return ArchiveError(
        f"{os.path.basename(archive)} is not a zip or tar archive (or is damaged): {detail.rstrip('.')}.",
        input=archive,
        hint="If it was downloaded, the download may be incomplete: try again.",
    )


def read_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged archive raises. OSError is among them: writing turns its own
    OSErrors into ArchiveError, so any OSError that gets this far came from reading."""
    import tarfile
    import zipfile
    import zlib

    errors: list[type[BaseException]] = [
        tarfile.TarError, zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
    ]
    try:
        import lzma
    except ImportError:
        pass
    else:
        errors.append(lzma.LZMAError)
    return tuple(errors)


def _is_absolute(name: str) -> bool:
    r"""Absolute here or on Windows: `/x`, `\x`, `\\server\share`, `C:x`, `C:\x`."""
    return name.startswith(("/", "\\")) or (len(name) >= 2 and name[1] == ":" and name[0].isalpha())


def _windows_dots(name: str) -> bool:
    """A component such as `...` or `.. `, which Windows reads as `..` (it drops trailing dots
    and spaces)."""
    return any(part not in ("", ".", "..") and not part.strip(". ") for part in name.replace("\\", "/").split("/"))


def _inside(root: str, path: str) -> bool:
    root, path = os.path.normcase(root), os.path.normcase(path)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class SafeWriter:
    """Writes members under one directory (`dest`), refusing any that would land outside it."""

    __slots__ = ("_archive", "_dest", "_files", "_links", "_tops")

    def __init__(self, archive: str, dest: str) -> None:
        self._archive = archive
        self._dest = os.path.realpath(dest)
        self._files: set[str] = set()  # regular files written, relative to dest: what hard links may copy
        self._links: list[tuple[str, str]] = []  # (member, path) of every symlink made
        self._tops: set[str] = set()  # the first component of every member's path

    # -- errors

    def refused(self, member: str, problem: str) -> ArchiveError:
        name = os.path.basename(self._archive)
        return ArchiveError(
            f"{name} can't be extracted safely: its member {member!r} {problem}.",
            input=self._archive,
            hint="The archive is malformed or malicious; nothing was written outside the extraction directory.",
        )

    def _cant_write(self, member: str, exc: OSError) -> ArchiveError:
        name = os.path.basename(self._archive)
        return ArchiveError(
            f"can't extract {member!r} from {name} into {self._dest}: {exc.strerror or exc}.",
            input=self._archive,
        )

    # -- the members

    def directory(self, member: str) -> None:
        rel = self._relative(member)
        if rel == os.curdir:
            return  # `.` or `./`: dest itself
        try:
            path = self._place(member, rel)
            if os.path.isdir(path) and _inside(self._dest, os.path.realpath(path)):
                return
            if os.path.lexists(path):  # a file, or a symlink that doesn't lead to a directory in dest
                os.unlink(path)
            os.mkdir(path)
        except OSError as exc:
            raise self._cant_write(member, exc) from exc

    def file(self, member: str, source: IO[bytes], executable: bool, mtime: float | None) -> None:
        rel = self._relative(member)
        try:
            path = self._replace(member, rel)
            with self._create(path, executable) as sink:
                for block in self._blocks(source):
                    sink.write(block)
            _set_mtime(path, mtime)
        except OSError as exc:
            raise self._cant_write(member, exc) from exc
        self._files.add(rel)

    def symlink(self, member: str, target: str) -> None:
        rel = self._relative(member)
        if not target or "\0" in target:
            raise self.refused(member, "is a symlink with an empty or malformed target")
        if _is_absolute(target):
            raise self.refused(member, f"is a symlink to the absolute path {target!r}")
        try:
            path = self._replace(member, rel)
            resolved = os.path.realpath(os.path.join(os.path.dirname(path), target))
            if not _inside(self._dest, resolved):
                raise self.refused(member, f"is a symlink to {target!r}, outside the extraction directory")
            os.symlink(target, path, target_is_directory=os.path.isdir(resolved))
        except OSError as exc:
            raise self._cant_write(member, exc) from exc
        self._files.discard(rel)
        self._links.append((member, path))

    def hardlink(self, member: str, target: str, executable: bool, mtime: float | None) -> None:
        """Written as a copy of `target`, which must be a regular file extracted before."""
        import shutil

        rel = self._relative(member)
        linked = "" if _is_absolute(target) or _windows_dots(target) else self._lexical(target) or ""
        source = os.path.realpath(os.path.join(self._dest, linked)) if linked in self._files else ""
        if not (source and _inside(self._dest, source) and os.path.isfile(source)):
            raise self.refused(member, f"is a hard link to {target!r}, which is not a file extracted before it")
        try:
            path = self._replace(member, rel)
            if os.path.normcase(path) == os.path.normcase(source):
                raise self.refused(member, "is a hard link to itself")
            with open(source, "rb") as original, self._create(path, executable) as sink:
                shutil.copyfileobj(original, sink, CHUNK)
            _set_mtime(path, mtime)
        except OSError as exc:
            raise self._cant_write(member, exc) from exc
        self._files.add(rel)

    # -- the end

    def check_links(self) -> None:
        """Refuse symlinks that a link made after them turned outward (`a -> b/../c`, then
        `b -> .`): each was inside when made, but the tree must be safe as a whole."""
        for member, path in self._links:
            if os.path.islink(path) and not _inside(self._dest, os.path.realpath(path)):
                problem = "is a symlink that, through links extracted after it, leads outside the extraction directory"
                raise self.refused(member, problem)

    def project_root(self, dest: str) -> str:
        if len(self._tops) == 1:
            root = os.path.join(dest, next(iter(self._tops)))
            if os.path.isdir(root) and not os.path.islink(root):
                return root
        return dest

    # -- helpers

    def _lexical(self, name: str) -> str | None:
        """`name` relative to dest after normalising (`.` for dest itself), None if it leaves dest."""
        path = os.path.normpath(os.path.join(self._dest, name))
        return os.path.relpath(path, self._dest) if _inside(self._dest, path) else None

    def _relative(self, member: str) -> str:
        """The member's path relative to dest, normalised; refused if it is absolute or leaves dest."""
        if _is_absolute(member):
            raise self.refused(member, "has an absolute path")
        if _windows_dots(member):
            raise self.refused(member, "has a path component of only dots and spaces (Windows reads it as '..')")
        rel = self._lexical(member)
        if rel is None:
            raise self.refused(member, "would be written outside the extraction directory (through '..')")
        if rel != os.curdir:
            self._tops.add(rel.split(os.sep, 1)[0])
        return rel

    def _place(self, member: str, rel: str) -> str:
        """The real path to write `rel` at, its parent directories made; refused when the parent
        resolves (through a symlink extracted earlier) outside dest."""
        parent = os.path.realpath(os.path.join(self._dest, os.path.dirname(rel)))
        if not _inside(self._dest, parent):
            raise self.refused(member, "would be written through a symlink that leads outside the extraction directory")
        os.makedirs(parent, exist_ok=True)
        return os.path.join(parent, os.path.basename(rel))

    def _replace(self, member: str, rel: str) -> str:
        """`_place` for anything but a directory: an earlier file or symlink there is removed
        (never written through); a directory there is refused."""
        if rel == os.curdir:
            raise self.refused(member, "would replace the extraction directory itself")
        path = self._place(member, rel)
        if os.path.isdir(path) and not os.path.islink(path):
            raise self.refused(member, "would replace a directory extracted before it")
        if os.path.lexists(path):
            os.unlink(path)
        return path

    @staticmethod
    def _create(path: str, executable: bool) -> BinaryIO:
        """A new file (O_EXCL: never an existing one, nor a symlink's target), mode 0o755 or
        0o644 masked by the umask."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        return open(os.open(path, flags, 0o755 if executable else 0o644), "wb")

    def _blocks(self, source: IO[bytes]) -> Iterator[bytes]:
        """The member's content, block by block (never whole); reading errors are the archive's."""
        while True:
            try:
                block = source.read(CHUNK)
            except read_errors() as exc:
                raise damaged(self._archive, str(exc) or type(exc).__name__) from exc
            if not block:
                return
            yield block


def _set_mtime(path: str, mtime: float | None) -> None:
    """Keep the archive's modification time when it has a usable one (best effort)."""
    if mtime is None:
        return
    try:
        os.utime(path, (mtime, mtime))
    except (OSError, OverflowError, ValueError):
        pass
