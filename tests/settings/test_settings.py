"""settings: every source alone, precedence between every pair, pip's sections and quirks,
bad values naming their source, and differential checks against the real pip (its config
reader, its install option parser and its default index)."""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from satchel.settings import (
    Entry,
    Layer,
    NoDefaultIndexError,
    Settings,
    SettingsError,
    default_index_url,
    load_layers,
    load_settings,
    merge,
    with_default_index,
)
from satchel.settings.sources import pip_config_files, read_pip_config_files

PIP_DIR = os.path.dirname(os.path.dirname(__import__("pip").__file__))
SETTINGS_SRC = Path(__file__).resolve().parents[2] / "src" / "satchel" / "settings"


# ---- fixtures and helpers ------------------------------------------------------------------


class Machine:
    """A home, XDG dirs and a target prefix under tmp_path; the machine's /etc/pip.conf stays
    (pip always reads it, and so does satchel)."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = tmp_path
        self.home = tmp_path / "home"
        self.xdg_dirs = tmp_path / "xdg"
        self.prefix = tmp_path / "prefix"
        for d in (self.home, self.xdg_dirs, self.prefix):
            d.mkdir()
        self.mp = monkeypatch
        monkeypatch.setenv("HOME", str(self.home))
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        monkeypatch.setenv("XDG_CONFIG_DIRS", str(self.xdg_dirs))
        monkeypatch.delenv("SATCHEL_CACHE_DIR", raising=False)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def user_pip(self, text: str) -> Path:
        self.mp.delenv("PIP_CONFIG_FILE")  # an existing PIP_CONFIG_FILE hides user files
        return self.write("home/.config/pip/pip.conf", text)

    def env_pip(self, text: str) -> Path:
        path = self.write("env-pip.conf", text)
        self.mp.setenv("PIP_CONFIG_FILE", str(path))
        return path

    def satchel_toml(self, text: str) -> Path:
        return self.write("home/.config/satchel/satchel.toml", text)

    def settings(self, cli: dict[str, object] | None = None, command: str = "install") -> Settings:
        return load_settings(cli or {}, command=command, target_prefix=str(self.prefix))


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    return Machine(tmp_path, monkeypatch)


PIP_PARSE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pip._internal.commands import create_command
options, _ = create_command(sys.argv[2]).parse_args(sys.argv[3:])
fc = options.format_control
print(json.dumps({
    "index_url": options.index_url, "extra_index_urls": options.extra_index_urls,
    "no_index": options.no_index, "find_links": options.find_links, "pre": options.pre,
    "prefer_binary": options.prefer_binary, "only_binary": sorted(fc.only_binary),
    "no_binary": sorted(fc.no_binary), "require_hashes": options.require_hashes,
    "trusted_hosts": options.trusted_hosts, "cert": options.cert,
    "client_cert": options.client_cert, "timeout": options.timeout, "retries": options.retries,
    "proxy": options.proxy, "cache_dir": options.cache_dir, "constraints": options.constraints,
    "upgrade_strategy": getattr(options, "upgrade_strategy", None),
    "break_system_packages": bool(options.override_externally_managed),
    "verbose": options.verbose, "quiet": options.quiet,
    "keyring_provider": options.keyring_provider, "progress_bar": options.progress_bar,
    "disable_pip_version_check": options.disable_pip_version_check,
}))
"""


