"""Extracting source archives: tar (every compression) and zip, with each unsafe member refused
and nothing ever written outside the destination. Archives are built here, member by member,
with tarfile and zipfile; every test checks that the directory beside `dest` stays empty."""

from __future__ import annotations

import io
import lzma
import os
import stat
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from satchel.errors import OperationError
from satchel.fetch.extract import SOURCE_ARCHIVE_SUFFIXES, ArchiveError, extract_archive

# A member: (TarInfo, content or None) for tar; see `zip_file` for zip.
Member = tuple[tarfile.TarInfo, bytes | None]
MTIME = 1_600_000_000


class Places:
    """tmp_path holds three directories: the archives, `dest`, and `outside` beside it, which
    an escaping member would reach and which must stay empty."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.archives = root / "archives"
        self.dest = root / "dest"
        self.outside = root / "outside"
        for directory in (self.archives, self.dest, self.outside):
            directory.mkdir()

    def assert_contained(self) -> None:
        assert sorted(p.name for p in self.root.iterdir()) == ["archives", "dest", "outside"]
        assert list(self.outside.iterdir()) == []


@pytest.fixture
def places(tmp_path: Path) -> Places:
    return Places(tmp_path)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The modes asserted below assume umask 022 (one test sets another)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# -- building archives


def reg(name: str, data: bytes = b"data", mode: int = 0o644) -> Member:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, MTIME
    return info, data


def directory(name: str) -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info, None


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE, mode: int = 0o777) -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, target, mode
    return info, None


def special(name: str, kind: bytes) -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor = kind, 1, 3
    return info, None


def tar_file(places: Places, members: list[Member], name: str = "demo-1.0.tar.gz", mode: str = "w:gz") -> str:
    path = places.archives / name
    with tarfile.open(path, mode) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def zip_file(places: Places, members: list[tuple[str, bytes, int]], name: str = "demo-1.0.zip") -> str:
    """members: (name, content, unix st_mode); a symlink's content is its target."""
    path = places.archives / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data, mode in members:
            info = zipfile.ZipInfo(member, date_time=(2020, 9, 13, 12, 26, 40))
            info.create_system = 3
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return str(path)


def project_members(top: str = "demo-1.0/") -> list[Member]:
    return [
        directory(top.rstrip("/")),
        reg(f"{top}setup.py", b"print('setup')\n"),
        reg(f"{top}run.sh", b"#!/bin/sh\n", mode=0o775),
        reg(f"{top}suid", b"x", mode=0o4755),
        reg(f"{top}sgid-sticky", b"y", mode=0o3644),
        reg(f"{top}src/pkg/__init__.py", b"VALUE = 1\n"),  # parents made without directory members
        reg(f"{top}{'long-directory-name/' * 8}module.py", b"deep\n"),  # > 100 chars: pax header
    ]


def refused(places: Places, archive: str, *fragments: str) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        extract_archive(archive, str(places.dest))
    message = str(caught.value).replace(str(places.root), "<tmp>")  # the test's name is in tmp_path
    assert os.path.basename(archive) in message
    for fragment in fragments:
        assert fragment.replace(str(places.root), "<tmp>") in message
    assert caught.value.input == archive
    places.assert_contained()
    return caught.value


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- happy paths


TAR_FORMATS = [
    ("demo-1.0.tar.gz", "w:gz"), ("demo-1.0.tar.bz2", "w:bz2"), ("demo-1.0.tar.xz", "w:xz"), ("demo-1.0.tar", "w"),
]


