"""The import direction and output rule of DESIGN.md, held against src/satchel: the rules are
functions in tests/layering_rules.py (proved on synthetic trees by tests/test_layering_rules.py).

1. No module imports a layer ranked above its own (RANK), relative, `from satchel import x`,
   lazy and by-name (`importlib.import_module("satchel...")`) imports included; only imports
   under `if TYPE_CHECKING:` are exempt (type names only). Nothing imports cli.
2. No import cycle between modules anywhere (every import counts, lazy and TYPE_CHECKING ones
   too, as ../shared/tools/shape.py counts them).
3. A pure module (PURE) imports, at run time, only pure modules of other packages, the SHARED
   bottom modules and its own package's modules; and a module is listed as pure only if it does
   no disk, network or process I/O of its own (checked, so the table stays honest).
4. Only cli/ writes to the terminal (`print`, `sys.stdout/stderr[.buffer].write`), but the
   interpreter probe, which runs inside the target interpreter and prints its answer.

Violations known when this test was written are allowlisted (KNOWN_CYCLES, KNOWN_IMPURE,
KNOWN_OUTPUT); the lists only shrink: a new violation fails, and so does an allowlisted one
that has gone, saying which entry to remove or lower.
"""

from __future__ import annotations

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

from conftest import SRC

PACKAGE = SRC / "satchel"

#: The data flow of DESIGN.md/STYLE.md, upstream first: a module may import its own layer and
#: the layers with a lower or equal rank, never one with a higher rank. The root package
#: (`satchel/__init__.py`, `__version__` only) is below them all.
RANK = {
    "errors": 0,
    "protocols": 0,
    "urls": 0,
    "names": 0,
    "cache": 1,
    "settings": 2,
    "interpreters": 3,
    "venv": 4,
    "environment": 5,
    "requirements": 6,
    "index": 7,
    "resolve": 8,
    "fetch": 9,
    "install": 10,
    "memory": 11,
    "commands": 12,
    "dispatch": 12,
    "cli": 13,  # cli imports commands by name (its lazy registry): downward, so allowed
    "__main__": 14,
}

#: The pure modules (STYLE.md's `·`): models, parsing and decisions, with no disk, network or
#: process I/O of their own; what they need from the disk comes in as arguments or injected
#: functions (requirements.model's `isdir=os.path.isdir`). `pkg.*` is a package and all its
#: modules. Not listed, though STYLE.md marks them pure, because today they are not:
#: interpreters.spec (`os.path.isfile` for `-p env`), venv.layout (`os.path.realpath` of the
#: interpreter for pyvenv.cfg), requirements.reqfile (opens files and URLs), environment.views
#: (runs git through environment.editable_vcs), index.sources (checks find-links paths on disk).
PURE = frozenset(
    {
        "satchel.requirements.errors",
        "satchel.requirements.model",
        "satchel.index.links",
        "satchel.index.pages",
        "satchel.index.evaluate",
        "satchel.resolve.*",
        "satchel.install.plan",
        "satchel.install.record",
        "satchel.environment.model",
        "satchel.environment.satisfied",
        "satchel.interpreters.info",
        "satchel.interpreters.tags",
        "satchel.settings.model",
        "satchel.settings.precedence",
        "satchel.settings.name_sets",
        "satchel.urls",
        "satchel.names",
        "satchel.environment.markers",
        "satchel.requirements.requirement_text",
        "satchel.requirements.kinds",
        "satchel.install.satisfied",
        "satchel.settings.file_options",
        "satchel.environment.metadata",
        "satchel.install.report",
    }
)
#: What every pure module may import besides pure modules: the bottom of the layer map.
SHARED = frozenset({"satchel", "satchel.errors", "satchel.protocols"})

#: Modules allowed to write to the terminal: cli/, and the probe script (it runs inside the
#: target interpreter and prints its answer as JSON: that is its protocol).
OUTPUT_EXEMPT = frozenset({"satchel.cli.*", "satchel.interpreters._probe"})

#: Known violations, being removed (issue 11). Only shrink these.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()
#: (pure module, module that is not pure) it imports.
KNOWN_IMPURE: frozenset[tuple[str, str]] = frozenset()
#: module -> number of terminal writes it still holds.
KNOWN_OUTPUT: dict[str, int] = {
    "satchel.fetch.backend": 1,
}


def _none(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


def test_every_layer_is_ranked() -> None:
    unranked = unranked_layers(PACKAGE, RANK)
    assert not unranked, f"give these layers a place in RANK: {sorted(unranked)}"


def test_imports_only_go_downward() -> None:
    _none(upward_imports(PACKAGE, RANK))


def test_no_new_import_cycles() -> None:
    _none(cycle_drift(import_cycles(PACKAGE), KNOWN_CYCLES, "KNOWN_CYCLES"))


def test_pure_modules_import_only_pure_modules() -> None:
    _none(pure_rule_violations(PACKAGE, PURE, SHARED, known=KNOWN_IMPURE))


def test_pure_table_is_honest() -> None:
    """Each listed module does no I/O itself, and neither do its own package's modules it imports."""
    _none(io_in_pure_modules(PACKAGE, PURE))
    _none(pure_rule_violations(PACKAGE, PURE, SHARED, same_layer=False, known=KNOWN_IMPURE))


def test_only_cli_writes_to_the_terminal() -> None:
    found = output_writes(PACKAGE, OUTPUT_EXEMPT)
    _none(count_drift(found, KNOWN_OUTPUT, "KNOWN_OUTPUT", "terminal writes"))
