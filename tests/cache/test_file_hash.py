"""cache.store.file_sha256, the one sha256 of a file, and its two wrappers: memory's (None for
a file that can't be read) and fetch's (an OperationError naming the file)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from satchel.cache import store
from satchel.errors import OperationError
from satchel.fetch.unpack import local_sha256
from satchel.memory.store import file_sha256_or_none


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7])
def test_streams_in_blocks_and_equals_hashlib(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert store.file_sha256(str(path)) == local_sha256(str(path)) == file_sha256_or_none(str(path)) == expected


def test_reads_in_blocks_not_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []

    class Counting:
        def __init__(self, path: str, mode: str) -> None:
            self.handle = open(path, mode)  # noqa: SIM115

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def read(self, size: int) -> bytes:
            sizes.append(size)
            return self.handle.read(size)

    monkeypatch.setattr(store, "_BLOCK", 4)
    monkeypatch.setattr(store, "open", Counting, raising=False)
    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789")
    assert store.file_sha256(str(path)) == hashlib.sha256(b"0123456789").hexdigest()
    assert sizes == [4, 4, 4, 4]  # three blocks (4, 4, 2), then the empty read that ends it


def test_an_unreadable_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.whl")
    with pytest.raises(OSError):
        store.file_sha256(missing)
    assert file_sha256_or_none(missing) is None
    with pytest.raises(OperationError, match="can't read .*missing.whl") as caught:
        local_sha256(missing)
    assert caught.value.input == missing
