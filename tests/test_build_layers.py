"""The package's folders are its layers, and this test holds the rule (docs/design.md).

- every module belongs to a layer by its package; a module in none fails;
- a layer imports only from itself and the layers below it;
- `generator/core/` is pure: no os, subprocess, shutil, tempfile, no file reads or writes;
- `generator/preview/server.py` is plain standard library;
- no import cycles between modules, counting imports inside functions too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# lowest first; a module may import from its own layer and from any layer of a lower rank
RANK = {"core": 0, "io": 1, "importer": 2, "publish": 2, "stages": 3, "build": 4,
        "preview": 5, "commands": 6, "cli": 7, "__main__": 8}
FOREIGN_IN_CORE = {"os", "subprocess", "shutil", "tempfile", "socket", "io"}
IO_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink",
            "iterdir", "rglob", "exists", "is_file"}
# data folders, not modules
NOT_MODULES = {"starter", "workflows", "data", "themes", "rules"}


def module_name(path: Path, package: Path) -> str:
    """generator/core/urls.py -> generator.core.urls."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if NOT_MODULES & set(path.relative_to(package).parts[:-1]):
            continue
        found[module_name(path, package)] = path
    return found


def layer_of(name: str) -> str | None:
    """The layer a dotted module name belongs to (None for the package root itself)."""
    parts = name.split(".")
    if len(parts) == 1:
        return None  # generator/__init__.py: the version only
    return parts[1] if parts[1] in RANK else None


def imports_of(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The generator modules `path` imports (resolved to modules, not names in them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("generator")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            if not base.startswith("generator"):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
    return {f for f in found if f != name}


def external_imports(path: Path) -> set[str]:
    """Top-level names of the non-generator modules `path` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found - {"generator"}


def io_calls(path: Path) -> list[str]:
    """`open(...)` and `x.read_text(...)`-style calls, as `name:line`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None)
            if called in IO_CALLS and (called != "open" or isinstance(func, ast.Name)):
                calls.append(f"{called}:{node.lineno}")
    return calls


def layer_violations(package: Path = PACKAGE) -> list[str]:
    """Every break of the layer rules in `package`, as readable lines."""
    found, known = [], modules(package)
    for name, path in known.items():
        layer = layer_of(name)
        if layer is None:
            if name != "generator":
                found.append(f"{name}: in no layer (put it in one of {sorted(RANK)})")
            continue
        for target in imports_of(path, name, known):
            other = layer_of(target)
            if other is None or other == layer:
                continue
            if RANK[other] >= RANK[layer]:
                found.append(f"{name} imports {target}: {other} is not below {layer}")
        if layer == "core":
            foreign = external_imports(path) & FOREIGN_IN_CORE
            found += [f"{name} imports {m}: core is pure" for m in sorted(foreign)]
            found += [f"{name} calls {c}: core reads and writes no files" for c in io_calls(path)]
        if name == "generator.preview.server" and imports_of(path, name, known):
            found.append(f"{name} imports from generator: the server is plain stdlib")
    return found


def import_cycles(package: Path = PACKAGE) -> list[list[str]]:
    """Cycles in the module import graph (Tarjan's strongly connected components)."""
    known = modules(package)
    graph = {name: {t for t in imports_of(path, name, known) if t in known}
             for name, path in known.items()}
    graph = {n: {t for t in ts if not n.startswith(t + ".")} for n, ts in graph.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node); on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target); low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop(); on_stack.discard(top); component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_every_module_sits_in_a_layer_and_imports_only_downwards():
    assert layer_violations() == []


def test_no_import_cycles():
    assert import_cycles() == []


def test_no_module_over_500_lines_and_no_function_over_50():
    long = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 500:
            long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > 50:
                    long.append(f"{name}.{node.name}: {size} lines")
    assert long == []


PLANTED = [
    ("core/bad.py", "import os\n", "generator.core.bad imports os: core is pure"),
    ("core/bad.py", "def f(p):\n    return p.read_text()\n",
     "generator.core.bad calls read_text:2: core reads and writes no files"),
    ("core/bad.py", "from generator.io import cache\n",
     "generator.core.bad imports generator.io.cache: io is not below core"),
    ("stray.py", "", "generator.stray: in no layer"),
    ("preview/server.py", "from generator.core import urls\n",
     "generator.preview.server imports from generator: the server is plain stdlib"),
]


def tiny_package(folder: Path) -> Path:
    """generator/ with empty core, io and preview layers and an empty io/cache.py."""
    package = folder / "generator"
    for layer in ["core", "io", "preview"]:
        (package / layer).mkdir(parents=True)
        (package / layer / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "io" / "cache.py").write_text("")
    return package


@pytest.mark.parametrize("relative, source, expected", PLANTED)
def test_a_planted_violation_fails(tmp_path, relative, source, expected):
    package = tiny_package(tmp_path)
    assert layer_violations(package) == []
    (package / relative).write_text(source)
    found = layer_violations(package)
    assert any(line.startswith(expected) for line in found), found


def test_a_planted_cycle_is_found(tmp_path):
    package = tiny_package(tmp_path)
    (package / "core" / "a.py").write_text("from generator.core import b\n")
    (package / "core" / "b.py").write_text("def f():\n    from generator.core import a\n")
    assert import_cycles(package) == [["generator.core.a", "generator.core.b"]]
