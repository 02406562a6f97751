"""-p values, interpreter discovery on PATH and under pyenv, and the probe cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import own_cache, target_interpreters
from satchel.errors import InterpreterBroken, InterpreterNotFound
from satchel.interpreters import probe as probe_module
from satchel.interpreters.discover import find_interpreter
from satchel.interpreters.spec import parse_request

INTERPRETERS = target_interpreters()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3.12", (3, 12, None, False)),
        ("3.12.1", (3, 12, 1, False)),
        ("312", (3, 12, None, False)),
        ("cpython3.9", (3, 9, None, True)),
        ("cp39", (3, 9, None, True)),
        ("python3.11", (3, 11, None, False)),
        ("3", (3, None, None, False)),
    ],
)
def test_version_requests(text: str, expected: tuple[object, ...]) -> None:
    version = parse_request(text).version
    assert version is not None
    assert (version.major, version.minor, version.micro, version.cpython_only) == expected


@pytest.mark.parametrize("text", ["./venv/bin/python", "/usr/bin/python3", "~/x/python", "../env"])
def test_paths(text: str) -> None:
    request = parse_request(text)
    assert request.path == os.path.abspath(os.path.expanduser(text)) and request.version is None


@pytest.mark.parametrize("text", ["pypy3", "python", "py"])
def test_commands(text: str) -> None:
    assert parse_request(text).command == text


@pytest.mark.parametrize("version,python", INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def test_find_by_version(version: str, python: str) -> None:
    major_minor = version.rsplit(".", 1)[0]
    for text in (major_minor, version, f"cpython{major_minor}"):
        info = find_interpreter(text, own_cache())
        assert info.version_str.startswith(major_minor)
        assert info.implementation == "cpython"
    assert find_interpreter(version, own_cache()).version_str == version


def test_find_by_path_and_venv_dir(tmp_path: Path, satchel) -> None:
    python = INTERPRETERS[-1][1]
    assert find_interpreter(python, own_cache()).executable == python
    env = tmp_path / "env"
    assert satchel("venv", "--without-pip", "-p", python, str(env)).returncode == 0
    info = find_interpreter(str(env), own_cache())
    assert info.executable == str(env / "bin" / "python")
    assert os.path.realpath(info.base_executable) == os.path.realpath(python)


def test_not_found_and_broken(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFound):
        find_interpreter("3.99", own_cache())
    with pytest.raises(InterpreterNotFound):
        find_interpreter(str(tmp_path), own_cache())
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(InterpreterBroken):
        find_interpreter(str(fake), own_cache())


def test_probe_is_cached_and_invalidated_by_a_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[str] = []
    real_run = probe_module._run_probe

    def counting(executable: str) -> dict[str, object]:
        calls.append(executable)
        return real_run(executable)

    monkeypatch.setattr(probe_module, "_run_probe", counting)
    # a private copy of a launcher script so that touching it changes the stamp
    python = INTERPRETERS[-1][1]
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nexec "{python}" "$@"\n')
    wrapper.chmod(0o755)
    first = probe_module.probe(str(wrapper), own_cache())
    second = probe_module.probe(str(wrapper), own_cache())
    assert calls == [str(wrapper)]
    assert first.raw == second.raw
    os.utime(wrapper, ns=(1, 1))
    probe_module.probe(str(wrapper), own_cache())
    assert len(calls) == 2
