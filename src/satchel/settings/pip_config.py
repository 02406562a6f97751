"""pip's config files read as pip reads them: INI syntax (a raw configparser, so `%` is no
interpolation), in the locale's encoding (UTF-8 in UTF-8 mode), keys normalised as pip
normalises them (`normalize_key`: also the rule for PIP_*/SATCHEL_* names and satchel.toml
keys), and the files' sections merged into one layer: the [global] values, then the
[command] ones; within a section the last file that sets a key wins, and empty values are
dropped. Which files, in which order, is `satchel.settings.sources`' business.

Import rule: `satchel.settings.model`, the standard library, and configparser and locale lazily.
"""

from __future__ import annotations

import os
import sys

from satchel.settings.model import Entry, Layer, SettingsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["config_layer", "normalize_key", "read_ini"]


def config_layer(command: str, files: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Layer:
    """The layer of pip's config files `files` ({path: {section: {key: value}}}, in pip's load
    order) for `command`: [global], then [command], the last file setting a key winning."""
    entries: list[Entry] = []
    for section in ("global", command):
        chosen: dict[str, Entry] = {}
        for path, sections in files.items():
            for key, value in sections.get(section, {}).items():
                chosen[key] = Entry(key, value, path, section)
        entries.extend(e for e in chosen.values() if e.value)
    return Layer("pip config", "pip", entries)


def read_ini(path: str) -> dict[str, dict[str, str]]:
    """{section: {key: value}} of the pip config file at `path` ({} when it doesn't exist or
    can't be read, as pip has it); SettingsError when it can't be decoded or parsed."""
    if not os.path.exists(path):
        return {}
    import configparser

    class Parser(configparser.RawConfigParser):
        def optionxform(self, optionstr: str) -> str:
            return normalize_key(optionstr)

    encoding = _config_encoding()
    parser = Parser()
    try:
        parser.read(path, encoding=encoding)  # like pip, an unreadable file reads as empty
    except UnicodeDecodeError:
        raise SettingsError(
            f"pip's configuration file {path} contains invalid {encoding} characters.",
            input=path,
            hint=f"Save the file as {encoding}, or point PIP_CONFIG_FILE elsewhere.",
        ) from None
    except configparser.Error as error:
        raise SettingsError(
            f"pip's configuration file {path} can't be parsed: {error}",
            input=path,
            hint="Fix the file (INI syntax: a [global] or [install] header, then key = value lines).",
        ) from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def _config_encoding() -> str:
    if sys.flags.utf8_mode:
        return "utf-8"
    import locale

    if sys.version_info >= (3, 11):
        return locale.getencoding()
    return locale.getpreferredencoding(False)


def normalize_key(name: str) -> str:
    """pip's key normalisation: lower case, `_` as `-`, no leading `--`."""
    return name.lower().replace("_", "-").removeprefix("--")
