"""Seeding a new environment with pip (and setuptools before 3.12) as `python -m venv` does:
an ordinary install, by satchel's installer, of the interpreter's own bundled ensurepip
wheels, unpacked once into the cache and linked in (no network, no subprocess)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from satchel.cache.layout import Cache
    from satchel.interpreters.info import InterpreterInfo

__all__ = ["seed_bundled"]


def seed_bundled(info: InterpreterInfo, scheme: Mapping[str, str], python: str, cache: Cache) -> list[dict[str, str]]:
    """Install `info`'s ensurepip wheels with `scheme` (an environment being built), each
    unless already there; the {name, version} of each installed."""
    from satchel.fetch.unpack import unpacked
    from satchel.install.link import install_unpacked

    present = _installed_names(scheme["purelib"])
    done = []
    for bundled in info.bundled_wheels:
        if bundled.name.lower() in present:
            continue
        wheel = unpacked(cache, bundled.path)
        install_unpacked(wheel, scheme, python=python, python_version=info.version)
        done.append({"name": wheel.name, "version": wheel.version})
    return done


def _installed_names(site_packages: str) -> set[str]:
    try:
        names = os.listdir(site_packages)
    except OSError:
        return set()
    return {name.split("-", 1)[0].lower() for name in names if name.endswith(".dist-info")}
