"""argparse's refusals through satchel's one renderer: an unknown command, an unknown option, a
missing value or a bad choice is one `error:` paragraph naming it, with a hint pointing at the
right --help, exit 2, and no argparse usage dump; --help itself still prints help."""

from __future__ import annotations

import pytest

from conftest import run_satchel


def usage_error(*argv: str) -> str:
    """Run `satchel ARGV`, check it is a usage error shown by satchel's renderer; its stderr."""
    result = run_satchel(*argv)
    assert result.returncode == 2, result
    assert result.stdout == "", result
    assert result.stderr.startswith("error: "), result
    assert "usage:" not in result.stderr and "Traceback" not in result.stderr, result
    assert "\n\n" not in result.stderr.strip(), "one paragraph"
    return result.stderr


def test_unknown_command_is_named_with_a_guess() -> None:
    stderr = usage_error("instal", "demo")
    assert "error: unknown command 'instal'" in stderr
    assert "did you mean `satchel install`?" in stderr and "`satchel --help` lists the commands." in stderr


def test_unknown_command_without_a_close_one() -> None:
    stderr = usage_error("frobnicate")
    assert "unknown command 'frobnicate'" in stderr and "did you mean" not in stderr


@pytest.mark.parametrize("command", ["venv", "list", "freeze", "install"])
def test_unknown_option_names_it_and_the_command_help(command: str) -> None:
    stderr = usage_error(command, "--no-such-option")
    assert f"unknown option --no-such-option for `satchel {command}`" in stderr
    assert f"hint: `satchel {command} --help` lists the options." in stderr


def test_unknown_option_before_the_command() -> None:
    stderr = usage_error("--no-such-option", "list")
    assert "--no-such-option" in stderr and "`satchel list --help`" in stderr


def test_missing_value_names_the_option() -> None:
    stderr = usage_error("list", "--format")
    assert "--format" in stderr and "expected one argument" in stderr
    assert "`satchel list --help` lists the options." in stderr


def test_bad_choice_names_option_and_value() -> None:
    stderr = usage_error("list", "--format", "bogus")
    assert "--format" in stderr and "'bogus'" in stderr and "columns" in stderr


def test_unexpected_positional_argument() -> None:
    stderr = usage_error("freeze", "stray")
    assert "unexpected argument stray" in stderr


def test_help_is_still_help() -> None:
    for argv in (["--help"], ["list", "-h"], ["install", "--help"]):
        result = run_satchel(*argv)
        assert result.returncode == 0 and result.stdout.startswith("usage: satchel") and result.stderr == "", result


def test_no_command_prints_help_with_the_usage_status() -> None:
    result = run_satchel()
    assert result.returncode == 2 and "commands:" in result.stdout and result.stderr == "", result