def pip_options(args: list[str], python: str = sys.executable, command: str = "install") -> dict[str, object]:
    """What pip's own option parser makes of the current environment and files."""
    proc = subprocess.run(
        [python, "-c", PIP_PARSE, PIP_DIR, command, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def as_pip(settings: Settings, pip_default_index: str) -> dict[str, object]:
    """Settings in the shape of pip_options()."""
    return {
        "index_url": settings.index_url or pip_default_index,
        "extra_index_urls": list(settings.extra_index_urls),
        "no_index": settings.no_index,
        "find_links": list(settings.find_links),
        "pre": settings.pre,
        "prefer_binary": settings.prefer_binary,
        "only_binary": sorted(settings.only_binary),
        "no_binary": sorted(settings.no_binary),
        "require_hashes": settings.require_hashes,
        "trusted_hosts": list(settings.trusted_hosts),
        "cert": settings.cert,
        "client_cert": settings.client_cert,
        "timeout": settings.timeout,
        "retries": settings.retries,
        "proxy": settings.proxy,
        "cache_dir": False if settings.no_cache else settings.cache_dir,
        "constraints": list(settings.constraints),
        "upgrade_strategy": settings.upgrade_strategy,
        "break_system_packages": settings.break_system_packages,
        "verbose": settings.verbose,
        "quiet": settings.quiet,
        "keyring_provider": settings.keyring_provider,
        "progress_bar": settings.progress_bar,
        "disable_pip_version_check": settings.disable_pip_version_check,
    }


def assert_same_as_pip(settings: Settings, pip: dict[str, object]) -> None:
    ours = as_pip(settings, default_index_url(None))
    if ours["cache_dir"] is None:  # satchel's default cache is its own, not pip's
        pip = {**pip, "cache_dir": None}
    assert ours == pip


# ---- each source alone ---------------------------------------------------------------------


def test_no_configuration_gives_the_defaults(machine: Machine) -> None:
    machine.mp.setenv("PIP_CONFIG_FILE", os.devnull)
    machine.mp.delenv("PIP_DISABLE_PIP_VERSION_CHECK")  # set by conftest
    settings = machine.settings()
    assert settings == Settings()
    assert dict(settings.sources) == {}
    assert settings.timeout == 15.0 and settings.retries == 5
    assert settings.index_strategy == "first-index" and settings.upgrade_strategy == "only-if-needed"


def test_pip_config_file_named_by_pip_config_file(machine: Machine) -> None:
    path = machine.env_pip("[global]\nindex-url = https://index.example.com/simple\n")
    settings = machine.settings()
    assert settings.index_url == "https://index.example.com/simple"
    assert settings.sources["index_url"] == f"{path} [global]"


def test_pip_user_config_file(machine: Machine) -> None:
    path = machine.user_pip("[global]\nfind-links = /w1\n  /w2\n")
    settings = machine.settings()
    assert settings.find_links == ("/w1", "/w2")
    assert settings.sources["find_links"] == f"{path} [global]"


def test_pip_legacy_user_file_is_overridden_by_the_new_one(machine: Machine) -> None:
    machine.user_pip("[global]\ntimeout = 3\n")
    machine.write("home/.pip/pip.conf", "[global]\ntimeout = 2\nretries = 9\n")
    settings = machine.settings()
    assert (settings.timeout, settings.retries) == (3.0, 9)


def test_pip_global_config_from_xdg_config_dirs(machine: Machine) -> None:
    path = machine.write("xdg/pip/pip.conf", "[global]\nprefer-binary = yes\n")
    settings = machine.settings()
    assert settings.prefer_binary is True
    assert settings.sources["prefer_binary"] == f"{path} [global]"


def test_pip_site_config_of_the_target_prefix(machine: Machine) -> None:
    path = machine.write("prefix/pip.conf", "[install]\nupgrade-strategy = eager\n")
    settings = machine.settings()
    assert settings.upgrade_strategy == "eager"
    assert settings.sources["upgrade_strategy"] == f"{path} [install]"
    assert load_settings({}, target_prefix=None).upgrade_strategy == "only-if-needed"


def test_pip_environment_variables(machine: Machine) -> None:
    machine.mp.setenv("PIP_EXTRA_INDEX_URL", "https://a.example.com/simple  https://b.example.com/simple")
    machine.mp.setenv("PIP_NO_INDEX", "true")
    settings = machine.settings()
    assert settings.extra_index_urls == ("https://a.example.com/simple", "https://b.example.com/simple")
    assert settings.no_index is True
    assert settings.sources["extra_index_urls"] == "PIP_EXTRA_INDEX_URL"
    assert settings.sources["no_index"] == "PIP_NO_INDEX"


def test_satchel_toml(machine: Machine) -> None:
    path = machine.satchel_toml(
        """
        index-url = "https://index.example.com/simple"
        find-links = ["/w1", "/w2"]
        timeout = 7
        pre = true
        [install]
        timeout = 8.5
        [download]
        retries = 1
        """
    )
    settings = machine.settings()
    assert settings.index_url == "https://index.example.com/simple"
    assert settings.find_links == ("/w1", "/w2")
    assert settings.timeout == 8.5 and settings.retries == 5 and settings.pre is True
    assert settings.sources["index_url"] == str(path)
    assert settings.sources["timeout"] == f"{path} [install]"
    assert machine.settings(command="download").retries == 1


def test_satchel_config_file_variable(machine: Machine) -> None:
    machine.satchel_toml('index-url = "https://user.example.com/simple"\n')
    other = machine.write("elsewhere.toml", 'index-url = "https://other.example.com/simple"\n')
    machine.mp.setenv("SATCHEL_CONFIG_FILE", str(other))
    assert machine.settings().index_url == "https://other.example.com/simple"
    machine.mp.setenv("SATCHEL_CONFIG_FILE", os.devnull)
    assert machine.settings().index_url is None


def test_satchel_environment_variables(machine: Machine) -> None:
    machine.mp.setenv("SATCHEL_INDEX_URL", "https://index.example.com/simple")
    machine.mp.setenv("SATCHEL_INDEX_STRATEGY", "unsafe-best-match")
    machine.mp.setenv("SATCHEL_CACHE_DIR", str(machine.root / "cache"))
    settings = machine.settings()
    assert settings.index_url == "https://index.example.com/simple"
    assert settings.index_strategy == "unsafe-best-match"
    assert settings.cache_dir == str(machine.root / "cache")
    assert settings.sources["index_url"] == "SATCHEL_INDEX_URL"


def test_command_line(machine: Machine) -> None:
    settings = machine.settings({"index_url": "https://index.example.com/simple", "timeout": 2.5, "pre": True})
    assert (settings.index_url, settings.timeout, settings.pre) == ("https://index.example.com/simple", 2.5, True)
    assert settings.sources["index_url"] == "command line"


def test_satchel_only_options_are_not_read_from_pip_sources(machine: Machine) -> None:
    machine.mp.setenv("PIP_INDEX_STRATEGY", "unsafe-best-match")
    machine.env_pip("[global]\nindex-strategy = unsafe-best-match\n")
    assert machine.settings().index_strategy == "first-index"


# ---- precedence between every pair ---------------------------------------------------------

SOURCES = ["pip [global]", "pip [install]", "PIP_*", "satchel.toml", "SATCHEL_*", "command line"]


def set_index_in(machine: Machine, source: str, files: dict[str, str]) -> dict[str, object]:
    url = f"https://{SOURCES.index(source)}.example.com/simple"
    if source.startswith("pip ["):
        section = source[5:-1]
        files["pip"] = files.get("pip", "") + f"[{section}]\nindex-url = {url}\n"
    elif source == "PIP_*":
        machine.mp.setenv("PIP_INDEX_URL", url)
    elif source == "satchel.toml":
        machine.satchel_toml(f'index-url = "{url}"\n')
    elif source == "SATCHEL_*":
        machine.mp.setenv("SATCHEL_INDEX_URL", url)
    else:
        return {"index_url": url}
    return {}


@pytest.mark.parametrize(("low", "high"), list(itertools.combinations(SOURCES, 2)))
def test_precedence_between_every_pair(machine: Machine, low: str, high: str) -> None:
    files: dict[str, str] = {}
    cli = {**set_index_in(machine, high, files), **set_index_in(machine, low, files)}
    if "pip" in files:
        machine.env_pip(files["pip"])
    settings = machine.settings(cli)
    assert settings.index_url == f"https://{SOURCES.index(high)}.example.com/simple"
    label = settings.sources["index_url"]
    expected = {"PIP_*": "PIP_INDEX_URL", "SATCHEL_*": "SATCHEL_INDEX_URL"}.get(high, high)
    if high.startswith("pip ["):
        expected = f"[{high[5:-1]}]"
    assert label.endswith(expected)


def test_pip_variables_override_pip_config_files_like_pip(machine: Machine) -> None:
    """pip's order (not "pip config > PIP_*"): checked against pip itself."""
    machine.env_pip("[global]\ntimeout = 1\n[install]\nretries = 1\n")
    machine.mp.setenv("PIP_TIMEOUT", "2")
    machine.mp.setenv("PIP_RETRIES", "2")
    settings = machine.settings()
    assert (settings.timeout, settings.retries) == (2.0, 2)
    assert_same_as_pip(settings, pip_options([]))


# ---- pip's sections and files --------------------------------------------------------------


def test_command_section_beats_global_across_files(machine: Machine) -> None:
    machine.write("xdg/pip/pip.conf", "[install]\ntimeout = 1\n")
    machine.user_pip("[global]\ntimeout = 2\nretries = 3\n")
    machine.write("prefix/pip.conf", "[global]\nretries = 4\n[download]\ntimeout = 9\n")
    settings = machine.settings()
    assert (settings.timeout, settings.retries) == (1.0, 4)
    assert machine.settings(command="download").timeout == 9.0
    assert_same_as_pip(settings, pip_options([], python=venv_python(machine)))


def test_later_files_override_earlier_and_empty_values_drop_the_key(machine: Machine) -> None:
    machine.write("xdg/pip/pip.conf", "[global]\nproxy = http://proxy.example.com:1\ntimeout = 5\n")
    machine.user_pip("[global]\nproxy = http://proxy.example.com:2\ntimeout =\n")
    settings = machine.settings()
    assert settings.proxy == "http://proxy.example.com:2"
    assert settings.timeout == 15.0  # pip's rule: the last file's empty value unsets it
    assert_same_as_pip(settings, pip_options([], python=venv_python(machine)))


def test_pip_config_file_devnull_disables_every_file(machine: Machine) -> None:
    machine.write("xdg/pip/pip.conf", "[global]\ntimeout = 1\n")
    machine.write("prefix/pip.conf", "[global]\nretries = 1\n")
    machine.mp.setenv("PIP_CONFIG_FILE", os.devnull)
    machine.mp.setenv("PIP_PRE", "yes")
    assert pip_config_files(str(machine.prefix)) == []
    settings = machine.settings()
    assert (settings.timeout, settings.retries, settings.pre) == (15.0, 5, True)
    assert "cert" not in settings.sources  # not even /etc/pip.conf


def test_existing_pip_config_file_hides_user_files_only(machine: Machine) -> None:
    machine.user_pip("[global]\ntimeout = 1\n")
    machine.write("xdg/pip/pip.conf", "[global]\nretries = 2\n")
    missing = machine.root / "missing.conf"
    machine.mp.setenv("PIP_CONFIG_FILE", str(missing))
    assert machine.settings().timeout == 1.0  # a missing PIP_CONFIG_FILE hides nothing
    machine.env_pip("[global]\nproxy = http://proxy.example.com:3\n")
    settings = machine.settings()
    assert (settings.timeout, settings.retries, settings.proxy) == (15.0, 2, "http://proxy.example.com:3")
    kinds = [kind for kind, _ in pip_config_files(str(machine.prefix))]
    assert "user" not in kinds and kinds[-1] == "env"


def test_config_keys_are_normalised_like_pip(machine: Machine) -> None:
    machine.env_pip("[global]\nINDEX_URL = https://index.example.com/simple\n--retries = 7\n")
    settings = machine.settings()
    assert (settings.index_url, settings.retries) == ("https://index.example.com/simple", 7)


def test_isolated_mode_ignores_variables_and_user_files(machine: Machine) -> None:
    machine.user_pip("[global]\ntimeout = 1\n")
    machine.satchel_toml("retries = 1\n")
    machine.mp.setenv("PIP_PRE", "1")
    machine.mp.setenv("SATCHEL_PREFER_BINARY", "1")
    settings = load_settings({}, target_prefix=str(machine.prefix), isolated=True)
    assert (settings.timeout, settings.retries, settings.pre, settings.prefer_binary) == (15.0, 5, False, False)


# ---- value parsing like pip ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("Y", True), ("true", True), ("on", True), ("1", True), ("T", True),
     ("no", False), ("n", False), ("False", False), ("off", False), ("0", False)],
)  # fmt: skip
def test_booleans(machine: Machine, text: str, expected: bool) -> None:
    machine.mp.setenv("PIP_PRE", text)
    assert machine.settings().pre is expected


