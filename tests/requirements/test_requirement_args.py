"""Command-line requirement arguments (`satchel install 'requests>=2' ./dir pkg.whl -e ...`):
the same InstallRequest as a requirements-file line, compared with pip's own constructors
(`install_req_from_line` for arguments, `install_req_from_editable` for -e values)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from satchel.requirements import (
    COMMAND_LINE,
    InstallRequest,
    RequirementsError,
    parse_requirement_argument,
    parse_requirement_arguments,
)

constructors = pytest.importorskip("pip._internal.req.constructors")
from pip._internal.utils.urls import path_to_url  # noqa: E402


def pip_view(text: str, editable: bool) -> dict[str, Any]:
    ireq = constructors.install_req_from_editable(text) if editable else constructors.install_req_from_line(text)
    is_wheel = ireq.link is not None and ireq.link.is_wheel
    return {
        "name": ireq.req.name.lower() if ireq.req else None,
        "specifier": "" if is_wheel or ireq.req is None else str(ireq.req.specifier),
        "url": ireq.link.url if ireq.link else None,
        "markers": str(ireq.markers) if ireq.markers else None,
        "extras": sorted(ireq.extras),
        "editable": ireq.editable,
    }


def our_view(q: InstallRequest) -> dict[str, Any]:
    return {
        "name": q.name.lower() if q.name else None,
        "specifier": str(q.requirement.specifier) if q.requirement is not None else "",
        "url": q.url if q.url is not None else path_to_url(q.path) if q.path is not None else None,
        "markers": str(q.markers) if q.markers else None,
        "extras": sorted(q.extras),
        "editable": q.editable,
    }


ARGUMENTS = [
    "requests>=2",
    "Requests[socks,Security] >=2.0, <3",
    'tomli; python_version < "3.11"',
    "name @ https://example.com/name-1.0.tar.gz",
    'name[x] @ git+https://example.com/repo.git@main ; sys_platform == "linux"',
    "https://example.com/pkg-1.0.tar.gz#egg=pkg",
    "https://example.com/pkg-1.0.tar.gz",
    "https://example.com/dist/wheelname-2.0-py3-none-any.whl",
    "git+https://example.com/repo.git#egg=repo",
    "./local/pkg",
    "./local/pkg[Extra]",
    "local/pkg",
    "dist/name-1.0-py3-none-any.whl",
    "./dist/sdist-1.0.tar.gz",
]
EDITABLES = [
    "./local/pkg",
    "./local/pkg[dev]",
    "local/pkg",
    "git+https://example.com/repo.git#egg=repo",
    "git://example.com/repo.git#egg=repo",
    "name @ git+https://example.com/repo.git",
]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "local/pkg").mkdir(parents=True)
    (tmp_path / "local/pkg/pyproject.toml").write_text("[project]\nname='pkg'\nversion='1'\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist/name-1.0-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "dist/sdist-1.0.tar.gz").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("text", ARGUMENTS)
def test_argument_matches_pip(text: str, cwd: Path) -> None:
    q = parse_requirement_argument(text)
    assert q.origin.file == COMMAND_LINE and q.origin.line is None and q.text == text
    assert our_view(q) == pip_view(text, editable=False)


@pytest.mark.parametrize("text", EDITABLES)
def test_editable_argument_matches_pip(text: str, cwd: Path) -> None:
    assert our_view(parse_requirement_argument(text, editable=True)) == pip_view(text, editable=True)


def test_arguments_keep_pips_order(cwd: Path) -> None:
    found = parse_requirement_arguments(["b", "./local/pkg"], editables=["./local/pkg"])
    assert [(q.kind, q.editable) for q in found] == [("path", True), ("requirement", False), ("path", False)]


def test_explicit_cwd(tmp_path: Path) -> None:
    assert parse_requirement_argument("./x", cwd="/srv/app", isdir=lambda p: p == "/srv/app/x").path == "/srv/app/x"
    with pytest.raises(RequirementsError) as info:
        parse_requirement_argument("./y", cwd="/srv/app", isdir=lambda p: False)
    assert info.value.hint == "it looks like a path, but /srv/app/y is not a directory"


@pytest.mark.parametrize(
    ("text", "editable", "words"),
    [
        ("requests>=2 extra", False, "Expected comma"),
        ("./no/such/dir", False, "is not a directory"),
        ("./no/such/dir", True, "neither a local directory nor a VCS URL"),
        ("foo=1", False, "'=' is not a version operator"),
        ("https://example.com/x.tar.gz", True, "not a valid editable requirement"),
        ("git+https://example.com/x.git", True, "can't tell the project name"),
        ('pkg ; python_version <= "3" and', False, "Expected a marker variable"),
    ],
)
def test_argument_errors_name_the_argument(text: str, editable: bool, words: str, cwd: Path) -> None:
    with pytest.raises(RequirementsError) as info:
        parse_requirement_argument(text, editable=editable)
    error = info.value
    assert error.exit_code == 2 and error.input == text
    message = str(error)
    assert message.startswith(f"invalid requirement argument {text!r}: ")
    assert words in message or words in (error.hint or "")
    assert message.split("\n")[1] == f"    {text}" and "^" in message.split("\n")[2]
    with pytest.raises(Exception):  # noqa: B017 -- pip refuses it too
        pip_view(text, editable)
