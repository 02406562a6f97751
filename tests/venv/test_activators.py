"""The activation scripts of satchel's environments, run by the real shells.

Each shell test (bash, dash, zsh, ksh, fish, tcsh, nushell) makes an environment with the satchel
CLI, at a plain path, one with spaces, one with spaces, non-ASCII and a quote, and one full of
characters that shells treat specially. It then runs the shell non-interactively (from another
directory) with a script that snapshots the exported environment (`env -0`) and the prompt,
activates, records where `python` resolves and python's `sys.prefix`, deactivates and snapshots
again. The assertions compare those snapshots: PATH, PYTHONHOME (set, empty or unset) and the
prompt must come back exactly, and nothing the scripts set may be left behind.

A shell that is not installed is skipped, except in CI (CI=true), where it fails:
.ci/install-shells installs them all. PowerShell and cmd are not available on Linux, so their
scripts are only checked for what they contain; the quoting helpers are checked by round-trips
through the real shells with hypothesis.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SRC, isolated_environ
from satchel.venv.activators import (
    quote_bat,
    quote_csh,
    quote_fish,
    quote_nu,
    quote_powershell,
    quote_sh,
    render_activators,
)

SCRIPT_NAMES = {
    "activate",
    "activate.fish",
    "activate.csh",
    "activate.nu",
    "Activate.ps1",
    "activate.bat",
    "deactivate.bat",
}

# Environment directories, relative to a temporary directory: (id, parent, name).
ENV_PATHS = [
    ("plain", "plain", "env"),
    ("spaces", "with spaces", "my env"),
    ("quote", "sp ünï", "cødé it's"),
    ("symbols", 'a$HOME "dq" `bt` !1 %p% \\ [g]*', "e$v \"q\" !x"),
]
# (id, PYTHONHOME before activation or None for unset, VIRTUAL_ENV_DISABLE_PROMPT)
VARIANTS = [
    ("home-unset", None, False),
    ("home-set", "/nonexistent/python-home", False),
    ("home-empty", "", False),
    ("no-prompt", "/nonexistent/python-home", True),
]
SHELLS = ["bash", "dash", "zsh", "ksh", "fish", "tcsh", "nu"]
PHASES = ("before", "active", "after")
# Variables a shell sets by itself and may change between snapshots.
VOLATILE = {"_"}


# --- finding the shells ---------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def find_nu() -> str | None:
    """`nu` on PATH, or the binary of the `nushell` npm package. npm's `nu` on PATH is a node
    wrapper; the real binary beside it starts faster, so it is preferred."""
    found = shutil.which("nu")
    roots = []
    if found and os.path.realpath(found).endswith(".js"):
        roots.append(Path(os.path.realpath(found)).parent.parent)
    elif found:
        return found
    npm = shutil.which("npm")
    if npm:
        proc = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            roots.append(Path(proc.stdout.strip()) / "nushell")
    for root in roots:
        for binary in sorted(root.glob("node_modules/@nushell/*/bin/nu")):
            if os.access(binary, os.X_OK):
                return str(binary)
    return found


def find_shell(name: str) -> str | None:
    return find_nu() if name == "nu" else shutil.which(name)


def require_shell(name: str) -> str:
    """The shell's executable; a missing shell skips the test, or fails it in CI."""
    path = find_shell(name)
    if path is None:
        message = f"{name} is not installed (.ci/install-shells installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_a_missing_shell_skips_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_shell("no-such-shell")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_shell("no-such-shell")


def shell_argv(name: str, executable: str, script: Path) -> list[str]:
    """Run `script` non-interactively, without any startup file."""
    options = {
        "bash": ["--norc", "--noprofile"],
        "dash": [],
        "zsh": ["-f"],
        "ksh": [],
        "fish": ["--no-config"],
        "tcsh": ["-f"],
        "nu": ["--no-config-file"],
    }[name]
    return [executable, *options, str(script)]


