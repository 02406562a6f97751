"""`satchel cache` (dir, info, list, remove, purge) on caches filled by real installs and builds
from the local test index, and what it must never touch."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import SRC, run_satchel
from support.index_server import IndexServer


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SATCHEL_CACHE_DIR", str(directory))
    return directory


def new_env(path: Path) -> Path:
    result = run_satchel("venv", "--without-pip", str(path))
    assert result.returncode == 0, result
    return path


def info(cache: Path) -> dict[str, dict[str, object]]:
    result = run_satchel("cache", "info", "--json")
    assert result.returncode == 0, result
    data = json.loads(result.stdout)
    assert data["location"] == str(cache)
    return {part["name"]: part for part in data["parts"]}


def wheel_trees(cache: Path) -> list[str]:
    return sorted(p.parent.name for p in cache.glob("wheels-v1/*/*/manifest.json"))


def test_dir_prints_the_cache_location(cache: Path) -> None:
    result = run_satchel("cache", "dir")
    assert result.returncode == 0 and result.stdout == f"{cache}\n", result


def test_info_counts_what_an_install_left(tmp_path: Path, cache: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "env")
    result = run_satchel("install", "-p", str(env), "-i", index_server.url, "demo")
    assert result.returncode == 0, result
    parts = info(cache)
    assert parts["wheels-v1"]["entries"] == len(wheel_trees(cache)) >= 1
    assert int(parts["http-v1"]["bytes"]) > 0 and int(parts["http-v1"]["files"]) >= 1  # type: ignore[call-overload]
    assert "replay-v1" in parts
    human = run_satchel("cache", "info")
    assert human.returncode == 0 and human.stdout.startswith(f"Cache location: {cache}\nCache size: "), human
    assert re.search(r"^  wheels-v1 .* files, \d+ entries: unpacked wheels", human.stdout, re.M), human.stdout


def test_remove_takes_the_matching_unpacked_wheels_only(tmp_path: Path, cache: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "env")
    assert run_satchel("install", "-p", str(env), "-i", index_server.url, "demo").returncode == 0
    before = wheel_trees(cache)
    names = {json.loads(p.read_text())["name"] for p in cache.glob("wheels-v1/*/*/manifest.json")}
    assert "demo" in names and len(names) >= 2, names  # (demo and its dependency)
    result = run_satchel("cache", "remove", "demo")
    assert result.returncode == 0 and re.fullmatch(r"Files removed: [1-9]\d*\n", result.stdout), result
    after = {json.loads(p.read_text())["name"] for p in cache.glob("wheels-v1/*/*/manifest.json")}
    assert after == names - {"demo"} and len(wheel_trees(cache)) == len(before) - 1
    # the environment doesn't depend on the cache; a new one installs again from the index
    assert run_satchel("freeze", "-p", str(env)).stdout.startswith("demo==")
    other = new_env(tmp_path / "other")
    again = run_satchel("install", "-p", str(other), "-i", index_server.url, "demo")
    assert again.returncode == 0, again
    assert run_satchel("freeze", "-p", str(other)).stdout == run_satchel("freeze", "-p", str(env)).stdout


def test_remove_without_a_match_says_so(cache: Path) -> None:
    result = run_satchel("cache", "remove", "nothing-here")
    assert result.returncode == 0 and result.stdout == "Files removed: 0\n", result
    assert 'No matching packages for pattern "nothing-here"' in result.stderr


def test_purge_removes_satchels_parts_and_nothing_else(tmp_path: Path, cache: Path, index_server: IndexServer) -> None:
    env = new_env(tmp_path / "env")
    assert run_satchel("install", "-p", str(env), "-i", index_server.url, "demo").returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    (cache / "http-v1" / "link-out").symlink_to(outside)  # a link inside a part: removed, never followed
    (cache / "noop-v0").mkdir()  # an older version of a part
    (cache / "noop-v0" / "x").write_text("")
    (cache / "mine.txt").write_text("not satchel's")  # a misconfigured cache dir holding other things
    (cache / "my-data").mkdir()
    (cache / "my-data" / "y").write_text("")
    result = run_satchel("cache", "purge")
    assert result.returncode == 0 and re.fullmatch(r"Files removed: [1-9]\d*\n", result.stdout), result
    assert sorted(p.name for p in cache.iterdir()) == ["mine.txt", "my-data"]
    assert (outside / "precious.txt").read_text() == "keep"
    assert (cache / "my-data" / "y").exists()
    assert info(cache) == {}
    # and everything works again from an empty cache
    other = new_env(tmp_path / "other")
    assert run_satchel("install", "-p", str(other), "-i", index_server.url, "demo").returncode == 0


def test_list_and_remove_locally_built_wheels(tmp_path: Path, cache: Path, build_index_server: IndexServer) -> None:
    env = new_env(tmp_path / "env")
    result = run_satchel("install", "-p", str(env), "-i", build_index_server.url, "--no-binary", "st-proj", "st-proj")
    assert result.returncode == 0, result
    listing = run_satchel("cache", "list")
    assert listing.returncode == 0, listing
    assert listing.stdout.startswith("Cache contents:\n\n - st_proj-1.1-py3-none-any.whl ("), listing.stdout
    paths = run_satchel("cache", "list", "--format", "abspath", "st_proj").stdout.splitlines()
    assert len(paths) == 1 and Path(paths[0]).is_file() and Path(paths[0]).is_relative_to(cache / "built-v1")
    assert run_satchel("cache", "list", "other").stdout == "No locally built wheels cached.\n"
    assert run_satchel("cache", "list", "st_proj-1.1*").stdout == listing.stdout  # a glob, as pip takes it
    removed = run_satchel("cache", "remove", "st_proj")
    assert removed.returncode == 0 and removed.stdout != "Files removed: 0\n", removed
    assert run_satchel("cache", "list").stdout == "No locally built wheels cached.\n"
    assert not os.path.exists(paths[0])


def test_the_cache_folders_are_named_in_one_table() -> None:
    """Only cache.layout names a cache folder (`PARTS`, which `satchel cache` reads, so purge
    misses none): every other module asks `cache.part(key)`."""
    from satchel.cache.layout import PARTS

    named = {}
    for path in (SRC / "satchel").rglob("*.py"):
        found = set(re.findall(r'"([a-z][a-z-]*-v\d+)"', path.read_text()))
        if found:
            named[path.relative_to(SRC).as_posix()] = found
    assert set(named) == {"satchel/cache/layout.py"}, named
    assert named["satchel/cache/layout.py"] == {folder for folder, _ in PARTS.values() if "-v" in folder}


def test_a_subcommand_is_required() -> None:
    result = run_satchel("cache")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result