def test_lower_boolean_is_overridden_by_a_higher_false(machine: Machine) -> None:
    machine.env_pip("[global]\nprefer-binary = yes\n")
    machine.mp.setenv("PIP_PREFER_BINARY", "no")
    settings = machine.settings()
    assert settings.prefer_binary is False
    assert settings.sources["prefer_binary"] == "PIP_PREFER_BINARY"


@pytest.mark.parametrize("text", ["1", "true", "0", "false", "no"])
def test_pip_no_cache_dir_disables_the_cache_whatever_its_value(machine: Machine, text: str) -> None:
    machine.mp.setenv("PIP_NO_CACHE_DIR", text)
    machine.mp.setenv("PIP_CACHE_DIR", "/somewhere")  # pip: no-cache-dir wins over cache-dir
    settings = machine.settings()
    assert settings.no_cache is True
    assert_same_as_pip(settings, pip_options([]))


def test_satchel_no_cache_dir_is_a_plain_boolean(machine: Machine) -> None:
    machine.mp.setenv("SATCHEL_NO_CACHE_DIR", "false")
    assert machine.settings().no_cache is False
    machine.mp.setenv("SATCHEL_NO_CACHE_DIR", "true")
    assert machine.settings().no_cache is True


def test_cache_dir_on_the_command_line_turns_the_cache_back_on(machine: Machine) -> None:
    machine.mp.setenv("PIP_NO_CACHE_DIR", "1")
    settings = machine.settings({"cache_dir": "/c"})
    assert (settings.no_cache, settings.cache_dir) == (False, "/c")
    assert "no_cache" not in settings.sources
    assert_same_as_pip(settings, pip_options(["--cache-dir", "/c"]))
    assert machine.settings({"no_cache": True}).no_cache is True


