"""Which files fit a target, why the others don't, and pip's order among the ones that do:
wheel tags (hand-made manylinux/musllinux/macOS/Windows lists and the host's own), Requires-
Python, PEP 592 yanked, pre-releases, --only-binary/--no-binary, --prefer-binary. Differential
against pip's LinkEvaluator/CandidateEvaluator where pip's internals allow it."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, sys_tags
from packaging.version import Version

from satchel.index.evaluate import (
    CandidatePolicy,
    Evaluation,
    Selection,
    TargetEnvironment,
    evaluate_link,
    is_pinned,
    select_candidates,
    sort_key,
)
from satchel.index.links import FileLink

FILES = "https://files.example.com/packages/"
DEFAULT = CandidatePolicy()


def tags(*texts: str) -> tuple[Tag, ...]:
    return tuple(Tag(*text.split("-")) for text in texts)


def cpython_tags(py: str, platforms: Sequence[str]) -> tuple[Tag, ...]:
    """A hand-written list in packaging's order: cpXY-cpXY, abi3 (newest first), none; then pyXY."""
    minor = int(py[1:])
    out = [f"cp3{minor}-cp3{minor}-{p}" for p in platforms]
    for m in range(minor, 1, -1):
        out += [f"cp3{m}-abi3-{p}" for p in platforms]
    out += [f"cp3{minor}-none-{p}" for p in platforms]
    out += [f"py3{m}-none-{p}" for m in range(minor, -1, -1) for p in platforms]
    out += [f"py3-none-{p}" for p in platforms]
    out += [f"cp3{minor}-none-any", f"py3{minor}-none-any", "py3-none-any"]
    out += [f"py3{m}-none-any" for m in range(minor - 1, -1, -1)]
    return tags(*out)


MANYLINUX = TargetEnvironment(
    cpython_tags(
        "311",
        [
            "manylinux_2_35_x86_64",
            "manylinux_2_17_x86_64",
            "manylinux2014_x86_64",
            "manylinux_2_5_x86_64",
            "manylinux1_x86_64",
            "linux_x86_64",
        ],
    ),
    "3.11.7",
)
MUSL = TargetEnvironment(
    cpython_tags("312", ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "linux_aarch64"]), "3.12.1"
)
MACOS = TargetEnvironment(
    cpython_tags(
        "312",
        [
            "macosx_14_0_arm64",
            "macosx_14_0_universal2",
            "macosx_11_0_arm64",
            "macosx_11_0_universal2",
            "macosx_10_9_universal2",
        ],
    ),
    "3.12.4",
)
WINDOWS = TargetEnvironment(cpython_tags("310", ["win_amd64"]), "3.10.11")


def link(filename: str, **kw: Any) -> FileLink:
    return FileLink.build(filename, FILES, **kw)


def evaluate(
    filename: str,
    target: TargetEnvironment = MANYLINUX,
    policy: CandidatePolicy = DEFAULT,
    project: str = "demo",
    **kw: Any,
) -> Evaluation:
    return evaluate_link(link(filename, **kw), project, target, policy)


# ---------------------------------------------------------------- one file


