"""pip's default index, as pip defines it, for settings that configure none.

Read lazily and only when needed: from the pip installed beside satchel (its
`models/index.py` executed on its own, without importing pip, whose import sets up logging and
costs tens of milliseconds; else imported), else from the pip in the target environment (one
subprocess), else NoDefaultIndexError asking for --index-url. No index host name is written
here: the URL is always pip's own.

Import rule: `satchel.settings.model`, the standard library, and importlib and subprocess lazily.
"""

from __future__ import annotations

import os

from satchel.settings.model import NoDefaultIndexError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.settings.model import Settings

__all__ = ["default_index_url", "with_default_index"]

_INDEX_SCRIPT = """\
import sys
for name in ("pip._internal.models.index", "pip.models.index"):
    try:
        module = __import__(name, fromlist=["PyPI"])
        sys.stdout.write(module.PyPI.simple_url)
        break
    except Exception:
        pass
"""


def with_default_index(settings: Settings, target_python: str | None) -> Settings:
    """`settings` with index_url filled in from pip's default when nothing configured it
    (not needed with --no-index)."""
    if settings.index_url is not None or settings.no_index:
        return settings
    sources = dict(settings.sources)
    sources["index_url"] = "pip's default"
    return settings.replace(index_url=default_index_url(target_python), sources=sources)


def default_index_url(target_python: str | None) -> str:
    """pip's default index URL, as pip defines it: from the pip installed beside satchel, else
    from the pip in the target environment (`target_python`), else NoDefaultIndexError."""
    url = _index_from_local_pip()
    if url is None and target_python is not None:
        url = _index_from_interpreter(target_python)
    if url is None:
        where = "beside satchel" + (f" or in {target_python}'s environment" if target_python else "")
        raise NoDefaultIndexError(
            f"No package index is configured, and there is no pip {where} to say what its "
            "default index is.",
            input="--index-url",
            hint="Pass --index-url URL, or set SATCHEL_INDEX_URL (or index-url in pip.conf).",
        )
    return url


def _index_from_local_pip() -> str | None:
    """Read pip's definition from its file without importing pip (whose import sets up logging
    and costs tens of milliseconds); fall back to importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pip")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for relative in (("_internal", "models", "index.py"), ("models", "index.py")):
            url = _index_from_file(os.path.join(folder, *relative))
            if url is not None:
                return url
    return _index_from_import()


def _index_from_file(path: str) -> str | None:
    import importlib.util

    if not os.path.isfile(path):
        return None
    spec = importlib.util.spec_from_file_location("_satchel_pip_index", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        return _checked_url(getattr(module, "PyPI").simple_url)
    except Exception:
        return None


def _index_from_import() -> str | None:
    import importlib

    for name in ("pip._internal.models.index", "pip.models.index"):
        try:
            return _checked_url(importlib.import_module(name).PyPI.simple_url)
        except Exception:
            continue
    return None


def _index_from_interpreter(python: str) -> str | None:
    import subprocess

    try:
        proc = subprocess.run(
            [python, "-I", "-c", _INDEX_SCRIPT],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return _checked_url(proc.stdout.strip()) if proc.returncode == 0 else None


def _checked_url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None
