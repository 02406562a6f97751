"""The resolver against the real pip, on the same real wheels.

Each scenario builds small wheels in tmp_path; satchel resolves them through `LocalSource`
(the files themselves) and pip through the loopback test index serving the same directory
(`pip install --dry-run --report`); both must pick the same (name, version) set, or both
must fail. Installed-set scenarios do the same inside a real venv, with satchel reading it
through `environment.scan`.
"""

from __future__ import annotations

import glob
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from local_source import (
    LocalSource,
    PipFailed,
    pin_versions,
    pip_flags,
    pip_resolve,
    run_pip,
    satchel_resolve,
)
from support.wheels import make_wheel

from satchel.environment.scan import scan
from satchel.resolve import ResolutionError, ResolveOptions

W = make_wheel
NOT_HERE = "py3-none-win_amd64" if sys.platform != "win32" else "py3-none-manylinux1_x86_64"


@dataclass
class Scenario:
    build: Callable[[Path], Any]
    requirements: list[str]
    options: ResolveOptions = field(default_factory=ResolveOptions)
    constraints: list[str] = field(default_factory=list)
    yanked: dict[str, str] = field(default_factory=dict)
    expected: dict[str, str] | None = None  # None: must fail in both


def _chain(d: Path) -> None:
    W(d, "app", "1.0", requires_dist=["middle>=1"])
    W(d, "middle", "1.0", requires_dist=["leaf<2"])
    W(d, "middle", "2.0", requires_dist=["leaf>=1,<3"])
    for v in ("1.0", "2.0", "3.0"):
        W(d, "leaf", v)


def _diamond(d: Path) -> None:
    W(d, "top", "1.0", requires_dist=["left", "right"])
    W(d, "left", "1.0", requires_dist=["base>=1"])
    W(d, "right", "1.0", requires_dist=["base<2"])
    for v in ("1.0", "1.5", "2.0"):
        W(d, "base", v)


def _extras(d: Path) -> None:
    W(d, "demo", "1.0")
    W(d, "demo", "2.0", requires_dist=["core"], extras={"async": ["asynclib>=1"], "all": ["asynclib>=1", "tool"]})
    W(d, "core", "1.0")
    W(d, "asynclib", "1.0")
    W(d, "asynclib", "1.1", requires_dist=["core>=1"])
    W(d, "tool", "1.0")
    W(d, "user", "1.0", requires_dist=["demo[async]>=2"])


def _markers(d: Path) -> None:
    W(
        d,
        "plat",
        "1.0",
        requires_dist=[
            'winonly; sys_platform == "win32"',
            'py2only; python_version < "3"',
            f'here; sys_platform == "{sys.platform}"',
            'modern; python_version >= "3.8"',
            'never; extra == "nope"',
        ],
    )
    W(d, "here", "1.0")
    W(d, "modern", "1.0")
    W(d, "winonly", "1.0")
    W(d, "never", "1.0")


def _requires_python(d: Path) -> None:
    W(d, "rp", "1.0", requires_dist=["rpdep"])
    W(d, "rp", "2.0", requires_python=">=4")
    W(d, "rpdep", "1.0")
    W(d, "rpdep", "1.1", requires_python="<3")
    W(d, "rpdep", "1.2", requires_python=">=3.8")


def _pre(d: Path) -> None:
    W(d, "pkg", "1.0")
    W(d, "pkg", "2.0b1")
    W(d, "preonly", "0.1a1")
    W(d, "preonly", "0.2rc1")
    W(d, "wantspre", "1.0", requires_dist=["pkg>=2.0b1"])


def _yanked(d: Path) -> None:
    W(d, "yk", "1.0")
    W(d, "yk", "1.1")
    W(d, "yk", "2.0")
    W(d, "yank2", "1.0")


def _pre_yanked(d: Path) -> None:
    W(d, "pkg", "1.0")
    W(d, "pkg", "2.0")
    W(d, "pkg", "3.0rc1")


def _backtrack(d: Path) -> None:
    # the newest app needs a lib that needs shared<1, but the user wants shared>=1
    W(d, "app", "1.0", requires_dist=["lib>=1"])
    W(d, "app", "2.0", requires_dist=["lib>=2"])
    W(d, "lib", "1.0", requires_dist=["shared>=1"])
    W(d, "lib", "2.0", requires_dist=["shared<1"])
    W(d, "shared", "0.5")
    W(d, "shared", "1.0")