@pytest.mark.parametrize(("name", "mode"), TAR_FORMATS)
def test_tar_content_modes_and_single_top_directory(places: Places, name: str, mode: str) -> None:
    archive = tar_file(places, project_members(), name, mode)
    root = extract_archive(archive, str(places.dest))
    assert root == str(places.dest / "demo-1.0")
    top = Path(root)
    assert (top / "setup.py").read_bytes() == b"print('setup')\n"
    assert (top / "src" / "pkg" / "__init__.py").read_bytes() == b"VALUE = 1\n"
    assert (top / ("long-directory-name/" * 8) / "module.py").read_bytes() == b"deep\n"
    assert mode_of(top / "setup.py") == 0o644
    assert mode_of(top / "run.sh") == 0o755  # any x bit: executable
    assert mode_of(top / "suid") == 0o755  # setuid dropped
    assert mode_of(top / "sgid-sticky") == 0o644  # setgid and sticky dropped
    assert os.stat(top / "setup.py").st_mtime == MTIME  # tar mtimes kept
    assert mode_of(top / "src") == 0o755
    places.assert_contained()


def test_zip_content_modes_and_single_top_directory(places: Places) -> None:
    archive = zip_file(places, [
        ("demo-1.0/", b"", stat.S_IFDIR | 0o755),
        ("demo-1.0/setup.py", b"print('setup')\n", stat.S_IFREG | 0o644),
        ("demo-1.0/run.sh", b"#!/bin/sh\n", stat.S_IFREG | 0o700),
        ("demo-1.0/suid", b"x", stat.S_IFREG | 0o4755),
        ("demo-1.0/no-unix-mode.txt", b"dos", 0),  # made on Windows: a plain file
        ("demo-1.0/src/pkg/__init__.py", b"VALUE = 1\n", stat.S_IFREG | 0o644),
    ])
    root = extract_archive(archive, str(places.dest))
    assert root == str(places.dest / "demo-1.0")
    top = Path(root)
    assert (top / "setup.py").read_bytes() == b"print('setup')\n"
    assert (top / "src" / "pkg" / "__init__.py").read_bytes() == b"VALUE = 1\n"
    assert (top / "no-unix-mode.txt").read_bytes() == b"dos"
    assert mode_of(top / "setup.py") == 0o644
    assert mode_of(top / "no-unix-mode.txt") == 0o644
    assert mode_of(top / "run.sh") == 0o755
    assert mode_of(top / "suid") == 0o755
    assert os.stat(top / "setup.py").st_mtime == time.mktime((2020, 9, 13, 12, 26, 40, 0, 0, -1))
    places.assert_contained()


def test_tar_lzma_alone_format_opens(places: Places) -> None:
    """`.tar.lzma`/`.tlz` (the old lzma format) is read by tarfile's xz support."""
    plain = tar_file(places, project_members(), "plain.tar", "w")
    archive = places.archives / "demo-1.0.tar.lzma"
    archive.write_bytes(lzma.compress(Path(plain).read_bytes(), format=lzma.FORMAT_ALONE))
    root = extract_archive(str(archive), str(places.dest))
    assert (Path(root) / "setup.py").read_bytes() == b"print('setup')\n"


def test_flat_archives_return_dest(places: Places) -> None:
    tar = tar_file(places, [reg("setup.py"), reg("pkg/__init__.py")])
    assert extract_archive(tar, str(places.dest)) == str(places.dest)
    assert (places.dest / "pkg" / "__init__.py").read_bytes() == b"data"
    second = places.root / "dest" / "second"
    second.mkdir()
    zipped = zip_file(places, [("a/x.py", b"1", stat.S_IFREG | 0o644), ("b/y.py", b"2", stat.S_IFREG | 0o644)])
    assert extract_archive(zipped, str(second)) == str(second)
    assert (second / "b" / "y.py").read_bytes() == b"2"
    places.assert_contained()


def test_a_single_top_level_file_or_empty_archive_returns_dest(places: Places) -> None:
    one_file = tar_file(places, [reg("setup.py")])
    assert extract_archive(one_file, str(places.dest)) == str(places.dest)
    empty_dest = places.dest / "empty"
    empty_dest.mkdir()
    assert extract_archive(tar_file(places, [], "empty.tar"), str(empty_dest)) == str(empty_dest)


