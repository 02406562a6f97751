"""Where the configured layers come from, and all of them in precedence order (`load_layers`).

Owns the locations of pip's config files and of satchel.toml (the tables below), and the
PIP_*/SATCHEL_* variable layers. Reading the files is `satchel.settings.pip_config` (INI, as
pip reads it) and `satchel.settings.satchel_toml`; pip's default index is
`satchel.settings.default_index`. Edge: files and the environment.

Import rule: `satchel.errors`, `satchel.settings.model`, the standard library, and lazily the
readers above and platformdirs (only where pip itself uses platformdirs: macOS and Windows;
the Linux/XDG rules are computed here, as in `satchel.cache.store`). A no-op install calls
only `pip_config_files`, so nothing else is imported at module level.

pip's config files, in the order pip loads them (a later file overrides an earlier one in
the same section; a command's section, e.g. [install], overrides [global] whatever the files):

    global  each of $XDG_CONFIG_DIRS (default /etc/xdg) + /pip/pip.conf, then /etc/pip.conf
            (macOS: /Library/Application Support/pip/pip.conf; Windows: C:\\ProgramData\\pip\\pip.ini)
    user    ~/.pip/pip.conf, then $XDG_CONFIG_HOME (default ~/.config)/pip/pip.conf
            (macOS: ~/Library/Application Support/pip if that directory exists;
            Windows: ~\\pip\\pip.ini, then %APPDATA%\\pip\\pip.ini) -- skipped when
            PIP_CONFIG_FILE names an existing file, and in isolated mode
    site    <target environment's sys.prefix>/pip.conf
    env     $PIP_CONFIG_FILE

PIP_CONFIG_FILE set to os.devnull disables every config file (PIP_* variables still apply).
SATCHEL_CONFIG_FILE names the satchel.toml to read instead of the user one
(`platformdirs.user_config_dir("satchel")/satchel.toml`); os.devnull disables it.
"""

from __future__ import annotations

import os
import sys

from satchel.settings.model import Entry, Layer, SettingsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "load_layers",
    "pip_config_files",
    "pip_config_layer",
    "pip_environ_layer",
    "read_pip_config_files",
    "satchel_config_file",
    "satchel_config_layer",
    "satchel_environ_layer",
]

_WINDOWS = sys.platform == "win32"
_PIP_BASENAME = "pip.ini" if _WINDOWS else "pip.conf"
_PIP_ENV_IGNORED = ("version", "help")
_SATCHEL_ENV_IGNORED = ("config-file",)


