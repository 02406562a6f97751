"""The one renderer: message, the input where the message doesn't quote it, context, hint and
the error's code, as one paragraph; a traceback only with -v; Ctrl-C while importing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import SRC, run_satchel
from satchel.cli.render import format_error, render_error
from satchel.errors import OperationError, SatchelError, UsageError, WheelError


def test_all_parts_in_order_one_paragraph() -> None:
    error = WheelError("the wheel is broken", input="/w/demo-1.0-py3-none-any.whl", context="RECORD\n\nmissing", hint="build it again")
    assert format_error(error) == (
        "error: the wheel is broken\n"
        "  input: /w/demo-1.0-py3-none-any.whl\n"
        "  RECORD\n"
        "  missing\n"
        "hint: build it again\n"
        "error code: bad-wheel\n"
    )


def test_input_already_quoted_is_not_repeated() -> None:
    text = format_error(UsageError("invalid requirement 'leaf>>=1': expected a version", input="leaf>>=1"))
    assert "input:" not in text and text.startswith("error: invalid requirement 'leaf>>=1'")
    in_context = format_error(OperationError("build failed", input="proj", context="in proj: exit 1"))
    assert "input:" not in in_context


def test_input_credentials_are_masked() -> None:
    text = format_error(OperationError("the index refused the request", input="https://alice:s3cret-pw@host/simple"))
    assert "s3cret-pw" not in text and "  input: https://alice:****@host/simple" in text
    redacted_in_message = format_error(
        OperationError("https://alice:****@host/simple answered 500", input="https://alice:s3cret-pw@host/simple")
    )
    assert "input:" not in redacted_in_message and "s3cret-pw" not in redacted_in_message


def test_the_code_is_every_errors_last_line() -> None:
    assert format_error(SatchelError("x")).splitlines()[-1] == "error code: satchel-error"
    assert format_error(UsageError("x", hint="y")).splitlines()[-2:] == ["hint: y", "error code: usage"]


def test_traceback_only_with_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise OperationError("it failed")
    except OperationError as raised:
        error = raised
    render_error(error)
    assert capsys.readouterr().err == "error: it failed\nerror code: operation-failed\n"
    render_error(error, verbose=1)
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and err.endswith("error: it failed\nerror code: operation-failed\n")


def test_cli_shows_the_code_of_a_usage_error() -> None:
    result = run_satchel("frobnicate")
    assert result.returncode == 2 and result.stderr.splitlines()[-1] == "error code: command-line", result


def test_ctrl_c_while_importing_the_cli_is_reported_not_a_traceback() -> None:
    script = (
        "import runpy, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'satchel.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "sys.argv = ['satchel', '--version']\n"
        "runpy.run_module('satchel', run_name='__main__', alter_sys=True)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(SRC))
    )
    assert proc.returncode == 130 and proc.stderr == "\nInterrupted; nothing was left half-done.\n", proc
