"""Which files on index pages can be installed into a target, and in what order of preference.
Pure: imports only satchel.errors, packaging and the stdlib; no I/O.

Decisions come with a reason in words ("requires Python >=3.12 (target is 3.11.7)"), which
feeds `-v` output and "no matching distribution" errors. The work is split the way pip splits
it between `LinkEvaluator`, `CandidateEvaluator` and the resolver's factory:

- `evaluate_link(link, project_name, target, policy)` looks at one file alone: archive type,
  --only-binary/--no-binary, file name (project and version), wheel tags, Requires-Python.
  A yanked file passes with `yanked=True` (whether it may be used depends on the other files),
  except when `policy.allow_yanked_pinned` is off: then it is rejected here, as pip's
  `allow_yanked=False` does for `pip list --outdated` and `pip index`.
- `select_candidates(evaluations, specifier, policy)` decides for the set:
  * the specifier, with pre-releases as pip passes them to packaging's `SpecifierSet.filter`:
    allowed with `allow_prereleases` (--pre, --all-releases), refused with `only_final`
    (--only-final), else packaging's default: allowed when the specifier names a pre-release
    (`>=2.0b1`, `==2.0rc1`), otherwise only when no final release matches at all. Yanked
    files count as matches here, exactly as in pip, so a yanked 1.0 hides 1.1a1 from a bare
    requirement even though 1.0 itself is then skipped;
  * PEP 592, as pip's resolver applies it: yanked files are skipped unless every matching
    file is yanked and the specifier pins with `===` or a non-wildcard `==`;
  * order, best first (`sort_key`), ties going to the later link as in pip's resolver.
- `sort_key(evaluation, policy)`: pip's `CandidateEvaluator._sort_key` without the hash term
  (hash-checking mode filters files before they get here): not yanked, then wheels first when
  `prefer_binary`, then version, then the wheel's best tag's position in the target's list
  (sdists after every wheel), then the build tag.
"""

from __future__ import annotations

import functools
import posixpath
import re
import sys
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, Union

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from satchel.index.links import SDIST_EXTENSIONS, WHEEL_EXTENSION, FileLink, archive_extension
from satchel.names import canonical_name

__all__ = [
    "BuildTag",
    "CandidatePolicy",
    "Evaluation",
    "Selection",
    "TargetEnvironment",
    "evaluate_link",
    "is_pinned",
    "select_candidates",
    "sort_key",
]

BuildTag = Union[tuple[()], tuple[int, str]]
Kind = Literal["wheel", "sdist"]
SortKey = tuple[int, int, Version, int, BuildTag]

