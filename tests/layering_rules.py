"""The import and output rules of DESIGN.md as functions over a package directory, so that
tests/test_layering.py can hold src/satchel to them and tests/test_layering_rules.py can prove
each rule fires on small synthetic trees.

Every function takes `root`, the directory of the top-level package (`src/satchel`, or a
`tmp_path / "satchel"` written by a test); module names are dotted from the package's own name
(`satchel.resolve.provider`). What counts as an import of a module of the tree:

- `import satchel.x.y` and `from satchel.x import y` (absolute), `from ..x import y` and
  `from . import y` (relative, resolved against the importing module's package);
- `from P import name` is an import of `P.name` where that is a module of the tree, else of `P`;
- a module named by a string: `importlib.import_module("satchel.x")` or `__import__(...)` (an
  f-string's constant head, `f"satchel.commands.{name}"`, names `satchel.commands`), or a string
  in a dict/list/tuple/set literal that is exactly the dotted name of a module of the tree (a
  lazy registry such as `{"install": ("satchel.commands.install", "...")}`; a logger name such
  as `getLogger("satchel.index")` is not an import);
- wherever the statement is: at module level, inside a function (lazy), or under
  `if TYPE_CHECKING:` (recorded as `type_only`; the rank rule and the purity rule skip those,
  the cycle rule counts them, as ../shared/tools/shape.py does).

A target that is not a module of the tree is cut back to its nearest enclosing module (a name
imported from a package's `__init__`), and imports of anything outside the tree are ignored.
Importing `satchel.x.y` also runs `satchel/x/__init__.py`; that implicit edge is not counted
(a package re-exporting its modules would otherwise be in a cycle with each of them).

This module imports only the standard library (never satchel: it reads sources, it does not
run them).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IO_MODULES",
    "Import",
    "count_drift",
    "cycle_drift",
    "import_cycles",
    "imports_of",
    "io_in_pure_modules",
    "layer_of",
    "module_files",
    "output_writes",
    "pure_rule_violations",
    "unranked_layers",
    "upward_imports",
]

#: Standard-library and third-party modules whose import means disk, network or process I/O
#: (a module importing one of them is not pure; `_PURE_NAMES` lists the few pure functions
#: they hold). `os` is not here: `os.path.join` is string work; the disk-touching `os` calls
#: are in `_OS_IO` instead.
IO_MODULES = frozenset(
    {
        "concurrent", "fcntl", "glob", "http", "mmap", "msvcrt", "multiprocessing", "select",
        "selectors", "shutil", "signal", "socket", "sqlite3", "ssl", "subprocess", "tarfile",
        "tempfile", "threading", "urllib.request", "urllib3", "zipfile",
    }
)  # fmt: skip
_OS_IO = frozenset(
    {
        "chmod", "exists", "fsync", "getatime", "getctime", "getmtime", "getsize", "isdir",
        "isfile", "islink", "lexists", "link", "listdir", "lstat", "makedirs", "mkdir", "open",
        "popen", "read", "readlink", "realpath", "remove", "removedirs", "rename", "replace",
        "rmdir", "samefile", "scandir", "stat", "symlink", "system", "unlink", "utime", "walk",
        "write",
    }
)  # fmt: skip
#: pathlib methods that read or change the disk (names no str or dict method shares).
_PATH_IO = frozenset(
    {
        "exists", "hardlink_to", "is_dir", "is_file", "is_symlink", "iterdir", "mkdir",
        "read_bytes", "read_text", "rglob", "rmdir", "symlink_to", "touch", "unlink",
        "write_bytes", "write_text",
    }
)  # fmt: skip
#: Pure functions of I/O modules: importing only these is no I/O.
_PURE_NAMES = {"urllib.request": ("pathname2url", "url2pathname")}
_STREAMS = frozenset({"stdout", "stderr", "__stdout__", "__stderr__"})


@dataclass(frozen=True)
class Import:
    """`source` imports `target` (both modules of the tree) at `line`."""

    source: str
    target: str
    line: int
    type_only: bool = False  # under `if TYPE_CHECKING:`
    by_name: bool = False  # a module named by a string (importlib)


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under `root` (a package's `__init__.py`
    is the package itself)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def layer_of(module: str) -> str:
    """The layer a module belongs to: `satchel.resolve.provider` -> `resolve`, `satchel.errors`
    -> `errors`; the root package itself is `""`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits under `if TYPE_CHECKING:` (its `else:` runs)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, type_only = stack.pop()
        yield node, type_only
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.append((node.test, type_only))
            stack.extend((child, True) for child in node.body)
            stack.extend((child, type_only) for child in node.orelse)
        else:
            stack.extend((child, type_only) for child in ast.iter_child_nodes(node))


