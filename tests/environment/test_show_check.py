"""satchel show and check print what the newest pip's show and check print, on the same
environment: requirements with markers false on the target and with extras, a package required
by two others, a home page only in Project-URL, License-Expression (Metadata-Version 2.4) and
a multi-line License, an editable (PEP 610), entry points, an egg-info, a missing and a
conflicting requirement, a wheel built for another platform, and unknown names."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import target_interpreters
from support.wheels import make_wheel

INTERPRETERS = [(v, p) for v, p in target_interpreters() if v.startswith(("3.11.", "3.12.", "3.13."))]


def pip_run(env: Path, reference: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The newest pip run inside `env`'s interpreter (`pip --python ENV ...`)."""
    command = [str(reference), "-m", "pip", "--python", str(env / "bin" / "python"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=120)


@pytest.fixture(scope="session")
def newest_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An interpreter with the newest pip from the default index (these tests need it: the
    pip an environment is seeded with may print an older show)."""
    from conftest import run_satchel

    env = tmp_path_factory.mktemp("newest-pip-show") / "env"
    if run_satchel("venv", str(env)).returncode != 0:
        pytest.skip("no environment for the newest pip")
    try:
        proc = subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"],
            capture_output=True, text=True, timeout=120, env=dict(os.environ),
        )
    except subprocess.TimeoutExpired:
        pytest.skip("the default index is unreachable")
    if proc.returncode != 0:
        pytest.skip("the default index is unreachable")
    return env / "bin" / "python"


def write_dist_info(site: Path, dirname: str, metadata: str, files: dict[str, str]) -> Path:
    """A hand-made metadata directory: METADATA (PKG-INFO in an .egg-info) and `files`."""
    info = site / dirname
    info.mkdir()
    (info / ("PKG-INFO" if dirname.endswith(".egg-info") else "METADATA")).write_text(metadata)
    for name, text in files.items():
        (info / name).write_text(text)
    return info


def populate(root: Path, python: str, newest_pip: Path) -> Path:
    from conftest import run_satchel

    env = root / "env"
    assert run_satchel("venv", "-p", python, str(env)).returncode == 0
    wheels = root / "wheels"
    make_wheel(
        wheels, "App", "1.0",
        requires_dist=[
            "Lib_Common>=1",
            "winonly; sys_platform == 'win32'",
            "oldpy>=1; python_version < '3.8'",
            "lib-common; python_version >= '3'",  # the same name again, another spelling
        ],
        extras={"cli": ["clickish>=2"]},
        entry_points={"console_scripts": {"app": "app:main"}, "gui_scripts": {"app-gui": "app:main"}},
    )
    make_wheel(wheels, "Lib_Common", "2.0")
    make_wheel(wheels, "tool", "0.3", requires_dist=["lib.common", "Missing_Dep>=1", "app<1", "rich-meta", "aa-gone"])
    make_wheel(wheels, "prerel", "1.0b1")
    make_wheel(wheels, "uses-prerel", "1.0", requires_dist=["prerel>=0.9", "another-missing; extra == 'x'"])
    proc = pip_run(env, newest_pip, "install", "--no-index", "--no-deps", "--find-links", str(wheels),
                   "App", "Lib_Common", "tool", "prerel", "uses-prerel")
    assert proc.returncode == 0, proc.stderr

    site = next(env.glob("lib/python3.*/site-packages"))
    write_dist_info(
        site, "rich_meta-3.0.dist-info",
        "Metadata-Version: 2.4\nName: Rich-Meta\nVersion: 3.0\nSummary: All the fields\n"
        "Author: Ann Author\nAuthor-email: Ann <ann@example.org>\nLicense-Expression: MIT OR Apache-2.0\n"
        "License-File: LICENSE\nClassifier: Programming Language :: Python :: 3\n"
        "Classifier: License :: OSI Approved :: MIT License\n"
        "Project-URL: Source, https://example.org/rich/src\nProject-URL: Home Page, https://example.org/rich\n"
        "Requires-Dist: lib-common\n\nThe description.\n",
        {"INSTALLER": "satchel\n", "RECORD": "rich_meta/__init__.py,,\nrich_meta-3.0.dist-info/METADATA,,\n"},
    )
    write_dist_info(
        site, "old_license-1.0.dist-info",
        "Metadata-Version: 2.1\nName: old_license\nVersion: 1.0\nHome-page: https://example.org/old\n"
        "License: Copyright (c) the authors\n        \n        Permission is hereby granted, free of charge,\n"
        "          indented more\n        last line\nLicense-Expression: Ignored-Before-2.4\n"
        "Project-URL: homepage, https://example.org/not-used\n"
        "Requires-Dist: prerel>=1.0\nRequires-Dist: legacy-thing\nRequires-Dist: App[cli]!=1.0,>=0.5\n\n",
        {"entry_points.txt": "[console_scripts]\nold = old:main\n\n[other]\n  spaced = x:y  \n"},
    )
    project = root / "project dir"
    project.mkdir()
    write_dist_info(
        site, "Edit_Me-0.1.dist-info",
        "Metadata-Version: 2.1\nName: Edit_Me\nVersion: 0.1\nRequires-Dist: lib_common (>=1.5)\n\n",
        {
            "RECORD": "",
            "INSTALLER": "pip\n",
            "direct_url.json": json.dumps({"url": project.as_uri(), "dir_info": {"editable": True}}),
        },
    )
    write_dist_info(
        site, "winpkg-1.0.dist-info",
        "Metadata-Version: 2.1\nName: winpkg\nVersion: 1.0\n\n",
        {
            "WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: false\nTag: cp312-cp312-win_amd64\n",
            "RECORD": "winpkg.pyd,,\n",
        },
    )
    write_dist_info(
        site, "eggy-0.5-py3.12.egg-info",
        "Metadata-Version: 1.2\nName: eggy\nVersion: 0.5\nSummary: an old-style install\n",
        {
            "requires.txt": "lib_common>=1\n\n[fast]\nspeedy\n\n[:sys_platform == 'win32']\nwinonly\n",
            "installed-files.txt": "../eggy/__init__.py\n../eggy/core.py\nPKG-INFO\n\n",
        },
    )
    # a version that isn't PEP 440: pip check warns it can't parse it, and leaves it out
    write_dist_info(
        site, "legacy_thing-2013b.custom.dist-info",
        "Metadata-Version: 2.1\nName: Legacy-Thing\nVersion: 2013b.custom\n\n", {"RECORD": ""},
    )
    return env


@pytest.fixture(scope="module", params=INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def broken_env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, newest_pip: Path) -> Path:
    return populate(tmp_path_factory.mktemp("show-check"), request.param[1], newest_pip)


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory, newest_pip: Path) -> Path:
    from conftest import run_satchel

    root = tmp_path_factory.mktemp("check-clean")
    env = root / "env"
    assert run_satchel("venv", "-p", INTERPRETERS[-1][1], str(env)).returncode == 0
    wheels = root / "wheels"
    # a pre-release meets ">=0.9" only when pre-releases count, as they do in pip check
    make_wheel(wheels, "base", "1.0rc1")
    make_wheel(wheels, "top", "1.0", requires_dist=["base>=0.9", "nowhere; python_version < '3'"],
               extras={"x": ["nowhere"]})
    proc = pip_run(env, newest_pip, "install", "--no-index", "--pre", "--find-links", str(wheels), "top")
    assert proc.returncode == 0, proc.stderr
    return env


SHOW_CASES = [
    ["app"],
    ["LIB.common"],
    ["rich_meta", "old-license", "Edit-Me"],
    ["-v", "app", "rich-meta", "old-license", "eggy", "winpkg"],
    ["-f", "app", "edit-me", "eggy", "winpkg"],
    ["-f", "-v", "tool", "uses-prerel", "prerel", "pip"],
    ["nope", "app", "Also-Missing", "app"],
    ["nope", "zzz"],
    ["legacy-thing", "-v"],
]


@pytest.mark.parametrize("options", SHOW_CASES, ids=[" ".join(o) for o in SHOW_CASES])
def test_show_matches_pip(broken_env: Path, satchel, newest_pip: Path, options: list[str]) -> None:
    ours = satchel("show", "-p", str(broken_env), *options)
    theirs = pip_run(broken_env, newest_pip, "show", *options)
    assert ours.stdout == theirs.stdout
    assert ours.returncode == theirs.returncode, (ours, theirs.stderr)
    for line in theirs.stderr.splitlines():
        if line.startswith("WARNING: Package(s) not found"):
            assert line in ours.stderr.splitlines()
    assert "Traceback" not in ours.stderr


def test_show_without_names_fails_like_pip(broken_env: Path, satchel, newest_pip: Path) -> None:
    ours = satchel("show", "-p", str(broken_env))
    theirs = pip_run(broken_env, newest_pip, "show")
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode) == ("", 1)
    assert "provide a package name" in ours.stderr and "Traceback" not in ours.stderr


def test_check_broken_matches_pip(broken_env: Path, satchel, newest_pip: Path) -> None:
    ours = satchel("check", "-p", str(broken_env))
    theirs = pip_run(broken_env, newest_pip, "check")
    assert ours.stdout == theirs.stdout
    assert (ours.returncode, theirs.returncode) == (1, 1)
    warnings = [line for line in theirs.stderr.splitlines() if line.startswith("WARNING: Error parsing")]
    assert warnings and warnings == [line for line in ours.stderr.splitlines() if line.startswith("WARNING")]
    assert "tool 0.3 requires missing-dep, which is not installed." in ours.stdout
    assert "winpkg 1.0 is not supported on this platform" in ours.stdout


def test_check_clean_matches_pip(clean_env: Path, satchel, newest_pip: Path) -> None:
    ours = satchel("check", "-p", str(clean_env))
    theirs = pip_run(clean_env, newest_pip, "check")
    assert ours.stdout == theirs.stdout == "No broken requirements found.\n"
    assert ours.returncode == theirs.returncode == 0