@pytest.mark.parametrize(
    ("filename", "target", "reason"),
    [
        ("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", MANYLINUX, ""),
        ("demo-1.0-cp311-cp311-manylinux_2_34_x86_64.whl", MANYLINUX, "no compatible tag: cp311-cp311-manylinux_2_34_x86_64"),
        ("demo-1.0-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl", MANYLINUX, ""),
        ("demo-1.0-cp310-abi3-manylinux_2_17_x86_64.whl", MANYLINUX, ""),
        ("demo-1.0-cp312-abi3-manylinux_2_17_x86_64.whl", MANYLINUX, "no compatible tag: cp312-abi3-manylinux_2_17_x86_64"),
        ("demo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl", MANYLINUX, "no compatible tag: cp311-cp311-musllinux_1_1_x86_64"),
        ("demo-1.0-py2.py3-none-any.whl", MANYLINUX, ""),
        ("demo-1.0-py2-none-any.whl", MANYLINUX, "no compatible tag: py2-none-any"),
        ("demo-1.0-cp312-cp312-musllinux_1_2_aarch64.whl", MUSL, ""),
        ("demo-1.0-cp312-cp312-musllinux_1_2_x86_64.whl", MUSL, "no compatible tag: cp312-cp312-musllinux_1_2_x86_64"),
        ("demo-1.0-cp312-cp312-manylinux_2_17_aarch64.whl", MUSL, "no compatible tag: cp312-cp312-manylinux_2_17_aarch64"),
        ("demo-1.0-cp312-cp312-macosx_10_9_universal2.whl", MACOS, ""),
        ("demo-1.0-cp312-cp312-macosx_10_9_x86_64.whl", MACOS, "no compatible tag: cp312-cp312-macosx_10_9_x86_64"),
        ("demo-1.0-cp312-cp312-macosx_15_0_arm64.whl", MACOS, "no compatible tag: cp312-cp312-macosx_15_0_arm64"),
        ("demo-1.0-cp310-cp310-win_amd64.whl", WINDOWS, ""),
        ("demo-1.0-cp312-cp312-win_amd64.whl", WINDOWS, "no compatible tag: cp312-cp312-win_amd64"),
        ("demo-1.0-cp310-cp310-win32.whl", WINDOWS, "no compatible tag: cp310-cp310-win32"),
        ("demo-1.0-cp310-cp310-win32.win_amd64.whl", WINDOWS, ""),
        ("demo-1.0-pp310-pypy310_pp73-win_amd64.whl", WINDOWS, "no compatible tag: pp310-pypy310_pp73-win_amd64"),
    ],
)
def test_wheel_tags(filename: str, target: TargetEnvironment, reason: str) -> None:
    result = evaluate(filename, target)
    assert (result.ok, result.reason) == (not reason, reason)
    if result.ok:
        assert result.kind == "wheel" and result.version == Version("1.0") and result.tag_priority is not None


def test_tags_of_the_running_interpreter() -> None:
    host = TargetEnvironment(tuple(sys_tags()), platform.python_version())
    assert evaluate("demo-1.0-py3-none-any.whl", host).ok
    best = host.tags[0]
    result = evaluate(f"demo-1.0-{best}.whl", host)
    assert result.ok and result.tag_priority == 0
    assert not evaluate("demo-1.0-cp27-cp27mu-linux_armv6l.whl", host).ok


def test_tag_priority_is_the_best_position_among_compressed_tags() -> None:
    result = evaluate("demo-1.0-py3.cp311-none.cp311-any.manylinux_2_35_x86_64.whl")
    assert result.tag_priority == 0
    assert evaluate("demo-1.0-py3-none-any.whl").tag_priority == MANYLINUX.tags.index(Tag("py3", "none", "any"))


@pytest.mark.parametrize(
    ("filename", "project", "ok", "reason", "version"),
    [
        ("demo-1.0.tar.gz", "demo", True, "", "1.0"),
        ("Demo_Pkg-2.0.post1.zip", "demo.pkg", True, "", "2.0.post1"),
        ("demo-pkg-3.0rc1.tar.gz", "Demo_Pkg", True, "", "3.0rc1"),
        ("demo-1.0-1.tar.gz", "demo", True, "", "1.0.post1"),  # pip's reading of the dash
        ("demo-1.0.tar.bz2", "demo", True, "", "1.0"),
        ("demo-1.0.tgz", "demo", True, "", "1.0"),
        ("demo-1.0.tar", "demo", True, "", "1.0"),
        ("demo-1.0.tar.xz", "demo", True, "", "1.0"),
        ("other-1.0.tar.gz", "demo", False, "wrong project name in filename (not demo)", None),
        ("demo_extra-1.0.tar.gz", "demo", False, "wrong project name in filename (not demo)", None),
        ("demo.tar.gz", "demo", False, "wrong project name in filename", None),
        ("demo-one.two.tar.gz", "demo", False, "unparseable filename", None),
        ("other-1.0-py3-none-any.whl", "demo", False, "wrong project name in filename (not demo)", None),
        ("demo-1.0.whl", "demo", False, "unparseable filename", None),
        ("demo-x.y-py3-none-any.whl", "demo", False, "unparseable filename", None),
        ("demo-1.0-py3.egg", "demo", False, "unsupported archive type: .egg", None),
        ("demo-1.0.win-amd64.exe", "demo", False, "unsupported archive type: .exe", None),
        ("demo-1.0.rpm", "demo", False, "unsupported archive type: .rpm", None),
        ("demo", "demo", False, "unsupported archive type: (none)", None),
        ("demo-1.0-macosx10.zip", "demo", False, "unsupported archive type: a macOS 10 build in a .zip", None),
    ],
)
def test_file_names(filename: str, project: str, ok: bool, reason: str, version: str | None) -> None:
    result = evaluate(filename, project=project)
    assert (result.ok, result.reason) == (ok, reason)
    assert result.version == (Version(version) if version else None)
    if ok:
        assert result.kind == ("wheel" if filename.endswith(".whl") else "sdist")


