"""Read the configured layers: pip's config files and PIP_* variables exactly as pip reads them,
satchel.toml and SATCHEL_* variables, and pip's own default index. Edge: files, environment,
one subprocess at most.

Import rule: `satchel.errors`, `satchel.settings.model`, the standard library, and lazily
configparser, tomllib and platformdirs (only where pip itself uses platformdirs: macOS and
Windows; the Linux/XDG rules are computed here, as in `satchel.cache.store`).

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

from satchel.settings.model import Entry, Layer, NoDefaultIndexError, SettingsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from satchel.settings.model import RawValue, Settings

__all__ = [
    "default_index_url",
    "load_layers",
    "pip_config_files",
    "pip_config_layer",
    "pip_environ_layer",
    "read_pip_config_files",
    "satchel_config_file",
    "satchel_config_layer",
    "satchel_environ_layer",
    "with_default_index",
]

_WINDOWS = sys.platform == "win32"
_PIP_BASENAME = "pip.ini" if _WINDOWS else "pip.conf"
_PIP_ENV_IGNORED = ("version", "help")
_SATCHEL_ENV_IGNORED = ("config-file",)
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
    found: dict[str, dict[str, dict[str, str]]] = {}
    for _, path in pip_config_files(target_prefix, isolated=isolated, environ=environ):
        found[path] = _read_ini(path)
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
    files = read_pip_config_files(target_prefix, isolated=isolated, environ=environ)
    entries: list[Entry] = []
    for section in ("global", command):
        chosen: dict[str, Entry] = {}
        for path, sections in files.items():
            for key, value in sections.get(section, {}).items():
                chosen[key] = Entry(key, value, path, section)
        entries.extend(e for e in chosen.values() if e.value)
    return Layer("pip config", "pip", entries)


def _read_ini(path: str) -> dict[str, dict[str, str]]:
    if not os.path.exists(path):
        return {}
    import configparser

    class Parser(configparser.RawConfigParser):
        def optionxform(self, optionstr: str) -> str:
            return _normalize_key(optionstr)

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


def _normalize_key(name: str) -> str:
    """pip's key normalisation: lower case, `_` as `-`, no leading `--`."""
    return name.lower().replace("_", "-").removeprefix("--")


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
    env = os.environ if environ is None else environ
    entries = []
    for variable, value in env.items():
        if not variable.startswith(prefix) or not value:
            continue
        name = variable[len(prefix) :].lower()
        if name not in ignored and _normalize_key(name) not in ignored:
            entries.append(Entry(_normalize_key(name), value, variable))
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
    data = _read_toml(path)
    entries = _toml_entries(data, path, "")
    table = data.get(command)
    if isinstance(table, dict):
        entries += _toml_entries(table, path, command)
    return Layer("satchel.toml", "satchel", entries)


def _satchel_config_dir(env: Mapping[str, str]) -> str:
    if sys.platform.startswith("linux"):
        return os.path.join(_xdg_config_home(env), "satchel")
    import platformdirs

    return platformdirs.user_config_dir("satchel", appauthor=False)


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
        entries.append(Entry(_normalize_key(key), _toml_value(value, path, section, key), path, section))
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


# ---- pip's default index -----------------------------------------------------------------


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