class _Resolver:
    def __init__(self, modules: Mapping[str, Path]) -> None:
        self.modules = modules

    def nearest(self, name: str) -> str | None:
        """`name` cut back to the nearest module of the tree; None for anything outside it."""
        while name and name not in self.modules:
            name = name.rpartition(".")[0]
        return name or None

    def package_of(self, module: str) -> str:
        return module if self.modules[module].name == "__init__.py" else module.rpartition(".")[0]

    def targets(self, module: str, node: ast.AST) -> list[tuple[str, bool]]:
        """(imported name, named by a string) for one node; names may lie outside the tree."""
        if isinstance(node, ast.Import):
            return [(alias.name, False) for alias in node.names]
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = self.package_of(module).split(".")
                if node.level - 1 >= len(base):
                    return []  # beyond the top-level package
                base = base[: len(base) - node.level + 1]
                head = ".".join(base + ([node.module] if node.module else []))
            else:
                head = node.module or ""
            return [(f"{head}.{a.name}" if f"{head}.{a.name}" in self.modules else head, False) for a in node.names]
        if isinstance(node, ast.Call) and node.args and _is_import_call(node.func):
            named = _string_head(node.args[0])
            return [(named, True)] if named else []
        if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.Tuple)):
            items = [*node.keys, *node.values] if isinstance(node, ast.Dict) else node.elts
            # a string in a literal table that is exactly the dotted name of a module below the
            # top-level package (a lazy registry entry; the bare package name is the program's name)
            texts = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
            return [(text, True) for text in texts if "." in text and text in self.modules]
        return []


def _is_import_call(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )


def _string_head(arg: ast.expr) -> str | None:
    """The module a string argument names: a constant, or an f-string's constant head up to its
    last dot (`f"satchel.commands.{x}"` -> `satchel.commands`)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rpartition(".")[0] or None
    return None


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports_of(root: Path) -> list[Import]:
    """Every import of a module of the tree by a module of the tree (self-imports dropped)."""
    modules = module_files(root)
    resolver = _Resolver(modules)
    found: list[Import] = []
    for module, path in modules.items():
        for node, type_only in _walk(_parse(path)):
            for name, by_name in resolver.targets(module, node):
                target = resolver.nearest(name)
                if target is not None and target != module:
                    line = getattr(node, "lineno", 0)
                    found.append(Import(module, target, line, type_only=type_only, by_name=by_name))
    return found


def unranked_layers(root: Path, rank: Mapping[str, int]) -> set[str]:
    """Layers (top-level modules and packages) of the tree that `rank` does not place."""
    return {layer_of(m) for m in module_files(root) if layer_of(m) and layer_of(m) not in rank}


def upward_imports(root: Path, rank: Mapping[str, int]) -> list[str]:
    """`source imports target` for each run-time import of a layer ranked above the importer's
    (lower ranks are upstream: a module may import its own layer and those below it). The
    root package (`__version__`) counts as the bottom layer; TYPE_CHECKING imports are exempt."""
    ranks = {"": min(rank.values(), default=0), **rank}
    out = []
    for imp in imports_of(root):
        own, other = layer_of(imp.source), layer_of(imp.target)
        if imp.type_only or own == other or own not in ranks or other not in ranks:
            continue
        if ranks[other] > ranks[own]:
            how = " (by name)" if imp.by_name else ""
            out.append(f"{imp.source}:{imp.line} imports {imp.target}{how}")
    return sorted(set(out))


def import_cycles(root: Path) -> list[frozenset[str]]:
    """The strongly connected components of more than one module in the graph of every import
    (lazy and TYPE_CHECKING ones included)."""
    edges: dict[str, set[str]] = {m: set() for m in module_files(root)}
    for imp in imports_of(root):
        edges[imp.source].add(imp.target)
    return [frozenset(c) for c in _strongly_connected(edges) if len(c) > 1]


def _strongly_connected(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to meet on a deep tree)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A test for module names: a pattern is a module's name, or `pkg.*` for a package and
    every module in it."""
    patterns = list(patterns)
    exact = {p for p in patterns if not p.endswith(".*")}
    packages = tuple(p[:-1] for p in patterns if p.endswith(".*"))
    return lambda module: module in exact or (module + ".").startswith(packages)


def pure_rule_violations(
    root: Path,
    pure: Iterable[str],
    shared: Iterable[str],
    *,
    same_layer: bool = True,
    known: Collection[tuple[str, str]] = (),
    known_name: str = "KNOWN_IMPURE",
) -> list[str]:
    """`source imports target` for each run-time import, by a module matching `pure` (names or
    `pkg.*`, as `_matcher`), of a module of another layer that is neither pure nor `shared`
    (errors, protocols, ...). Its own layer's modules are allowed, unless `same_layer` is false.
    A package's `__init__` is a module like any other (pure only if it matches).

    `known` (source, target) pairs are an allowlist that only shrinks: they are not reported,
    but a known pair no longer imported is (to be removed from `known_name`)."""
    is_pure, is_shared = _matcher(pure), _matcher(shared)
    out, seen = [], set()
    for imp in imports_of(root):
        if not is_pure(imp.source) or imp.type_only or is_pure(imp.target) or is_shared(imp.target):
            continue
        if not same_layer or layer_of(imp.target) != layer_of(imp.source):
            seen.add((imp.source, imp.target))
            if (imp.source, imp.target) not in known:
                out.append(f"{imp.source}:{imp.line} (pure) imports {imp.target} (not pure)")
    gone = [f"{s} no longer imports {t}: remove {(s, t)!r} from {known_name}" for s, t in sorted(set(known) - seen)]
    return sorted(set(out)) + gone