@pytest.mark.parametrize(
    ("requires_python", "full_version", "ok", "reason"),
    [
        (">=3.12", "3.11.7", False, "requires Python >=3.12 (target is 3.11.7)"),
        (">=3.8", "3.11.7", True, ""),
        (">=2.7, !=3.0.*, <3.11", "3.11.7", False, "requires Python >=2.7, !=3.0.*, <3.11 (target is 3.11.7)"),
        ("~=3.11.8", "3.11.7", False, "requires Python ~=3.11.8 (target is 3.11.7)"),
        ("==3.11.*", "3.11.7", True, ""),
        (">=3.13", "3.13.0rc1", True, ""),  # pip checks (3, 13, 0): no pre-release part
        ("<3.13", "3.13.0a1+", False, "requires Python <3.13 (target is 3.13.0a1+)"),
        (">=3.6.*", "3.11.7", True, "ignored invalid Requires-Python '>=3.6.*'"),
        (">= 3.8 and < 4", "3.11.7", True, "ignored invalid Requires-Python '>= 3.8 and < 4'"),
        ("", "3.11.7", True, ""),
    ],
)
def test_requires_python(requires_python: str, full_version: str, ok: bool, reason: str) -> None:
    target = TargetEnvironment(MANYLINUX.tags, full_version)
    result = evaluate("demo-1.0.tar.gz", target, requires_python=requires_python)
    assert (result.ok, result.reason) == (ok, reason)
    assert result.version == Version("1.0")
    ignore = CandidatePolicy(ignore_requires_python=True)
    ignoring = evaluate("demo-1.0.tar.gz", target, ignore, requires_python=requires_python)
    assert ignoring.ok and ignoring.reason == ""


def test_requires_python_from_an_entity_escaped_page() -> None:
    from satchel.index.pages import parse_simple_html

    page = parse_simple_html('<a href="demo-1.0.tar.gz" data-requires-python="&gt;=3.12">x</a>', FILES)
    assert evaluate_link(page.links[0], "demo", MANYLINUX, DEFAULT).reason == "requires Python >=3.12 (target is 3.11.7)"


@pytest.mark.parametrize(
    ("policy", "wheel", "sdist"),
    [
        (CandidatePolicy(), "", ""),
        (CandidatePolicy(only_binary=True), "", "source not allowed"),
        (CandidatePolicy(no_binary=True), "binary not allowed", ""),
        (CandidatePolicy(only_binary=True, no_binary=True), "binary not allowed", "source not allowed"),
    ],
)
def test_only_binary_and_no_binary(policy: CandidatePolicy, wheel: str, sdist: str) -> None:
    assert evaluate("demo-1.0-py3-none-any.whl", policy=policy).reason == wheel
    assert evaluate("demo-1.0.tar.gz", policy=policy).reason == sdist
    assert evaluate("demo-1.0.tar.bz2", policy=policy).reason == sdist


def test_yanked_files_pass_evaluation_flagged_unless_pins_may_not_use_them() -> None:
    flagged = evaluate("demo-1.0.tar.gz", yanked=True, yanked_reason="broken")
    assert flagged.ok and flagged.yanked and flagged.reason == ""
    strict = CandidatePolicy(allow_yanked_pinned=False)
    assert evaluate("demo-1.0.tar.gz", policy=strict, yanked=True, yanked_reason="broken").reason == "yanked: broken"
    assert evaluate("demo-1.0.tar.gz", policy=strict, yanked=True).reason == "yanked (no reason given)"