def test_lists_split_on_whitespace_and_the_command_line_appends(machine: Machine) -> None:
    machine.env_pip("[global]\nfind-links = /f1\n[install]\ntrusted-host = h1.example.com\n  h2.example.com\n")
    machine.mp.setenv("PIP_FIND_LINKS", "/f2\t/f3")
    settings = machine.settings({"find_links": ["/f4"], "trusted_hosts": ("h3.example.com",)})
    assert settings.find_links == ("/f2", "/f3", "/f4")
    assert settings.trusted_hosts == ("h1.example.com", "h2.example.com", "h3.example.com")
    assert settings.sources["find_links"] == "PIP_FIND_LINKS, command line"
    pip = pip_options(["-f", "/f4", "--trusted-host", "h3.example.com"])
    assert_same_as_pip(settings, pip)


def test_verbosity_counts_add_on_the_command_line(machine: Machine) -> None:
    machine.mp.setenv("PIP_VERBOSE", "yes")
    machine.mp.setenv("PIP_QUIET", "2")
    settings = machine.settings({"verbose": 2})
    assert (settings.verbose, settings.quiet, settings.verbosity) == (3, 2, 1)
    assert_same_as_pip(settings, pip_options(["-vv"]))


def test_binary_formats_accumulate_across_layers(machine: Machine) -> None:
    machine.env_pip("[global]\nno-binary = :all:\n[install]\nonly-binary = Foo_Bar,baz\n")
    machine.mp.setenv("PIP_NO_BINARY", "baz")
    cli = {"format_control": [("only_binary", "qux"), ("no_binary", "Foo.Bar")]}
    settings = machine.settings(cli)
    assert settings.no_binary == {":all:", "baz", "foo-bar"}
    assert settings.only_binary == {"qux"}
    assert settings.allowed_formats("qux") == {"binary"}
    assert settings.allowed_formats("other") == {"source"}
    assert_same_as_pip(settings, pip_options(["--only-binary", "qux", "--no-binary", "Foo.Bar"]))


