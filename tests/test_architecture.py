"""The shape of the code: data flows one way, stage by stage (README, "Architecture").

Every import (also those inside functions) is read from the source: a module
may import its own layer and those below it, never a later stage, and no
modules import each other in a loop.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGES = ("gazetteer", "extractors", "pipeline", "baocao")

# lowest first: a module may import modules of its own layer or of a layer before it
LAYERS = [
    ("gazetteer", "pipeline.__init__"),
    ("extractors",),
    ("pipeline.text", "pipeline.models", "pipeline.runlog"),
    ("pipeline.discover", "pipeline.ingest"),
    ("pipeline.document",),
    ("pipeline.engines",),
    ("pipeline.store",),
    ("pipeline.incremental", "pipeline.corpus"),
    ("pipeline.run",),
    ("pipeline.query", "pipeline.reports"),
    ("pipeline.bench",),
    ("pipeline.cli",),
    ("baocao",),
]
MAX_TOP_LEVEL_MODULES = 8
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__" and parts[:-1] != ["pipeline"]:
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules a module imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer_of(name: str) -> int:
    best, index = "", None
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > len(best):
                best, index = prefix, i
    assert index is not None, f"{name} belongs to no layer: add it to LAYERS"
    return index


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def test_no_module_imports_a_later_stage(graph):
    wrong = [
        f"{name} (layer {layer_of(name)}) imports {target} (layer {layer_of(target)})"
        for name, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(name)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles(graph):
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [node, nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    # a package importing its own submodules is how a package hands names on, not a loop
    real = [c for c in cycles if not _package_and_child(c)]
    assert not real, "\n".join(real)


def _package_and_child(cycle: str) -> bool:
    names = cycle.split(" -> ")
    return all(a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(names, names[1:]))


def test_the_pipeline_package_shows_its_stages():
    top = [p for p in (ROOT / "pipeline").glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(p.name for p in top)


def test_long_functions_say_why():
    long = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if lines > MAX_FUNCTION_LINES and "long" not in doc.lower():
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert not long, "\n".join(long)
