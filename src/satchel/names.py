"""Project names as PEP 503 compares them, the one rule every layer uses. Pure, standard
library only (no regex: the install paths that need only this don't import re); at the
bottom of the layers beside errors, so any module may import it. Use it rather than
packaging's `canonicalize_name` for a plain str -> str normalisation: it is the same rule
(tests/test_names.py holds them equal) and needs no import of packaging."""

from __future__ import annotations

__all__ = ["canonical_name"]


def canonical_name(name: str) -> str:
    """PEP 503 normalisation: lower case, runs of -_. become one -."""
    name = name.lower().replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name
