"""satchel.toml read: its top-level keys (pip's option names, `index-url = "..."`), then the
[command] table's, which override them; other commands' tables are skipped. Values are
strings, booleans, numbers or lists of strings; anything else, invalid TOML or an unreadable
file is a SettingsError naming the file. Where the file is, and whether to read it, is
`satchel.settings.sources`' business.

Import rule: `satchel.settings.model`, `satchel.settings.pip_config` (for pip's key
normalisation), the standard library, and tomllib lazily (tomli on Python 3.10).
"""

from __future__ import annotations

import os
import sys

from satchel.settings.model import Entry, SettingsError
from satchel.settings.pip_config import normalize_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from satchel.settings.model import RawValue

__all__ = ["satchel_toml_entries"]


def satchel_toml_entries(path: str, command: str) -> list[Entry]:
    """The entries of the satchel.toml at `path` for `command`: top-level keys, then the
    [command] table's."""
    data = _read_toml(path)
    entries = _toml_entries(data, path, "")
    table = data.get(command)
    if isinstance(table, dict):
        entries += _toml_entries(table, path, command)
    return entries


def _read_toml(path: str) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise SettingsError(
                f"Reading {path} needs Python 3.11+ or the tomli package.",
                input=path,
                hint="pip install tomli, or set SATCHEL_CONFIG_FILE=" + os.devnull,
            ) from None
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(
            f"satchel's configuration file {path} is not valid TOML: {error}",
            input=path,
            hint='Write options as TOML keys, e.g. index-url = "https://..." or pre = true.',
        ) from None
    except OSError as error:
        raise SettingsError(f"Can't read {path}: {error.strerror}", input=path) from None


def _toml_entries(table: dict[str, object], path: str, section: str) -> list[Entry]:
    entries = []
    for key, value in table.items():
        if isinstance(value, dict):
            continue  # another command's table
        entries.append(Entry(normalize_key(key), _toml_value(value, path, section, key), path, section))
    return entries


def _toml_value(value: object, path: str, section: str, key: str) -> RawValue:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    where = f"{path}:{section}:{key}" if section else f"{path}:{key}"
    raise SettingsError(
        f"{key} in {path} is {value!r}; satchel.toml values are strings, booleans, numbers "
        "or lists of strings.",
        input=where,
        hint=f'Write it as a TOML string, e.g. {key} = "...".',
    )