def io_in_pure_modules(root: Path, pure: Iterable[str]) -> list[str]:
    """What makes a module matching `pure` not pure: an import of an `IO_MODULES` module, a call
    of `open()`, of a disk-touching `os`/`os.path` function, or of a disk-touching pathlib method
    (a function passed in, such as a default `isdir=os.path.isdir`, is allowed: that is injection).
    A pattern that matches no module of the tree is reported too (the table names what exists)."""
    modules = module_files(root)
    patterns = list(pure)
    unmatched = [p for p in patterns if not any(map(_matcher([p]), modules))]
    out = [f"{p} is listed as pure but names no module of the tree" for p in unmatched]
    found: list[tuple[str, int, str]] = []
    for module in filter(_matcher(patterns), modules):
        for node, type_only in _walk(_parse(modules[module])):
            what = None if type_only else _io_of(node)
            if what:
                found.append((module, getattr(node, "lineno", 0), what))
    return out + [f"{module}:{line} {what}" for module, line, what in sorted(found)]


def _imported_names(node: ast.AST) -> list[str]:
    """The modules an import statement may load (`from a import b`: `a` and `a.b`), less the
    pure functions `_PURE_NAMES` lists; relative imports (inside the tree) are none."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
        return []
    names = {a.name for a in node.names}
    if names <= set(_PURE_NAMES.get(node.module, ())):
        return []
    return [node.module] + [f"{node.module}.{name}" for name in sorted(names)]


def _io_of(node: ast.AST) -> str | None:
    """What I/O one node does, in words (None for none)."""
    for name in _imported_names(node):
        if any(name == io or name.startswith(io + ".") for io in IO_MODULES):
            return f"imports {name}"
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id == "open":
        return "calls open()"
    if isinstance(func, ast.Attribute):
        dotted = _dotted(func)
        if dotted.startswith("os.") and func.attr in _OS_IO:
            return f"calls {dotted}()"
        if func.attr in _PATH_IO and not dotted.startswith("os."):
            return f"calls .{func.attr}()"
    return None


def _dotted(node: ast.expr) -> str:
    """`a.b.c` for a chain of names and attributes ('' where it holds anything else)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _writes_to_terminal(node: ast.AST) -> bool:
    """`print(...)`, or `.write`/`.writelines` on sys.stdout/sys.stderr (also through
    `.buffer`, or on a `stdout` imported from sys)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    if isinstance(func, ast.Attribute) and func.attr in ("write", "writelines"):
        chain = _dotted(func.value).split(".")
        return bool(_STREAMS & set(chain))
    return False


def output_writes(root: Path, exempt: Iterable[str]) -> dict[str, int]:
    """Module -> how many terminal writes (`_writes_to_terminal`) it holds, for every module
    not matching `exempt` (names or `pkg.*`, as `_matcher`)."""
    exempted = _matcher(exempt)
    counts: dict[str, int] = {}
    for module, path in module_files(root).items():
        if exempted(module):
            continue
        n = sum(1 for node, _ in _walk(_parse(path)) if _writes_to_terminal(node))
        if n:
            counts[module] = n
    return counts


def cycle_drift(found: Iterable[frozenset[str]], known: Iterable[frozenset[str]], name: str) -> list[str]:
    """Problems between the cycles found and an allowlist `name` of known ones: a cycle that is
    no part of a known one is new; a known one with no cycle left is to be removed, and one that
    has shrunk is to be replaced by what remains (the list only shrinks)."""
    found, known = list(found), list(known)
    out = []
    for cycle in found:
        if not any(cycle <= k for k in known):
            out.append(f"new import cycle: {' <-> '.join(sorted(cycle))}")
    for k in known:
        left = [c for c in found if c <= k]
        if not left and any(k < c for c in found):
            continue  # grown into a larger cycle: reported as new above
        if not left:
            out.append(f"the cycle {' <-> '.join(sorted(k))} is gone: remove {sorted(k)} from {name}")
        elif frozenset().union(*left) != k:
            remaining = [sorted(c) for c in left]
            out.append(f"the cycle {' <-> '.join(sorted(k))} has shrunk: replace {sorted(k)} in {name} by {remaining}")
    return out


def count_drift(found: Mapping[str, int], known: Mapping[str, int], name: str, what: str) -> list[str]:
    """Problems between counts found per module and an allowlist `name` of known counts: more
    than known (or a module not listed) is new; fewer is to be written down (the list only shrinks)."""
    out = []
    for module in sorted(set(found) | set(known)):
        have, allowed = found.get(module, 0), known.get(module, 0)
        if have > allowed:
            out.append(f"{module}: {have} {what} (allowed {allowed}): new violations")
        elif have == 0:
            out.append(f"{module} has no {what} left: remove {module!r} from {name}")
        elif have < allowed:
            out.append(f"{module} has {have} {what} now: lower {name}[{module!r}] to {have}")
    return out