def shell_environ(tmp: Path, **extra: str) -> dict[str, str]:
    """The test's (isolated) environment, less what would change how the scripts behave."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONHOME", "PS1", "PROMPT", "ENV", "BASH_ENV", "PROMPT_COMMAND"}
        and not key.startswith("VIRTUAL_ENV")
    }
    env["LC_ALL"] = "C.UTF-8"
    env["XDG_CONFIG_HOME"] = str(tmp / "xdg-config")
    env["XDG_DATA_HOME"] = str(tmp / "xdg-data")
    env.update(extra)
    return env


def run_shell(name: str, script_text: str, tmp: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    executable = require_shell(name)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    script = tmp / f"script.{name}"
    script.write_text(script_text, encoding="utf-8")
    proc = subprocess.run(
        shell_argv(name, executable, script),
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 0, f"{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


# --- the scripts run by each shell ----------------------------------------------------------
# They read the activation scripts' paths from $SATCHEL_TEST_ACTIVATE0, 1... (nushell's
# `overlay use` needs a literal: a JSON string, which nushell reads the same) and write their
# observations into files under $SATCHEL_TEST_OUT.


def nu_literal(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


# The prompt each test script sets before activating, as it records it.
BASE_PROMPT = {
    "bash": "test$ ",
    "dash": "test$ ",
    "zsh": "test$ ",
    "ksh": "test$ ",
    "fish": "test[1]> ",
    "tcsh": "test> ",
    "nu": "test> ",
}


# How a sh-family shell's script records its prompt: as bash and zsh show it, where they can.
SHOWN_PS1 = {"bash": '"${PS1@P}"', "zsh": '"$(print -rP -- "$PS1")"', "dash": '"$PS1"', "ksh": '"$PS1"'}


def sh_script(shell: str, activations: list[str], setup: str = "") -> str:
    lines = ["set -u", "PS1='test$ '", setup]
    lines.append(
        "snapshot () {\n"
        '    env -0 > "$SATCHEL_TEST_OUT/$1.env"\n'
        f'    printf %s {SHOWN_PS1[shell]} > "$SATCHEL_TEST_OUT/$1.prompt"\n'
        "}"
    )
    lines.append("snapshot before")
    lines += [f'. "${var}"' for var in activations]
    lines.append("snapshot active")
    if shell == "ksh":  # ksh93 prints the path quoted for its own syntax
        lines.append('eval "resolved=$(command -v python)"; printf "%s\\n" "$resolved" > "$SATCHEL_TEST_OUT/active.which"')
    else:
        lines.append('command -v python > "$SATCHEL_TEST_OUT/active.which"')
    lines.append("python -c 'import sys; print(sys.prefix)' > \"$SATCHEL_TEST_OUT/active.prefix\"")
    lines.append("deactivate")
    lines.append("snapshot after")
    # `command -v` names a function by its bare name (a `deactivate` program may be on PATH).
    lines.append(
        '{ [ "$(command -v deactivate)" = deactivate ] && echo "function deactivate"; set | grep "^_OLD_VIRTUAL"; }'
        ' > "$SATCHEL_TEST_OUT/after.leftovers"'
    )
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


def fish_script(activations: list[str]) -> str:
    return "\n".join(
        [
            # The prompt shows $status, which the wrapping prompt must pass on.
            "function fish_prompt",
            "    printf 'test[%s]> ' $status",
            "end",
            "function snapshot",
            '    env -0 > "$SATCHEL_TEST_OUT/$argv[1].env"',
            "    false",
            '    fish_prompt > "$SATCHEL_TEST_OUT/$argv[1].prompt"',
            "end",
            "snapshot before",
            *[f'source "${var}"' for var in activations],
            "snapshot active",
            'command -v python > "$SATCHEL_TEST_OUT/active.which"',
            "python -c 'import sys; print(sys.prefix)' > \"$SATCHEL_TEST_OUT/active.prefix\"",
            "deactivate",
            "snapshot after",
            "begin",
            "    for f in deactivate _old_fish_prompt _satchel_return",
            '        functions -q $f; and echo "function $f"',
            "    end",
            "    set -n | string match '_OLD_*'",
            'end > "$SATCHEL_TEST_OUT/after.leftovers"',
            "exit 0",
        ]
    ) + "\n"


def tcsh_script(activations: list[str]) -> str:
    def snapshot(phase: str) -> list[str]:
        return [
            f'env -0 > "$SATCHEL_TEST_OUT/{phase}.env"',
            f'printf %s "$prompt" > "$SATCHEL_TEST_OUT/{phase}.prompt"',
        ]

    return "\n".join(
        [
            "set prompt = 'test> '",
            *snapshot("before"),
            *[f'source "${var}"' for var in activations],
            *snapshot("active"),
            'which python > "$SATCHEL_TEST_OUT/active.which"',
            "python -c 'import sys; print(sys.prefix)' > \"$SATCHEL_TEST_OUT/active.prefix\"",
            "deactivate",
            *snapshot("after"),
            '( alias deactivate; set | grep "^_OLD_VIRTUAL\\|^_satchel" ) > "$SATCHEL_TEST_OUT/after.leftovers"',
            "exit 0",
        ]
    ) + "\n"


def nu_script(activate_paths: list[str], prompt_command: str = "{|| 'test> ' }") -> str:
    return "\n".join(
        [
            f"$env.PROMPT_COMMAND = {prompt_command}",
            "def snapshot [phase: string] {",
            '    ^env -0 | save -f ($env.SATCHEL_TEST_OUT | path join $"($phase).env")',
            "    let prompt = if ($env.PROMPT_COMMAND | describe) == 'closure' { do $env.PROMPT_COMMAND } else { $env.PROMPT_COMMAND }",
            '    $prompt | save -f ($env.SATCHEL_TEST_OUT | path join $"($phase).prompt")',
            "}",
            "snapshot before",
            *[f"overlay use {nu_literal(path)}" for path in activate_paths],
            "snapshot active",
            "which python | get path.0 | save -f ($env.SATCHEL_TEST_OUT | path join active.which)",
            "^python -c 'import sys; print(sys.prefix)' | save -f ($env.SATCHEL_TEST_OUT | path join active.prefix)",
            "deactivate",
            "snapshot after",
            "let leftovers = (overlay list | where active | get name | where $it != 'zero')",
            "$leftovers | str join (char nl) | save -f ($env.SATCHEL_TEST_OUT | path join after.leftovers)",
        ]
    ) + "\n"


def shell_script(shell: str, activate_files: list[Path], env: dict[str, str], setup: str = "") -> str:
    """The test script for `shell`, activating each of `activate_files` in turn (their paths
    are put in `env`); `setup` is sh code run first."""
    variables = []
    for index, path in enumerate(activate_files):
        variables.append(f"SATCHEL_TEST_ACTIVATE{index}")
        env[variables[-1]] = str(path)
    if shell in SHOWN_PS1:
        return sh_script(shell, variables, setup)
    if shell == "fish":
        return fish_script(variables)
    if shell == "tcsh":
        return tcsh_script(variables)
    return nu_script([str(path) for path in activate_files])


ACTIVATE_FILE = {
    "bash": "activate",
    "dash": "activate",
    "zsh": "activate",
    "ksh": "activate",
    "fish": "activate.fish",
    "tcsh": "activate.csh",
    "nu": "activate.nu",
}


# --- observations ---------------------------------------------------------------------------


class Observed:
    """What a test script wrote under its output directory."""

    def __init__(self, out: Path) -> None:
        self.env = {phase: read_env(out / f"{phase}.env") for phase in PHASES}
        self.prompt = {phase: (out / f"{phase}.prompt").read_text(encoding="utf-8") for phase in PHASES}
        self.which = (out / "active.which").read_text(encoding="utf-8").strip()
        self.prefix = (out / "active.prefix").read_text(encoding="utf-8").strip()
        self.leftovers = (out / "after.leftovers").read_text(encoding="utf-8").strip()


def read_env(path: Path) -> dict[str, str]:
    entries = path.read_bytes().split(b"\0")
    pairs = (entry.decode("utf-8", "surrogateescape").partition("=") for entry in entries if entry)
    return {key: value for key, _, value in pairs if key not in VOLATILE}


def run_activation(
    shell: str, activate_files: list[Path], tmp: Path, setup: str = "", **extra_env: str
) -> Observed:
    out = tmp / "out"
    out.mkdir()
    env = shell_environ(tmp, SATCHEL_TEST_OUT=str(out), **extra_env)
    run_shell(shell, shell_script(shell, activate_files, env, setup), tmp, env)
    return Observed(out)


def prompt_prefix(shell: str, name: str) -> str:
    """The prefix the script gives the prompt, as the test script records it. tcsh's $prompt
    holds prompt codes: ``%%``, ``\\!`` and ``\\\\`` show ``%``, ``!`` and ``\\``."""
    if shell == "tcsh":
        name = name.replace("\\", "\\\\").replace("!", "\\!").replace("%", "%%")
    return f"({name}) "


# --- environments made by the satchel CLI ----------------------------------------------------


def make_env(path: Path, environ: dict[str, str]) -> Path:
    """`satchel venv --without-pip path`, with the isolation of the other tests."""
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "satchel", "venv", "--without-pip", str(path)],
        env={**environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"satchel venv {path} failed:\n{proc.stdout}\n{proc.stderr}")
    return path


@pytest.fixture(scope="session")
def cli_environ(session_dirs: tuple[Path, Path]) -> dict[str, str]:
    return isolated_environ(*session_dirs)


@pytest.fixture(scope="session")
def envs(tmp_path_factory: pytest.TempPathFactory, cli_environ: dict[str, str]) -> Iterator[Callable[[str], Path]]:
    """Environment directory by ENV_PATHS id, each made once per session, on first use."""
    base = tmp_path_factory.mktemp("activator-envs")
    made: dict[str, Path] = {}
    layout = {key: (parent, name) for key, parent, name in ENV_PATHS}

    def get(key: str) -> Path:
        if key not in made:
            parent, name = layout[key]
            made[key] = make_env(base / parent / name, cli_environ)
        return made[key]

    yield get


# --- the shells, for real --------------------------------------------------------------------


@pytest.mark.parametrize("variant,pythonhome,disable_prompt", VARIANTS, ids=[v[0] for v in VARIANTS])
@pytest.mark.parametrize("path_id", [p[0] for p in ENV_PATHS])
@pytest.mark.parametrize("shell", SHELLS)
def test_activate_and_deactivate(
    shell: str,
    path_id: str,
    variant: str,
    pythonhome: str | None,
    disable_prompt: bool,
    envs: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    require_shell(shell)
    env_dir = envs(path_id)
    extra = {}
    if pythonhome is not None:
        extra["PYTHONHOME"] = pythonhome
    if disable_prompt:
        extra["VIRTUAL_ENV_DISABLE_PROMPT"] = "1"
    seen = run_activation(shell, [env_dir / "bin" / ACTIVATE_FILE[shell]], tmp_path, **extra)

    before, active, after = (seen.env[phase] for phase in PHASES)
    bin_dir = env_dir / "bin"
    # Activated: the environment's python first on PATH, and it is the environment's.
    assert active["VIRTUAL_ENV"] == str(env_dir)
    assert active["VIRTUAL_ENV_PROMPT"] == env_dir.name
    assert active["PATH"] == f"{bin_dir}{os.pathsep}{before['PATH']}"
    assert "PYTHONHOME" not in active
    assert seen.which == str(bin_dir / "python")
    assert os.path.realpath(seen.prefix) == os.path.realpath(env_dir)
    # Nothing else of the exported environment changed.
    changed = {"VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PATH", "PYTHONHOME"}
    assert {k: v for k, v in active.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }
    # The prompt.
    assert seen.prompt["before"] == BASE_PROMPT[shell]
    expected = seen.prompt["before"] if disable_prompt else prompt_prefix(shell, env_dir.name) + seen.prompt["before"]
    assert seen.prompt["active"] == expected
    # Deactivated: everything exactly as before, PYTHONHOME unset where it was unset.
    assert after == before
    assert ("PYTHONHOME" in after) == (pythonhome is not None)
    assert seen.prompt["after"] == seen.prompt["before"]
    assert seen.leftovers == ""


@pytest.mark.parametrize("shell", SHELLS)
def test_second_activation_replaces_the_first(shell: str, envs: Callable[[str], Path], tmp_path: Path) -> None:
    """Activating another environment while one is active leaves only the second active, and one
    deactivate returns to the state before the first."""
    require_shell(shell)
    first, second = envs("spaces"), envs("quote")
    seen = run_activation(
        shell,
        [first / "bin" / ACTIVATE_FILE[shell], second / "bin" / ACTIVATE_FILE[shell]],
        tmp_path,
        PYTHONHOME="/nonexistent/python-home",
    )
    before, active, after = (seen.env[phase] for phase in PHASES)
    assert active["VIRTUAL_ENV"] == str(second)
    assert active["PATH"] == f"{second / 'bin'}{os.pathsep}{before['PATH']}"
    assert seen.prompt["active"] == prompt_prefix(shell, second.name) + seen.prompt["before"]
    assert seen.which == str(second / "bin" / "python")
    assert after == before
    assert seen.prompt["after"] == seen.prompt["before"]
    assert seen.leftovers == ""


def test_nu_string_prompt(envs: Callable[[str], Path], tmp_path: Path) -> None:
    """A PROMPT_COMMAND that is a string, not a closure, is prefixed and restored too."""
    require_shell("nu")
    env_dir = envs("quote")
    out = tmp_path / "out"
    out.mkdir()
    env = shell_environ(tmp_path, SATCHEL_TEST_OUT=str(out))
    script = nu_script([str(env_dir / "bin" / "activate.nu")], prompt_command="'test> '")
    run_shell("nu", script, tmp_path, env)
    seen = Observed(out)
    assert seen.prompt == {"before": "test> ", "active": f"({env_dir.name}) test> ", "after": "test> "}
    assert seen.env["after"] == seen.env["before"]


@pytest.mark.parametrize(
    "shell,setup",
    [
        ("bash", "shopt -u promptvars"),
        ("zsh", "setopt prompt_subst"),
        ("zsh", "setopt prompt_bang"),
        ("zsh", "setopt prompt_subst prompt_bang"),
    ],
    ids=["bash-no-promptvars", "zsh-promptsubst", "zsh-promptbang", "zsh-promptsubst-promptbang"],
)
def test_prompt_codes_in_the_name_show_literally(
    shell: str, setup: str, envs: Callable[[str], Path], tmp_path: Path
) -> None:
    """bash and zsh read \\, $, `, % and ! in PS1 as codes, depending on their options; the name of
    the environment is shown as it is all the same (bash's and zsh's defaults are covered by
    test_activate_and_deactivate)."""
    require_shell(shell)
    env_dir = envs("symbols")
    seen = run_activation(shell, [env_dir / "bin" / "activate"], tmp_path, setup=setup)
    assert seen.prompt["active"] == f"({env_dir.name}) {seen.prompt['before']}"
    assert seen.prompt["after"] == seen.prompt["before"]
    assert seen.env["after"] == seen.env["before"]


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "ksh"])
def test_sh_windows_environment_under_cygpath(shell: str, tmp_path: Path) -> None:
    """In Git Bash/MSYS2/Cygwin the sh script of a Windows environment turns its path into a
    POSIX one with cygpath (a stand-in here) and puts its Scripts directory on PATH."""
    require_shell(shell)
    windows_dir = "C:\\Users\\me\\my env"
    posix_dir = tmp_path / "c" / "Users" / "me" / "my env"
    scripts = posix_dir / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python").symlink_to(sys.executable)
    text = render_activators(env_dir=windows_dir, bin_name="Scripts", prompt="my env", windows=True)["activate"]
    (scripts / "activate").write_text(text, encoding="utf-8", newline="")
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    cygpath = fake_bin / "cygpath"
    cygpath.write_text(
        "#!/bin/sh\n"
        f"[ \"$1\" = -u ] && [ \"$2\" = {quote_sh(windows_dir)} ] && exec printf '%s\\n' {quote_sh(str(posix_dir))}\n"
        "exit 1\n"
    )
    cygpath.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    env = shell_environ(tmp_path, SATCHEL_TEST_OUT=str(out), PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    run_shell(shell, shell_script(shell, [scripts / "activate"], env), tmp_path, env)
    seen = Observed(out)
    assert seen.env["active"]["VIRTUAL_ENV"] == str(posix_dir)
    assert seen.env["active"]["PATH"] == f"{scripts}{os.pathsep}{seen.env['before']['PATH']}"
    assert seen.which == str(scripts / "python")
    assert seen.prompt["active"] == "(my env) test$ "
    assert seen.env["after"] == seen.env["before"]


# --- quoting helpers: round-trips through the real shells ------------------------------------

# Anything an argument or environment variable can hold: no NUL, no lone surrogate.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=40)
# Characters the quoting of every shell must get right, drawn more often.
TRICKY = st.sampled_from(list("'\"\\$`!%#&|;<>(){}[]*?~^ \t\n#-=:,.@r") + ["'#", "'##", "\\'", "\\!", "ü", "€", "𝄞"])
TRICKY_TEXT = st.lists(st.one_of(TRICKY, ANY_TEXT), max_size=8).map("".join)
QUOTE_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def round_trip(argv: list[str], env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8", "surrogateescape")


def utf8_environ() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C.UTF-8"}


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "ksh"])
@QUOTE_SETTINGS
@given(value=TRICKY_TEXT)
def test_quote_sh_round_trips(shell: str, value: str) -> None:
    executable = require_shell(shell)
    script = f"X={quote_sh(value)}; printf %s \"$X\"; printf %s {quote_sh(value)}"
    assert round_trip([executable, "-c", script], utf8_environ()) == value + value


