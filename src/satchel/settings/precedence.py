"""Merge the command line and the configured layers into one `Settings`. Pure.

Import rule: only `satchel.errors`, `satchel.settings.model`/`name_sets` and the standard library.

Precedence, highest first (`sources.load_layers` returns the layers lowest first):

    command line > SATCHEL_* > satchel.toml > PIP_* > pip config files > default

PIP_* over pip's config files is pip's own rule (pip reads variables as the last "section"),
so pip users see no change. Values are read as pip reads them:

- booleans: y/yes/t/true/on/1 and n/no/f/false/off/0, any case;
- append options (find-links, extra-index-url, trusted-host, constraint): a string is split
  on whitespace; a higher layer replaces a lower one's list, and the command line *adds* to
  the configured list (optparse appends to its default);
- -v/-q: a count or a boolean; the command line adds to the configured count;
- --only-binary/--no-binary accumulate across every layer, with `:all:`/`:none:`;
- pip's `no-cache-dir` disables the cache whatever boolean it is set to (pip keeps that for
  backwards compatibility) and beats pip's own `cache-dir`; in satchel's own layers
  `no-cache-dir = false` means false, and a `cache-dir` there or on the command line turns
  the cache back on;
- empty values are ignored, as pip ignores them.
"""

from __future__ import annotations

import math
import os

from satchel.settings.model import Entry, Settings, SettingsError
from satchel.settings.name_sets import add_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from satchel.settings.model import Layer, RawValue

__all__ = ["OPTIONS", "Option", "merge", "parse_bool"]

_CLI = "command line"


class Option:
    """How one option is parsed and merged: the Settings `field`, the `kind` of value, the
    `choices` of a choice option, and whether pip knows it (pip's layers skip satchel-only ones)."""

    __slots__ = ("field", "kind", "choices", "pip")

    def __init__(self, field: str, kind: str, choices: tuple[str, ...] = (), pip: bool = True) -> None:
        self.field = field
        self.kind = kind
        self.choices = choices
        self.pip = pip

    def __repr__(self) -> str:
        return f"Option({self.field!r}, {self.kind!r})"


# Keys are pip's long option names without dashes, including pip's aliases.
OPTIONS: Mapping[str, Option] = {
    "index-url": Option("index_url", "str"),
    "pypi-url": Option("index_url", "str"),
    "extra-index-url": Option("extra_index_urls", "list"),
    "no-index": Option("no_index", "bool"),
    "find-links": Option("find_links", "list"),
    "pre": Option("pre", "bool"),
    "prefer-binary": Option("prefer_binary", "bool"),
    "only-binary": Option("only_binary", "format"),
    "no-binary": Option("no_binary", "format"),
    "require-hashes": Option("require_hashes", "bool"),
    "trusted-host": Option("trusted_hosts", "list"),
    "cert": Option("cert", "path"),
    "client-cert": Option("client_cert", "path"),
    "timeout": Option("timeout", "float"),
    "default-timeout": Option("timeout", "float"),
    "retries": Option("retries", "int"),
    "proxy": Option("proxy", "str"),
    "cache-dir": Option("cache_dir", "cache-dir"),
    "no-cache-dir": Option("no_cache", "no-cache"),
    "constraint": Option("constraints", "list"),
    "upgrade-strategy": Option("upgrade_strategy", "choice", ("only-if-needed", "eager")),
    "index-strategy": Option(
        "index_strategy", "choice", ("first-index", "unsafe-best-match"), pip=False
    ),
    "break-system-packages": Option("break_system_packages", "bool"),
    "verbose": Option("verbose", "count"),
    "quiet": Option("quiet", "count"),
    "keyring-provider": Option("keyring_provider", "choice", ("auto", "disabled", "import", "subprocess")),
    "progress-bar": Option("progress_bar", "choice", ("auto", "on", "off", "raw")),
    "disable-pip-version-check": Option("disable_pip_version_check", "bool"),
    # pip's store_false option: in config files and PIP_NO_BUILD_ISOLATION the value is the
    # isolation itself (PIP_NO_BUILD_ISOLATION=0 turns isolation off), as pip reads it
    "no-build-isolation": Option("build_isolation", "store-false"),
    "check-build-dependencies": Option("check_build_dependencies", "bool"),
    "config-settings": Option("config_settings", "list"),
}
# The command line names options by Settings field; the first key for a field is its name.
_BY_FIELD: Mapping[str, str] = {o.field: k for k, o in reversed(list(OPTIONS.items()))}
_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0")