def test_dot_slash_names_and_inner_dotdot_stay_inside(places: Places) -> None:
    """`tar -C dir .` writes `./` and `./demo/...`; `a/../b` is fine while it stays inside."""
    archive = tar_file(places, [
        directory("."),
        directory("./demo"),
        reg("./demo/setup.py", b"s"),
        reg("./demo/sub/../moved.txt", b"m"),
    ])
    assert extract_archive(archive, str(places.dest)) == str(places.dest / "demo")
    assert (places.dest / "demo" / "moved.txt").read_bytes() == b"m"
    assert not (places.dest / "demo" / "sub").exists()
    places.assert_contained()


def test_format_is_detected_by_content_not_name(places: Places) -> None:
    tar = tar_file(places, [reg("demo/setup.py", b"t")], "download.zip")  # really a tar.gz
    assert (Path(extract_archive(tar, str(places.dest))) / "setup.py").read_bytes() == b"t"
    other = places.dest / "other"
    other.mkdir()
    zipped = zip_file(places, [("demo/setup.py", b"z", stat.S_IFREG | 0o644)], "download.tar.gz")  # really a zip
    assert (Path(extract_archive(zipped, str(other))) / "setup.py").read_bytes() == b"z"


@pytest.mark.parametrize("name", ["demo-1.0.tar", "download"])
def test_a_plain_tar_ending_in_a_zip_member_is_a_tar(places: Places, name: str) -> None:
    """zipfile.is_zipfile finds the inner zip's end record near the end of a plain tar (and
    ZipFile would open the inner zip): unless the name says zip, tar is tried first."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("from-zip.txt", b"z")
    path = tar_file(places, [reg("demo/from-tar.txt", b"t"), reg("demo/inner.zip", inner.getvalue())], name, "w")
    assert zipfile.is_zipfile(path)  # the trap is real
    root = Path(extract_archive(path, str(places.dest)))
    assert (root / "from-tar.txt").read_bytes() == b"t"
    assert not (places.dest / "from-zip.txt").exists()


def test_umask_masks_file_modes(places: Places) -> None:
    archive = tar_file(places, [reg("demo/run.sh", b"x", mode=0o755), reg("demo/data", b"y", mode=0o666)])
    old = os.umask(0o077)
    try:
        root = Path(extract_archive(archive, str(places.dest)))
    finally:
        os.umask(old)
    assert mode_of(root / "run.sh") == 0o700
    assert mode_of(root / "data") == 0o600
    assert mode_of(root) == 0o700


def test_links_inside_dest_are_kept_and_hard_links_are_copies(places: Places) -> None:
    archive = tar_file(places, [
        reg("demo/data.txt", b"payload", mode=0o755),
        link("demo/alias.txt", "data.txt"),
        directory("demo/real"),
        link("demo/dir-alias", "real"),
        reg("demo/dir-alias/through.txt", b"t"),  # through a symlink that stays inside: fine
        link("demo/up", ".."),  # dest itself: inside
        link("demo/hard.txt", "demo/data.txt", tarfile.LNKTYPE, mode=0o755),
        link("demo/hard-plain.txt", "demo/data.txt", tarfile.LNKTYPE, mode=0o644),
    ])
    root = Path(extract_archive(archive, str(places.dest)))
    assert os.readlink(root / "alias.txt") == "data.txt"
    assert (root / "alias.txt").read_bytes() == b"payload"
    assert (root / "real" / "through.txt").read_bytes() == b"t"
    assert os.readlink(root / "up") == ".."
    hard = root / "hard.txt"
    assert hard.read_bytes() == b"payload" and not hard.is_symlink()
    assert os.stat(hard).st_ino != os.stat(root / "data.txt").st_ino  # a copy, not os.link
    assert os.stat(root / "data.txt").st_nlink == 1
    assert mode_of(hard) == 0o755  # the link member's own mode, as for any file
    assert (root / "hard-plain.txt").read_bytes() == b"payload"
    assert mode_of(root / "hard-plain.txt") == 0o644
    places.assert_contained()


def test_zip_symlink_inside_dest_is_kept(places: Places) -> None:
    archive = zip_file(places, [
        ("demo/data.txt", b"payload", stat.S_IFREG | 0o644),
        ("demo/alias.txt", b"data.txt", stat.S_IFLNK | 0o777),
    ])
    root = Path(extract_archive(archive, str(places.dest)))
    assert os.readlink(root / "alias.txt") == "data.txt"
    assert (root / "alias.txt").read_bytes() == b"payload"


def test_later_member_replaces_a_symlink_instead_of_writing_through_it(places: Places) -> None:
    """`a` is a link that a later link turns outward; a later file `a` replaces the link."""
    archive = tar_file(places, [
        link("a", "b/../outside/f"),  # inside when made (b doesn't exist yet)
        link("b", "."),  # now a -> dest/../outside/f
        reg("a", b"replaced"),
    ])
    extract_archive(archive, str(places.dest))
    assert not (places.dest / "a").is_symlink()
    assert (places.dest / "a").read_bytes() == b"replaced"
    places.assert_contained()


def test_a_directory_member_replaces_a_symlink_that_leads_out(places: Places) -> None:
    archive = tar_file(places, [link("a", "b/../outside"), link("b", "."), directory("a"), reg("a/f", b"f")])
    extract_archive(archive, str(places.dest))
    assert not (places.dest / "a").is_symlink()
    assert (places.dest / "a" / "f").read_bytes() == b"f"
    places.assert_contained()


def test_duplicate_members_last_one_wins(places: Places) -> None:
    archive = tar_file(places, [reg("demo/x", b"first", mode=0o755), reg("demo/x", b"second")])
    root = Path(extract_archive(archive, str(places.dest)))
    assert (root / "x").read_bytes() == b"second"
    assert mode_of(root / "x") == 0o644


def test_source_archive_suffixes() -> None:
    assert set(SOURCE_ARCHIVE_SUFFIXES) == {
        ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip", ".tar.lz", ".tar.lzma", ".tlz",
    }
    assert len(SOURCE_ARCHIVE_SUFFIXES) == len(set(SOURCE_ARCHIVE_SUFFIXES))


def test_archive_error_is_an_operation_error() -> None:
    assert issubclass(ArchiveError, OperationError)
    assert ArchiveError.code == "bad-archive" and ArchiveError.exit_code == 1


# -- refusals: names


@pytest.mark.parametrize("name_of", [
    lambda places: str(places.outside / "abs.txt"),
    lambda places: "C:/outside/abs.txt",
    lambda places: "C:\\outside\\abs.txt",
    lambda places: "c:abs.txt",
    lambda places: "\\outside\\abs.txt",
    lambda places: "\\\\server\\share\\abs.txt",
], ids=["posix", "drive-slash", "drive-backslash", "drive-relative", "backslash", "unc"])
def test_tar_absolute_names_are_refused(places: Places, name_of: Callable[[Places], str]) -> None:
    name = name_of(places)
    archive = tar_file(places, [reg("demo/setup.py"), reg(name, b"evil")])
    refused(places, archive, repr(name), "absolute path")


@pytest.mark.parametrize("name", ["../outside/evil.txt", "demo/../../outside/evil.txt", "./../outside/evil.txt", ".."])
def test_tar_dotdot_escapes_are_refused(places: Places, name: str) -> None:
    archive = tar_file(places, [reg("demo/setup.py"), reg(name, b"evil")])
    refused(places, archive, repr(name), "outside the extraction directory")


def test_tar_components_windows_reads_as_dotdot_are_refused(places: Places) -> None:
    archive = tar_file(places, [reg("demo/.. /evil.txt", b"evil")])
    refused(places, archive, "'demo/.. /evil.txt'", "dots and spaces")


def test_a_file_named_as_dest_itself_is_refused(places: Places) -> None:
    archive = tar_file(places, [reg("demo/..", b"evil")])
    refused(places, archive, "'demo/..'", "extraction directory itself")


def test_a_file_replacing_a_directory_is_refused(places: Places) -> None:
    archive = tar_file(places, [reg("demo/pkg/__init__.py"), reg("demo/pkg", b"file")])
    refused(places, archive, "'demo/pkg'", "would replace a directory")
    assert (places.dest / "demo" / "pkg" / "__init__.py").read_bytes() == b"data"


# -- refusals: symlinks


def test_symlink_out_of_dest_is_refused(places: Places) -> None:
    archive = tar_file(places, [link("demo/out", "../../outside"), reg("demo/out/evil.txt", b"evil")])
    refused(places, archive, "'demo/out'", "'../../outside'", "outside the extraction directory")
    assert not os.path.lexists(places.dest / "demo" / "out")


def test_absolute_symlink_is_refused(places: Places) -> None:
    target = str(places.outside)
    archive = tar_file(places, [link("demo/out", target), reg("demo/out/evil.txt", b"evil")])
    refused(places, archive, "'demo/out'", "absolute path")


def test_symlink_through_an_earlier_symlink_is_refused(places: Places) -> None:
    """`up` -> `..` is dest (fine); `up2` -> `up/..` resolves through it to dest's parent."""
    archive = tar_file(places, [link("demo/up", ".."), link("demo/up2", "up/../outside")])
    refused(places, archive, "'demo/up2'", "outside the extraction directory")