def test_target_environment_validates_and_is_a_value() -> None:
    assert MANYLINUX.python_release == (3, 11, 7)
    assert TargetEnvironment((), "3.13").python_release == (3, 13, 0)
    assert TargetEnvironment(MANYLINUX.tags, "3.11.7") == MANYLINUX
    with pytest.raises(ValueError):
        TargetEnvironment((), "cpython")
    with pytest.raises(AttributeError):
        MANYLINUX.python_full_version = "3.12.0"  # type: ignore[misc]


# ---------------------------------------------------------------- the set: yanked, pre-releases


def select(
    files: Sequence[FileLink | str], spec: str = "", policy: CandidatePolicy = DEFAULT, target: TargetEnvironment = MANYLINUX
) -> Selection:
    links = [f if isinstance(f, FileLink) else link(f) for f in files]
    return select_candidates([evaluate_link(x, "demo", target, policy) for x in links], spec, policy)


def names(evaluations: Sequence[Evaluation]) -> list[str]:
    return [e.link.filename for e in evaluations]


def reasons(selection: Selection) -> dict[str, str]:
    return {e.link.filename: e.reason for e in selection.skipped}


@pytest.mark.parametrize(
    ("spec", "pinned"),
    [
        ("==1.0", True),
        ("===1.0", True),
        ("==1.*", False),
        (">=1.0", False),
        ("", False),
        (">=1,==1.0", True),
        ("~=1.0", False),
        ("!=1.0", False),
    ],
)
def test_is_pinned(spec: str, pinned: bool) -> None:
    assert is_pinned(SpecifierSet(spec)) is pinned


YANKED_1 = link("demo-1.0.tar.gz", yanked=True, yanked_reason="bad build")
YANKED_2 = link("demo-2.0.tar.gz", yanked=True)


@pytest.mark.parametrize(
    ("files", "spec", "chosen", "skipped"),
    [
        # PEP 592: ignored unless pinned with == / === and nothing unyanked matches
        ([YANKED_1, "demo-0.9.tar.gz"], "", ["demo-0.9.tar.gz"], {"demo-1.0.tar.gz": "yanked: bad build"}),
        ([YANKED_1, "demo-0.9.tar.gz"], "==1.0", ["demo-1.0.tar.gz"], {"demo-0.9.tar.gz": "0.9 does not satisfy ==1.0"}),
        ([YANKED_1], "===1.0", ["demo-1.0.tar.gz"], {}),
        ([YANKED_1], ">=1.0", [], {"demo-1.0.tar.gz": "yanked: bad build"}),
        ([YANKED_1], "==1.*", [], {"demo-1.0.tar.gz": "yanked: bad build"}),
        # one unyanked file of the pinned version makes the yanked one unusable
        ([YANKED_1, "demo-1.0-py3-none-any.whl"], "==1.0", ["demo-1.0-py3-none-any.whl"], {"demo-1.0.tar.gz": "yanked: bad build"}),
        ([YANKED_2, "demo-1.0.tar.gz"], "", ["demo-1.0.tar.gz"], {"demo-2.0.tar.gz": "yanked (no reason given)"}),
        # pip: when all matching files are yanked and pinned, several may be used
        ([YANKED_1, YANKED_2], "==1.0", ["demo-1.0.tar.gz"], {"demo-2.0.tar.gz": "2.0 does not satisfy ==1.0"}),
    ],
)
def test_yanked_selection(files: list[Any], spec: str, chosen: list[str], skipped: dict[str, str]) -> None:
    selection = select(files, spec)
    assert names(selection.candidates) == chosen
    assert reasons(selection) == skipped
    if selection.best is not None:
        assert selection.best.ok and selection.best.reason == ""


def test_yanked_never_used_when_pins_may_not_use_them() -> None:
    selection = select([YANKED_1], "==1.0", CandidatePolicy(allow_yanked_pinned=False))
    assert selection.candidates == () and reasons(selection) == {"demo-1.0.tar.gz": "yanked: bad build"}


PRE = ["demo-0.9.tar.gz", "demo-1.0.tar.gz", "demo-1.1a1.tar.gz", "demo-2.0b1.tar.gz", "demo-2.0.dev1.tar.gz"]
ONLY_PRE = ["demo-1.1a1.tar.gz", "demo-2.0b1.tar.gz"]