def merge(cli: Mapping[str, object], layers: Sequence[Layer]) -> Settings:
    """The Settings for `cli` (values by Settings field name, as the parser produced them)
    over `layers` (lowest precedence first).

    On the command line None, False, 0 and empty sequences mean "not given". Besides the
    field names, `cli` may hold "format_control": the --only-binary/--no-binary values in
    command-line order, as ("only_binary" | "no_binary", value) pairs. A value that can't be
    used raises SettingsError naming its input; unknown keys in `cli` raise TypeError.
    """
    state = _State()
    for layer in layers:
        for entry in layer.entries:
            option = OPTIONS.get(entry.key)
            if option is None or (layer.flavor == "pip" and not option.pip):
                continue  # like pip: options another command (or tool) knows are ignored
            if entry.value == "":
                continue  # pip ignores empty values
            state.apply(option, _parse(option, entry), entry.label, layer.flavor)
    for entry in _cli_entries(cli):
        state.apply(OPTIONS[entry.key], _parse(OPTIONS[entry.key], entry), _CLI, "cli")
    return state.settings()


def parse_bool(text: str) -> bool:
    """pip's strtobool; ValueError on anything else."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"invalid truth value {text!r}")


class _State:
    """The values merged so far, and the labels of the sources that set them."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = Settings().values()
        self.values["only_binary"] = set()
        self.values["no_binary"] = set()
        self.origins: dict[str, list[str]] = {}

    def set(self, field: str, value: object, label: str) -> None:
        self.values[field] = value
        self.origins[field] = [label]

    def add(self, field: str, value: object, label: str) -> None:
        self.values[field] = self.values[field] + value
        self.note(field, label)

    def note(self, field: str, label: str) -> None:
        labels = self.origins.setdefault(field, [])
        if label not in labels:
            labels.append(label)

    def apply(self, option: Option, value: Any, label: str, mode: str) -> None:
        kind, field = option.kind, option.field
        if kind in ("list", "count") and mode == "cli":
            self.add(field, value, label)
        elif kind == "format":
            self.apply_format(field, value, label)
        elif kind == "no-cache":
            self.set(field, True if mode == "pip" else value, label)
        elif kind == "cache-dir":
            self.set(field, value, label)
            if mode != "pip" and self.values["no_cache"]:
                self.values["no_cache"] = False
                self.origins.pop("no_cache", None)
        else:
            self.set(field, value, label)

    def apply_format(self, field: str, values: tuple[str, ...], label: str) -> None:
        other = "no_binary" if field == "only_binary" else "only_binary"
        for value in values:
            before = set(self.values[other])
            add_names(value, self.values[field], self.values[other])
            self.note(field, label)
            if self.values[other] != before:
                self.note(other, label)

    def settings(self) -> Settings:
        sources = {field: ", ".join(labels) for field, labels in self.origins.items()}
        return Settings(**self.values, sources=sources)


def _cli_entries(cli: Mapping[str, object]) -> list[Entry]:
    entries = []
    value: Any
    for field, value in cli.items():
        if field == "format_control":
            entries.extend(_format_entries(value))
            continue
        key = _BY_FIELD.get(field)
        if key is None:
            raise TypeError(f"merge(): unknown command-line setting {field!r}")
        if _not_given(OPTIONS[key], value):
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = tuple(value)
        entries.append(Entry(key, value, f"--{key}"))
    return entries


