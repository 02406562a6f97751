"""environment.markers.applies: pip's rule for markers (extra "" without extras, any of the
extras with them), and a marker packaging can't evaluate as satchel's MarkerError."""

from __future__ import annotations

import pytest
from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import Requirement

from satchel.cli.render import format_error
from satchel.environment.markers import MarkerError, applies
from satchel.errors import UsageError

TARGET = {
    "implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
    "platform_machine": "x86_64", "platform_python_implementation": "CPython", "platform_release": "6.1",
    "platform_system": "Linux", "platform_version": "#1", "python_full_version": "3.11.7",
    "python_version": "3.11", "sys_platform": "linux",
}  # fmt: skip


def test_no_marker_always_applies() -> None:
    assert applies(None, TARGET) and applies(None, TARGET, ["x"])


def test_the_targets_values_decide() -> None:
    assert applies(Marker('python_version >= "3.9"'), TARGET)
    assert not applies(Marker('python_version < "3.9"'), TARGET)
    assert not applies(Marker('sys_platform == "win32"'), TARGET)
    assert applies(Marker('sys_platform == "win32"'), {**TARGET, "sys_platform": "win32"})


def test_extra_is_empty_without_extras_and_any_of_them_with() -> None:
    marker = Marker('extra == "socks"')
    assert not applies(marker, TARGET)
    assert applies(marker, TARGET, ["http2", "socks"]) and not applies(marker, TARGET, ["http2"])
    assert applies(Marker('extra == ""'), TARGET)


def test_an_undefined_comparison_names_requirement_marker_and_origin() -> None:
    requirement = Requirement('six; python_version ~= "x"')
    with pytest.raises(MarkerError) as caught:
        applies(requirement.marker, TARGET, requirement=requirement, origin="requirements.txt:3")
    error = caught.value
    assert isinstance(error, UsageError) and error.exit_code == 2 and error.code == "invalid-marker"
    assert isinstance(error.__cause__, UndefinedComparison)
    assert error.message == (
        "the marker 'python_version ~= \"x\"' of 'six; python_version ~= \"x\"' (from requirements.txt:3) "
        "can't be evaluated for the target environment: ~= can't compare '3.11' with 'x'"
    )
    assert error.hint and "version on both sides" in error.hint
    assert format_error(error).count("\n") == 3  # message, hint, code: one paragraph


def test_without_a_requirement_the_marker_is_named() -> None:
    with pytest.raises(MarkerError) as caught:
        applies(Marker('python_version ~= "x"'), TARGET)
    assert caught.value.message.startswith("the marker 'python_version ~= \"x\"' can't be evaluated")
    assert caught.value.input == 'python_version ~= "x"'


class _Raising:
    """A marker whose evaluation fails as `error` (for failures no real marker text reaches)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def evaluate(self, environment: object = None) -> bool:
        raise self.error

    def __str__(self) -> str:
        return "os_name == 'posix'"


def test_an_undefined_name_is_a_marker_error() -> None:
    with pytest.raises(MarkerError) as caught:
        applies(_Raising(UndefinedEnvironmentName("'os_name' does not exist")), TARGET, requirement="x; os_name == 'posix'")  # type: ignore[arg-type]
    assert "x; os_name == 'posix'" in caught.value.message
    assert caught.value.hint and "PEP 508" in caught.value.hint


def test_any_other_value_error_is_not_ours_to_name() -> None:
    """Not packaging's marker errors: a bug, left for the last-resort handler."""
    with pytest.raises(ValueError, match="boom") as caught:
        applies(_Raising(ValueError("boom")), TARGET)  # type: ignore[arg-type]
    assert not isinstance(caught.value, MarkerError)
