"""pip's installation report (`--report FILE`, format version 1), from the plan. Pure.

Each installed item carries its download_info (PEP 610 shape), whether it was requested, and
its core metadata converted to JSON as PEP 566 says (keys lower-cased with _ for -, the
multiple-use fields as lists, keywords split, the body as `description`).
"""

from __future__ import annotations

from satchel.environment.scan import parse_headers

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

_MULTIPLE_USE = {
    "dynamic", "platform", "supported_platform", "classifier", "requires_dist", "requires_external",
    "project_url", "provides_extra", "provides_dist", "obsoletes_dist", "license_file", "requires",
    "provides", "obsoletes",
}  # fmt: skip


def metadata_json(raw: bytes) -> dict[str, Any]:
    """Core metadata (RFC 822 text) as PEP 566's JSON form."""
    text = raw.decode("utf-8", errors="replace")
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    out: dict[str, Any] = {}
    for key, values in parse_headers(head).items():
        name = key.replace("-", "_")
        if name == "keywords":
            joined = values[0]
            out[name] = [word.strip() for word in (joined.split(",") if "," in joined else joined.split()) if word.strip()]
        elif name in _MULTIPLE_USE:
            out[name] = values
        elif name == "description":
            out[name] = values[0]
        else:
            out[name] = values[0]
    if body.strip() and "description" not in out:
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