def test_symlink_turned_outward_by_a_later_symlink_is_refused(places: Places) -> None:
    archive = tar_file(places, [
        link("a", "b/../outside"),  # dest/outside while b doesn't exist
        link("b", "."),  # now a -> dest/./../outside
    ])
    refused(places, archive, "'a'", "links extracted after it")


def test_write_through_a_symlinked_directory_that_leads_out_is_refused(places: Places) -> None:
    archive = tar_file(places, [
        link("a", "b/../outside"),
        link("b", "."),
        reg("a/evil.txt", b"evil"),  # a's parent is dest; a itself now resolves outside
    ])
    refused(places, archive, "'a/evil.txt'", "through a symlink")


def test_write_through_an_existing_symlink_in_dest_is_refused(places: Places) -> None:
    """The realpath check before writing also covers a link the archive didn't make."""
    os.symlink(places.outside, places.dest / "demo")
    archive = tar_file(places, [reg("demo/evil.txt", b"evil"), reg("demo/sub/evil.txt", b"evil")])
    refused(places, archive, "'demo/evil.txt'", "through a symlink")


# -- refusals: hard links


@pytest.mark.parametrize(("target", "setup"), [
    ("../outside/f", []),
    ("OUTSIDE", []),  # replaced by the absolute path of a file outside dest
    ("demo/later.txt", []),  # extracted after the link
    ("demo/missing.txt", []),
    ("demo/sub", [directory("demo/sub")]),  # a directory
    ("demo/alias", [reg("demo/data.txt"), link("demo/alias", "data.txt")]),  # a symlink
    ("demo/was-file", [reg("demo/data.txt"), reg("demo/was-file"), link("demo/was-file", "data.txt")]),
    ("demo/../../outside/f", []),
], ids=["dotdot", "absolute", "later", "missing", "directory", "symlink", "file-then-symlink", "normalised-out"])
def test_hard_link_to_anything_but_an_earlier_file_is_refused(places: Places, target: str, setup: list[Member]) -> None:
    secret = places.root / "secret.txt"
    secret.write_bytes(b"secret")
    if target == "OUTSIDE":
        target = str(secret)
    archive = tar_file(places, [*setup, link("demo/h", target, tarfile.LNKTYPE), reg("demo/later.txt")])
    secret.unlink()  # assert_contained lists tmp_path
    refused(places, archive, "'demo/h'", "hard link")
    assert not (places.dest / "demo" / "h").exists()


