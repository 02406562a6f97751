"""What the user asked for, as plain values: `Settings`, and the raw `Entry`/`Layer` it is
merged from. Pure: no files, no environment.

Import rule: `satchel.settings` imports only `satchel.errors`, `satchel.names` and the standard
library (plus platformdirs and tomllib, lazily, in `sources`). This module imports only the
errors (and `name_sets`, lazily, for `allowed_formats`).

Settings is written out by hand instead of with `dataclasses`, whose import costs a few
milliseconds of every satchel start (startup is a feature).
"""

from __future__ import annotations

from types import MappingProxyType

from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, Literal

    UpgradeStrategy = Literal["only-if-needed", "eager"]
    IndexStrategy = Literal["first-index", "unsafe-best-match"]
    KeyringProvider = Literal["auto", "disabled", "import", "subprocess"]
    ProgressBar = Literal["auto", "on", "off", "raw"]
    RawValue = str | bool | int | float | tuple[str, ...]

__all__ = ["Entry", "Layer", "NoDefaultIndexError", "SettingsError", "Settings"]


class SettingsError(UsageError):
    """A configured value satchel can't use; `input` names where it came from."""

    code = "bad-setting"


class NoDefaultIndexError(UsageError):
    """No index URL was configured and there is no pip to say what its default is."""

    code = "no-index-url"


_EMPTY: Mapping[str, str] = MappingProxyType({})


