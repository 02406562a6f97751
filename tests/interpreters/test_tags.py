"""Wheel tags of a target interpreter, from its probe alone: the same list, in the same order,
as pip itself computes inside that interpreter (`pip debug --verbose`)."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import own_cache, target_interpreters
from satchel.interpreters.probe import probe
from satchel.interpreters.tags import linux_platforms, supported_tags

INTERPRETERS = target_interpreters()


def pip_compatible_tags(python: str) -> list[str]:
    proc = subprocess.run(
        [python, "-m", "pip", "debug", "--verbose"], capture_output=True, text=True, env=dict(os.environ)
    )
    assert proc.returncode == 0, proc.stderr
    section = proc.stdout.split("Compatible tags:", 1)[1].splitlines()[1:]
    return [line.strip() for line in section if line.startswith("  ")]


@pytest.mark.parametrize("version,python", INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def test_same_tags_as_pip_in_the_target(tmp_path, satchel, version: str, python: str) -> None:
    env = tmp_path / "env"
    assert satchel("venv", "-p", python, str(env)).returncode == 0
    target = str(env / "bin" / "python")
    assert [str(tag) for tag in supported_tags(probe(target, own_cache()))] == pip_compatible_tags(target)


def test_musllinux_and_legacy_aliases() -> None:
    assert linux_platforms("x86_64", ("musl", "1.2")) == [
        "musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64",
    ]
    glibc = linux_platforms("aarch64", ("glibc", "2.18"))
    assert glibc == ["manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"]
    x86 = linux_platforms("x86_64", ("glibc", "2.12"))
    assert x86[:3] == ["manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_11_x86_64"]
    assert x86[-3:] == ["manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64"]
    assert linux_platforms("riscv64", None) == ["linux_riscv64"]
