"""Progress bars for long work: rich, on a terminal only, and only once a task has run for
0.3 s (so quick commands never pay for importing rich). Implements protocols.Reporter.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["QuietReporter", "TerminalReporter", "make_reporter"]

_DELAY = 0.3


class QuietReporter:
    """Shows nothing (not a terminal, -q, or --json)."""

    def started(self, task: str, total: int | None) -> None:
        pass

    def advanced(self, task: str, amount: int = 1) -> None:
        pass

    def finished(self, task: str) -> None:
        pass


class TerminalReporter:
    """A rich progress display, created the first time a task has been running for 0.3 s."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tasks: dict[str, list[Any]] = {}  # name -> [started at, total, done, rich task id]
        self._progress: Any = None

    def started(self, task: str, total: int | None) -> None:
        self._tasks[task] = [time.monotonic(), total, 0, None]

    def advanced(self, task: str, amount: int = 1) -> None:
        state = self._tasks.get(task)
        if state is None:
            return
        state[2] += amount
        if state[3] is None and time.monotonic() - state[0] >= _DELAY:
            state[3] = self._display().add_task(task, total=state[1], completed=state[2])
        elif state[3] is not None:
            self._progress.update(state[3], completed=state[2])

    def finished(self, task: str) -> None:
        state = self._tasks.pop(task, None)
        if state is not None and state[3] is not None:
            self._progress.remove_task(state[3])
        if not self._tasks and self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _display(self) -> Any:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self._stream), transient=True,
            )
            self._progress.start()
        return self._progress


def make_reporter(*, quiet: bool, stream: TextIO | None = None) -> QuietReporter | TerminalReporter:
    out = stream or sys.stderr
    if quiet or not out.isatty():
        return QuietReporter()
    return TerminalReporter(out)