class Settings:
    """The options of one satchel command after merging every source (see `merge`).

    `index_url` is None until the default index has been looked up (`sources.with_default_index`),
    `cache_dir` None means the default cache, `no_cache` disables the cache. `only_binary` and
    `no_binary` use pip's `:all:` marker and canonical project names. `sources` maps each field
    that differs from its default to where its value came from ("command line", "PIP_FIND_LINKS",
    "/etc/pip.conf [global]", ...), for `-v` output and error messages.
    """

    __slots__ = (
        "index_url", "extra_index_urls", "no_index", "find_links", "pre", "prefer_binary",
        "only_binary", "no_binary", "require_hashes", "trusted_hosts", "cert", "client_cert",
        "timeout", "retries", "proxy", "cache_dir", "no_cache", "constraints",
        "upgrade_strategy", "index_strategy", "break_system_packages", "verbose", "quiet",
        "keyring_provider", "progress_bar", "disable_pip_version_check", "build_isolation",
        "check_build_dependencies", "config_settings", "sources",
    )  # fmt: skip

    index_url: str | None
    extra_index_urls: tuple[str, ...]
    no_index: bool
    find_links: tuple[str, ...]
    pre: bool
    prefer_binary: bool
    only_binary: frozenset[str]
    no_binary: frozenset[str]
    require_hashes: bool
    trusted_hosts: tuple[str, ...]
    cert: str | None
    client_cert: str | None
    timeout: float
    retries: int
    proxy: str | None
    cache_dir: str | None
    no_cache: bool
    constraints: tuple[str, ...]
    upgrade_strategy: UpgradeStrategy
    index_strategy: IndexStrategy
    break_system_packages: bool
    verbose: int
    quiet: int
    keyring_provider: KeyringProvider
    progress_bar: ProgressBar
    disable_pip_version_check: bool
    build_isolation: bool
    check_build_dependencies: bool
    config_settings: tuple[str, ...]
    sources: Mapping[str, str]

    def __init__(
        self,
        *,
        index_url: str | None = None,
        extra_index_urls: Iterable[str] = (),
        no_index: bool = False,
        find_links: Iterable[str] = (),
        pre: bool = False,
        prefer_binary: bool = False,
        only_binary: Iterable[str] = (),
        no_binary: Iterable[str] = (),
        require_hashes: bool = False,
        trusted_hosts: Iterable[str] = (),
        cert: str | None = None,
        client_cert: str | None = None,
        timeout: float = 15.0,
        retries: int = 5,
        proxy: str | None = None,
        cache_dir: str | None = None,
        no_cache: bool = False,
        constraints: Iterable[str] = (),
        upgrade_strategy: UpgradeStrategy = "only-if-needed",
        index_strategy: IndexStrategy = "first-index",
        break_system_packages: bool = False,
        verbose: int = 0,
        quiet: int = 0,
        keyring_provider: KeyringProvider = "auto",
        progress_bar: ProgressBar = "auto",
        disable_pip_version_check: bool = False,
        build_isolation: bool = True,
        check_build_dependencies: bool = False,
        config_settings: Iterable[str] = (),
        sources: Mapping[str, str] = _EMPTY,
    ) -> None:
        values: dict[str, object] = {
            "index_url": index_url,
            "extra_index_urls": tuple(extra_index_urls),
            "no_index": no_index,
            "find_links": tuple(find_links),
            "pre": pre,
            "prefer_binary": prefer_binary,
            "only_binary": frozenset(only_binary),
            "no_binary": frozenset(no_binary),
            "require_hashes": require_hashes,
            "trusted_hosts": tuple(trusted_hosts),
            "cert": cert,
            "client_cert": client_cert,
            "timeout": float(timeout),
            "retries": retries,
            "proxy": proxy,
            "cache_dir": cache_dir,
            "no_cache": no_cache,
            "constraints": tuple(constraints),
            "upgrade_strategy": upgrade_strategy,
            "index_strategy": index_strategy,
            "break_system_packages": break_system_packages,
            "verbose": verbose,
            "quiet": quiet,
            "keyring_provider": keyring_provider,
            "progress_bar": progress_bar,
            "disable_pip_version_check": disable_pip_version_check,
            "build_isolation": build_isolation,
            "check_build_dependencies": check_build_dependencies,
            "config_settings": tuple(config_settings),
            "sources": MappingProxyType(dict(sources)),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Settings is immutable; use replace() to change {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Settings is immutable; can't delete {name!r}")

    def values(self) -> dict[str, object]:
        """Every field but `sources`, by name."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "sources"}

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes` applied (field names as keywords)."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"Settings has no field {sorted(unknown)[0]!r}")
        fields: dict[str, Any] = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Settings(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return self.values() == other.values()

    def __hash__(self) -> int:
        return hash(tuple(self.values().values()))

    def __repr__(self) -> str:
        default = _default_values()
        changed = ", ".join(f"{k}={v!r}" for k, v in self.values().items() if default[k] != v)
        return f"Settings({changed})"

    @property
    def verbosity(self) -> int:
        """pip's net level: -v counts up, -q counts down."""
        return self.verbose - self.quiet

    def allowed_formats(self, canonical_name: str) -> frozenset[str]:
        """"binary" and/or "source" for a project, by pip's --only-binary/--no-binary rules."""
        from satchel.settings.name_sets import allowed_formats

        return allowed_formats(canonical_name, self.only_binary, self.no_binary)


def _default_values() -> dict[str, object]:
    return Settings().values()


class Entry:
    """One raw value as a source spelled it, before parsing.

    `key` is pip's normalised option name ("index-url"). `origin` is the environment variable,
    the file, or "command line"; `section` the file's section ("global", "install"; "" for the
    top level of satchel.toml) and None for anything that is not a file.
    """

    __slots__ = ("key", "value", "origin", "section")

    key: str
    value: RawValue
    origin: str
    section: str | None

    def __init__(self, key: str, value: RawValue, origin: str, section: str | None = None) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "section", section)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Entry is immutable")

    @property
    def label(self) -> str:
        """Where the value came from, for `Settings.sources`: "PIP_X" or "/etc/pip.conf [global]"."""
        if self.section is None or self.section == "":
            return self.origin
        return f"{self.origin} [{self.section}]"

    @property
    def input(self) -> str:
        """The exact input, for errors: "PIP_X", "--timeout" or "/etc/pip.conf:global:timeout"."""
        if self.section is None:
            return self.origin
        if self.section == "":
            return f"{self.origin}:{self.key}"
        return f"{self.origin}:{self.section}:{self.key}"

    def _key(self) -> tuple[object, ...]:
        return (self.key, self.value, self.origin, self.section)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Entry({self.key!r}, {self.value!r}, {self.label!r})"


class Layer:
    """The entries of one source, in the order they apply (a later entry overrides an earlier one).

    `flavor` is "pip" for pip's own sources (pip.conf, PIP_*), read with pip's quirks and
    ignoring satchel-only options, and "satchel" for satchel.toml and SATCHEL_*.
    """

    __slots__ = ("name", "flavor", "entries")

    name: str
    flavor: Literal["pip", "satchel"]
    entries: tuple[Entry, ...]

    def __init__(self, name: str, flavor: Literal["pip", "satchel"], entries: Iterable[Entry] = ()) -> None:
        if flavor not in ("pip", "satchel"):
            raise ValueError(f"unknown layer flavor {flavor!r}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "flavor", flavor)
        object.__setattr__(self, "entries", tuple(entries))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Layer is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layer):
            return NotImplemented
        return (self.name, self.flavor, self.entries) == (other.name, other.flavor, other.entries)

    def __hash__(self) -> int:
        return hash((self.name, self.flavor, self.entries))

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, {self.flavor!r}, {list(self.entries)!r})"