def test_hard_link_through_a_symlink_turned_outward_is_refused(places: Places) -> None:
    """`l/f` was written inside; `l` is then replaced by a link a later link turns outward, so
    `l/f` now names outside/f: the hard link must not copy it in."""
    (places.outside / "f").write_bytes(b"secret")
    archive = tar_file(places, [
        directory("real"),
        link("l", "real"),
        reg("l/f", b"inside"),
        link("l", "b/../outside"),  # dest/outside while b doesn't exist
        link("b", "."),  # now l -> dest/../outside
        link("h", "l/f", tarfile.LNKTYPE),
    ])
    with pytest.raises(ArchiveError, match="'h' is a hard link to 'l/f'"):
        extract_archive(archive, str(places.dest))
    assert not os.path.lexists(places.dest / "h")
    assert [p.name for p in places.outside.iterdir()] == ["f"]
    assert (places.outside / "f").read_bytes() == b"secret"


def test_hard_link_to_itself_is_refused(places: Places) -> None:
    archive = tar_file(places, [reg("demo/f", b"x"), link("demo/f", "demo/f", tarfile.LNKTYPE)])
    refused(places, archive, "'demo/f'", "is a hard link to itself")


# -- refusals: special members


@pytest.mark.parametrize(("kind", "words"), [
    (tarfile.CHRTYPE, "character device"),
    (tarfile.BLKTYPE, "block device"),
    (tarfile.FIFOTYPE, "FIFO"),
    (b"V", "special member"),  # GNU volume header: an unknown type, not a file
], ids=["char", "block", "fifo", "unknown"])
def test_special_tar_members_are_refused(places: Places, kind: bytes, words: str) -> None:
    archive = tar_file(places, [reg("demo/setup.py"), special("demo/node", kind)])
    refused(places, archive, "'demo/node'", words)
    assert not os.path.lexists(places.dest / "demo" / "node")