@QUOTE_SETTINGS
@given(value=TRICKY_TEXT)
def test_quote_fish_round_trips(value: str) -> None:
    executable = require_shell("fish")
    script = f"set -gx X {quote_fish(value)}; printf %s \"$X\"; printf %s {quote_fish(value)}"
    assert round_trip([executable, "--no-config", "-c", script], utf8_environ()) == value + value


@QUOTE_SETTINGS
@given(value=TRICKY_TEXT.filter(lambda v: "\n" not in v))
def test_quote_csh_round_trips(value: str) -> None:
    """csh cannot hold a newline in a value it later expands, so none is generated."""
    executable = require_shell("tcsh")
    script = f'setenv X {quote_csh(value)}\nprintf %s "$X"\nprintenv X\n'
    out = round_trip([executable, "-f", "-c", script.replace("\n", "; ")], utf8_environ())
    assert out == value + value + "\n"


@settings(max_examples=40, deadline=None)
@given(value=TRICKY_TEXT)
def test_quote_nu_round_trips(value: str) -> None:
    executable = require_shell("nu")
    script = f"print -n {quote_nu(value)}"
    assert round_trip([executable, "--no-config-file", "-c", script], utf8_environ()) == value


def unquote_powershell(literal: str) -> str:
    """Read a PowerShell single-quoted string as PowerShell does (any of its four single-quote
    characters opens, closes or, doubled, stands for itself)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    assert literal[0] in quotes and literal[-1] in quotes
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        if body[i] in quotes:
            assert i + 1 < len(body) and body[i + 1] in quotes, f"unescaped quote in {literal!r}"
            i += 1
        out.append(body[i])
        i += 1
    return "".join(out)


@given(value=TRICKY_TEXT | st.text(st.sampled_from("'\u2018\u2019\u201a\u201bab")))
def test_quote_powershell_reads_back(value: str) -> None:
    assert unquote_powershell(quote_powershell(value)) == value


@given(value=TRICKY_TEXT)
def test_quote_bat_doubles_percent(value: str) -> None:
    quoted = quote_bat(value)
    assert quoted.replace("%%", "").count("%") == 0
    assert quoted.replace("%%", "%") == value


# --- render_activators without a shell --------------------------------------------------------


def test_renders_every_script() -> None:
    for windows in (False, True):
        scripts = render_activators(env_dir="/e", bin_name="bin", prompt="e", windows=windows)
        assert set(scripts) == SCRIPT_NAMES
        for name, text in scripts.items():
            assert "__SATCHEL_" not in text, name
            if name.endswith(".bat"):
                assert text.count("\r\n") == text.count("\n"), name
            else:
                assert "\r" not in text, name


@given(env_dir=TRICKY_TEXT, prompt=TRICKY_TEXT)
def test_values_are_substituted_once(env_dir: str, prompt: str) -> None:
    """A value that looks like a placeholder is not substituted again."""
    env_dir = "/x/__SATCHEL_PROMPT__/" + env_dir + "/e"
    prompt = "__SATCHEL_ENV_DIR__" + prompt
    scripts = render_activators(env_dir=env_dir, bin_name="bin", prompt=prompt)
    assert quote_sh(env_dir) in scripts["activate"]
    assert quote_sh(prompt) in scripts["activate"]
    assert quote_nu(env_dir + "/bin") in scripts["activate.nu"]


WINDOWS_ENV = "C:\\Users\\Zoë O'Neil\\50% off\\env"
POSIX_ENV = "/home/zoë/it's/env"


@pytest.mark.parametrize(
    "windows,env_dir,bin_name,bin_dir",
    [
        (True, WINDOWS_ENV, "Scripts", WINDOWS_ENV + "\\Scripts"),
        (False, POSIX_ENV, "bin", POSIX_ENV + "/bin"),
    ],
    ids=["windows", "posix"],
)
def test_powershell_script(windows: bool, env_dir: str, bin_name: str, bin_dir: str) -> None:
    text = render_activators(env_dir=env_dir, bin_name=bin_name, prompt="my env", windows=windows)["Activate.ps1"]
    # Windows PowerShell reads a file without a byte order mark in the ANSI code page.
    assert text.startswith("\ufeff")
    assert f"$env:VIRTUAL_ENV = {quote_powershell(env_dir)}\n" in text
    assert "$env:VIRTUAL_ENV_PROMPT = 'my env'\n" in text
    assert f"$env:PATH = {quote_powershell(bin_dir)} + [System.IO.Path]::PathSeparator + $env:PATH" in text
    assert "'(my env) ' + " in text
    for name in ("_OLD_VIRTUAL_PATH", "_OLD_VIRTUAL_PYTHONHOME", "_OLD_VIRTUAL_PROMPT", "PYTHONHOME", "VIRTUAL_ENV_DISABLE_PROMPT"):
        assert name in text
    assert "function global:deactivate" in text
    assert "deactivate -NonDestructive" in text
    ascii_only = render_activators(env_dir="C:\\env", bin_name="Scripts", prompt="env", windows=True)["Activate.ps1"]
    assert not ascii_only.startswith("\ufeff")


@pytest.mark.parametrize(
    "windows,env_dir,bin_name,bin_dir",
    [
        (True, WINDOWS_ENV, "Scripts", WINDOWS_ENV + "\\Scripts"),
        (False, POSIX_ENV, "bin", POSIX_ENV + "/bin"),
    ],
    ids=["windows", "posix"],
)
def test_cmd_scripts(windows: bool, env_dir: str, bin_name: str, bin_dir: str) -> None:
    scripts = render_activators(env_dir=env_dir, bin_name=bin_name, prompt="50% $ave", windows=windows)
    activate = scripts["activate.bat"].split("\r\n")
    assert activate[0] == "@echo off"
    # %% is how a batch file writes %; $$ is how PROMPT writes $.
    assert f'set "VIRTUAL_ENV={env_dir.replace("%", "%%")}"' in activate
    assert 'set "VIRTUAL_ENV_PROMPT=50%% $ave"' in activate
    assert f'set "PATH={bin_dir.replace("%", "%%")};%PATH%"' in activate
    assert 'set "PROMPT=(50%% $$ave) %PROMPT%"' in activate
    assert 'set "_OLD_VIRTUAL_PATH=%PATH%"' in activate
    assert 'if defined PYTHONHOME set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"' in activate
    assert 'set "PYTHONHOME="' in activate
    assert any("VIRTUAL_ENV_DISABLE_PROMPT" in line for line in activate)
    # Non-ASCII text: cmd reads the rest of the file as UTF-8, then the code page is restored.
    assert any("chcp.com" in line and "65001" in line for line in activate)
    assert any("chcp.com" in line and "%_OLD_CODEPAGE%" in line for line in activate)

    deactivate = scripts["deactivate.bat"].split("\r\n")
    for line in (
        'if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"',
        'if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"',
        'if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"',
        'set "VIRTUAL_ENV="',
        'set "VIRTUAL_ENV_PROMPT="',
    ):
        assert line in deactivate
    # deactivate.bat needs no path: it only puts back what activate.bat saved.
    assert env_dir not in scripts["deactivate.bat"]


def test_cmd_ascii_environment_keeps_the_code_page() -> None:
    text = render_activators(env_dir="C:\\env", bin_name="Scripts", prompt="env", windows=True)["activate.bat"]
    assert "chcp" not in text


@pytest.mark.parametrize("name", ["activate", "activate.fish", "activate.csh", "activate.nu"])
def test_posix_scripts_contain_the_quoted_paths(name: str) -> None:
    quote = {"activate": quote_sh, "activate.fish": quote_fish, "activate.csh": quote_csh, "activate.nu": quote_nu}[name]
    text = render_activators(env_dir=POSIX_ENV, bin_name="bin", prompt="it's", windows=False)[name]
    assert quote(POSIX_ENV) in text
    assert quote("it's") in text
