"""settings.name_sets, pip's `:all:`/`:none:` rule, against pip's own FormatControl and
ReleaseControl (hypothesis), and each user of the rule against what pip does with the same
input: the settings layers, a requirements file applied over the command line, and the
resolver's per-project policy."""

from __future__ import annotations

import optparse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satchel.names import canonical_name
from satchel.requirements import parse_requirements_file
from satchel.resolve.model import ResolveOptions
from satchel.settings import Settings
from satchel.settings.file_options import with_file_options
from satchel.settings.name_sets import add_names, allowed_formats, allows_prereleases

format_control = pytest.importorskip("pip._internal.models.format_control")
release_control = pytest.importorskip("pip._internal.models.release_control")

NAMES = ["foo", "Foo_Bar", "foo.bar", "baz", ":all:", ":none:"]
VALUE = st.lists(st.sampled_from(NAMES), min_size=1, max_size=4).map(",".join)
OPS = st.lists(st.tuples(st.sampled_from(["only_binary", "no_binary"]), VALUE), max_size=6)
PROJECTS = ["foo", "foo-bar", "baz", "other"]


def _apply(ops: list[tuple[str, str]], only: set[str] | None = None, no: set[str] | None = None) -> dict[str, set[str]]:
    sets = {"only_binary": set(only or ()), "no_binary": set(no or ())}
    for field, value in ops:
        add_names(value, sets[field], sets["no_binary" if field == "only_binary" else "only_binary"])
    return sets


def _pip_formats(ops: list[tuple[str, str]], only: set[str] | None = None, no: set[str] | None = None) -> object:
    control = format_control.FormatControl(set(no or ()), set(only or ()))
    for field, value in ops:
        target, other = (control.only_binary, control.no_binary) if field == "only_binary" else (control.no_binary, control.only_binary)
        control.handle_mutual_excludes(value, target, other)
    return control


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_format_sets_and_lookup_are_pips(ops: list[tuple[str, str]]) -> None:
    ours, pips = _apply(ops), _pip_formats(ops)
    assert ours == {"only_binary": pips.only_binary, "no_binary": pips.no_binary}  # type: ignore[attr-defined]
    for project in PROJECTS:
        expected = pips.get_allowed_formats(project)  # type: ignore[attr-defined]
        assert allowed_formats(project, ours["only_binary"], ours["no_binary"]) == expected
        assert Settings(**ours).allowed_formats(project) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["all_releases", "only_final"]), VALUE), max_size=6))
def test_release_sets_and_lookup_are_pips(ops: list[tuple[str, str]]) -> None:
    pips = release_control.ReleaseControl()
    ours: dict[str, set[str]] = {"all_releases": set(), "only_final": set()}
    for field, value in ops:
        other = "only_final" if field == "all_releases" else "all_releases"
        pips.handle_mutual_excludes(value, getattr(pips, field), getattr(pips, other), field)
        add_names(value, ours[field], ours[other])
    assert ours == {"all_releases": pips.all_releases, "only_final": pips.only_final}
    for project in PROJECTS:
        expected = pips.allows_prereleases(project)
        assert allows_prereleases(project, ours["all_releases"], ours["only_final"]) is expected
        policy = ResolveOptions(all_releases=frozenset(ours["all_releases"]), only_final=frozenset(ours["only_final"])).policy(project)
        assert (policy.allow_prereleases, policy.only_final) == (expected is True, expected is False)


def test_names_are_normalised_as_everywhere() -> None:
    sets = _apply([("no_binary", "Foo__Bar.baz,ZOPE.Interface")])
    assert sets["no_binary"] == {canonical_name("Foo__Bar.baz"), "zope-interface"} == {"foo-bar-baz", "zope-interface"}


def test_a_named_only_final_beats_all_releases_all() -> None:
    """`--all-releases :all: --only-final foo`: pip finds only final releases of foo (the
    resolver's policy used to let :all: win)."""
    options = ResolveOptions(all_releases=frozenset({":all:"}), only_final=frozenset({"foo"}))
    assert not options.policy("foo").allow_prereleases and options.policy("foo").only_final
    assert options.policy("bar").allow_prereleases and not options.policy("bar").only_final
    assert ResolveOptions(pre=True, only_final=frozenset({"foo"})).policy("foo").allow_prereleases


def test_the_resolver_policy_reads_formats_as_pip() -> None:
    options = ResolveOptions(only_binary=frozenset({":all:"}), no_binary=frozenset({"foo"}))
    assert (options.policy("foo").only_binary, options.policy("foo").no_binary) == (False, True)
    assert (options.policy("bar").only_binary, options.policy("bar").no_binary) == (True, False)


# ---- a requirements file's --only-binary/--no-binary over the command line's -----------------

CASES = [
    # (command line only_binary, no_binary, the file's option lines)
    ({"foo"}, set(), "--no-binary foo\n"),  # the file moves foo: pip says source only
    (set(), {"foo"}, "--no-binary :none:\n"),  # the file empties the command line's set
    ({"foo"}, set(), "--no-binary :all:\n"),  # :all: in the file clears the command line's names
    ({":all:"}, set(), "--no-binary foo\n--only-binary :none:\n"),
    (set(), {"bar"}, "--only-binary baz\nbaz==1 --no-binary baz\n"),
    (set(), set(), "--only-binary :all:\n--no-binary Foo.Bar\n"),
]


def _pip_over_cli(path: Path, only: set[str], no: set[str]) -> object:
    """pip's own parse: the file's options update the finder's format control, which the
    command line made."""
    from pip._internal.index.collector import LinkCollector
    from pip._internal.index.package_finder import PackageFinder
    from pip._internal.models.search_scope import SearchScope
    from pip._internal.models.selection_prefs import SelectionPreferences
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    session = PipSession()
    control = format_control.FormatControl(set(no), set(only))
    prefs = SelectionPreferences(allow_yanked=True, format_control=control, release_control=release_control.ReleaseControl())
    finder = PackageFinder.create(LinkCollector(session, SearchScope.create([], [], False)), prefs)
    options = optparse.Values({"require_hashes": False, "no_require_hashes": False, "features_enabled": []})
    list(parse_requirements(str(path), session, finder=finder, options=options))
    return finder.format_control


@pytest.mark.parametrize(("only", "no", "text"), CASES)
def test_file_options_apply_over_the_command_line_as_pip(tmp_path: Path, only: set[str], no: set[str], text: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    merged = with_file_options(Settings(only_binary=only, no_binary=no), [parse_requirements_file(path).options])
    pips = _pip_over_cli(path, only, no)
    assert (set(merged.only_binary), set(merged.no_binary)) == (pips.only_binary, pips.no_binary)  # type: ignore[attr-defined]
