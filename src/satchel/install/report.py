"""pip's installation report (`--report FILE`, format version 1), from the plan. Pure.

Each installed item carries its download_info (PEP 610 shape), whether it was requested, and
its core metadata converted to JSON as PEP 566 says and pip does (the fields pip knows, keys
lower-cased with _ for -, the multiple-use fields as lists, keywords split, the body as
`description`), read by `environment.metadata` (pure).
"""

from __future__ import annotations

from satchel.environment.metadata import split_metadata

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from collections.abc import Callable, Iterable

    from satchel.environment.model import InstalledDist
    from satchel.index.links import FileLink
    from satchel.install.plan import InstallPlan, PlanItem
    from satchel.requirements.model import InstallRequest

__all__ = ["installation_report", "metadata_json", "outcome_json", "report_text"]

#: The core-metadata fields pip's report converts (its `msg_to_json`), each with whether it may
#: appear more than once; any other header is left out, as pip leaves it out.
_FIELDS = {
    "metadata-version": False, "name": False, "version": False, "dynamic": True, "platform": True,
    "supported-platform": True, "summary": False, "description": False, "description-content-type": False,
    "keywords": False, "home-page": False, "download-url": False, "author": False, "author-email": False,
    "maintainer": False, "maintainer-email": False, "license": False, "license-expression": False,
    "license-file": True, "classifier": True, "requires-dist": True, "requires-python": False,
    "requires-external": True, "project-url": True, "provides-extra": True, "provides-dist": True,
    "obsoletes-dist": True,
}  # fmt: skip


def metadata_json(raw: bytes) -> dict[str, Any]:
    """Core metadata (RFC 822 text) as PEP 566's JSON form, as pip's report writes it: the
    known fields in the order of the specification (a single-use one: its first value),
    keywords split at commas if there are any, else at whitespace, and the body, if any,
    as the description."""
    headers, body = split_metadata(raw.decode("utf-8", errors="replace"))
    out: dict[str, Any] = {}
    for field, multiple in _FIELDS.items():
        values = headers.get(field)
        if values is None:
            continue
        name = field.replace("-", "_")
        if multiple:
            out[name] = values
        elif name == "keywords":
            out[name] = [word.strip() for word in values[0].split(",")] if "," in values[0] else values[0].split()
        else:
            out[name] = values[0]
    if body:
        out["description"] = body
    return out


def _download_info(item: PlanItem) -> dict[str, Any]:
    link = item.link
    info: dict[str, Any] = {"url": link.url}
    hashes = dict(link.hashes)
    archive: dict[str, Any] = {}
    if hashes:
        algorithm = "sha256" if "sha256" in hashes else sorted(hashes)[0]
        archive["hash"] = f"{algorithm}={hashes[algorithm]}"
        archive["hashes"] = hashes
    info["archive_info"] = archive
    return info


def installation_report(
    plan: InstallPlan,
    *,
    metadata: Mapping[str, bytes],
    environment: Mapping[str, str],
    direct: frozenset[str] = frozenset(),
    yanked: frozenset[str] = frozenset(),
    requested_extras: Mapping[str, list[str]] | None = None,
    pip_version: str = "satchel",
) -> dict[str, Any]:
    """The report for `plan`: `metadata` maps each item's normalised name to its METADATA."""
    items = []
    for item in plan.add:
        entry: dict[str, Any] = {
            "download_info": _download_info(item),
            "is_direct": item.key in direct,
            "is_yanked": item.key in yanked,
            "requested": item.requested,
            "metadata": metadata_json(metadata[item.key]),
        }
        extras = (requested_extras or {}).get(item.key)
        if extras:
            entry["requested_extras"] = extras
        items.append(entry)
    return {"version": "1", "pip_version": pip_version, "install": items, "environment": dict(environment)}


def report_text(
    plan: InstallPlan, metadata: Callable[[FileLink], bytes], environment: Mapping[str, str], requests: Iterable[InstallRequest]
) -> str:
    """The report as pip writes it (JSON, indented by 2, a closing newline); `metadata(link)`
    is the core metadata the resolver read."""
    import json

    from satchel.names import canonical_name

    extras = {canonical_name(r.name): sorted(r.extras) for r in requests if r.name and r.extras}
    files = {item.key: metadata(item.link) for item in plan.add}
    report = installation_report(plan, metadata=files, environment=environment, requested_extras=extras)
    return json.dumps(report, indent=2) + "\n"


def outcome_json(
    plan: InstallPlan | None, requests: list[InstallRequest], installed: Iterable[InstalledDist], *, dry_run: bool
) -> str:
    """`install --json`: what was (or, with --dry-run, would be) installed and removed, and
    the requested projects already satisfied (left as they were)."""
    import json

    from satchel.names import canonical_name

    changes = plan.changes() if plan is not None else {"installed": [], "removed": []}
    touched = {canonical_name(str(item["name"])) for item in changes["installed"] + changes["removed"]}
    wanted = {canonical_name(r.name) for r in requests if r.name}
    satisfied = [
        {"name": d.name, "version": d.version} for d in installed if d.key in wanted and d.key not in touched
    ]
    return json.dumps({"dry_run": dry_run, **changes, "satisfied": sorted(satisfied, key=lambda d: str(d["name"]))}, indent=2) + "\n"
