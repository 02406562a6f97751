"""What the user asked for, merged from every source into one `Settings`.

    command line > SATCHEL_* > satchel.toml > PIP_* > pip config files > default

`model` holds the values (pure), `merge` the precedence and pip's parsing rules (pure),
`sources` finds the layers (where pip.conf/pip.ini and satchel.toml are, PIP_*, SATCHEL_*),
`pip_config` and `satchel_toml` read those files, `default_index` finds pip's default index
(all edge).

Import rule: `satchel.settings` imports only `satchel.errors`, `satchel.names` and the standard
library, plus platformdirs and tomllib lazily. Nothing heavy at import time. `name_sets` holds
pip's `:all:`/`:none:` rule for every layer above (pure).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from satchel.settings.precedence import merge
    from satchel.settings.model import Entry, Layer, NoDefaultIndexError, Settings, SettingsError
    from satchel.settings.default_index import default_index_url, with_default_index
    from satchel.settings.sources import load_layers

_LAZY = {
    "merge": "satchel.settings.precedence",
    "Entry": "satchel.settings.model",
    "Layer": "satchel.settings.model",
    "NoDefaultIndexError": "satchel.settings.model",
    "Settings": "satchel.settings.model",
    "SettingsError": "satchel.settings.model",
    "default_index_url": "satchel.settings.default_index",
    "load_layers": "satchel.settings.sources",
    "with_default_index": "satchel.settings.default_index",
}


def __getattr__(name: str) -> object:
    """Submodules load on first use: the no-op install only needs `sources.pip_config_files`."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'satchel.settings' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)

__all__ = [
    "Entry",
    "Layer",
    "NoDefaultIndexError",
    "Settings",
    "SettingsError",
    "default_index_url",
    "load_layers",
    "load_settings",
    "merge",
    "with_default_index",
]


def load_settings(
    cli: Mapping[str, object],
    *,
    command: str = "install",
    target_prefix: str | None = None,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """`merge(cli, load_layers(...))`: the Settings of one command for one target environment."""
    from satchel.settings.precedence import merge
    from satchel.settings.sources import load_layers

    layers = load_layers(command, target_prefix, isolated=isolated, environ=environ)
    return merge(cli, layers)