def _backtrack_python(d: Path) -> None:
    # only the metadata of tool 2.0's dependency excludes the target: resolve back to tool 1.0
    W(d, "tool", "1.0", requires_dist=["helper<2"])
    W(d, "tool", "2.0", requires_dist=["helper>=2"])
    W(d, "helper", "1.0")
    W(d, "helper", "2.0", requires_python="<3")


def _conflict(d: Path) -> None:
    W(d, "flask", "3.0", requires_dist=["werkzeug>=3.0"])
    W(d, "werkzeug", "2.0")
    W(d, "werkzeug", "3.0")


def _tags(d: Path) -> None:
    W(d, "native", "1.0")
    W(d, "native", "2.0", tag=NOT_HERE)


def _no_deps(d: Path) -> None:
    W(d, "app", "1.0", requires_dist=["missing-dep"], requires_python=">=3")


def _dep_extras(d: Path) -> None:
    W(d, "host", "1.0", requires_dist=["plugin[fast]>=1", "plugin[slow]"])
    W(d, "plugin", "1.0", extras={"fast": ["speedy"], "slow": ["sloth<2"]})
    W(d, "plugin", "2.0", requires_python=">=4", extras={"fast": ["speedy"]})
    W(d, "speedy", "1.0")
    W(d, "sloth", "1.0")
    W(d, "sloth", "2.0")


def _names(d: Path) -> None:
    W(d, "Foo_Bar", "1.0", requires_dist=["Zope.Interface>=1"])
    W(d, "zope.interface", "1.2")


def _binary(d: Path) -> None:
    W(d, "choice", "1.0")
    W(d, "choice", "1.0", tag="py2.py3-none-any", build_tag=1)