# -- refusals: zip


@pytest.mark.parametrize(
    "name", ["../outside/evil.txt", "demo/../../outside/evil.txt", "ABSOLUTE", "\\outside\\evil.txt", "C:/evil.txt"]
)
def test_zip_names_leading_out_are_refused(places: Places, name: str) -> None:
    if name == "ABSOLUTE":
        name = str(places.outside / "evil.txt")
    archive = zip_file(places, [("demo/setup.py", b"s", stat.S_IFREG | 0o644), (name, b"evil", stat.S_IFREG | 0o644)])
    refused(places, archive, repr(name))


@pytest.mark.parametrize("target", ["../../outside", "ABSOLUTE"])
def test_zip_symlink_out_is_refused(places: Places, target: str) -> None:
    if target == "ABSOLUTE":
        target = str(places.outside)
    archive = zip_file(places, [
        ("demo/out", target.encode(), stat.S_IFLNK | 0o777),
        ("demo/out/evil.txt", b"evil", stat.S_IFREG | 0o644),
    ])
    refused(places, archive, "'demo/out'", "is a symlink to")
    assert not os.path.lexists(places.dest / "demo" / "out")


@pytest.mark.parametrize("target", [b"", b"data\0.txt", b"x" * 5000], ids=["empty", "nul", "too-long"])
def test_zip_symlink_with_a_malformed_target_is_refused(places: Places, target: bytes) -> None:
    archive = zip_file(places, [
        ("demo/data.txt", b"d", stat.S_IFREG | 0o644),
        ("demo/bad", target, stat.S_IFLNK | 0o777),
    ])
    refused(places, archive, "'demo/bad'", "is a symlink with")
    assert not os.path.lexists(places.dest / "demo" / "bad")