@pytest.mark.parametrize(
    ("files", "spec", "policy", "chosen"),
    [
        (PRE, "", DEFAULT, ["1.0", "0.9"]),
        (PRE, "", CandidatePolicy(allow_prereleases=True), ["2.0b1", "2.0.dev1", "1.1a1", "1.0", "0.9"]),
        (PRE, ">=1.1a1", DEFAULT, ["2.0b1", "2.0.dev1", "1.1a1"]),  # the specifier names a pre-release
        (PRE, "==2.0b1", DEFAULT, ["2.0b1"]),
        (PRE, ">=1.0", DEFAULT, ["1.0"]),
        (PRE, ">1.0", DEFAULT, ["2.0b1", "2.0.dev1", "1.1a1"]),  # only pre-releases match: used
        (PRE, ">=3", DEFAULT, []),
        (ONLY_PRE, "", DEFAULT, ["2.0b1", "1.1a1"]),
        (ONLY_PRE, "", CandidatePolicy(only_final=True), []),
        (PRE, ">=1.1a1", CandidatePolicy(only_final=True), []),
        (["demo-1.0.post1.tar.gz", "demo-1.1rc1.tar.gz"], "", DEFAULT, ["1.0.post1"]),
        # a yanked final still counts as a match, so pre-releases stay hidden (as in pip)
        ([YANKED_1, "demo-1.1a1.tar.gz"], "", DEFAULT, []),
        ([YANKED_1, "demo-1.1a1.tar.gz"], "", CandidatePolicy(allow_prereleases=True), ["1.1a1"]),
    ],
)
def test_prereleases(files: list[Any], spec: str, policy: CandidatePolicy, chosen: list[str]) -> None:
    selection = select(files, spec, policy)
    assert [str(e.version) for e in selection.candidates] == chosen
    for skipped in selection.skipped:
        version = skipped.version
        if version is not None and version.is_prerelease and version in SpecifierSet(spec, prereleases=True):
            assert skipped.reason == "pre-release"
        assert not skipped.ok


def test_every_file_is_either_chosen_or_skipped_with_a_reason() -> None:
    files: list[FileLink | str] = [
        *PRE,
        YANKED_2,
        "demo-3.0-cp312-cp312-win_amd64.whl",
        "other-1.0.tar.gz",
        link("demo-4.0.tar.gz", requires_python=">=4"),
    ]
    selection = select(files, ">=0.9")
    assert len(selection.candidates) + len(selection.skipped) == len(files)
    assert all(e.reason for e in selection.skipped)
    assert reasons(selection)["demo-4.0.tar.gz"] == "requires Python >=4 (target is 3.11.7)"
    assert reasons(selection)["demo-3.0-cp312-cp312-win_amd64.whl"] == "no compatible tag: cp312-cp312-win_amd64"


# ---------------------------------------------------------------- order


EQUAL_VERSION = [
    "demo-1.0.tar.gz",
    "demo-1.0-py3-none-any.whl",
    "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp311-cp311-manylinux_2_35_x86_64.whl",
    "demo-1.0-cp39-abi3-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp311-cp311-linux_x86_64.whl",
    "demo-1.0-1-py3-none-any.whl",
    "demo-1.0-2b-py3-none-any.whl",
    "demo-1.0-2a-py3-none-any.whl",
]


def test_pip_order_for_equal_versions() -> None:
    assert names(select(EQUAL_VERSION).candidates) == [
        "demo-1.0-cp311-cp311-manylinux_2_35_x86_64.whl",  # the target's most preferred tag
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-1.0-cp311-cp311-linux_x86_64.whl",
        "demo-1.0-cp39-abi3-manylinux_2_17_x86_64.whl",
        "demo-1.0-2b-py3-none-any.whl",  # same tag: the higher build tag first
        "demo-1.0-2a-py3-none-any.whl",
        "demo-1.0-1-py3-none-any.whl",
        "demo-1.0-py3-none-any.whl",  # no build tag sorts below any
        "demo-1.0.tar.gz",  # sdists after every wheel
    ]


