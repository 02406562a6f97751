"""environment.metadata, the one core-metadata reader, against the email parser pip reads
metadata with (compat32, after reading the file as text): on generated sloppy texts
(hypothesis) and on every METADATA and WHEEL file of the interpreters on this machine; and
each of its users against what pip does with the same text (the report's JSON, the
resolver's metadata, the installed set)."""

from __future__ import annotations

import email.parser
import glob
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satchel.environment.metadata import parse_headers, split_metadata
from satchel.environment.scan import scan
from satchel.install.report import metadata_json
from satchel.resolve.candidates import MetadataProblem, parse_metadata

LINES = [
    "Metadata-Version: 2.1", "Name: demo", "Name:  other ", "Version: 1.0", "Version:2.0\t",
    "Requires-Dist: leaf>=1", "Requires-Dist: x ; extra == 'a' ", "Provides-Extra: a", "Keywords: a, b,",
    "Keywords: a b  c", "License:", "License: MIT", "        Copyright", "  ", "\t", " indented", "",
    "From somebody", "From: somebody", ":no name", "no colon here", "Bad Key: v", "Ä: 1", "Key:",
    "Tag: py3-none-any", "Description: one", "Project-URL: Home, https://example.org", "x-custom: y",
    "body text", "\f", "Summary: a\fb",
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(LINES), max_size=12).map("\n".join) | st.lists(
    st.sampled_from(LINES), max_size=12
).map(lambda lines: "\n".join(lines) + "\n")


def _email(text: str) -> tuple[dict[str, list[str]], str]:
    message = email.parser.Parser().parsestr(text)
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key.lower(), []).append(value)
    payload = message.get_payload()
    assert isinstance(payload, str)
    return headers, payload


def _corpus() -> list[str]:
    pattern = os.path.expanduser("~/.pyenv/versions/*/lib/python3*/site-packages/*.dist-info/")
    return sorted(path + name for path in glob.glob(pattern) for name in ("METADATA", "WHEEL") if os.path.isfile(path + name))


CORPUS = _corpus()


def _text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:  # as importlib.metadata reads it: universal newlines
        return handle.read()


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_the_email_parsers_rules(text: str) -> None:
    assert split_metadata(text) == _email(text)
    assert parse_headers(text) == _email(text)[0]


@pytest.mark.skipif(not CORPUS, reason="no installed distributions to read")
def test_every_installed_metadata_file_reads_as_pip_reads_it() -> None:
    for path in CORPUS:
        assert split_metadata(_text(path)) == _email(_text(path)), path


def test_line_ends_and_continuations() -> None:
    assert parse_headers("Name: a \r\nLicense: one\r\n  two\r\n\r\nbody") == {"name": ["a "], "license": ["one\n  two"]}
    assert split_metadata("Name: a\rVersion: 1\r\rbody\r") == ({"name": ["a"], "version": ["1"]}, "body\n")
    # a line that is not a header ends them, as the email parser starts the body there
    assert split_metadata("Name: a\nnot a header\nVersion: 1\n") == ({"name": ["a"]}, "not a header\nVersion: 1\n")


# ---- the report: pip's msg_to_json on the same text ----------------------------------------

pip_json = pytest.importorskip("pip._internal.metadata._json")


def _pip_report_metadata(text: str) -> dict[str, Any]:
    return pip_json.msg_to_json(email.parser.Parser().parsestr(text))  # type: ignore[no-any-return]


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_report_metadata_is_pips(text: str) -> None:
    assert metadata_json(text.encode()) == _pip_report_metadata(text)


@pytest.mark.skipif(not CORPUS, reason="no installed distributions to read")
def test_report_metadata_of_installed_distributions_is_pips() -> None:
    for path in CORPUS:
        if path.endswith("METADATA"):
            text = _text(path)
            assert metadata_json(text.encode()) == _pip_report_metadata(text), path


def test_report_metadata_by_example() -> None:
    text = "Name: demo\nVersion: 1.0\nLicense: MIT\n        Copyright me\nKeywords: a, b,\nX-Custom: y\nDescription: short\n\nThe long one.\n"
    assert metadata_json(text.encode()) == {
        "name": "demo",
        "version": "1.0",
        "description": "The long one.\n",  # the body wins over the header, as in pip's report
        "keywords": ["a", "b", ""],
        "license": "MIT\n        Copyright me",  # a folded value as the email parser keeps it
    }


# ---- the resolver and the installed set ----------------------------------------------------


def test_resolver_metadata_reads_as_pip() -> None:
    metadata = parse_metadata(b"Name: demo \r\nVersion: 1.0\r\nName: other\r\nRequires-Dist: leaf >=1 \r\nProvides-Extra: A_B\r\n")
    assert (metadata.name, str(metadata.version), [str(r) for r in metadata.requires_dist]) == ("demo", "1.0", ["leaf>=1"])
    assert metadata.provides_extra == {"a-b"}
    with pytest.raises(MetadataProblem, match="no Name"):  # the headers ended at the stray line
        parse_metadata(b"Metadata-Version: 2.1\nstray line\nName: demo\nVersion: 1.0\n")


def test_installed_set_reads_as_pip(tmp_path: Path) -> None:
    for name, text in {
        "good-1.0.dist-info": "Name: good \nVersion: 1.0\nRequires-Dist: leaf ; extra == 'x'\nProvides-Extra: x \n",
        "junk-1.0.dist-info": "Metadata-Version: 2.1\njunk\nName: junk\nVersion: 1.0\n",
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "METADATA").write_text(text)
    found = {dist.name: dist for dist in scan([str(tmp_path)])}
    assert list(found) == ["good"]  # pip sees no Name in junk's METADATA either
    assert found["good"].header_all("Provides-Extra") == ["x "]