def _format_entries(pairs: Sequence[tuple[str, str]] | None) -> list[Entry]:
    entries = []
    for field, value in pairs or ():
        key = field.replace("_", "-")
        if key not in ("only-binary", "no-binary"):
            raise TypeError(f"merge(): format_control holds {field!r}")
        entries.append(Entry(key, (value,), f"--{key}"))
    return entries


def _not_given(option: Option, value: object) -> bool:
    """What an argparse default looks like: None, False for a flag, 0 for -v/-q, an empty list."""
    if value is None:
        return True
    if option.kind in ("bool", "no-cache"):
        return value is False
    if option.kind == "count":
        return value == 0
    if isinstance(value, (str, tuple, list, set, frozenset)):
        return len(value) == 0
    return False


# ---- parsing one raw value -------------------------------------------------------------


def _parse(option: Option, entry: Entry) -> object:
    kind = option.kind
    if kind in ("bool", "no-cache", "store-false"):
        return _as_bool(entry)
    if kind == "count":
        return _as_count(entry)
    if kind == "float":
        return _as_float(entry)
    if kind == "int":
        return _as_int(entry)
    if kind == "list":
        return _as_list(entry, split=True)
    if kind == "format":
        return _as_format(entry)
    text = _as_str(entry)
    if kind == "choice" and text not in option.choices:
        choices = ", ".join(option.choices)
        raise _bad(entry, f"expected one of: {choices}")
    if kind in ("path", "cache-dir"):
        return os.path.expanduser(text)
    return text


def _bad(entry: Entry, expected: str) -> SettingsError:
    where = entry.label if entry.section is not None else entry.input
    if entry.section is not None:
        hint = f"Fix `{entry.key}` in {entry.label}."
    elif entry.origin.startswith("--"):
        hint = f"Check the value given to {entry.origin}."
    else:
        hint = f"Fix or unset the environment variable {entry.origin}."
    return SettingsError(
        f"{entry.value!r} is not a valid value for {entry.key} (from {where}): {expected}.",
        input=entry.input,
        hint=hint,
    )


def _as_str(entry: Entry) -> str:
    if not isinstance(entry.value, str):
        raise _bad(entry, "expected a string")
    return entry.value


def _as_bool(entry: Entry) -> bool:
    value = entry.value
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return parse_bool(value)
        except ValueError:
            pass
    raise _bad(entry, "expected a boolean like yes/no, true/false, on/off or 1/0")


def _as_count(entry: Entry) -> int:
    value: RawValue = entry.value
    if isinstance(value, str):
        try:
            value = parse_bool(value)
        except ValueError:
            try:
                value = int(value)
            except ValueError:
                pass
    if isinstance(value, int) and value >= 0:  # bool is an int: yes/true is 1
        return int(value)
    raise _bad(entry, "expected a non-negative integer or a boolean like yes/no (1/0)")


def _as_float(entry: Entry) -> float:
    value = entry.value
    try:
        number = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise _bad(entry, "expected a non-negative number of seconds")
    return number


def _as_int(entry: Entry) -> int:
    value = entry.value
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        number = _parse_optparse_int(value.strip())
    if number is None or number < 0:
        raise _bad(entry, "expected a non-negative integer")
    return number


def _parse_optparse_int(text: str) -> int | None:
    """optparse's integer rule, which pip uses: 0x.. hex, 0b.. binary, a leading 0 octal."""
    base, digits = 10, text
    if text[:2].lower() == "0x":
        base = 16
    elif text[:2].lower() == "0b":
        base, digits = 2, text[2:] or "0"
    elif text[:1] == "0":
        base = 8
    try:
        return int(digits, base)
    except ValueError:
        return None


def _as_list(entry: Entry, *, split: bool) -> tuple[str, ...]:
    value = entry.value
    if isinstance(value, str):
        return tuple(value.split()) if split else (value,)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return value
    raise _bad(entry, "expected a string or a list of strings")


def _as_format(entry: Entry) -> tuple[str, ...]:
    values = _as_list(entry, split=False)
    for value in values:
        if value.startswith("-"):
            raise _bad(entry, "expected :all:, :none: or project names separated by commas")
    return values