def test_version_first_unless_prefer_binary() -> None:
    files = ["demo-1.0-py3-none-any.whl", "demo-2.0.tar.gz", "demo-1.5-cp311-cp311-manylinux_2_17_x86_64.whl"]
    assert names(select(files).candidates) == [
        "demo-2.0.tar.gz",
        "demo-1.5-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-1.0-py3-none-any.whl",
    ]
    assert names(select(files, policy=CandidatePolicy(prefer_binary=True)).candidates) == [
        "demo-1.5-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-1.0-py3-none-any.whl",
        "demo-2.0.tar.gz",
    ]


def test_ties_go_to_the_later_link_as_in_pips_resolver() -> None:
    assert names(select(["demo-1.0.tar.gz", "demo-1.0.zip"]).candidates) == ["demo-1.0.zip", "demo-1.0.tar.gz"]
    assert names(select(["demo-1.0.zip", "demo-1.0.tar.gz"]).candidates) == ["demo-1.0.tar.gz", "demo-1.0.zip"]


def test_yanked_sorts_below_everything_when_used() -> None:
    files = [link("demo-1.0-py3-none-any.whl", yanked=True), link("demo-1.0.tar.gz", yanked=True)]
    chosen = select(files, "==1.0").candidates
    assert names(chosen) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    accepted = evaluate("demo-1.0.tar.gz")
    yanked = evaluate("demo-9.0-py3-none-any.whl", yanked=True)
    assert sort_key(accepted, DEFAULT) > sort_key(yanked, DEFAULT)


def test_sort_key_refuses_rejected_files() -> None:
    with pytest.raises(ValueError, match="not accepted"):
        sort_key(evaluate("other-1.0.tar.gz"), DEFAULT)


# ---------------------------------------------------------------- against pip


def pip_parts() -> Any:
    try:
        from pip._internal.index import package_finder
        from pip._internal.models.candidate import InstallationCandidate
        from pip._internal.models.link import Link
        from pip._internal.models.release_control import ReleaseControl
        from pip._internal.models.target_python import TargetPython
        from pip._vendor.packaging.specifiers import SpecifierSet as PipSpecifierSet
        from pip._vendor.packaging.tags import Tag as PipTag
    except ImportError as e:
        pytest.skip(f"pip's internals moved: {e}")
    return package_finder, InstallationCandidate, Link, ReleaseControl, TargetPython, PipSpecifierSet, PipTag


def pip_link(ours: FileLink) -> Any:
    Link = pip_parts()[2]
    yanked_reason = (ours.yanked_reason or "") if ours.yanked else None
    return Link(ours.url, requires_python=ours.requires_python, yanked_reason=yanked_reason)


def pip_verdict(ours: FileLink, target: TargetEnvironment, policy: CandidatePolicy) -> tuple[bool, str | None]:
    package_finder, _, _, _, TargetPython, _, PipTag = pip_parts()
    target_python = TargetPython(py_version_info=target.python_release)
    pip_tags = [PipTag(t.interpreter, t.abi, t.platform) for t in target.tags]
    target_python._valid_tags = pip_tags
    target_python._valid_tags_set = set(pip_tags)
    formats = {"binary", "source"}
    formats -= {"source"} if policy.only_binary else set()
    formats -= {"binary"} if policy.no_binary else set()
    evaluator = package_finder.LinkEvaluator(
        project_name="demo",
        canonical_name="demo",
        formats=frozenset(formats),
        target_python=target_python,
        allow_yanked=policy.allow_yanked_pinned,
        ignore_requires_python=policy.ignore_requires_python,
    )
    kind, detail = evaluator.evaluate_link(pip_link(ours))
    if kind != package_finder.LinkType.candidate:
        return False, None
    try:
        return True, str(Version(detail))
    except ValueError:
        return False, None  # pip drops it when making the candidate (InvalidVersion)


DIFFERENTIAL_FILES = [
    "demo-1.0.tar.gz",
    "demo-1.0.zip",
    "demo-1.0.tar.bz2",
    "demo-1.0.tgz",
    "demo-1.0-1.tar.gz",
    "Demo_Pkg-1.0.tar.gz",
    "demo-pkg-1.0.tar.gz",
    "demo-one.two.tar.gz",
    "other-1.0.tar.gz",
    "demo-1.0-macosx10.zip",
    "demo-1.0-py3.egg",
    "demo",
    "demo-1.0-py3-none-any.whl",
    "demo-1.0-py2-none-any.whl",
    "demo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl",
    "demo-1.0-cp312-cp312-win_amd64.whl",
    "other-1.0-py3-none-any.whl",
    "demo-1.0.whl",
]