def load_layers(
    command: str = "install",
    target_prefix: str | None = None,
    *,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> tuple[Layer, ...]:
    """Every configured layer for `command`, lowest precedence first, ready for `merge`.

    `target_prefix` is the target environment's sys.prefix (for its site pip.conf); isolated
    mode is pip's --isolated: no PIP_*/SATCHEL_* variables, no user config files.
    """
    env = os.environ if environ is None else environ
    return (
        pip_config_layer(command, target_prefix, isolated=isolated, environ=env),
        pip_environ_layer(env, isolated=isolated),
        satchel_config_layer(command, isolated=isolated, environ=env),
        satchel_environ_layer(env, isolated=isolated),
    )


# ---- pip's config files ------------------------------------------------------------------


def pip_config_files(
    target_prefix: str | None,
    *,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(kind, path) of every file pip would try, in its load order, existing or not."""
    env = os.environ if environ is None else environ
    env_file = env.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    files = [("global", os.path.join(d, _PIP_BASENAME)) for d in _pip_site_config_dirs(env)]
    if not isolated and not (env_file and os.path.exists(env_file)):
        legacy = os.path.join(os.path.expanduser("~"), "pip" if _WINDOWS else ".pip", _PIP_BASENAME)
        files.append(("user", legacy))
        files.append(("user", os.path.join(_pip_user_config_dir(env), _PIP_BASENAME)))
    if target_prefix is not None:
        files.append(("site", os.path.join(target_prefix, _PIP_BASENAME)))
    if env_file is not None:
        files.append(("env", env_file))
    return files


def read_pip_config_files(
    target_prefix: str | None,
    *,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> dict[str, dict[str, dict[str, str]]]:
    """{path: {section: {key: value}}} of the files that exist, in pip's order (a path named
    twice keeps its first place, as in pip). Keys are normalised like pip's ("index-url")."""
    from satchel.settings.pip_config import read_ini

    found: dict[str, dict[str, dict[str, str]]] = {}
    for _, path in pip_config_files(target_prefix, isolated=isolated, environ=environ):
        found[path] = read_ini(path)
    return {path: sections for path, sections in found.items() if sections}


def pip_config_layer(
    command: str,
    target_prefix: str | None,
    *,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Layer:
    """pip's config files as one layer: the [global] values, then the [command] ones; within a
    section the last file that sets a key wins, and empty values are dropped (pip's rules)."""
    from satchel.settings.pip_config import config_layer

    return config_layer(command, read_pip_config_files(target_prefix, isolated=isolated, environ=environ))


def _pip_site_config_dirs(env: Mapping[str, str]) -> list[str]:
    """pip's appdirs.site_config_dirs("pip")."""
    if sys.platform == "darwin":
        import platformdirs

        joined = platformdirs.site_data_dir("pip", appauthor=False, multipath=True)
        return joined.split(os.pathsep)
    if _WINDOWS:
        import platformdirs

        return [platformdirs.site_config_dir("pip", appauthor=False, multipath=True)]
    dirs = [d.strip() for d in env.get("XDG_CONFIG_DIRS", "").split(os.pathsep)]
    absolute = [d for d in dirs if os.path.isabs(d)] or ["/etc/xdg"]
    return [os.path.join(d, "pip") for d in absolute] + ["/etc"]


def _pip_user_config_dir(env: Mapping[str, str]) -> str:
    """pip's appdirs.user_config_dir("pip")."""
    if sys.platform == "darwin":
        import platformdirs

        path = platformdirs.user_data_dir("pip", appauthor=False, roaming=True)
        return path if os.path.isdir(path) else os.path.expanduser("~/.config/pip")
    if _WINDOWS:
        import platformdirs

        return platformdirs.user_config_dir("pip", appauthor=False, roaming=True)
    return os.path.join(_xdg_config_home(env), "pip")


def _xdg_config_home(env: Mapping[str, str]) -> str:
    xdg = env.get("XDG_CONFIG_HOME", "").strip()
    return xdg if os.path.isabs(xdg) else os.path.expanduser("~/.config")


# ---- environment variables ---------------------------------------------------------------


def pip_environ_layer(environ: Mapping[str, str] | None = None, *, isolated: bool = False) -> Layer:
    """PIP_* variables (not PIP_VERSION/PIP_HELP), empty ones dropped, as pip reads them."""
    return Layer("PIP_*", "pip", () if isolated else _environ_entries("PIP_", _PIP_ENV_IGNORED, environ))


def satchel_environ_layer(environ: Mapping[str, str] | None = None, *, isolated: bool = False) -> Layer:
    """SATCHEL_* variables: pip's option names with satchel's prefix (SATCHEL_INDEX_URL)."""
    entries = () if isolated else _environ_entries("SATCHEL_", _SATCHEL_ENV_IGNORED, environ)
    return Layer("SATCHEL_*", "satchel", entries)


def _environ_entries(prefix: str, ignored: tuple[str, ...], environ: Mapping[str, str] | None) -> list[Entry]:
    from satchel.settings.pip_config import normalize_key

    env = os.environ if environ is None else environ
    entries = []
    for variable, value in env.items():
        if not variable.startswith(prefix) or not value:
            continue
        name = variable[len(prefix) :].lower()
        if name not in ignored and normalize_key(name) not in ignored:
            entries.append(Entry(normalize_key(name), value, variable))
    return entries


# ---- satchel.toml ------------------------------------------------------------------------


def satchel_config_file(environ: Mapping[str, str] | None = None, *, isolated: bool = False) -> str | None:
    """The satchel.toml to read: $SATCHEL_CONFIG_FILE (None if os.devnull), else the user one
    (None in isolated mode)."""
    env = os.environ if environ is None else environ
    explicit = env.get("SATCHEL_CONFIG_FILE")
    if explicit:
        return None if explicit == os.devnull else explicit
    if isolated:
        return None
    return os.path.join(_satchel_config_dir(env), "satchel.toml")


def satchel_config_layer(
    command: str,
    *,
    isolated: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Layer:
    """satchel.toml: top-level keys (pip's option names, `index-url = "..."`), then the
    [command] table's, which override them."""
    env = os.environ if environ is None else environ
    path = satchel_config_file(env, isolated=isolated)
    if path is None:
        return Layer("satchel.toml", "satchel")
    if not os.path.isfile(path):
        if env.get("SATCHEL_CONFIG_FILE"):
            raise SettingsError(
                f"SATCHEL_CONFIG_FILE names {path}, which is not a file.",
                input="SATCHEL_CONFIG_FILE",
                hint=f"Create it, fix the variable, or set it to {os.devnull} to read no satchel.toml.",
            )
        return Layer("satchel.toml", "satchel")
    from satchel.settings.satchel_toml import satchel_toml_entries

    return Layer("satchel.toml", "satchel", satchel_toml_entries(path, command))


def _satchel_config_dir(env: Mapping[str, str]) -> str:
    if sys.platform.startswith("linux"):
        return os.path.join(_xdg_config_home(env), "satchel")
    import platformdirs

    return platformdirs.user_config_dir("satchel", appauthor=False)
