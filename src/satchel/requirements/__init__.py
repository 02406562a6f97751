"""requirements/: what to install, as data -- requirement strings, command-line arguments and
pip requirements files parsed into plain values (no network, no installing).

Import rule: modules here import only `satchel.errors`, each other (model <- reqfile, errors at
the bottom) and `packaging` (lazily). This file re-exports the public API and imports nothing
heavy: packaging is imported only when a requirement is parsed.
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