def test_binary_none_clears(machine: Machine) -> None:
    machine.mp.setenv("PIP_ONLY_BINARY", ":all:")
    settings = machine.settings({"only_binary": [":none:,pkg"]})
    assert settings.only_binary == {"pkg"} and settings.no_binary == frozenset()
    assert_same_as_pip(settings, pip_options(["--only-binary", ":none:,pkg"]))


def test_numbers_aliases_and_paths_like_pip(machine: Machine) -> None:
    machine.env_pip("[global]\ndefault-timeout = 2.5\ncert = ~/ca.pem\n")
    machine.mp.setenv("PIP_RETRIES", "010")  # optparse reads a leading 0 as octal
    settings = machine.settings()
    assert (settings.timeout, settings.retries) == (2.5, 8)
    assert settings.cert == str(machine.home / "ca.pem")
    assert_same_as_pip(settings, pip_options([]))


@pytest.mark.parametrize(
    "scenario",
    [
        {"PIP_KEYRING_PROVIDER": "disabled", "PIP_PROGRESS_BAR": "off", "PIP_REQUIRE_HASHES": "on"},
        {"PIP_BREAK_SYSTEM_PACKAGES": "1", "PIP_CONSTRAINT": "c1.txt c2.txt", "PIP_CLIENT_CERT": "/k.pem"},
        {"PIP_PYPI_URL": "https://index.example.com/simple", "PIP_UPGRADE_STRATEGY": "eager"},
        {"PIP_INDEX_URL": "", "PIP_DISABLE_PIP_VERSION_CHECK": "false", "PIP_PROXY": "http://p.example.com:8"},
    ],
)
def test_environment_scenarios_match_pip(machine: Machine, scenario: dict[str, str]) -> None:
    for key, value in scenario.items():
        machine.mp.setenv(key, value)
    assert_same_as_pip(machine.settings(), pip_options([]))


