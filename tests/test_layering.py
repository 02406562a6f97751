"""The import direction of DESIGN.md, checked by walking every module's imports with ast:
cli -> commands -> pipeline (in data-flow order) -> cache -> errors. Nothing imports cli;
errors imports nothing from satchel; no module imports a layer downstream of it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import SRC

PACKAGE = SRC / "satchel"
# The data flow of DESIGN.md/STYLE.md, upstream first: a module may import its own layer and
# the layers upstream of it (lower numbers), never one downstream.
RANK = {
    "errors": 0,
    "protocols": 0,
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
    "commands": 11,
    "dispatch": 11,
    "cli": 12,
    "__main__": 13,
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "satchel"


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (imports for type checkers only)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def satchel_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    nodes = _runtime_nodes(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("satchel."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("satchel."):
            found.add(node.module)
    for node in nodes:  # importlib.import_module("satchel.x") strings in cli count too
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("satchel."):
            found.add(node.value)
    return found


def test_imports_only_go_downward() -> None:
    violations = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        own = layer_of(module)
        if own not in RANK:
            continue
        for imported in satchel_imports(path):
            other = layer_of(imported)
            if other in RANK and RANK[other] > RANK[own] and not (own == "cli" and other == "commands"):
                violations.append(f"{module} imports {imported}")
    assert violations == []


def test_every_layer_is_ranked() -> None:
    layers = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    layers.discard("__init__")
    assert layers <= set(RANK), layers - set(RANK)
