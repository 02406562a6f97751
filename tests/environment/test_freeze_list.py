"""satchel freeze and list print what pip freeze and pip list print, on the same environment:
odd name spellings, build tags, legacy versions, URL installs (PEP 610), editables, extras,
packages required by others, and the options that filter them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import target_interpreters
from support.wheels import make_wheel

# An interpreter whose ensurepip seeds setuptools (for the editable install) and one that doesn't.
INTERPRETERS = [(v, p) for v, p in target_interpreters() if v.startswith(("3.11.", "3.12.", "3.13."))]


def pip(env: Path, *args: str, reference: Path | None = None) -> str:
    """pip's output for `env`: from the newest pip when we have one (`pip --python ENV`, which
    runs it inside the env's interpreter), else from the pip the env was seeded with."""
    if reference is not None:
        command = [str(reference), "-m", "pip", "--python", str(env / "bin" / "python"), *args]
    else:
        command = [str(env / "bin" / "python"), "-m", "pip", *args]
    proc = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="session")
def newest_pip(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """An interpreter with the newest pip from the default index; None where it can't be had."""
    from conftest import run_satchel

    env = tmp_path_factory.mktemp("newest-pip") / "env"
    if run_satchel("venv", str(env)).returncode != 0:
        return None
    try:
        proc = subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"],
            capture_output=True, text=True, timeout=120, env=dict(os.environ),
        )
    except subprocess.TimeoutExpired:
        return None
    return env / "bin" / "python" if proc.returncode == 0 else None


@pytest.fixture(scope="module", params=INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def populated_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run_satchel

    _version, python = request.param
    root = tmp_path_factory.mktemp("freeze")
    env = root / "env"
    assert run_satchel("venv", "-p", python, str(env)).returncode == 0
    wheels = root / "wheels"
    make_wheel(wheels, "Foo_Bar", "1.0", requires_dist=["zope.thing>=2"])
    make_wheel(wheels, "zope.thing", "2.1.0")
    make_wheel(wheels, "built", "3.0", build_tag="7")
    make_wheel(wheels, "alpha", "1.0rc1", extras={"fast": ["foo-bar"]})
    url_wheel = make_wheel(root / "direct", "from-url", "0.5")
    pip(env, "install", "--no-index", "--find-links", str(wheels), "Foo_Bar", "built", "alpha")
    pip(env, "install", "--no-index", url_wheel.as_uri())
    # An editable install as PEP 610 records it (what pip and satchel read to tell it is one)
    site = next(env.glob("lib/python3.*/site-packages"))
    project = root / "project dir"
    project.mkdir()
    editable = site / "Edit_Me-0.1.dist-info"
    editable.mkdir()
    (editable / "METADATA").write_text("Metadata-Version: 2.1\nName: Edit_Me\nVersion: 0.1\n\n")
    (editable / "RECORD").write_text("")
    (editable / "direct_url.json").write_text(f'{{"url": "{project.as_uri()}", "dir_info": {{"editable": true}}}}')
    # A distribution with a version that isn't PEP 440 (pip prints it with ===)
    legacy = site / "legacy_thing-2013b.custom.dist-info"
    legacy.mkdir()
    (legacy / "METADATA").write_text("Metadata-Version: 2.1\nName: Legacy-Thing\nVersion: 2013b.custom-1\n\n")
    (legacy / "RECORD").write_text("")
    return env


FREEZE_CASES = [[], ["--all"], ["--exclude", "foo-bar"], ["--exclude-editable"], ["--all", "--local"]]


@pytest.mark.parametrize("options", FREEZE_CASES, ids=[" ".join(o) or "default" for o in FREEZE_CASES])
def test_freeze_matches_pip(populated_env: Path, satchel, newest_pip: Path | None, options: list[str]) -> None:
    ours = satchel("freeze", "-p", str(populated_env), *options)
    assert ours.returncode == 0, ours
    assert ours.stdout == pip(populated_env, "freeze", *options, reference=newest_pip)
    assert ours.stdout == pip(populated_env, "freeze", *options)  # the same in older pips
    assert "Foo_Bar==1.0" in ours.stdout or "--exclude" in options


LIST_CASES = [
    [],
    ["--format", "freeze"],
    ["--format", "json"],
    ["--not-required"],
    ["--exclude-editable"],
    ["--editable"],
    ["--exclude", "pip", "--format", "json"],
    ["-v"],
]


@pytest.mark.parametrize("options", LIST_CASES, ids=[" ".join(o) or "columns" for o in LIST_CASES])
def test_list_matches_pip(populated_env: Path, satchel, newest_pip: Path | None, options: list[str]) -> None:
    if newest_pip is None and options in ([], ["-v"]):
        pytest.skip("the Build column came with newer pips than the bundled one, and the index is unreachable")
    ours = satchel("list", "-p", str(populated_env), *options)
    assert ours.returncode == 0, ours
    assert ours.stdout == pip(populated_env, "list", *options, reference=newest_pip)


def test_freeze_finds_the_active_or_nearest_env(populated_env: Path, satchel, tmp_path: Path) -> None:
    expected = satchel("freeze", "-p", str(populated_env)).stdout
    assert expected
    active = dict(os.environ, VIRTUAL_ENV=str(populated_env))
    assert satchel("freeze", env=active).stdout == expected
    project = tmp_path / "proj" / "sub"
    project.mkdir(parents=True)
    (tmp_path / "proj" / ".venv").symlink_to(populated_env)
    assert satchel("freeze", cwd=project).stdout == expected


def test_no_environment_is_a_clear_error(tmp_path: Path, satchel) -> None:
    result = satchel("freeze", cwd=tmp_path)
    assert result.returncode == 2 and "no virtual environment found" in result.stderr
    assert "Traceback" not in result.stderr