# ---- bad values name their source ----------------------------------------------------------


def test_bad_variable_names_the_variable(machine: Machine) -> None:
    machine.mp.setenv("PIP_TIMEOUT", "soon")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == "PIP_TIMEOUT"
    assert "soon" in str(info.value) and "timeout" in str(info.value)
    assert info.value.exit_code == 2 and info.value.hint and "PIP_TIMEOUT" in info.value.hint


def test_bad_file_value_names_file_section_and_key(machine: Machine) -> None:
    path = machine.env_pip("[install]\nno-index = maybe\n")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == f"{path}:install:no-index"
    assert "boolean" in str(info.value)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PIP_RETRIES", "many"), ("PIP_RETRIES", "-1"), ("SATCHEL_VERBOSE", "-2"),
     ("PIP_UPGRADE_STRATEGY", "always"), ("SATCHEL_INDEX_STRATEGY", "best"),
     ("PIP_NO_CACHE_DIR", "please"), ("PIP_TIMEOUT", "nan"), ("PIP_ONLY_BINARY", "-x")],
)  # fmt: skip
def test_bad_values_are_usage_errors(machine: Machine, variable: str, value: str) -> None:
    machine.mp.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == variable


def test_bad_satchel_toml_values(machine: Machine) -> None:
    path = machine.satchel_toml("[install]\nretries = 2.5\n")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == f"{path}:install:retries"
    machine.satchel_toml("pre = 1\n")
    with pytest.raises(SettingsError, match="boolean"):
        machine.settings()
    machine.satchel_toml("index-url = 2024-01-01\n")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == f"{path}:index-url"


def test_broken_files(machine: Machine) -> None:
    toml = machine.satchel_toml("index-url = \n")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == str(toml) and "TOML" in str(info.value)
    toml.unlink()
    ini = machine.env_pip("timeout = 3\n")
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == str(ini)
    machine.env_pip("[global]\ntimeout = 1\ntimeout = 2\n")
    with pytest.raises(SettingsError):
        machine.settings()


