"""pip's hash-checking mode (--require-hashes, or any --hash in a requirements file): what
can't be hashed is refused before anything is resolved or built, and every package installed,
dependencies included, needs a --hash (the downloads are then checked against them)."""

from __future__ import annotations

from satchel.errors import OperationError
from satchel.names import canonical_name
from satchel.urls import is_vcs_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from satchel.install.plan import InstallPlan
    from satchel.requirements.model import InstallRequest

__all__ = ["check_plan_hashes", "hash_mode", "refuse_unhashable", "request_hashes"]


def hash_mode(requests: Sequence[InstallRequest], *, require_hashes: bool) -> bool:
    """Whether hash-checking mode is on: asked for, or implied by a --hash on any line."""
    return require_hashes or any(r.hashes for r in requests)


def request_hashes(requests: Sequence[InstallRequest]) -> dict[str, dict[str, list[str]]]:
    """--hash values from requirements files, by project: a file must match one of them."""
    return {canonical_name(r.name): dict(r.hashes) for r in requests if r.name and r.hashes}


def refuse_unhashable(requests: Sequence[InstallRequest]) -> None:
    """In hash-checking mode, what has no single file to hash (editables, directories, VCS)
    can't be installed at all: refused before anything is resolved or built, as pip does."""
    import os

    for request in requests:
        url = request.url or (request.requirement.url if request.requirement is not None else None) or ""
        if request.editable:
            why = "it is editable: there is no single file to hash"
        elif is_vcs_url(url):
            why = "version control repositories can't be hashed"
        elif request.path is not None and os.path.isdir(request.path):
            why = "it is a directory: there is no single file to hash"
        else:
            continue
        raise OperationError(
            f"{request.text!r} can't be installed in hash-checking mode: {why}.",
            input=request.text,
            hint="install it without --require-hashes (and without --hash lines), or from a pinned, hashed archive.",
        )


def check_plan_hashes(plan: InstallPlan, hashes: Mapping[str, object]) -> None:
    """Every package the plan installs needs a --hash (dependencies too)."""
    missing = [item for item in plan.add if item.key not in hashes]
    if missing:
        lines = [
            f"{item.name}=={item.version} --hash=sha256:{item.link.hashes.get('sha256', '<unknown>')}" for item in missing
        ]
        raise OperationError(
            "hash-checking mode (--require-hashes or a --hash in a requirements file) needs a hash for every "
            "package, and these have none:",
            context="\n".join(lines),
            hint="add these lines (check the hashes first) to your requirements file, or pin them elsewhere.",
        )