_SDIST_PRIORITY = sys.maxsize  # after every wheel tag: pip uses len(supported tags)
_PYTHON_RELEASE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class TargetEnvironment:
    """The interpreter being installed into: its wheel tags, most preferred first, and its
    full Python version (the marker `python_full_version`, e.g. "3.11.7")."""

    tags: tuple[Tag, ...]
    python_full_version: str
    _priority: dict[Tag, int] = field(init=False, repr=False, compare=False)
    _release: tuple[int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        priority: dict[Tag, int] = {}
        for index, tag in enumerate(self.tags):
            priority.setdefault(tag, index)
        object.__setattr__(self, "_priority", priority)
        object.__setattr__(self, "_release", _python_release(self.python_full_version))

    def tag_priority(self, tags: Iterable[Tag]) -> int | None:
        """Position of the most preferred of `tags` in the target's list; None if none fits."""
        found = [self._priority[tag] for tag in tags if tag in self._priority]
        return min(found) if found else None

    @property
    def python_release(self) -> tuple[int, int, int]:
        """(major, minor, micro) as pip checks Requires-Python: no pre-release part."""
        return self._release


@dataclass(frozen=True, slots=True)
class CandidatePolicy:
    """The user's choices that apply to one project (already resolved from :all:/names)."""

    allow_prereleases: bool = False  # --pre, or --all-releases naming this project
    only_final: bool = False  # --only-final naming this project
    allow_yanked_pinned: bool = True  # PEP 592 pins may use yanked files (off: never)
    only_binary: bool = False
    no_binary: bool = False
    prefer_binary: bool = False
    ignore_requires_python: bool = False


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One file's verdict. `reason` says why it was refused; for an accepted file it is empty,
    or notes a check that was skipped (an invalid Requires-Python)."""

    link: FileLink
    ok: bool
    reason: str = ""
    version: Version | None = None
    kind: Kind | None = None
    tag_priority: int | None = None  # wheels: index of the best matching target tag
    build_tag: BuildTag = ()
    yanked: bool = False

    @property
    def is_prerelease(self) -> bool:
        return self.version is not None and self.version.is_prerelease


@dataclass(frozen=True, slots=True)
class Selection:
    """`candidates`: the usable files, best first. `skipped`: every other file, with why."""

    candidates: tuple[Evaluation, ...]
    skipped: tuple[Evaluation, ...]

    @property
    def best(self) -> Evaluation | None:
        return self.candidates[0] if self.candidates else None


# ---------------------------------------------------------------- one file


def evaluate_link(
    link: FileLink, project_name: str, target: TargetEnvironment, policy: CandidatePolicy
) -> Evaluation:
    """Whether `link` is a file of `project_name` installable into `target` under `policy`."""
    if link.yanked and not policy.allow_yanked_pinned:
        return _reject(link, _yanked_reason(link), yanked=True)
    ext = archive_extension(link.filename)
    if not ext:
        return _reject(link, f"unsupported archive type: {_shown_extension(link.filename)}")
    if ext == WHEEL_EXTENSION:
        return _evaluate_wheel(link, canonical_name(project_name), target, policy)
    if policy.only_binary:
        return _reject(link, "source not allowed")
    if ext == ".zip" and "macosx10" in urllib.parse.unquote(urllib.parse.urlsplit(link.url).path):
        return _reject(link, "unsupported archive type: a macOS 10 build in a .zip")
    return _evaluate_sdist(link, ext, canonical_name(project_name), target, policy)


def _evaluate_wheel(link: FileLink, canonical: str, target: TargetEnvironment, policy: CandidatePolicy) -> Evaluation:
    if policy.no_binary:
        return _reject(link, "binary not allowed")
    try:
        name, version, build_tag, tags = parse_wheel_filename(link.filename)
    except (InvalidWheelFilename, InvalidVersion):
        return _reject(link, "unparseable filename")
    if name != canonical:
        return _reject(link, f"wrong project name in filename (not {canonical})")
    priority = target.tag_priority(tags)
    if priority is None:
        return _reject(link, "no compatible tag: " + ", ".join(sorted(str(tag) for tag in tags)))
    return _check_python(link, version, "wheel", target, policy, priority, build_tag)


def _evaluate_sdist(
    link: FileLink, ext: str, canonical: str, target: TargetEnvironment, policy: CandidatePolicy
) -> Evaluation:
    stem = link.filename[: -len(ext)]
    version = _sdist_version(stem, canonical)
    if isinstance(version, str):
        return _reject(link, version)
    return _check_python(link, version, "sdist", target, policy, None, ())


def _sdist_version(stem: str, canonical: str) -> Version | str:
    """The version in an sdist's name, or why there is none.

    packaging's reading first (name, last dash, version); then pip's, which takes the first
    dash after which the name matches, so `foo-1.0-1` is version `1.0-1` (= 1.0.post1).
    """
    try:
        name, version = parse_sdist_filename(stem + SDIST_EXTENSIONS[0])
    except (InvalidSdistFilename, InvalidVersion):
        pass
    else:
        if name == canonical:
            return version
    for index, char in enumerate(stem):
        if char == "-" and canonical_name(stem[:index]) == canonical:
            try:
                return Version(stem[index + 1 :])
            except InvalidVersion:
                return "unparseable filename"
    return "wrong project name in filename" + (f" (not {canonical})" if "-" in stem else "")


def _check_python(
    link: FileLink,
    version: Version,
    kind: Kind,
    target: TargetEnvironment,
    policy: CandidatePolicy,
    priority: int | None,
    build_tag: BuildTag,
) -> Evaluation:
    """Requires-Python, as pip checks it: an invalid specifier is ignored, not held against
    the file; --ignore-requires-python skips the check."""
    note = ""
    if link.requires_python and not policy.ignore_requires_python:
        spec = _specifier(link.requires_python)
        if spec is None:
            note = f"ignored invalid Requires-Python {link.requires_python!r}"
        elif Version("%d.%d.%d" % target.python_release) not in spec:
            reason = f"requires Python {link.requires_python.strip()} (target is {target.python_full_version})"
            return _reject(link, reason, version=version, kind=kind, yanked=link.yanked)
    return Evaluation(
        link=link,
        ok=True,
        reason=note,
        version=version,
        kind=kind,
        tag_priority=priority,
        build_tag=build_tag,
        yanked=link.yanked,
    )


@functools.lru_cache(maxsize=1024)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _reject(
    link: FileLink, reason: str, *, version: Version | None = None, kind: Kind | None = None, yanked: bool = False
) -> Evaluation:
    return Evaluation(link=link, ok=False, reason=reason, version=version, kind=kind, yanked=yanked or link.yanked)


def _yanked_reason(link: FileLink) -> str:
    return f"yanked: {link.yanked_reason}" if link.yanked_reason else "yanked (no reason given)"


def _shown_extension(filename: str) -> str:
    base, ext = posixpath.splitext(filename)
    if base.lower().endswith(".tar"):
        ext = base[-4:] + ext
    return ext or "(none)"


def _python_release(full_version: str) -> tuple[int, int, int]:
    match = _PYTHON_RELEASE.match(full_version.strip())
    if match is None:
        raise ValueError(f"not a Python version: {full_version!r}")
    major, minor, micro = (int(part) if part else 0 for part in match.groups())
    return major, minor, micro


# ---------------------------------------------------------------- the set


def is_pinned(specifier: SpecifierSet) -> bool:
    """PEP 592's pin, as pip reads it: any `===`, or an `==` without a `.*` wildcard."""
    return any(
        spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")) for spec in specifier
    )


def select_candidates(
    evaluations: Iterable[Evaluation], specifier: SpecifierSet | str, policy: CandidatePolicy
) -> Selection:
    """The usable files among `evaluations` (all of one project, from every page), best first."""
    spec = specifier if isinstance(specifier, SpecifierSet) else SpecifierSet(specifier)
    evaluations = list(evaluations)
    skipped = [e for e in evaluations if not e.ok]
    accepted = [e for e in evaluations if e.ok and e.version is not None]
    prereleases = True if policy.allow_prereleases else (False if policy.only_final else None)
    allowed = set(spec.filter({e.version for e in accepted if e.version is not None}, prereleases=prereleases))
    matching: list[Evaluation] = []
    for evaluation in accepted:
        if evaluation.version in allowed:
            matching.append(evaluation)
        else:
            skipped.append(replace(evaluation, ok=False, reason=_mismatch_reason(evaluation, spec)))
    yanked_usable = is_pinned(spec) and all(e.yanked for e in matching)
    usable: list[Evaluation] = []
    for evaluation in matching:
        if evaluation.yanked and not yanked_usable:
            skipped.append(replace(evaluation, ok=False, reason=_yanked_reason(evaluation.link)))
        else:
            usable.append(evaluation)
    ordered = sorted(usable, key=lambda e: sort_key(e, policy))
    ordered.reverse()  # best first; equal keys: the later link first, as pip's resolver iterates
    return Selection(candidates=tuple(ordered), skipped=tuple(skipped))


def _mismatch_reason(evaluation: Evaluation, spec: SpecifierSet) -> str:
    version = evaluation.version
    if version is not None and version.is_prerelease and spec.contains(version, prereleases=True):
        return "pre-release"
    return f"{version} does not satisfy {spec}" if str(spec) else f"{version} excluded"


def sort_key(evaluation: Evaluation, policy: CandidatePolicy) -> SortKey:
    """Greater is better (use max, or sort then reverse). Only for accepted evaluations."""
    if evaluation.version is None:
        raise ValueError(f"{evaluation.link.display} was not accepted: {evaluation.reason}")
    is_wheel = evaluation.kind == "wheel"
    priority = evaluation.tag_priority if is_wheel and evaluation.tag_priority is not None else _SDIST_PRIORITY
    return (
        -int(evaluation.yanked),
        int(is_wheel and policy.prefer_binary),
        evaluation.version,
        -priority,
        evaluation.build_tag,
    )
