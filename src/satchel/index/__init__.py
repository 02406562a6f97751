"""What exists on package indexes: links, project pages, and which files fit a target.

Pure modules (no I/O; import only satchel.errors, packaging and the stdlib): `links`
(FileLink), `pages` (PEP 503 HTML / PEP 691 JSON -> ProjectPage), `evaluate` (per-file
verdicts with reasons, PEP 592 yanked and pre-release rules, pip's candidate order).
Edge modules (HTTP, caching) build on them. This file imports nothing, to keep imports cheap.
"""

from __future__ import annotations

__all__: list[str] = []
