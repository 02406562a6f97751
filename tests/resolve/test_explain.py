"""What users read when resolution fails: the conflicting requirements with the chains that
brought them in, or the versions seen and why each was skipped -- never a resolvelib error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from local_source import LocalSource, satchel_resolve
from support.wheels import make_wheel as W

from satchel.errors import OperationError, UsageError
from satchel.resolve import ResolutionError, ResolveOptions
from satchel.resolve.explain import explain_too_deep

NOT_HERE = "py3-none-win_amd64" if sys.platform != "win32" else "py3-none-manylinux1_x86_64"


def _fails(source: LocalSource, requirements: list[str], **kwargs: object) -> ResolutionError:
    with pytest.raises(ResolutionError) as caught:
        satchel_resolve(source, requirements, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert isinstance(error, OperationError) and error.code == "resolution-impossible" and error.exit_code == 1
    assert error.__cause__ is None and error.__suppress_context__  # no resolvelib exception chained
    return error


def test_conflict_names_each_requirement_and_its_chain(tmp_path: Path) -> None:
    W(tmp_path, "flask", "3.0", requires_dist=["werkzeug>=3.0"])
    W(tmp_path, "werkzeug", "2.0")
    W(tmp_path, "werkzeug", "3.0")
    error = _fails(LocalSource(tmp_path), ["flask", "werkzeug<3"])
    assert error.message == "cannot install flask and werkzeug<3: their requirements on werkzeug conflict"
    lines = (error.context or "").splitlines()
    assert "flask 3.0 requires werkzeug>=3.0 (from: your request flask)" in lines
    assert "the user requested werkzeug<3" in lines
    assert error.hint and "loosen" in error.hint


def test_conflict_deep_in_the_graph_shows_the_whole_chain(tmp_path: Path) -> None:
    W(tmp_path, "app", "1.0", requires_dist=["middle"])
    W(tmp_path, "middle", "1.5", requires_dist=["leaf>=2.0"])
    W(tmp_path, "clash", "1.0", requires_dist=["leaf<2"])
    W(tmp_path, "leaf", "1.0")
    W(tmp_path, "leaf", "2.0")
    error = _fails(LocalSource(tmp_path), ["app", "clash"])
    lines = (error.context or "").splitlines()
    assert "middle 1.5 requires leaf>=2.0 (from: your request app → app 1.0)" in lines
    assert "clash 1.0 requires leaf<2 (from: your request clash)" in lines
    assert error.message.startswith("cannot install app and clash")


def test_conflict_with_a_constraint_names_the_constraint_file(tmp_path: Path) -> None:
    W(tmp_path, "leaf", "1.0")
    W(tmp_path, "leaf", "3.0")
    error = _fails(LocalSource(tmp_path), ["leaf>=3"], constraints=["leaf<3"])
    text = f"{error.message}\n{error.context}"
    assert "leaf>=3" in text and "the user's constraint leaf<3 (constraints.txt:1)" in text


def test_no_matching_version_lists_versions_and_reasons(tmp_path: Path) -> None:
    W(tmp_path, "leaf", "1.0")
    W(tmp_path, "leaf", "2.0")
    W(tmp_path, "leaf", "3.0", requires_python=">=4")
    W(tmp_path, "leaf", "3.1", tag=NOT_HERE)
    W(tmp_path, "leaf", "3.2")
    W(tmp_path, "leaf", "4.0b1")
    W(tmp_path, "app", "1.0", requires_dist=["leaf>=3"])
    source = LocalSource(tmp_path, yanked={"leaf==3.2": "broken build"})
    error = _fails(source, ["app"])
    assert error.message == "no version of leaf satisfies leaf>=3"
    lines = (error.context or "").splitlines()
    assert lines[0] == "app 1.0 (from: your request app) requires leaf>=3"
    assert "versions found: 1.0, 2.0, 4.0b1" in lines  # what could be installed here, as pip lists them
    python = "%d.%d.%d" % sys.version_info[:3]
    assert f"skipped leaf 3.0: requires Python >=4 (target is {python})" in lines
    assert f"skipped leaf-3.1-{NOT_HERE}.whl: no compatible tag: {NOT_HERE}" in lines
    assert "skipped leaf 3.2: yanked: broken build" in lines
    assert "skipped leaf 4.0b1: pre-release" in lines
    assert error.hint and "--pre" in error.hint and "yanked" in error.hint and "-p" in error.hint


def test_pre_release_hint_for_a_root_request(tmp_path: Path) -> None:
    """A yanked final release that matches hides pre-releases (as in pip); the hint says --pre."""
    W(tmp_path, "pkg", "1.0")
    W(tmp_path, "pkg", "2.0")
    W(tmp_path, "pkg", "3.0rc1")
    source = LocalSource(tmp_path, yanked={"pkg==2.0": ""})
    error = _fails(source, ["pkg>1"])
    assert "the user requested pkg>1" in (error.context or "")
    assert "skipped pkg 3.0rc1: pre-release" in (error.context or "")
    assert "skipped pkg 2.0: yanked (no reason given)" in (error.context or "")
    assert error.hint and error.hint.startswith("add --pre to allow pre-releases")
    assert satchel_resolve(source, ["pkg>1"], options=ResolveOptions(pre=True)).pins[0].version == "3.0rc1"


def test_unusable_metadata_is_a_reason(tmp_path: Path) -> None:
    liar = W(tmp_path / "elsewhere", "other", "2.0")
    liar.rename(tmp_path / "pkg-2.0-py3-none-any.whl")
    error = _fails(LocalSource(tmp_path), ["pkg"])
    assert "versions found: 2.0" in (error.context or "")
    assert "skipped pkg 2.0 (pkg-2.0-py3-none-any.whl): its metadata names the project 'other', not 'pkg'" in (
        error.context or ""
    )


def test_no_project_names_the_locations_without_credentials(tmp_path: Path) -> None:
    W(tmp_path, "leaf", "1.0")
    error = _fails(
        LocalSource(tmp_path), ["lefa"], locations=["https://alice:s3cret@127.0.0.1:9/simple", "/srv/wheels"]
    )
    assert error.message == "no project named 'lefa' on https://alice:****@127.0.0.1:9/simple, /srv/wheels"
    assert "s3cret" not in f"{error.message}{error.context}{error.hint}"
    assert error.hint and "spelling" in error.hint


def test_requires_python_only_in_metadata(tmp_path: Path) -> None:
    W(tmp_path, "future", "1.0", requires_python=">=4")
    error = _fails(LocalSource(tmp_path, link_requires_python=False), ["future"])
    assert "the target Python" in error.message
    assert "future 1.0 requires Python >=4 (from: your request future)" in (error.context or "")


def test_constraints_cannot_have_extras(tmp_path: Path) -> None:
    W(tmp_path, "demo", "1.0")
    with pytest.raises(UsageError, match="constraints can't have extras"):
        satchel_resolve(LocalSource(tmp_path), ["demo"], constraints=["demo[x]<2"])


def test_name_given_for_a_file_must_match(tmp_path: Path) -> None:
    wheel = W(tmp_path, "leaf", "1.0")
    with pytest.raises(ResolutionError, match=r"is leaf 1\.0, not other"):
        satchel_resolve(LocalSource(tmp_path), [f"other @ {wheel.as_uri()}"])


def test_too_deep_is_a_satchel_error() -> None:
    error = explain_too_deep(200000)
    assert isinstance(error, ResolutionError) and "200000 rounds" in error.message and error.hint
