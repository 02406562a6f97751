"""Project names as PEP 503 compares them, the one rule every layer uses. Pure, standard
library only (no regex: the install paths that need only this don't import re); at the
bottom of the layers beside errors, so any module may import it."""

from __future__ import annotations

__all__ = ["canonical_name"]

_SEPARATORS = str.maketrans("_.", "--")


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: lower case, runs of -_. become one -."""
    name = name.translate(_SEPARATORS)
    while "--" in name:
        name = name.replace("--", "-")
    return name.lower()