def test_missing_satchel_config_file(machine: Machine) -> None:
    machine.mp.setenv("SATCHEL_CONFIG_FILE", str(machine.root / "nope.toml"))
    with pytest.raises(SettingsError) as info:
        machine.settings()
    assert info.value.input == "SATCHEL_CONFIG_FILE" and os.devnull in (info.value.hint or "")


def test_bad_command_line_values(machine: Machine) -> None:
    with pytest.raises(SettingsError) as info:
        machine.settings({"upgrade_strategy": "always"})
    assert info.value.input == "--upgrade-strategy"
    with pytest.raises(TypeError):
        merge({"no_such_option": 1}, ())


# ---- differential: pip's own config reader -------------------------------------------------


def venv_python(machine: Machine) -> str:
    """A pip-less venv at the machine's target prefix: pip (from the test interpreter's
    site-packages, put on sys.path) then reads the site pip.conf of that prefix."""
    python = machine.prefix / "bin" / "python"
    if not python.exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(machine.prefix)], check=True)
    return str(python)


def test_the_same_files_keys_and_values_as_pip_config_list(machine: Machine) -> None:
    machine.write("xdg/pip/pip.conf", "[global]\ntimeout = 1\n[freeze]\nall = yes\n")
    machine.write("xdg2/pip/pip.conf", "[global]\nTimeout = 2\n[DEFAULT]\nproxy = http://p.example.com:1\n")
    machine.mp.setenv("XDG_CONFIG_DIRS", f"{machine.xdg_dirs}{os.pathsep}{machine.root / 'xdg2'}")
    machine.write("home/.pip/pip.conf", "[install]\nfind-links = /a\n  /b\n")
    machine.user_pip("[global]\nno_cache_dir = false\n")
    python = venv_python(machine)
    machine.write("prefix/pip.conf", "[install]\npre = on\n")
    machine.mp.setenv("PIP_PRE", "0")
    proc = subprocess.run(
        [python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from pip._internal.cli.main "
         "import main; sys.exit(main(['config', 'list']))", PIP_DIR],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    ours = [
        f"{section}.{key}={value!r}"
        for sections in read_pip_config_files(str(machine.prefix)).values()
        for section, values in sections.items()
        for key, value in values.items()
    ]
    ours += [f":env:.{e.key}={e.value!r}" for e in load_layers("install", str(machine.prefix))[1].entries]
    assert sorted(ours) == sorted(proc.stdout.splitlines())
    assert_same_as_pip(machine.settings(), pip_options([], python=python))


def test_matches_pip_on_this_machine_with_the_user_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever /etc/pip.conf, /etc/xdg/pip and ~/.config/pip hold here, satchel reads what pip reads."""
    monkeypatch.delenv("PIP_CONFIG_FILE")
    monkeypatch.delenv("SATCHEL_CACHE_DIR")
    monkeypatch.setenv("SATCHEL_CONFIG_FILE", os.devnull)
    settings = load_settings({}, target_prefix=sys.prefix)
    assert_same_as_pip(settings, pip_options([]))


# ---- the default index ---------------------------------------------------------------------


def pip_default_index(python: str = sys.executable) -> str:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    script = "from pip._internal.commands import create_command; print(create_command('install').parse_args([])[0].index_url)"
    return subprocess.run([python, "-c", script], capture_output=True, text=True, env=env, check=True).stdout.strip()


def test_default_index_is_pips(machine: Machine) -> None:
    expected = pip_default_index()
    assert expected.startswith("https://") and "/simple" in expected
    assert default_index_url(None) == expected
    settings = with_default_index(machine.settings(), None)
    assert settings.index_url == expected and settings.sources["index_url"] == "pip's default"
    configured = machine.settings({"index_url": "https://index.example.com/simple"})
    assert with_default_index(configured, None) is configured
    assert with_default_index(machine.settings({"no_index": True}), None).index_url is None


TARGET_WITH_PIP = "/root/.pyenv/versions/3.12.1/bin/python3.12"

LOOKUP_WITHOUT_LOCAL_PIP = """
import sys
sys.path.insert(0, sys.argv[1])
from satchel.settings import NoDefaultIndexError, default_index_url
try:
    print(default_index_url(sys.argv[2] if len(sys.argv) > 2 else None))
except NoDefaultIndexError as error:
    print("ERROR", error.exit_code, error.input, error.hint)
"""


def lookup_without_local_pip(*target: str) -> str:
    """default_index_url() in an interpreter that can't import pip (-S: no site-packages)."""
    base = getattr(sys, "_base_executable", sys.executable)
    src = str(SETTINGS_SRC.parents[1])
    proc = subprocess.run(
        [base, "-S", "-c", LOOKUP_WITHOUT_LOCAL_PIP, src, *target], capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


@pytest.mark.skipif(not os.path.exists(TARGET_WITH_PIP), reason="needs pyenv's 3.12")
def test_default_index_from_the_target_environments_pip() -> None:
    assert lookup_without_local_pip(TARGET_WITH_PIP) == pip_default_index(TARGET_WITH_PIP)


def test_no_pip_anywhere_is_a_clear_error(tmp_path: Path) -> None:
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(tmp_path / "v")], check=True)
    out = lookup_without_local_pip(str(tmp_path / "v" / "bin" / "python"))
    assert out.startswith("ERROR 2 --index-url") and "--index-url" in out.split(" ", 3)[3]
    assert lookup_without_local_pip().startswith("ERROR 2")
    assert issubclass(NoDefaultIndexError, SettingsError.__mro__[1])  # a UsageError