@pytest.mark.parametrize("filename", DIFFERENTIAL_FILES)
@pytest.mark.parametrize(
    "policy",
    [DEFAULT, CandidatePolicy(only_binary=True), CandidatePolicy(no_binary=True), CandidatePolicy(allow_yanked_pinned=False)],
    ids=["default", "only-binary", "no-binary", "no-yanked"],
)
@pytest.mark.parametrize(
    "extra",
    [{}, {"requires_python": ">=3.12"}, {"requires_python": ">=3.6.*"}, {"yanked": True, "yanked_reason": "x"}],
    ids=["plain", "rp-fail", "rp-invalid", "yanked"],
)
def test_evaluate_link_matches_pip(filename: str, policy: CandidatePolicy, extra: dict[str, Any]) -> None:
    ours = link(filename, **extra)
    result = evaluate_link(ours, "demo", MANYLINUX, policy)
    assert (result.ok, str(result.version) if result.ok else None) == pip_verdict(ours, MANYLINUX, policy)


def pip_order(files: Sequence[FileLink], spec: str, policy: CandidatePolicy, target: TargetEnvironment) -> list[str]:
    """pip's candidates in the order its resolver tries them (finder, then factory)."""
    package_finder, InstallationCandidate, _, ReleaseControl, _, PipSpecifierSet, PipTag = pip_parts()
    candidates = []
    for f in files:
        verdict = evaluate_link(f, "demo", target, policy)
        if verdict.ok:
            candidates.append(InstallationCandidate("demo", str(verdict.version), pip_link(f)))
    release_control = ReleaseControl()
    if policy.allow_prereleases:
        release_control.all_releases.add(":all:")
    if policy.only_final:
        release_control.only_final.add(":all:")
    evaluator = package_finder.CandidateEvaluator(
        project_name="demo",
        supported_tags=[PipTag(t.interpreter, t.abi, t.platform) for t in target.tags],
        specifier=PipSpecifierSet(spec),
        prefer_binary=policy.prefer_binary,
        release_control=release_control,
    )
    applicable = evaluator.get_applicable_candidates(candidates)
    all_yanked = all(c.link.is_yanked for c in applicable)
    pinned = is_pinned(SpecifierSet(spec))
    return [c.link.filename for c in reversed(applicable) if not c.link.is_yanked or (all_yanked and pinned)]


def test_equal_version_order_matches_pip() -> None:
    files = [link(f) for f in EQUAL_VERSION]
    for policy in (DEFAULT, CandidatePolicy(prefer_binary=True)):
        assert names(select(files, "", policy).candidates) == pip_order(files, "", policy, MANYLINUX)


_versions = st.sampled_from(["0.9", "1.0", "1.0.post1", "1.1a1", "1.1rc2", "2.0.dev3", "2.0", "2.0b1"])
_kinds = st.sampled_from(
    [
        ".tar.gz",
        ".zip",
        "-py3-none-any.whl",
        "-1-py3-none-any.whl",
        "-cp311-cp311-manylinux_2_17_x86_64.whl",
        "-cp39-abi3-manylinux_2_5_x86_64.whl",
        "-cp311-cp311-linux_x86_64.whl",
        "-cp312-cp312-win_amd64.whl",
    ]
)
_candidate = st.builds(
    lambda version, kind, yanked: link(f"demo-{version}{kind}", yanked=yanked), _versions, _kinds, st.booleans()
)
_spec = st.sampled_from(["", ">=1.0", "==1.0", "==2.0b1", ">1.0", "<2", "===1.1a1", "==1.*", "!=2.0", ">=1.1a1"])
_policy = st.builds(
    CandidatePolicy,
    allow_prereleases=st.booleans(),
    prefer_binary=st.booleans(),
    only_binary=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_candidate, max_size=10, unique_by=lambda x: x.url), _spec, _policy)
def test_selection_matches_pip(files: list[FileLink], spec: str, policy: CandidatePolicy) -> None:
    ours = names(select(files, spec, policy).candidates)
    assert ours == pip_order(files, spec, policy, MANYLINUX)
