"""Whether a PEP 508 environment marker applies to the target: pip's rule, written once.

    applies(requirement.marker, info.markers)                   # extra == "" (no extras asked for)
    applies(req.marker, markers, {"socks"}, requirement=req)    # true if it holds for any of them

The marker environment is always the target interpreter's (`InterpreterInfo.markers`), never
this process's. A marker packaging can parse but not evaluate (`python_version ~= "x"`: a
version comparison with something that is no version; a variable PEP 508 doesn't define) is a
`MarkerError` naming the requirement and the marker, not packaging's exception: pip crashes
there; satchel stops before changing anything (exit 2).

Pure: no I/O. Import rule: satchel.errors only; packaging's exception classes are imported
when an evaluation fails (this module is on the no-op install path, which imports packaging
only where it already did).
"""

from __future__ import annotations

from satchel.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from packaging.markers import Marker

__all__ = ["MarkerError", "applies"]

_COMPARISON_HINT = (
    "a version comparison (<, <=, ==, !=, ~=, >=, >) needs a version on both sides, "
    'as in python_version >= "3.9"; fix the marker or leave it out'
)
_NAME_HINT = "PEP 508 markers may use only its variables: python_version, sys_platform, platform_machine, extra, ..."


class MarkerError(UsageError):
    """A marker that can't be evaluated for the target (exit 2; nothing was changed)."""

    code = "invalid-marker"


def applies(
    marker: Marker | None,
    markers: Mapping[str, str],
    extras: Iterable[str] = (),
    *,
    requirement: object = None,
    origin: object = None,
) -> bool:
    """Whether `marker` holds in the marker environment `markers`: with `extra` the empty
    string when `extras` is empty (so `extra == "x"` is false), else for any one of `extras`.
    No marker always applies.

    A `MarkerError` names `requirement` (the requirement the marker belongs to) and `origin`
    (where that comes from: a requirements file's line, a distribution's metadata); their
    `str()` is taken only then, so passing a packaging Requirement or an Origin costs nothing."""
    if marker is None:
        return True
    try:
        return any(marker.evaluate({**markers, "extra": extra}) for extra in (tuple(extras) or ("",)))
    except ValueError as exc:  # packaging's marker errors are ValueErrors; any other is a bug, not ours to name
        error = _marker_error(exc, marker, requirement, origin)
        if error is None:
            raise
        raise error from exc


def _marker_error(exc: ValueError, marker: Marker, requirement: object, origin: object) -> MarkerError | None:
    from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName

    detail = str(exc)
    if isinstance(exc, UndefinedComparison):
        detail = _comparison(detail)
        hint = _COMPARISON_HINT
    elif isinstance(exc, UndefinedEnvironmentName):
        hint = _NAME_HINT
    elif isinstance(exc, InvalidMarker):
        hint = None
    else:
        return None
    text = None if requirement is None else str(requirement)
    whose = f"of {text!r} " if text else ""
    if origin is not None:
        whose += f"(from {origin}) "
    return MarkerError(
        f"the marker {str(marker)!r} {whose}can't be evaluated for the target environment: {detail}",
        input=text or str(marker),
        hint=hint,
    )


def _comparison(detail: str) -> str:
    """packaging's "Undefined <Op('~=')> on '3.11' and 'x'." in words (as it is, if it reads otherwise)."""
    import re

    found = re.fullmatch(r"Undefined <Op\('(.+?)'\)> on '(.*)' and '(.*)'\.?", detail.strip())
    if found is None:
        return detail
    op, left, right = found.groups()
    return f"{op} can't compare '{left}' with '{right}'"