# ---- the model, the layers and the import rule ---------------------------------------------


def test_settings_is_an_immutable_value() -> None:
    settings = Settings(find_links=["/a"], only_binary={"x"})
    assert settings.find_links == ("/a",) and settings.only_binary == frozenset({"x"})
    with pytest.raises(AttributeError):
        settings.pre = True  # type: ignore[misc]
    changed = settings.replace(pre=True)
    assert changed.pre is True and settings.pre is False and changed != settings
    assert hash(settings) == hash(Settings(find_links=("/a",), only_binary=["x"]))
    assert "find_links=('/a',)" in repr(settings) and "pre" not in repr(settings)
    with pytest.raises(TypeError):
        settings.replace(colour="blue")


def test_merge_takes_layers_lowest_first() -> None:
    low = Layer("pip config", "pip", [Entry("timeout", "1", "/etc/pip.conf", "global")])
    high = Layer("SATCHEL_*", "satchel", [Entry("timeout", "2", "SATCHEL_TIMEOUT")])
    assert merge({}, [low, high]).timeout == 2.0
    assert merge({}, [high, low]).timeout == 1.0
    assert merge({}, [low]).sources == {"timeout": "/etc/pip.conf [global]"}


def test_load_layers_order(machine: Machine) -> None:
    names = [layer.name for layer in load_layers("install", None)]
    assert names == ["pip config", "PIP_*", "satchel.toml", "SATCHEL_*"]


def test_settings_imports_only_errors_names_and_the_stdlib() -> None:
    allowed_lazy = {"configparser", "tomllib", "tomli", "platformdirs", "locale", "importlib",
                    "importlib.util", "subprocess"}  # fmt: skip
    for path in SETTINGS_SRC.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("satchel."):
                    assert name in ("satchel.errors", "satchel.names") or name.startswith("satchel.settings"), (path, name)
                elif node.col_offset == 0:  # module level: light stdlib only
                    assert name in {"__future__", "os", "sys", "math", "re", "types"}, (path, name)
                else:
                    assert name in allowed_lazy | {"collections.abc", "typing"}, (path, name)


def test_importing_settings_loads_nothing_heavy() -> None:
    script = (  # modules the interpreter's own startup (.pth files) loaded don't count
        "import sys; before = set(sys.modules); sys.path.insert(0, sys.argv[1]); import satchel.settings; "
        "print(sorted(m for m in ('configparser', 'tomllib', 'platformdirs', 'dataclasses', "
        "'typing', 'subprocess', 'pip') if m in sys.modules and m not in before))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", script, str(SETTINGS_SRC.parents[1])], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
