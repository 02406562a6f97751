"""The errors satchel shows to users, as a small hierarchy of diagnostics.

This module imports nothing from satchel; every layer may import it. Only `cli/` renders these
errors (one paragraph: message, the input it names, context, hint and `code`), and it prints
a traceback only with `-v`.

    SatchelError                 exit 1 unless a subclass says otherwise
    ├── InternalError            exit 2: an unexpected exception, a bug in satchel
    ├── UsageError               exit 2: bad input or usage; nothing was changed
    │   ├── InterpreterNotFound  no interpreter matches -p
    │   ├── InterpreterBroken    the interpreter exists but does not run as a Python
    │   └── VenvError            the target directory can't hold a new environment
    └── OperationError           exit 1: the input was fine, the operation failed
        ├── WheelError           a wheel that is corrupt or unsafe to unpack
        └── InstallError         writing into the environment failed

Foreign exceptions (OSError, zipfile.BadZipFile, ...) are wrapped where the library is called,
chained with `from`, so that users see what failed and on which input. What escapes anyway
becomes an `InternalError` in `cli/` (pip's UNKNOWN_ERROR is 2 as well).

`code` is a stable kebab-case reference for the kind of failure (shown after the hint, as
pip shows its error references); `input` is the text, file or URL the error is about.
"""

from __future__ import annotations

__all__ = [
    "InstallError",
    "InternalError",
    "InterpreterBroken",
    "InterpreterNotFound",
    "OperationError",
    "SatchelError",
    "UsageError",
    "VenvError",
    "WheelError",
]


class SatchelError(Exception):
    """A failure to report to the user: what failed, on which input, and how to go on."""

    exit_code: int = 1
    code: str = "satchel-error"

    def __init__(
        self,
        message: str,
        *,
        input: str | None = None,
        context: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.input = input
        self.context = context
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InternalError(SatchelError):
    """An exception satchel did not expect (a bug), as the last-resort handler reports it;
    the original exception is the `__cause__`."""

    exit_code = 2
    code = "internal-error"


class UsageError(SatchelError):
    """Bad input or usage (exit 2); the environment is exactly as it was."""

    exit_code = 2
    code = "usage"


class OperationError(SatchelError):
    """The input was fine but the operation failed (exit 1)."""

    exit_code = 1
    code = "operation-failed"


class InterpreterNotFound(UsageError):
    code = "interpreter-not-found"


class InterpreterBroken(UsageError):
    code = "interpreter-broken"


class VenvError(UsageError):
    code = "venv-target"


class WheelError(OperationError):
    code = "bad-wheel"


class InstallError(OperationError):
    code = "install-failed"
