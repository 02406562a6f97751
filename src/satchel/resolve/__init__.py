"""resolve/: what to install, decided -- a resolvelib provider with pip's semantics (markers,
extras, Requires-Python, pre-releases, yanked files, constraints, upgrade strategies,
installed-first) and conflicts explained in plain words.

Import rule: pure, no I/O of its own; modules here import packaging, resolvelib,
satchel.errors, satchel.protocols and the pure modules of upstream packages: index.links/
pages/evaluate, requirements.model, environment.model. Projects, files and metadata come only
through `protocols.ProjectSource`.
"""

from __future__ import annotations

from satchel.resolve.model import Pin, Resolution, ResolutionError, ResolveOptions
from satchel.resolve.resolve import install_order, resolve

__all__ = ["Pin", "Resolution", "ResolutionError", "ResolveOptions", "install_order", "resolve"]