def test_zip_special_and_encrypted_members_are_refused(places: Places) -> None:
    fifo = zip_file(places, [("demo/pipe", b"", stat.S_IFIFO | 0o644)], "fifo.zip")
    refused(places, fifo, "'demo/pipe'", "FIFO")
    path = places.archives / "encrypted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/secret.txt", b"not really encrypted")
    data = bytearray(path.read_bytes())  # zipfile can't encrypt: set the flag in both headers
    data[data.index(b"PK\x03\x04") + 6] |= 0x1
    data[data.index(b"PK\x01\x02") + 8] |= 0x1
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).infolist()[0].flag_bits & 0x1
    refused(places, str(path), "'demo/secret.txt'", "encrypted")


# -- damaged or not archives


def test_not_an_archive(places: Places) -> None:
    path = places.archives / "x.tar.gz"
    path.write_text("<html>404 Not Found</html>\n")
    refused(places, str(path), "x.tar.gz is not a zip or tar archive (or is damaged): ")


def random_payload() -> bytes:
    return os.urandom(200_000)  # incompressible: cutting the archive cuts the member


@pytest.mark.parametrize(("name", "mode"), TAR_FORMATS)
def test_truncated_tar(places: Places, name: str, mode: str) -> None:
    archive = tar_file(places, [reg("demo/setup.py"), reg("demo/big.bin", random_payload())], name, mode)
    data = Path(archive).read_bytes()
    Path(archive).write_bytes(data[: len(data) // 2])
    refused(places, archive, "is not a zip or tar archive (or is damaged): ")


def cut_end(data: bytes) -> bytes:
    return data[:-20]  # the stream's end (gzip's trailer, xz's index): every member still reads


def flip(offset: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        at = offset % len(data)
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return mutate


@pytest.mark.parametrize(("name", "mode", "damage"), [
    ("demo-1.0.tar.gz", "w:gz", cut_end),
    ("demo-1.0.tar.gz", "w:gz", flip(-8)),  # gzip's CRC32
    ("demo-1.0.tar.gz", "w:gz", flip(100_000)),  # inside the member's content
    ("demo-1.0.tar.xz", "w:xz", cut_end),
    ("demo-1.0.tar.xz", "w:xz", flip(100_000)),
    ("demo-1.0.tar.bz2", "w:bz2", flip(-8)),  # bz2 reports it while the member is read
], ids=["gz-cut-end", "gz-crc", "gz-content", "xz-cut-end", "xz-content", "bz2-crc"])
def test_damaged_compressed_tar(places: Places, name: str, mode: str, damage: Callable[[bytes], bytes]) -> None:
    """tarfile stops at the end-of-archive blocks, before the stream's own checks: the rest of
    the stream must be read for them to catch a damaged download."""
    archive = tar_file(places, [reg("demo/big.bin", random_payload()), reg("demo/setup.py")], name, mode)
    Path(archive).write_bytes(damage(Path(archive).read_bytes()))
    refused(places, archive, "is not a zip or tar archive (or is damaged): ")


def test_truncated_and_corrupt_zip(places: Places) -> None:
    payload = random_payload()
    archive = zip_file(places, [("demo/big.bin", payload, stat.S_IFREG | 0o644)])
    data = Path(archive).read_bytes()
    Path(archive).write_bytes(data[: len(data) // 2])
    refused(places, archive, "is not a zip or tar archive (or is damaged): ")
    corrupt = places.archives / "corrupt.zip"
    with zipfile.ZipFile(corrupt, "w", zipfile.ZIP_STORED) as out:
        out.writestr("demo/big.bin", payload)
    stored = bytearray(corrupt.read_bytes())
    stored[stored.index(payload[:64]) + 1000] ^= 0xFF  # the CRC no longer matches
    corrupt.write_bytes(bytes(stored))
    refused(places, str(corrupt), "corrupt.zip is not a zip or tar archive (or is damaged): ", "CRC")


def test_missing_archive(places: Places) -> None:
    missing = str(places.archives / "gone.tar.gz")
    error = refused(places, missing, "can't read")
    assert isinstance(error.__cause__, FileNotFoundError)
