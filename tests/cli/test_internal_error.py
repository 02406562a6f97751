"""The last-resort handler: an exception no layer expected (a bug) is one paragraph saying so,
naming the exception, with how to report it; the traceback only with -v, on the full path and
on the memory path alike; exit 2 (pip's UNKNOWN_ERROR). Ctrl-C and --help pass through."""

from __future__ import annotations

import argparse
import sys
import types

import pytest

from satchel.cli import main as cli_main


class Boom(RuntimeError):
    pass


def _command(error: BaseException) -> types.ModuleType:
    module = types.ModuleType("satchel_test_boom")

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-v", "--verbose", action="count", default=0)

    def run(args: argparse.Namespace) -> int:
        raise error

    module.add_arguments = add_arguments  # type: ignore[attr-defined]
    module.run = run  # type: ignore[attr-defined]
    return module


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command `boom` whose run() raises Boom, with a password in its message."""
    monkeypatch.setitem(sys.modules, "satchel_test_boom", _command(Boom("bad state at https://u:hunter2pw@host/x")))
    monkeypatch.setitem(cli_main.COMMANDS, "boom", ("satchel_test_boom", "Fail."))


def test_a_bug_is_reported_as_one(boom: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["boom"]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first == f"error: internal error in satchel (a bug): {__name__}.Boom: bad state at https://u:****@host/x"
    assert "hint: " in err and "-v" in err and "satchel's issue tracker" in err
    assert "Traceback" not in err and "hunter2pw" not in err
    assert "\n\n" not in err.strip()


def test_verbose_shows_the_traceback(boom: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.main(["boom", "-v"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "in run" in err
    assert f"{__name__}.Boom" in err and "error: internal error in satchel (a bug)" in err
    assert "InternalError" not in err, "the traceback is the bug's, not the wrapper's"


@pytest.mark.parametrize("command", ["install", "freeze"])
def test_memory_path_hears_verbose(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str) -> None:
    """A bug while answering from memory (before argparse) is reported, -v honoured there too."""
    import importlib

    module = importlib.import_module(f"satchel.commands.{command}")

    def broken(argv: list[str], console: object) -> bool:
        raise KeyError("entry")

    monkeypatch.setattr(module, "answer_from_memory", broken)
    assert cli_main.main([command, "demo"] if command == "install" else [command]) == 2
    quiet = capsys.readouterr().err
    assert quiet.startswith("error: internal error in satchel (a bug): KeyError: 'entry'") and "Traceback" not in quiet
    assert cli_main.main([command, "-vv"]) == 2
    loud = capsys.readouterr().err
    assert loud.startswith("Traceback") and "in broken" in loud


def test_keyboard_interrupt_is_not_a_bug(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "satchel_test_boom", _command(KeyboardInterrupt()))
    monkeypatch.setitem(cli_main.COMMANDS, "boom", ("satchel_test_boom", "Fail."))
    assert cli_main.main(["boom"]) == 130
    err = capsys.readouterr().err
    assert "Interrupted" in err and "internal error" not in err


def test_help_still_exits_through(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli_main.main(["list", "--help"])
    assert exited.value.code == 0 and "usage: satchel list" in capsys.readouterr().out


def test_verbosity_is_counted_before_argparse() -> None:
    count = cli_main._verbosity
    assert count(["install", "-v", "x"]) == 1 and count(["-vvv"]) == 3 and count(["--verbose", "-v"]) == 2
    assert count(["-V"]) == 0 and count(["--", "-v"]) == 0
