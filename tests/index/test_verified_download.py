"""satchel.index.verified_download.verify, the check every downloaded file and metadata file
passes: the index's hashes and size, then the user's --hash values (any one digest of any
algorithm, as pip), and a HashMismatch that names the file, never the URL's credentials.
(Downloads themselves are tested against real servers in test_client.py.)"""

from __future__ import annotations

import hashlib

import pytest

from satchel.index.verified_download import HashMismatch, verify

URL = "https://user:s3cret@index.example/files/demo-1.0-py3-none-any.whl"
DATA = b"wheel bytes"
SHA256 = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()
ACTUAL = {"sha256": SHA256, "md5": MD5}


def test_what_the_index_and_the_user_said_holds() -> None:
    verify(URL, "file", ACTUAL, len(DATA), {"sha256": SHA256.upper()}, len(DATA), {"md5": [MD5], "sha256": ["0" * 64]})
    verify(URL, "file", ACTUAL, len(DATA), {"blake2b": "not computed: not checked"})


def test_an_index_hash_that_differs() -> None:
    with pytest.raises(HashMismatch) as caught:
        verify(URL, "file", ACTUAL, len(DATA), {"sha256": "0" * 64})
    error = caught.value
    assert "demo-1.0-py3-none-any.whl does not match its hashes" in error.message
    assert "(from the index)" in error.message and f"got sha256 {SHA256}" in error.message
    assert error.input == "https://user:****@index.example/files/demo-1.0-py3-none-any.whl"


def test_no_wanted_digest_matches() -> None:
    with pytest.raises(HashMismatch, match="from your requirements") as caught:
        verify(URL, "metadata file", ACTUAL, len(DATA), {}, None, {"sha256": ["1" * 64, "2" * 64]})
    assert "the metadata file demo-1.0-py3-none-any.whl" in caught.value.message
    assert "s3cret" not in f"{caught.value.message} {caught.value.input} {caught.value.hint}"


def test_a_size_that_differs() -> None:
    with pytest.raises(HashMismatch, match="is 11 bytes, but the index says 12"):
        verify(URL, "file", ACTUAL, len(DATA), {"sha256": SHA256}, len(DATA) + 1)
