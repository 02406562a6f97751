"""Activation scripts of a virtual environment, one per shell.

`render_activators` fills the templates that sit beside this module
(``*.template``) with the environment's directory, its scripts directory and
its prompt, each written as a literal in the syntax of the template's shell by
one of the ``quote_*`` helpers below. Substitution is a single left-to-right
pass over the template, so a value that itself looks like a placeholder (a
directory named ``__SATCHEL_PROMPT__``...) is never substituted again.

This runs on every ``satchel venv``: it imports nothing (not even pathlib, which
nothing else on that path imports: it would cost milliseconds).
"""

from __future__ import annotations

import os

__all__ = ["activation_command", "render_activators"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Quote = Callable[[str], str]

_PLACEHOLDER_START = "__SATCHEL_"
_PLACEHOLDER_END = "__"

# The characters PowerShell accepts as single quotes: ' and the typographic ones.
_POWERSHELL_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def quote_sh(value: str) -> str:
    """Return `value` as one POSIX shell word: single quotes, ``'`` as ``'\\''``."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    """Return `value` as one fish word: single quotes escaping ``\\`` and ``'``."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_csh(value: str) -> str:
    """Return `value` as one csh/tcsh word.

    Single quotes, ``'`` as ``'\\''``; ``!`` is escaped as ``\\!`` because
    csh expands history even inside single quotes, and a newline as
    ``\\``-newline, the only way to write one (csh then mishandles the value
    wherever it is expanded, so such paths only work in the other shells).
    """
    escaped = value.replace("'", "'\\''").replace("!", "\\!").replace("\n", "\\\n")
    return "'" + escaped + "'"


def quote_nu(value: str) -> str:
    """Return `value` as a nushell raw string, ``r#'...'#``, with enough ``#``.

    More ``#`` than follow any ``'`` of `value`, and than `value` starts with:
    nushell 0.108 misreads ``r#'#a'#``.
    """
    hashes = "#"
    while "'" + hashes in "'" + value:
        hashes += "#"
    return "r" + hashes + "'" + value + "'" + hashes


def quote_powershell(value: str) -> str:
    """Return `value` as a PowerShell single-quoted string, doubling its quotes."""
    escaped = "".join(c + c if c in _POWERSHELL_SINGLE_QUOTES else c for c in value)
    return "'" + escaped + "'"


def quote_bat(value: str) -> str:
    """Return `value` for use inside ``set "NAME=..."`` of a batch file.

    A batch file reads ``%%`` as one ``%``; the quotes of ``set "..."`` keep
    ``&``, ``^``, ``<``, ``>`` and ``|`` literal. (``!`` can still be lost when
    delayed expansion is on by default, which it is not unless a registry
    setting says so.)
    """
    return value.replace("%", "%%")


def _quote_bat_prompt(value: str) -> str:
    """Return `value` for cmd's PROMPT, where ``$`` starts a code (``$$`` is ``$``)."""
    return quote_bat(value.replace("$", "$$"))


def _quote_csh_prompt(value: str) -> str:
    """Return `value` for tcsh's prompt, where ``%`` and ``!`` are codes and ``\\``
    escapes (``%%``, ``\\!`` and ``\\\\`` show ``%``, ``!`` and ``\\``)."""
    return quote_csh(value.replace("\\", "\\\\").replace("!", "\\!").replace("%", "%%"))


def _escape_bash_prompt(value: str, promptvars: bool) -> str:
    r"""`value` for bash's PS1: bash reads ``\`` sequences, then, with the promptvars
    option (on by default), expands ``$`` and ``\```."""
    if not promptvars:
        return value.replace("\\", "\\\\")
    return value.replace("\\", "\\\\\\\\").replace("$", "\\\\$").replace("`", "\\\\`")


def _escape_zsh_prompt(value: str, promptsubst: bool, promptbang: bool) -> str:
    r"""`value` for zsh's PS1: zsh reads ``%`` sequences; with the promptsubst option
    it first expands ``$`` and ``\``` (where ``\`` quotes), with promptbang it reads
    ``!`` as the history number (``!!`` shows ``!``)."""
    if promptsubst:
        value = value.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    if promptbang:
        value = value.replace("!", "!!")
    return value.replace("%", "%%")


def _sh_set_ps1(prefix: str) -> str:
    """The sh code prefixing PS1 with `prefix` (indented one level). bash and zsh
    read some characters of PS1 as codes, depending on their options; only a prefix
    holding one of those needs a version for each, chosen when the script runs."""
    plain = f'PS1={quote_sh(prefix)}"$PS1"'
    if not any(c in prefix for c in "\\$`%!"):
        return plain
    bash = '[ -n "${BASH_VERSION-}" ]'
    zsh = '[ -n "${ZSH_VERSION-}" ]'
    branches = [
        (f"{bash} && shopt -q promptvars", _escape_bash_prompt(prefix, True)),
        (bash, _escape_bash_prompt(prefix, False)),
    ]
    for subst in (True, False):
        for bang in (True, False):
            condition = zsh
            condition += " && [[ -o promptsubst ]]" if subst else " && [[ ! -o promptsubst ]]"
            condition += " && [[ -o promptbang ]]" if bang else ""
            branches.append((condition, _escape_zsh_prompt(prefix, subst, bang)))
    lines = []
    for index, (condition, value) in enumerate(branches):
        lines.append(f"{'if' if index == 0 else 'elif'} {condition}; then")
        lines.append(f'    PS1={quote_sh(value)}"$PS1"')
    lines += ["else", f"    {plain}", "fi"]
    return "\n    ".join(lines)


def _read_template(name: str) -> str:
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as file:
        return file.read()


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace every ``__SATCHEL_<NAME>__`` of `template` by ``values[NAME]``."""
    parts: list[str] = []
    position = 0
    while True:
        start = template.find(_PLACEHOLDER_START, position)
        if start < 0:
            break
        name_start = start + len(_PLACEHOLDER_START)
        end = template.find(_PLACEHOLDER_END, name_start)
        if end < 0:
            raise ValueError(f"unterminated placeholder at offset {start} of a template")
        parts.append(template[position:start])
        parts.append(values[template[name_start:end]])
        position = end + len(_PLACEHOLDER_END)
    parts.append(template[position:])
    return "".join(parts)


def _render(template_name: str, values: dict[str, str]) -> str:
    return _fill(_read_template(template_name), values)


def _values(quote: Quote, quote_prompt: Quote, paths: dict[str, str]) -> dict[str, str]:
    """The placeholder values of a template: each of `paths` (ENV_DIR, BIN_NAME, BIN_DIR,
    PROMPT) written with `quote`, and PROMPT_PREFIX, the prefix of the shell's prompt,
    with `quote_prompt`."""
    values = {name: quote(value) for name, value in paths.items()}
    values["PROMPT_PREFIX"] = quote_prompt(f"({paths['PROMPT']}) ")
    return values


def _bat_codepage_lines(needed: bool) -> dict[str, str]:
    """Lines switching cmd to UTF-8 (code page 65001) while it reads the rest of
    activate.bat, which the caller writes as UTF-8, and switching back at the
    end. Only needed, and only emitted, when the file has non-ASCII text."""
    if not needed:
        return {"CODEPAGE_SWITCH": "", "CODEPAGE_RESTORE": ""}
    chcp = '"%SystemRoot%\\System32\\chcp.com"'
    return {
        "CODEPAGE_SWITCH": (
            "rem Read the rest of this file as UTF-8.\n"
            f"for /f \"tokens=2 delims=:.\" %%c in ('{chcp}') do set \"_OLD_CODEPAGE=%%c\"\n"
            f"{chcp} 65001 >nul\n"
        ),
        "CODEPAGE_RESTORE": (
            f"if defined _OLD_CODEPAGE {chcp} %_OLD_CODEPAGE% >nul\n"
            'set "_OLD_CODEPAGE="\n'
        ),
    }


def _is_ascii(text: str) -> bool:
    return all(ord(c) < 128 for c in text)


def _join_bin_dir(env_dir: str, bin_name: str, windows: bool) -> str:
    separator = "\\" if windows else "/"
    if env_dir.endswith(separator) or (windows and env_dir.endswith("/")):
        return env_dir + bin_name
    return env_dir + separator + bin_name


def render_activators(
    *, env_dir: str, bin_name: str, prompt: str, windows: bool = False
) -> dict[str, str]:
    """Return {file name: text} for every activation script of the environment at the absolute
    path `env_dir`, whose scripts directory is `env_dir/bin_name` ("bin", or "Scripts" on Windows),
    and whose prompt prefix is `prompt` (without parentheses, e.g. "env").

    The .bat texts have CRLF line endings, the others LF. Activate.ps1 starts
    with a byte order mark when it holds non-ASCII text (Windows PowerShell
    reads a file without one in the ANSI code page), and activate.bat then
    switches cmd to UTF-8 while it runs: write the texts as UTF-8.
    """
    paths = {
        "ENV_DIR": env_dir,
        "BIN_NAME": bin_name,
        "BIN_DIR": _join_bin_dir(env_dir, bin_name, windows),
        "PROMPT": prompt,
    }
    sh_values = _values(quote_sh, quote_sh, paths)
    sh_values["SET_PS1"] = _sh_set_ps1(f"({prompt}) ")
    powershell = _render("Activate.ps1.template", _values(quote_powershell, quote_powershell, paths))
    bat_values = _values(quote_bat, _quote_bat_prompt, paths)
    bat_values.update(_bat_codepage_lines(not _is_ascii(env_dir + bin_name + prompt)))
    return {
        "activate": _render("activate.sh.template", sh_values),
        "activate.fish": _render("activate.fish.template", _values(quote_fish, quote_fish, paths)),
        "activate.csh": _render("activate.csh.template", _values(quote_csh, _quote_csh_prompt, paths)),
        "activate.nu": _render("activate.nu.template", _values(quote_nu, quote_nu, paths)),
        "Activate.ps1": powershell if _is_ascii(powershell) else "\ufeff" + powershell,
        "activate.bat": _render("activate.bat.template", bat_values).replace("\n", "\r\n"),
        "deactivate.bat": _read_template("deactivate.bat.template").replace("\n", "\r\n"),
    }


def activation_command(bin_dir: str, shell: str, *, windows: bool = False) -> str:
    """The command that activates the environment whose scripts are in `bin_dir`, in `shell`
    (the name of $SHELL), quoted for it."""
    if windows:
        return os.path.join(bin_dir, "activate")
    if shell == "fish":
        return f"source {quote_fish(bin_dir + '/activate.fish')}"
    if shell in ("csh", "tcsh"):
        return f"source {quote_csh(bin_dir + '/activate.csh')}"
    if shell == "nu":
        return f"overlay use {quote_nu(bin_dir + '/activate.nu')}"
    import shlex  # quotes only where needed, so the common case reads `source .venv/bin/activate`

    return f"source {shlex.quote(bin_dir + '/activate')}"
