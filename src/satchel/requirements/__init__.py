"""requirements/: what to install, as data -- requirement strings, command-line arguments and
pip requirements files parsed into plain values (no network, no installing).

`model` holds the values and makes one request from one requirement's text (read by
`requirement_text`, which asks `kinds` what a text names); `reqfile` reads requirements files
(its parts: `reqfile_lines`, `reqfile_options`, `reqfile_merge`, `reqfile_walk`); `errors`
is at the bottom.

Import rule: modules here import only `satchel.errors`, each other (errors <- kinds <-
requirement_text <- model <- reqfile_* <- reqfile) and `packaging` (lazily). This file
re-exports the public API and imports nothing heavy: packaging is imported only when a
requirement is parsed, the reading modules only when something is read.
"""

from __future__ import annotations

from satchel.requirements.errors import COMMAND_LINE, RequirementsError
from satchel.requirements.model import (
    InstallRequest,
    Origin,
    ParsedRequirements,
    RequirementsOptions,
    parse_requirement_argument,
    parse_requirement_arguments,
)
from satchel.requirements.reqfile import Reader, parse_requirements_file, read_requirements_file

__all__ = [
    "COMMAND_LINE",
    "InstallRequest",
    "Origin",
    "ParsedRequirements",
    "Reader",
    "RequirementsError",
    "RequirementsOptions",
    "parse_requirement_argument",
    "parse_requirement_arguments",
    "parse_requirements_file",
    "read_requirements_file",
]
