"""The rules of tests/test_layering.py fire: each is fed a small synthetic `satchel` package
written into tmp_path, once with the violation and once without it."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from layering_rules import (
    count_drift,
    cycle_drift,
    import_cycles,
    io_in_pure_modules,
    output_writes,
    pure_rule_violations,
    unranked_layers,
    upward_imports,
)

RANK = {"errors": 0, "index": 1, "resolve": 2, "fetch": 3, "commands": 4, "cli": 5}
BASE = {
    "__init__.py": "__version__ = '1'\n",
    "errors.py": "class Error(Exception): pass\n",
    "index/__init__.py": "",
    "index/links.py": "from satchel.errors import Error\n",
    "index/http.py": "import socket\nfrom satchel.index.links import Error\n",
    "resolve/__init__.py": "",
    "resolve/provider.py": "from satchel.index.links import Error\n",
    "resolve/model.py": "",
    "fetch/__init__.py": "",
    "fetch/download.py": "import os\n",
    "commands/__init__.py": "",
    "commands/install.py": "from satchel.resolve import provider\nfrom satchel.fetch.download import os\n",
    "cli/__init__.py": "",
    "cli/main.py": "import sys\n\ndef main():\n    print('ok')\n    sys.stdout.write('ok')\n",
}


def tree(tmp_path: Path, files: Mapping[str, str] | None = None) -> Path:
    """BASE with `files` added or replaced, written as a new `satchel` directory under tmp_path
    (each call a tree of its own); returns that directory."""
    root = tmp_path / f"tree-{sum(1 for _ in tmp_path.iterdir())}" / "satchel"
    for name, text in {**BASE, **(files or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def upward(tmp_path: Path, files: Mapping[str, str]) -> list[str]:
    return upward_imports(tree(tmp_path, files), RANK)


def test_the_base_tree_is_clean(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert upward_imports(root, RANK) == []
    assert import_cycles(root) == []
    assert unranked_layers(root, RANK) == set()
    assert output_writes(root, ["satchel.cli.*"]) == {}


# ---------------------------------------------------------------- rank


def test_relative_upward_imports(tmp_path: Path) -> None:
    assert upward(tmp_path, {"index/pages.py": "from ..resolve import provider\n"}) == [
        "satchel.index.pages:1 imports satchel.resolve.provider"
    ]
    assert upward(tmp_path, {"index/pages.py": "from ..resolve.provider import Error\n"}) == [
        "satchel.index.pages:1 imports satchel.resolve.provider"
    ]
    # `from . import x` in a top-level module is an import of the package satchel.x
    assert upward(tmp_path, {"errors.py": "from . import resolve\n"}) == ["satchel.errors:1 imports satchel.resolve"]
    # in a package's __init__, `.` is the package itself
    assert upward(tmp_path, {"index/__init__.py": "from .. import fetch\n"}) == [
        "satchel.index:1 imports satchel.fetch"
    ]


def test_absolute_upward_imports(tmp_path: Path) -> None:
    assert upward(tmp_path, {"index/pages.py": "from satchel import resolve\n"}) == [
        "satchel.index.pages:1 imports satchel.resolve"
    ]
    assert upward(tmp_path, {"index/pages.py": "import satchel.resolve.provider as p\n"}) == [
        "satchel.index.pages:1 imports satchel.resolve.provider"
    ]
    # a name imported from a package's __init__ is an import of that package
    assert upward(tmp_path, {"index/pages.py": "from satchel.fetch import something\n"}) == [
        "satchel.index.pages:1 imports satchel.fetch"
    ]


def test_lazy_and_by_name_upward_imports(tmp_path: Path) -> None:
    lazy = """\
        def f():
            from satchel.commands.install import x
    """
    assert upward(tmp_path, {"index/pages.py": lazy}) == ["satchel.index.pages:2 imports satchel.commands.install"]
    by_name = """\
        import importlib

        def f(name):
            importlib.import_module("satchel.cli.main")
            return importlib.import_module(f"satchel.commands.{name}")
    """
    assert upward(tmp_path, {"resolve/lazy.py": by_name}) == [
        "satchel.resolve.lazy:4 imports satchel.cli.main (by name)",
        "satchel.resolve.lazy:5 imports satchel.commands (by name)",
    ]
    registry = 'COMMANDS = {"install": ("satchel.commands.install", "Install.")}\n'
    assert upward(tmp_path, {"fetch/registry.py": registry}) == [
        "satchel.fetch.registry:1 imports satchel.commands.install (by name)"
    ]


def test_legitimate_imports_pass(tmp_path: Path) -> None:
    files = {
        # type names only: upward under TYPE_CHECKING, in both spellings
        "index/pages.py": """\
            TYPE_CHECKING = False
            if TYPE_CHECKING:
                from satchel.resolve.provider import Error
            import typing
            if typing.TYPE_CHECKING:
                from ..commands import install
        """,
        # cli imports commands by name (a lazy registry, and an f-string)
        "cli/main.py": """\
            import importlib
            COMMANDS = {"install": ("satchel.commands.install", "Install packages.")}

            def load(name):
                return importlib.import_module(f"satchel.commands.{name}")
        """,
        # downward, relative and absolute; the root package's __version__; a logger name
        "commands/list.py": """\
            import logging
            from satchel import __version__
            from ..resolve.provider import Error
            from . import install
            import satchel.index.links
            logger = logging.getLogger("satchel.cli.main")
        """,
    }
    assert upward(tmp_path, files) == []


def test_the_else_of_type_checking_runs(tmp_path: Path) -> None:
    source = """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            pass
        else:
            from satchel.fetch import download
    """
    assert upward(tmp_path, {"index/pages.py": source}) == ["satchel.index.pages:5 imports satchel.fetch.download"]


def test_unranked_layers(tmp_path: Path) -> None:
    assert unranked_layers(tree(tmp_path, {"urls.py": "", "memory/__init__.py": ""}), RANK) == {"urls", "memory"}


# ---------------------------------------------------------------- cycles


def test_a_cycle_between_two_modules(tmp_path: Path) -> None:
    root = tree(tmp_path, {"index/a.py": "from satchel.index.b import x\n", "index/b.py": "import satchel.index.a\n"})
    assert import_cycles(root) == [frozenset({"satchel.index.a", "satchel.index.b"})]


def test_a_cycle_through_a_lazy_relative_import(tmp_path: Path) -> None:
    lazy = """\
        def f():
            from . import a
    """
    root = tree(tmp_path, {"index/a.py": "from .b import f\n", "index/b.py": lazy})
    assert import_cycles(root) == [frozenset({"satchel.index.a", "satchel.index.b"})]


def test_a_cycle_through_type_checking_and_across_layers(tmp_path: Path) -> None:
    typed = """\
        TYPE_CHECKING = False
        if TYPE_CHECKING:
            from satchel.index.links import Error
    """
    root = tree(tmp_path, {"index/links.py": "from satchel.errors import Error\n", "errors.py": typed})
    assert import_cycles(root) == [frozenset({"satchel.errors", "satchel.index.links"})]


def test_three_modules_in_a_loop_are_one_cycle(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"resolve/a.py": "from . import b\n", "resolve/b.py": "from . import c\n", "resolve/c.py": "from . import a\n"},
    )
    assert import_cycles(root) == [frozenset({"satchel.resolve.a", "satchel.resolve.b", "satchel.resolve.c"})]


def test_a_package_and_its_modules_are_not_a_cycle(tmp_path: Path) -> None:
    files = {
        "resolve/__init__.py": "from satchel.resolve.model import x\n",
        "resolve/model.py": "from satchel.index.links import Error\n",
    }
    assert import_cycles(tree(tmp_path, files)) == []


def test_cycle_allowlist_only_shrinks() -> None:
    a, b, c = "satchel.a", "satchel.b", "satchel.c"
    known = [frozenset({a, b, c})]
    assert cycle_drift([frozenset({a, b, c})], known, "KNOWN_CYCLES") == []
    [new] = cycle_drift([frozenset({a, b, c}), frozenset({"satchel.x", "satchel.y"})], known, "KNOWN_CYCLES")
    assert new == "new import cycle: satchel.x <-> satchel.y"
    [gone] = cycle_drift([], known, "KNOWN_CYCLES")
    assert "remove ['satchel.a', 'satchel.b', 'satchel.c'] from KNOWN_CYCLES" in gone
    [shrunk] = cycle_drift([frozenset({a, b})], known, "KNOWN_CYCLES")
    assert "replace ['satchel.a', 'satchel.b', 'satchel.c'] in KNOWN_CYCLES by [['satchel.a', 'satchel.b']]" in shrunk
    # a known cycle that grew is a new one (and not "gone")
    assert cycle_drift([frozenset({a, b, c, "satchel.d"})], known, "KNOWN_CYCLES") == [
        "new import cycle: satchel.a <-> satchel.b <-> satchel.c <-> satchel.d"
    ]


# ---------------------------------------------------------------- pure modules

PURE = ["satchel.index.links", "satchel.resolve.*"]
SHARED = ["satchel", "satchel.errors"]


def test_a_pure_module_importing_an_edge_module(tmp_path: Path) -> None:
    root = tree(tmp_path, {"resolve/provider.py": "from satchel.index.http import get\n"})
    assert pure_rule_violations(root, PURE, SHARED) == [
        "satchel.resolve.provider:1 (pure) imports satchel.index.http (not pure)"
    ]
    lazy = tree(tmp_path, {"resolve/model.py": "def f():\n    import satchel.fetch.download\n"})
    assert pure_rule_violations(lazy, PURE, SHARED) == [
        "satchel.resolve.model:2 (pure) imports satchel.fetch.download (not pure)"
    ]
    # another package's __init__ is pure only if listed
    package = tree(tmp_path, {"resolve/model.py": "from satchel.index import links\nfrom satchel.fetch import x\n"})
    assert pure_rule_violations(package, PURE, SHARED) == [
        "satchel.resolve.model:2 (pure) imports satchel.fetch (not pure)"
    ]


def test_pure_modules_may_import_pure_shared_and_their_own_package(tmp_path: Path) -> None:
    source = """\
        from satchel import __version__
        from satchel.errors import Error
        from satchel.index.links import Error
        from satchel.resolve.model import x
        from .edge import y
        TYPE_CHECKING = False
        if TYPE_CHECKING:
            from satchel.index.http import Client
    """
    root = tree(tmp_path, {"resolve/provider.py": source, "resolve/edge.py": "import subprocess\n"})
    assert pure_rule_violations(root, PURE, SHARED) == []
    # ... but an own-package module doing I/O is caught where the table is checked for honesty
    listed = ["satchel.index.links", "satchel.resolve.provider", "satchel.resolve.model"]
    assert pure_rule_violations(root, listed, SHARED, same_layer=False) == [
        "satchel.resolve.provider:5 (pure) imports satchel.resolve.edge (not pure)"
    ]


def test_known_impure_imports_only_shrink(tmp_path: Path) -> None:
    root = tree(tmp_path, {"resolve/provider.py": "from satchel.index.http import get\n"})
    known = {("satchel.resolve.provider", "satchel.index.http")}
    assert pure_rule_violations(root, PURE, SHARED, known=known) == []
    clean = tree(tmp_path)
    assert pure_rule_violations(clean, PURE, SHARED, known=known) == [
        "satchel.resolve.provider no longer imports satchel.index.http: "
        "remove ('satchel.resolve.provider', 'satchel.index.http') from KNOWN_IMPURE"
    ]


def test_a_module_doing_io_is_not_pure(tmp_path: Path) -> None:
    source = """\
        import os
        import subprocess
        from pathlib import Path

        def f(path, isdir=os.path.isdir):
            from urllib.request import url2pathname  # a pure function of an I/O module
            os.path.join(path, "x")
            isdir(path)
            open(path)
            os.listdir(path)
            return Path(path).read_text()

        def g():
            from urllib.request import urlopen, url2pathname
    """
    root = tree(tmp_path, {"resolve/model.py": source})
    assert io_in_pure_modules(root, PURE) == [
        "satchel.resolve.model:2 imports subprocess",
        "satchel.resolve.model:9 calls open()",
        "satchel.resolve.model:10 calls os.listdir()",
        "satchel.resolve.model:11 calls .read_text()",
        "satchel.resolve.model:14 imports urllib.request",
    ]
    assert io_in_pure_modules(root, ["satchel.index.links", "satchel.index.gone", "satchel.nothing.*"]) == [
        "satchel.index.gone is listed as pure but names no module of the tree",
        "satchel.nothing.* is listed as pure but names no module of the tree",
    ]


# ---------------------------------------------------------------- terminal output


def test_terminal_writes_outside_cli(tmp_path: Path) -> None:
    source = """\
        import sys
        from sys import stderr

        def report(text, stream):
            print(text)
            print(text, file=sys.stderr)
            sys.stdout.write(text)
            sys.stderr.write(text)
            sys.stdout.buffer.write(text.encode())
            stderr.write(text)
            stream.write(text)  # an injected stream is fine
    """
    root = tree(tmp_path, {"fetch/download.py": source, "index/_probe.py": "print('{}')\n"})
    assert output_writes(root, ["satchel.cli.*", "satchel.index._probe"]) == {"satchel.fetch.download": 6}
    assert output_writes(root, ["satchel.cli.*"]) == {"satchel.fetch.download": 6, "satchel.index._probe": 1}
    assert output_writes(root, []) == {"satchel.fetch.download": 6, "satchel.index._probe": 1, "satchel.cli.main": 2}


def test_output_allowlist_only_shrinks() -> None:
    known = {"satchel.a": 2, "satchel.b": 1}
    assert count_drift({"satchel.a": 2, "satchel.b": 1}, known, "KNOWN_OUTPUT", "writes") == []
    assert count_drift({"satchel.a": 3, "satchel.b": 1, "satchel.c": 1}, known, "KNOWN_OUTPUT", "writes") == [
        "satchel.a: 3 writes (allowed 2): new violations",
        "satchel.c: 1 writes (allowed 0): new violations",
    ]
    assert count_drift({"satchel.a": 1}, known, "KNOWN_OUTPUT", "writes") == [
        "satchel.a has 1 writes now: lower KNOWN_OUTPUT['satchel.a'] to 1",
        "satchel.b has no writes left: remove 'satchel.b' from KNOWN_OUTPUT",
    ]