SCENARIOS: dict[str, Scenario] = {
    "chain": Scenario(_chain, ["app"], expected={"app": "1.0", "middle": "2.0", "leaf": "2.0"}),
    "chain-root-pin": Scenario(_chain, ["app", "leaf==1.0"], expected={"app": "1.0", "middle": "2.0", "leaf": "1.0"}),
    "diamond": Scenario(_diamond, ["top"], expected={"top": "1.0", "left": "1.0", "right": "1.0", "base": "1.5"}),
    "extras": Scenario(_extras, ["demo[async]"], expected={"demo": "2.0", "core": "1.0", "asynclib": "1.1"}),
    "extras-all": Scenario(
        _extras, ["demo[all]", "demo[async]"], expected={"demo": "2.0", "core": "1.0", "asynclib": "1.1", "tool": "1.0"}
    ),
    "extras-not-provided": Scenario(_extras, ["demo==1.0", "demo[async]"], expected={"demo": "1.0"}),
    "extras-from-dependency": Scenario(
        _extras, ["user"], expected={"user": "1.0", "demo": "2.0", "core": "1.0", "asynclib": "1.1"}
    ),
    "markers": Scenario(_markers, ["plat"], expected={"plat": "1.0", "here": "1.0", "modern": "1.0"}),
    "root-marker-false": Scenario(_markers, ['winonly; sys_platform == "win32"', "here"], expected={"here": "1.0"}),
    "requires-python": Scenario(_requires_python, ["rp"], expected={"rp": "1.0", "rpdep": "1.2"}),
    "pre-excluded": Scenario(_pre, ["pkg"], expected={"pkg": "1.0"}),
    "pre-flag": Scenario(_pre, ["pkg"], ResolveOptions(pre=True), expected={"pkg": "2.0b1"}),
    "pre-specifier": Scenario(_pre, ["pkg>=2.0b1"], expected={"pkg": "2.0b1"}),
    "pre-only": Scenario(_pre, ["preonly"], expected={"preonly": "0.2rc1"}),
    "pre-from-dependency": Scenario(_pre, ["wantspre"], expected={"wantspre": "1.0", "pkg": "2.0b1"}),
    "yanked-skipped": Scenario(_yanked, ["yk"], yanked={"yk==2.0": "broken"}, expected={"yk": "1.1"}),
    "yanked-pinned": Scenario(_yanked, ["yk==2.0"], yanked={"yk==2.0": "broken"}, expected={"yk": "2.0"}),
    "yanked-hides-pre": Scenario(_pre_yanked, ["pkg>1"], yanked={"pkg==2.0": ""}, expected=None),
    "yanked-hides-pre-with-pre": Scenario(
        _pre_yanked, ["pkg>1"], ResolveOptions(pre=True), yanked={"pkg==2.0": ""}, expected={"pkg": "3.0rc1"}
    ),
    "yanked-all": Scenario(_yanked, ["yank2"], yanked={"yank2==1.0": ""}, expected=None),
    "backtrack": Scenario(_backtrack, ["app", "shared>=1"], expected={"app": "1.0", "lib": "1.0", "shared": "1.0"}),
    "backtrack-python": Scenario(_backtrack_python, ["tool"], expected={"tool": "1.0", "helper": "1.0"}),
    "constraint": Scenario(_chain, ["app"], constraints=["leaf<2"], expected={"app": "1.0", "middle": "2.0", "leaf": "1.0"}),
    "constraint-adds-nothing": Scenario(_chain, ["leaf"], constraints=["middle==1.0"], expected={"leaf": "3.0"}),
    "constraint-conflict": Scenario(_chain, ["leaf>=3"], constraints=["leaf<3"], expected=None),
    "conflict": Scenario(_conflict, ["flask", "werkzeug<3"], expected=None),
    "tags": Scenario(_tags, ["native"], expected={"native": "1.0"}),
    "no-deps": Scenario(_no_deps, ["app"], ResolveOptions(no_deps=True), expected={"app": "1.0"}),
    "dependency-extras": Scenario(
        _dep_extras, ["host"], expected={"host": "1.0", "plugin": "1.0", "speedy": "1.0", "sloth": "1.0"}
    ),
    "names": Scenario(_names, ["foo-bar"], expected={"foo-bar": "1.0", "zope-interface": "1.2"}),
    "ignore-requires-python": Scenario(
        _requires_python, ["rp"], ResolveOptions(ignore_requires_python=True), expected={"rp": "2.0"}
    ),
    "build-tag": Scenario(_binary, ["choice"], expected={"choice": "1.0"}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_as_pip(name: str, tmp_path: Path, make_index: Callable[..., Any]) -> None:
    scenario = SCENARIOS[name]
    dists = tmp_path / "dists"
    dists.mkdir()
    scenario.build(dists)
    index = make_index(dists, yanked=scenario.yanked)
    source = LocalSource(dists, yanked=scenario.yanked)
    location = ["--index-url", index.url]
    flags = pip_flags(scenario.options)
    if scenario.expected is None:
        with pytest.raises(PipFailed):
            pip_resolve(tmp_path / "pip", location, scenario.requirements, constraints=scenario.constraints, flags=flags)
        with pytest.raises(ResolutionError) as caught:
            satchel_resolve(source, scenario.requirements, constraints=scenario.constraints, options=scenario.options)
        assert caught.value.code == "resolution-impossible" and caught.value.exit_code == 1
        return
    pip = pip_resolve(tmp_path / "pip", location, scenario.requirements, constraints=scenario.constraints, flags=flags)
    ours = pin_versions(
        satchel_resolve(source, scenario.requirements, constraints=scenario.constraints, options=scenario.options)
    )
    assert ours == pip
    assert ours == scenario.expected


def test_metadata_only_requires_python_like_find_links(tmp_path: Path) -> None:
    """With --find-links pip learns Requires-Python only from the metadata: it must backtrack
    from the excluding version, and so must satchel when links don't carry it."""
    dists = tmp_path / "dists"
    _requires_python(dists)
    pip = pip_resolve(tmp_path / "pip", ["--no-index", "--find-links", str(dists)], ["rp"])
    ours = pin_versions(satchel_resolve(LocalSource(dists, link_requires_python=False), ["rp"]))
    assert ours == pip == {"rp": "1.0", "rpdep": "1.2"}


def test_inconsistent_metadata_is_skipped_like_pip(tmp_path: Path, make_index: Callable[..., Any]) -> None:
    """A file whose metadata names another project is skipped (pip, reading PEP 658 metadata,
    discards it the same way) and the next version is used."""
    dists = tmp_path / "dists"
    W(dists, "pkg", "1.0")
    liar = W(tmp_path / "elsewhere", "other", "2.0")
    liar.rename(dists / "pkg-2.0-py3-none-any.whl")  # its metadata says other 2.0
    pip = pip_resolve(tmp_path / "pip", ["--index-url", make_index(dists).url], ["pkg"])
    source = LocalSource(dists)
    ours = pin_versions(satchel_resolve(source, ["pkg"]))
    assert ours == pip == {"pkg": "1.0"}


def test_direct_file_request_wins_over_index(tmp_path: Path, make_index: Callable[..., Any]) -> None:
    dists = tmp_path / "dists"
    _chain(dists)
    local = W(tmp_path / "local", "leaf", "1.5")
    index = make_index(dists)
    pip = pip_resolve(tmp_path / "pip", ["--index-url", index.url], ["app", str(local)])
    resolution = satchel_resolve(LocalSource(dists), ["app", str(local)])
    assert pin_versions(resolution) == pip == {"app": "1.0", "middle": "2.0", "leaf": "1.5"}
    leaf = resolution.get("leaf")
    assert leaf is not None and leaf.link is not None and leaf.link.url == local.as_uri() and leaf.requested


def test_direct_file_conflicting_with_dependency_fails(tmp_path: Path) -> None:
    dists = tmp_path / "dists"
    _chain(dists)
    local = W(tmp_path / "local", "leaf", "5.0")
    with pytest.raises(PipFailed):
        pip_resolve(tmp_path / "pip", ["--no-index", "--find-links", str(dists)], ["app", str(local)])
    with pytest.raises(ResolutionError) as caught:
        satchel_resolve(LocalSource(dists), ["app", str(local)])
    assert caught.value.message.startswith("cannot install ") and " and app: " in caught.value.message
    assert "the user requested leaf 5.0 (from file:" in (caught.value.context or "")


def test_unsupported_wheel_request_is_refused(tmp_path: Path) -> None:
    wheel = W(tmp_path, "native", "2.0", tag=NOT_HERE)
    with pytest.raises(ResolutionError, match="not a supported wheel"):
        satchel_resolve(LocalSource(tmp_path), [str(wheel)])


# ---------------------------------------------------------------- pins: order, why, flags


def test_pins_order_flags_and_chains(tmp_path: Path) -> None:
    _extras(tmp_path)
    W(tmp_path, "app", "1.0", requires_dist=["user", "leafy"])
    W(tmp_path, "leafy", "1.0")
    source = LocalSource(tmp_path)
    resolution = satchel_resolve(source, ["app", "demo[all]"])
    names = [pin.name for pin in resolution]
    for pin in resolution:  # dependencies before dependents
        for parent in pin.required_by:
            assert names.index(pin.name) < names.index(parent), (pin.name, parent)
    assert names[-1] == "app"
    demo = resolution.get("demo")
    assert demo is not None and demo.extras == {"all", "async"} and demo.requested
    assert demo.required_by == ("user",) and demo.installed is None and demo.link is not None
    assert resolution.why["asynclib"] in {("demo", "asynclib"), ("app", "user", "demo", "asynclib")}
    assert resolution.why["core"] == ("demo", "core") and resolution.why["app"] == ("app",)
    core = resolution.get("core")
    assert core is not None and not core.requested and set(core.required_by) == {"asynclib", "demo"}
    # the client was asked ahead for what each pinned candidate needs
    fetched = {name for batch in source.prefetched for name in batch}
    assert {"app", "user", "leafy", "demo", "core", "asynclib", "tool"} <= fetched


def test_installed_first_is_lazy(tmp_path: Path) -> None:
    """An installed distribution that satisfies is taken without reading the index page."""
    venv, site = _venv(tmp_path / "env")
    dists = tmp_path / "dists"
    W(dists, "leaf", "1.0")
    W(dists, "leaf", "2.0")
    _pip_install(venv, dists, ["leaf==1.0"])
    source = LocalSource(dists)
    resolution = satchel_resolve(source, ["leaf"], installed=scan([site]))
    pin = resolution.get("leaf")
    assert pin is not None and pin.version == "1.0" and pin.installed is not None and pin.link is None
    assert source.pages == [] and source.metadata_reads == []


# ---------------------------------------------------------------- installed sets, against pip in a venv


def _venv(path: Path) -> tuple[str, str]:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    site = glob.glob(str(path / "lib" / "python3*" / "site-packages"))[0]
    return str(path / "bin" / "python"), site


def _pip_install(python: str, dists: Path, requirements: list[str]) -> None:
    proc = run_pip(
        ["install", "--quiet", "--no-cache-dir", "--no-deps", "--no-index", "--find-links", str(dists), *requirements],
        python=python,
    )
    assert proc.returncode == 0, proc.stderr


def _upgrades(d: Path) -> None:
    W(d, "app", "1.0", requires_dist=["leaf>=1"])
    W(d, "app", "2.0", requires_dist=["leaf>=1"])
    W(d, "app", "3.0", requires_dist=["leaf>=2"])
    for v in ("1.0", "2.0", "2.5"):
        W(d, "leaf", v)
    W(d, "other", "1.0", requires_dist=["leaf"])


INSTALLED = ["app==1.0", "leaf==1.0"]
VENV_SCENARIOS: dict[str, tuple[list[str], ResolveOptions]] = {
    "kept": (["app"], ResolveOptions()),
    "kept-new-dependent": (["other"], ResolveOptions()),
    "needs-newer": (["app>=3"], ResolveOptions()),
    "only-if-needed": (["app"], ResolveOptions(upgrade=True)),
    "only-if-needed-dependency": (["other"], ResolveOptions(upgrade=True)),
    "eager": (["app"], ResolveOptions(upgrade=True, upgrade_strategy="eager")),
    "force-reinstall": (["app"], ResolveOptions(force_reinstall=True)),
    "ignore-installed": (["app<3"], ResolveOptions(ignore_installed=True)),
    "upgrade-pinned-dependency": (["app", "leaf==2.0"], ResolveOptions(upgrade=True)),
}


@pytest.fixture(scope="module")
def upgrade_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    base = tmp_path_factory.mktemp("upgrades")
    dists = base / "dists"
    _upgrades(dists)
    python, site = _venv(base / "env")
    _pip_install(python, dists, INSTALLED)
    return dists, python, site


@pytest.mark.parametrize("name", sorted(VENV_SCENARIOS))
def test_installed_set_same_as_pip(name: str, upgrade_env: tuple[Path, str, str], tmp_path: Path) -> None:
    dists, python, site = upgrade_env
    requirements, options = VENV_SCENARIOS[name]
    location = ["--no-index", "--find-links", str(dists)]
    pip = pip_resolve(tmp_path / "pip", location, requirements, flags=pip_flags(options), python=python)
    resolution = satchel_resolve(LocalSource(dists), requirements, options=options, installed=scan([site]))
    assert pin_versions(resolution, to_install=True) == pip
    for pin in resolution:
        if pin.installed is not None:
            assert pin.name in {"app", "leaf"} and pin.link is None


# ---------------------------------------------------------------- through the real index client


CORPUS_CASES = {
    "demo": ["demo"],
    "demo-extras": ["demo[all]"],
    "yanked-pinned": ["demo==1.1"],
    "pre": ["demo>=2.1rc1"],
    "native": ["native"],
    "names": ["foo.bar", "localver"],
    "conflict": ["clash"],
}


@pytest.mark.parametrize("case", sorted(CORPUS_CASES))
def test_through_index_client_same_as_pip(case: str, index_server: Any, tmp_path: Path) -> None:
    from satchel.index.client import IndexClient
    from satchel.index.http import HttpClient

    requirements = CORPUS_CASES[case]
    location = ["--index-url", index_server.url]
    with HttpClient(timeout=15) as http, IndexClient(http, index_urls=[index_server.url]) as client:
        try:
            pip: dict[str, str] | None = pip_resolve(tmp_path / "pip", location, requirements)
        except PipFailed:
            pip = None
        if pip is None:
            with pytest.raises(ResolutionError):
                satchel_resolve(client, requirements, locations=[index_server.url])
            return
        ours = pin_versions(satchel_resolve(client, requirements, locations=[index_server.url]))
    assert ours == pip
    if case == "demo":  # PEP 658 metadata only: no wheel was downloaded to resolve
        assert not any(path.startswith("/files/") and not path.endswith(".metadata") for path in index_server.paths())


def test_through_index_client_unknown_project(index_server: Any) -> None:
    from satchel.index.client import IndexClient
    from satchel.index.http import HttpClient

    with HttpClient(timeout=15) as http, IndexClient(http, index_urls=[index_server.url]) as client:
        with pytest.raises(ResolutionError) as caught:
            satchel_resolve(client, ["demoo"], locations=[index_server.url])
    assert caught.value.message == f"no project named 'demoo' on {index_server.url}"
